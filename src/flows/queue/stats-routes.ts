import { principalOf } from '../../auth/http-auth.js';
import { sendCsv } from '../../http/csv.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { QueueParams } from './queue-schemas.js';
import { QueueStatsView, StatsQuery } from './stats-schemas.js';
import type { StatsService } from './stats-service.js';

const TAGS = ['queue'];

const csvDescription =
  'CSV (UTF-8 with BOM, CRLF): a header row, then one row per ticket of the day, oldest first: `number, service, status, name, phone, ' +
  "created_at, called_at, finished_at` (ISO 8601 in the place's zone, with its offset), `wait_seconds` (called - created), " +
  '`service_seconds` (finished - called, served tickets), `counter`. Cells that a spreadsheet would run as a formula start with a quote.';

/** A place's statistics and its tickets as CSV: admins and staff of the place (the service checks). Registered in the staff scope. */
export function statsRoutes(app: App, stats: StatsService): void {
  app.get(
    '/queues/:id/stats',
    {
      schema: {
        tags: TAGS,
        summary: "A place's day per service: tickets, served, no-shows, waiting and service time p50/p90, tickets per local hour",
        description: 'Waiting time is called_at - created_at of the tickets that were called (to the last recall); service time is finished_at - called_at of served tickets. Percentiles are nearest-rank, in seconds.',
        params: QueueParams,
        querystring: StatsQuery,
        response: { 200: QueueStatsView, ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return stats.day(principalOf(req).user, req.params.id, req.query.day);
    },
  );

  app.get(
    '/queues/:id/tickets.csv',
    {
      schema: {
        tags: TAGS,
        summary: "A place's tickets of a day, as CSV",
        description: csvDescription,
        produces: ['text/csv'],
        params: QueueParams,
        querystring: StatsQuery,
        response: errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found'),
      },
    },
    async (req, reply) => {
      const f = await stats.csv(principalOf(req).user, req.params.id, req.query.day);
      return sendCsv(reply, f.filename, f.csv, 'tickets');
    },
  );
}
