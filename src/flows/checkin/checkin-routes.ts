import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { CountsView, ManualBody, OfflineAttendees, ScanAnswerSchema, ScanBody } from './checkin-schemas.js';
import { IdParams, Paging } from '../../http/schemas.js';
import type { CheckinService } from './checkin-service.js';
import { scannerOf } from './scanner-auth.js';

export interface CheckinRouteOptions {
  /** Scans per minute per client address: many scanners may share one venue address. */
  scansPerMinute: number;
}

const security: Record<string, string[]>[] = [{ session: [] }, { apiKey: [] }];

/** The scanner's API (registered in a scanner scope): scan, manual check-in, live counts, and what offline scanners need. */
export function checkinRoutes(app: App, service: CheckinService, o: CheckinRouteOptions): void {
  app.addSchema(ScanAnswerSchema);
  app.addSchema(CountsView);
  const scanLimit = { rateLimit: { max: o.scansPerMinute, timeWindow: '1 minute' } };

  app.post(
    '/checkins',
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
        response: { 200: Type.Ref('ScanAnswer'), ...errorResponses('invalid_request', 'unauthorized', 'device_revoked', 'csrf_failed', 'forbidden', 'not_found') },
      },
    },
    async (req, reply) => {
      const scanner = scannerOf(req);
      const { answer, replayed } = await service.scan(scanner, { ...req.body, direction: req.body.direction ?? 'entry' });
      if (replayed) reply.header('x-idempotent-replay', 'true');
      return answer;
    },
  );

  app.post(
    '/checkins/manual',
    {
      config: scanLimit,
      schema: {
        tags: ['checkin'],
        summary: 'Check an attendee in by id (no phone); decided and recorded like a scan',
        description: "An id that is not an attendee of the session's event (unknown, or another event's) is 404 `not_found`: nothing is recorded and no pass is told.",
        security,
        body: ManualBody,
        response: { 200: Type.Ref('ScanAnswer'), ...errorResponses('invalid_request', 'unauthorized', 'device_revoked', 'csrf_failed', 'forbidden', 'not_found') },
      },
    },
    async (req, reply) => {
      const scanner = scannerOf(req);
      const { answer, replayed } = await service.manual(scanner, { ...req.body, direction: req.body.direction ?? 'entry' });
      if (replayed) reply.header('x-idempotent-replay', 'true');
      return answer;
    },
  );

  app.get(
    '/sessions/:id/counts',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Live counts of a session (expected, checked in, not yet, inside) and the latest scans, with a token for `session:<id>`',
        security,
        params: IdParams,
        response: { 200: Type.Ref('SessionCounts'), ...errorResponses('invalid_request', 'unauthorized', 'device_revoked', 'forbidden', 'not_found') },
      },
    },
    async (req) => service.counts(scannerOf(req), req.params.id),
  );

  app.get(
    '/events/:id/public-key',
    {
      schema: {
        tags: ['checkin'],
        summary: "The event's Ed25519 public key, to check codes offline (organisers, its staff and scanners)",
        security,
        params: IdParams,
        response: {
          200: Type.Object({ event_id: Type.String(), alg: Type.Literal('Ed25519'), public_key: Type.String({ description: 'raw 32 bytes, base64url' }), format: Type.String(), window_seconds: Type.Integer(), accept_seconds: Type.Integer() }),
          ...errorResponses('invalid_request', 'unauthorized', 'device_revoked', 'forbidden', 'not_found'),
        },
      },
    },
    async (req) => service.publicKey(scannerOf(req), req.params.id),
  );

  app.get(
    '/events/:id/attendees',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Attendees and their sessions, for offline scanners (organisers, its staff and scanners; emails for admins only)',
        security,
        params: IdParams,
        querystring: Paging,
        response: {
          200: OfflineAttendees,
          ...errorResponses('invalid_request', 'unauthorized', 'device_revoked', 'forbidden', 'not_found'),
        },
      },
    },
    async (req) => service.attendeeList(scannerOf(req), req.params.id, req.query.limit ?? 1000, req.query.offset ?? 0),
  );
}

/** Undo a check-in: a staff account's act, never a device's. */
export function checkinUndoRoutes(app: App, service: CheckinService): void {
  app.delete(
    '/checkins/:id',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Undo a wrong check-in (admins, or staff of its session)',
        params: IdParams,
        response: { 200: Type.Object({ id: Type.String(), undone: Type.Boolean() }), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'conflict') },
      },
    },
    async (req) => service.undo(principalOf(req).user, req.params.id),
  );
}
