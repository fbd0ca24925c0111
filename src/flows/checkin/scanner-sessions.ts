import { Type } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import type { EventAdmin } from './event-admin.js';
import { scannerOf } from './scanner-auth.js';

/**
 * What the scanner page offers in its session picker: the sessions the caller
 * may scan at. A device: the sessions of its event (or its one session). A
 * staff account: the sessions it is assigned to. An admin: every session.
 * Sessions whose check-in closed more than a day ago are left out. One store
 * query whatever the caller (EventAdmin.scannerSessions).
 */
const ScannerSession = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  event_name: Type.String(),
  name: Type.String(),
  place: Type.Union([Type.String(), Type.Null()]),
  starts_at: Type.Integer(),
  ends_at: Type.Integer(),
  opens_at: Type.Integer(),
  closes_at: Type.Integer(),
  closed: Type.Boolean(),
  all_attendees: Type.Boolean({ description: 'every attendee of the event may check in; false: only those registered for this session' }),
});

export function scannerSessionRoutes(app: App, admin: EventAdmin, devices: ScannerDevicesRepo): void {
  app.get(
    '/api/v1/scanner/sessions',
    {
      schema: {
        tags: ['checkin'],
        summary: 'The sessions the caller (staff account or provisioned device) may scan at, for the scanner page',
        security: [{ session: [] }, { apiKey: [] }],
        response: {
          200: Type.Object({
            scanner: Type.Object({ kind: Type.Union([Type.Literal('user'), Type.Literal('device')]), name: Type.String() }),
            sessions: Type.Array(ScannerSession),
          }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const scanner = await scannerOf(req, reply, devices);
      const name = scanner.kind === 'device' ? scanner.device.name : scanner.user.name;
      return { scanner: { kind: scanner.kind, name }, sessions: await admin.scannerSessions(scanner) };
    },
  );
}
