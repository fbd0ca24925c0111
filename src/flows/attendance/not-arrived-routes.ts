import { principalOf } from '../../auth/http-auth.js';
import { sendCsv } from '../../http/csv.js';
import { errorResponses, IdParams } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { NotArrivedAnswer, NotArrivedCsvQuery, NotArrivedQuery } from './attendance-schemas.js';
import type { NotArrived } from './not-arrived.js';

/** Who has not arrived yet at a session: admins and its staff (registered in a staff scope). */
export function notArrivedRoutes(app: App, notArrived: NotArrived): void {
  app.get(
    '/sessions/:id/not-arrived',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Who the session expects and has not checked in yet, in name order, a page at a time; `q` narrows by name or email',
        description: 'Admins, and its staff (without emails).',
        params: IdParams,
        querystring: NotArrivedQuery,
        response: { 200: NotArrivedAnswer, ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return notArrived.list(principalOf(req).user, req.params.id, req.query.q ?? '', req.query.limit ?? 50, req.query.offset ?? 0);
    },
  );

  app.get(
    '/sessions/:id/not-arrived.csv',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Who has not checked in yet at the session, as CSV (`name, email, session`; emails for admins only)',
        description: 'UTF-8 with BOM; cells a spreadsheet would run as a formula start with a quote. `q` narrows as in the list.',
        produces: ['text/csv'],
        params: IdParams,
        querystring: NotArrivedCsvQuery,
        response: errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found'),
      },
    },
    async (req, reply) => {
      const f = await notArrived.csv(principalOf(req).user, req.params.id, req.query.q ?? '');
      return sendCsv(reply, f.filename, f.csv, 'not-arrived');
    },
  );
}
