import type { FastifyReply, FastifyRequest } from 'fastify';
import { deviceOf } from '../../auth/device-token.js';
import { requireUser } from '../../auth/http-auth.js';
import { liveAccessOf } from '../../auth/live-access.js';
import { AppError } from '../../domain/errors.js';
import type { QueueDevice } from '../../domain/queue.js';
import type { App } from '../../http/types.js';
import type { QueueDevicesRepo } from '../../store/queue-devices.js';
import type { QueueCaller } from './queue-access.js';

/** A queue board's or kiosk's token: `Authorization: Bearer sqd_...`. */
export const QUEUE_DEVICE_TOKEN_PREFIX = 'sqd_';

const REVOKED = "this screen's access was revoked; provision it again in the console";

declare module 'fastify' {
  interface FastifyRequest {
    /** Who shows a place, on the routes of a place-reader scope; null elsewhere. */
    queueCaller: QueueCaller | null;
  }
}

const signedInStaff = requireUser('staff');

/** The place's device whose token the request carries, if any (401 when unknown or revoked). */
export const queueDeviceOf = (req: FastifyRequest, devices: QueueDevicesRepo): Promise<QueueDevice | undefined> =>
  deviceOf(req, QUEUE_DEVICE_TOKEN_PREFIX, (hash) => devices.byTokenHash(hash), REVOKED);

async function resolveCaller(req: FastifyRequest, reply: FastifyReply, devices: QueueDevicesRepo): Promise<QueueCaller> {
  const device = await queueDeviceOf(req, devices);
  if (device) return { kind: 'device', device };
  await signedInStaff(req, reply);
  return { kind: 'user', user: req.principal!.user, access: liveAccessOf(req.principal!) };
}

/**
 * Registers `routes` in a scope for what shows a place (the board, the
 * entrance code): its onRequest hook resolves the caller, a device token or a
 * signed-in staff account, into `req.queueCaller` (as check-in's scannerScope
 * does); whether that caller may show this place is queue-access.ts's question.
 */
export async function placeShowScope(app: App, devices: QueueDevicesRepo, routes: (scope: App) => void): Promise<void> {
  await app.register(async (scope: App) => {
    scope.decorateRequest('queueCaller', null);
    scope.addHook('onRequest', async (req, reply) => {
      req.queueCaller = await resolveCaller(req, reply, devices);
    });
    routes(scope);
  });
}

/** The caller of a route in a place-show scope. */
export function queueCallerOf(req: FastifyRequest): QueueCaller {
  if (!req.queueCaller) throw new AppError('unauthorized', 'sign in or send a device token');
  return req.queueCaller;
}
