import { signedInScope } from '../../auth/http-auth.js';
import type { App } from '../../http/types.js';
import type { QueueFeature } from './queue-feature.js';
import { placeShowScope } from './queue-device-auth.js';
import { queueAdminRoutes, queueJoinRoutes, queueShowRoutes, queueStaffRoutes } from './queue-routes.js';
import { QueueDeviceView, QueueView, TicketView } from './queue-schemas.js';
import { statsRoutes } from './stats-routes.js';
import { counterRoutes, ticketHolderRoutes } from './ticket-routes.js';

export interface QueuePluginOptions {
  queue: QueueFeature;
}

/**
 * The QR queue under its prefix (`/api/v1`), one scope per guard:
 * - anyone: the join page's list and taking a number (with the entrance
 *   code), and the holder's ticket by its token;
 * - staff: running a place and its counters (whether the caller staffs that
 *   place is queue-access.ts's question);
 * - staff or the place's devices (a board, a kiosk: `Bearer sqd_...`):
 *   showing a place, its board and entrance code;
 * - admin: places and their staff.
 */
export async function queuePlugin(app: App, { queue }: QueuePluginOptions): Promise<void> {
  app.addSchema(QueueView);
  app.addSchema(TicketView);
  app.addSchema(QueueDeviceView);
  queueJoinRoutes(app, queue.queues);
  ticketHolderRoutes(app, queue.tickets, queue.devices);
  await signedInScope(app, 'staff', (scope) => {
    queueStaffRoutes(scope, queue.queues);
    counterRoutes(scope, queue.tickets);
    statsRoutes(scope, queue.stats);
  });
  await placeShowScope(app, queue.devices, (scope) => queueShowRoutes(scope, queue.queues));
  await signedInScope(app, 'admin', (scope) => queueAdminRoutes(scope, queue.queues));
}
