import type { FastifyReply } from 'fastify';
import { principalOf } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { attachment, type AttendanceExport, type AttendanceFile } from './attendance-export.js';
import type { AttendeeSearch } from './attendee-search.js';
import { IdParams } from '../../http/schemas.js';
import { SearchAnswer, SearchQuery } from './attendance-schemas.js';
import { scannerOf } from '../checkin/scanner-auth.js';

const csvDescription =
  'CSV (UTF-8 with BOM): one row per attendee per session with `name, email, session, status (checked_in | not_yet | checked_out), ' +
  'checked_in_at, checked_out_at (ISO 8601), gate, scanned_by`. Cells that a spreadsheet would run as a formula start with a quote.';

const sendCsv = (reply: FastifyReply, f: AttendanceFile) =>
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', attachment(f.filename)).header('cache-control', 'no-store').send(f.csv);

/** The attendance export of a whole event: admins. */
export function eventAttendanceRoutes(app: App, exporter: AttendanceExport): void {
  app.get(
    '/events/:id/attendance.csv',
    {
      schema: { tags: ['checkin'], summary: 'Attendance of every session of the event, as CSV (admins)', description: csvDescription, produces: ['text/csv'], params: IdParams, response: errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') },
    },
    async (req, reply) => sendCsv(reply, await exporter.forEvent(req.params.id)),
  );
}

/** The attendance export of one session: staff (the exporter checks they staff it). */
export function sessionAttendanceRoutes(app: App, exporter: AttendanceExport): void {
  app.get(
    '/sessions/:id/attendance.csv',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Attendance of one session, as CSV (admins, and its staff without emails)',
        description: csvDescription,
        produces: ['text/csv'],
        params: IdParams,
        response: errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found'),
      },
    },
    async (req, reply) => sendCsv(reply, await exporter.forSession(principalOf(req).user, req.params.id)),
  );
}

/** The name search of the session dashboard (registered in a scanner scope). */
export function attendeeSearchRoutes(app: App, search: AttendeeSearch): void {
  app.get(
    '/sessions/:id/attendees',
    {
      schema: {
        tags: ['checkin'],
        summary: "Find attendees of the session's event by name or email, with their status in this session (for manual check-in)",
        description: 'Admins, staff of the session and its provisioned devices. At most 20, in name order.',
        security: [{ session: [] }, { apiKey: [] }],
        params: IdParams,
        querystring: SearchQuery,
        response: { 200: SearchAnswer, ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'device_revoked', 'not_found') },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return search.search(scannerOf(req), req.params.id, req.query.q);
    },
  );
}
