import { signedInScope } from '../../auth/http-auth.js';
import type { Config } from '../../config.js';
import type { App } from '../../http/types.js';
import { eventAttendanceRoutes, attendeeSearchRoutes, sessionAttendanceRoutes } from './attendance-routes.js';
import { attendeeImportRoutes } from './attendee-import-routes.js';
import { attendeeRoutes } from './attendee-routes.js';
import type { CheckinModule } from './checkin-module.js';
import { checkinRoutes, checkinUndoRoutes } from './checkin-routes.js';
import { deviceRoutes } from './device-routes.js';
import { eventRoutes } from './event-routes.js';
import { myPassRoutes, passRoutes } from './pass-routes.js';
import { scannerScope } from './scanner-auth.js';
import { scannerSessionRoutes } from './scanner-sessions.js';
import { webhookRoutes } from './webhook-routes.js';

export interface CheckinPluginOptions {
  checkin: CheckinModule;
  config: Config;
}

/**
 * The check-in feature under its prefix (`/api/v1`), one scope per guard:
 * - anyone: a pass opened through its personal link;
 * - signed in: the caller's own pass;
 * - admin: events, sessions, attendees, imports, event exports, scanners (devices), webhooks;
 * - staff: undoing a check-in, a session's export (the services check the caller staffs it);
 * - scanner (a device token, or a signed-in user): scanning, counts, what offline
 *   scanners need, the scanner's session list, the name search. Whether the
 *   scanner may scan that session is the service's question.
 */
export async function checkinPlugin(app: App, { checkin: m, config }: CheckinPluginOptions): Promise<void> {
  passRoutes(app, m.service, { linkAttemptsPerMinute: config.userCodeAttemptsPerMinute });
  await signedInScope(app, 'member', (scope) => myPassRoutes(scope, m.service));
  await signedInScope(app, 'admin', (scope) => {
    eventRoutes(scope, m.admin);
    attendeeRoutes(scope, m.admin);
    deviceRoutes(scope, m.admin);
    attendeeImportRoutes(scope, m.attendance.importer);
    eventAttendanceRoutes(scope, m.attendance.exporter);
    webhookRoutes(scope, m.webhooks.admin);
  });
  await signedInScope(app, 'staff', (scope) => {
    checkinUndoRoutes(scope, m.service);
    sessionAttendanceRoutes(scope, m.attendance.exporter);
  });
  await scannerScope(app, m.devices, (scope) => {
    checkinRoutes(scope, m.service, { scansPerMinute: config.checkinScansPerMinute });
    scannerSessionRoutes(scope, m.admin);
    attendeeSearchRoutes(scope, m.attendance.search);
  });
}
