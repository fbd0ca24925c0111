import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { principalOf, requireUser } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import { attachment, type AttendanceExport, type AttendanceFile } from './attendance-export.js';
import { SEARCH_STATUSES, type AttendeeSearch, type SearchStatus } from './attendee-search.js';
import { IdParams } from './checkin-schemas.js';
import { scannerOf } from './scanner-auth.js';

const csvDescription =
  'CSV (UTF-8 with BOM): one row per attendee per session with `name, email, session, status (checked_in | not_yet | checked_out), ' +
  'checked_in_at, checked_out_at (ISO 8601), gate, scanned_by`. Cells that a spreadsheet would run as a formula start with a quote.';

const SearchQuery = Type.Object({ q: Type.String({ minLength: 1, maxLength: 100, description: 'part of a name or email, any case' }) });
const SearchAnswer = Type.Object({
  session_id: Type.String(),
  attendees: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      email: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'admins only' })),
      status: Type.Unsafe<SearchStatus>(Type.Union(SEARCH_STATUSES.map((s) => Type.Literal(s)))),
      checkin: Type.Union([Type.Object({ id: Type.String(), at: Type.Integer(), gate: Type.Union([Type.String(), Type.Null()]), by: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
    }),
    { maxItems: 20 },
  ),
});

const sendCsv = (reply: FastifyReply, f: AttendanceFile) =>
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', attachment(f.filename)).header('cache-control', 'no-store').send(f.csv);

/** Attendance exports and the name search of the session dashboard. */
export function attendanceRoutes(app: App, exporter: AttendanceExport, search: AttendeeSearch, devices: ScannerDevicesRepo): void {
  app.get(
    '/api/v1/events/:id/attendance.csv',
    {
      preHandler: requireUser('admin'),
      schema: { tags: ['checkin'], summary: 'Attendance of every session of the event, as CSV (admins)', description: csvDescription, produces: ['text/csv'], params: IdParams, response: errorResponses(401, 403, 404) },
    },
    async (req, reply) => sendCsv(reply, await exporter.forEvent(req.params.id)),
  );

  app.get(
    '/api/v1/sessions/:id/attendance.csv',
    {
      preHandler: requireUser('staff'),
      schema: {
        tags: ['checkin'],
        summary: 'Attendance of one session, as CSV (admins, and its staff without emails)',
        description: csvDescription,
        produces: ['text/csv'],
        params: IdParams,
        response: errorResponses(401, 403, 404),
      },
    },
    async (req, reply) => sendCsv(reply, await exporter.forSession(principalOf(req).user, req.params.id)),
  );

  app.get(
    '/api/v1/sessions/:id/attendees',
    {
      schema: {
        tags: ['checkin'],
        summary: "Find attendees of the session's event by name or email, with their status in this session (for manual check-in)",
        description: 'Admins, staff of the session and its provisioned devices. At most 20, in name order.',
        security: [{ session: [] }, { apiKey: [] }],
        params: IdParams,
        querystring: SearchQuery,
        response: { 200: SearchAnswer, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return search.search(await scannerOf(req, reply, devices), req.params.id, req.query.q);
    },
  );
}
