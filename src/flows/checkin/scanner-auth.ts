import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/http-auth.js';
import { deviceOf } from '../../auth/device-token.js';
import { liveAccessOf } from '../../auth/live-access.js';
import { AppError } from '../../domain/errors.js';
import { deviceGrant, type LiveAccess } from '../../domain/live-grant.js';
import type { App } from '../../http/types.js';
import type { DeviceInfo, ScannerDevicesRepo } from '../../store/scanner-devices.js';
import type { User } from '../../store/users.js';

export const DEVICE_TOKEN_PREFIX = 'spd_';

/** Who is scanning: a signed-in user (cookie session or API key) or a provisioned device. */
export type Scanner = { kind: 'user'; user: User; access: LiveAccess } | { kind: 'device'; device: DeviceInfo };

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is scanning, on the routes of a scanner scope; null elsewhere. */
    scanner: Scanner | null;
  }
}

const signedIn = requireUser('member');

/**
 * Resolves the caller of a scanner route. A device token in
 * `Authorization: Bearer spd_...` wins; an unknown or revoked one is 401.
 * Otherwise the caller must be signed in (cookie writes carry the CSRF
 * token); whether they may scan this session is the service's question.
 */
async function resolveScanner(req: FastifyRequest, reply: FastifyReply, devices: ScannerDevicesRepo): Promise<Scanner> {
  const device = await deviceOf(req, DEVICE_TOKEN_PREFIX, (hash) => devices.byTokenHash(hash), 'this scanner has been revoked; ask an organiser to provision it again');
  if (device) return { kind: 'device', device };
  await signedIn(req, reply);
  return { kind: 'user', user: req.principal!.user, access: liveAccessOf(req.principal!) };
}

/**
 * Registers `routes` in an encapsulated scope for scanners: its onRequest hook
 * resolves the caller (device token or signed-in user) into `req.scanner`
 * once, so routes read it with scannerOf instead of taking the devices store.
 */
export async function scannerScope(app: App, devices: ScannerDevicesRepo, routes: (scope: App) => void): Promise<void> {
  await app.register(async (scope: App) => {
    scope.decorateRequest('scanner', null);
    scope.addHook('onRequest', async (req, reply) => {
      req.scanner = await resolveScanner(req, reply, devices);
    });
    routes(scope);
  });
}

/** The scanner of a route in a scanner scope. */
export function scannerOf(req: FastifyRequest): Scanner {
  if (!req.scanner) throw new AppError('unauthorized', 'sign in or send a device token');
  return req.scanner;
}

/** The rights a scanner's channel tokens are minted under: the device, or the user's credential and account. */
export const scannerAccess = (s: Scanner): LiveAccess => (s.kind === 'device' ? { grants: [deviceGrant(s.device.id)] } : s.access);

/** The actor recorded with a scan; nonces are unique per actor. */
export const actorOf = (s: Scanner) =>
  s.kind === 'device'
    ? { key: `device:${s.device.id}`, name: s.device.name, userId: null, deviceId: s.device.id }
    : { key: `user:${s.user.id}`, name: s.user.name, userId: s.user.id, deviceId: null };
