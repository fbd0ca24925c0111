import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { EventService } from './event-service.js';
import { ScannerSessions } from './event-schemas.js';
import { scannerOf } from '../checkin/scanner-auth.js';

/**
 * What the scanner page offers in its session picker: the sessions the caller
 * may scan at. A device: the sessions of its event (or its one session). A
 * staff account: the sessions it is assigned to. An admin: every session.
 * Sessions whose check-in closed more than a day ago are left out. One store
 * query whatever the caller (EventService.scannerSessions).
 */
/** The scanner page's session list (registered in a scanner scope). */
export function scannerSessionRoutes(app: App, events: EventService): void {
  app.get(
    '/scanner/sessions',
    {
      schema: {
        tags: ['checkin'],
        summary: 'The sessions the caller (staff account or provisioned device) may scan at, for the scanner page',
        security: [{ session: [] }, { apiKey: [] }],
        response: {
          200: ScannerSessions,
          ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'device_revoked'),
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const scanner = scannerOf(req);
      const name = scanner.kind === 'device' ? scanner.device.name : scanner.user.name;
      return { scanner: { kind: scanner.kind, name }, sessions: await events.scannerSessions(scanner) };
    },
  );
}
