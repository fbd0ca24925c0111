import { Type } from '@fastify/type-provider-typebox';
import { principalOf, requireUser } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import { CountsView, IdParams, ManualBody, Paging, ScanAnswerSchema, ScanBody } from './checkin-schemas.js';
import type { CheckinService } from './checkin-service.js';
import { scannerOf } from './scanner-auth.js';

export interface CheckinRouteOptions {
  /** Scans per minute per client address: many scanners may share one venue address. */
  scansPerMinute: number;
}

const security: Record<string, string[]>[] = [{ session: [] }, { apiKey: [] }];

/** The scanner's API: scan, manual check-in, undo, live counts, and what offline scanners need. */
export function checkinRoutes(app: App, service: CheckinService, devices: ScannerDevicesRepo, o: CheckinRouteOptions): void {
  app.addSchema(ScanAnswerSchema);
  app.addSchema(CountsView);
  const scanLimit = { rateLimit: { max: o.scansPerMinute, timeWindow: '1 minute' } };

  app.post(
    '/api/v1/checkins',
    {
      // The scanned text is taken exactly as read (a NUL in it is an invalid_code answer) and never stored.
      config: { ...scanLimit, nulAllowed: ['body/code'] },
      schema: {
        tags: ['checkin'],
        summary: 'Check a scanned code in (or out)',
        description:
          'Staff of the session (cookie + CSRF, or API key) or a provisioned device (`Authorization: Bearer spd_...`). ' +
          'A refusal is an answer: 200 with `result: "rejected"` and one `reason`; it is recorded like any scan. ' +
          'A retry with the same nonce returns the same answer (header `x-idempotent-replay: true`) and changes nothing.',
        security,
        body: ScanBody,
        response: { 200: Type.Ref('ScanAnswer'), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      const scanner = await scannerOf(req, reply, devices);
      const { answer, replayed } = await service.scan(scanner, { ...req.body, direction: req.body.direction ?? 'entry' });
      if (replayed) reply.header('x-idempotent-replay', 'true');
      return answer;
    },
  );

  app.post(
    '/api/v1/checkins/manual',
    {
      config: scanLimit,
      schema: {
        tags: ['checkin'],
        summary: 'Check an attendee in by id (no phone); decided and recorded like a scan',
        description: "An id that is not an attendee of the session's event (unknown, or another event's) is 404 `not_found`: nothing is recorded and no pass is told.",
        security,
        body: ManualBody,
        response: { 200: Type.Ref('ScanAnswer'), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      const scanner = await scannerOf(req, reply, devices);
      const { answer, replayed } = await service.manual(scanner, { ...req.body, direction: req.body.direction ?? 'entry' });
      if (replayed) reply.header('x-idempotent-replay', 'true');
      return answer;
    },
  );

  app.delete(
    '/api/v1/checkins/:id',
    {
      preHandler: requireUser('staff'),
      schema: {
        tags: ['checkin'],
        summary: 'Undo a wrong check-in (admins, or staff of its session)',
        params: IdParams,
        response: { 200: Type.Object({ id: Type.String(), undone: Type.Boolean() }), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (req) => service.undo(principalOf(req).user, req.params.id),
  );

  app.get(
    '/api/v1/sessions/:id/counts',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Live counts of a session (expected, checked in, not yet, inside) and the latest scans, with a token for `session:<id>`',
        security,
        params: IdParams,
        response: { 200: Type.Ref('SessionCounts'), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => service.counts(await scannerOf(req, reply, devices), req.params.id),
  );

  app.get(
    '/api/v1/events/:id/public-key',
    {
      schema: {
        tags: ['checkin'],
        summary: "The event's Ed25519 public key, to check codes offline (organisers, its staff and scanners)",
        security,
        params: IdParams,
        response: {
          200: Type.Object({ event_id: Type.String(), alg: Type.Literal('Ed25519'), public_key: Type.String({ description: 'raw 32 bytes, base64url' }), format: Type.String(), window_seconds: Type.Integer(), accept_seconds: Type.Integer() }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (req, reply) => service.publicKey(await scannerOf(req, reply, devices), req.params.id),
  );

  app.get(
    '/api/v1/events/:id/attendees',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Attendees and their sessions, for offline scanners (organisers, its staff and scanners; emails for admins only)',
        security,
        params: IdParams,
        querystring: Paging,
        response: {
          200: Type.Object({
            attendees: Type.Array(
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                revoked: Type.Boolean(),
                sessions: Type.Array(Type.String()),
                email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
                user_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
              }),
            ),
          }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (req, reply) => service.attendeeList(await scannerOf(req, reply, devices), req.params.id, req.query.limit ?? 1000, req.query.offset ?? 0),
  );
}
