import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { DeviceBody, DeviceView } from './event-schemas.js';
import { IdParams } from '../../http/schemas.js';
import type { EventService } from './event-service.js';

/** Organisers: provision scanner devices (the token is shown once) and revoke them. */
export function deviceRoutes(app: App, ev: EventService): void {
  app.addSchema(DeviceView);

  app.post(
    '/events/:id/devices',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Provision a scanner for the event, or for one of its sessions',
        description: 'The answer carries `token` once; the device sends it as `Authorization: Bearer spd_...`.',
        params: IdParams,
        body: DeviceBody,
        response: { 201: Type.Ref('ScannerDevice'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') },
      },
    },
    async (req, reply) => reply.code(201).send(await ev.provisionDevice(principalOf(req).user.id, req.params.id, req.body)),
  );

  app.get(
    '/events/:id/devices',
    { schema: { tags: ['checkin'], summary: "The event's scanners", params: IdParams, response: { 200: Type.Object({ devices: Type.Array(Type.Ref('ScannerDevice')) }), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') } } },
    async (req) => ev.devices(req.params.id),
  );

  app.delete(
    '/devices/:id',
    { schema: { tags: ['checkin'], summary: 'Revoke a scanner: its token stops working at once', params: IdParams, response: { 200: Type.Ref('ScannerDevice'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } } },
    async (req) => ev.revokeDevice(principalOf(req).user.id, req.params.id),
  );
}
