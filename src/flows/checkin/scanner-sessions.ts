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
 * Sessions whose check-in closed more than a day ago are left out.
 *
 * Built on EventAdmin's public methods only (no store access of its own), so
 * staff accounts cost one query per candidate session; a store query joining
 * `session_staff` would do it in one.
 */
const RECENT_MS = 24 * 3600_000;
const MAX_EVENTS = 50;

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
      const since = Date.now() - RECENT_MS;
      const eventIds = scanner.kind === 'device' ? [scanner.device.event_id] : (await admin.listEvents(MAX_EVENTS, 0)).events.map((e) => e.id);
      const out = [];
      for (const id of eventIds) {
        const ev = await admin.event(id).catch(() => null);
        if (!ev) continue;
        for (const s of ev.sessions) {
          if (s.closes_at < since) continue;
          if (scanner.kind === 'device' && scanner.device.session_id !== null && scanner.device.session_id !== s.id) continue;
          if (scanner.kind === 'user' && scanner.user.role !== 'admin' && !(await admin.staff(s.id)).staff.some((u) => u.id === scanner.user.id)) continue;
          out.push({ id: s.id, event_id: ev.id, event_name: ev.name, name: s.name, place: s.place, starts_at: s.starts_at, ends_at: s.ends_at, opens_at: s.opens_at, closes_at: s.closes_at, closed: s.closed });
        }
      }
      out.sort((a, b) => a.opens_at - b.opens_at || a.name.localeCompare(b.name));
      return { scanner: { kind: scanner.kind, name: scanner.kind === 'device' ? scanner.device.name : scanner.user.name }, sessions: out };
    },
  );
}
