import { signedInScope } from '../../auth/http-auth.js';
import type { Config } from '../../config.js';
import type { App } from '../../http/types.js';
import type { CheckinFeature } from './checkin-feature.js';
import { checkinRoutes, checkinUndoRoutes } from './checkin-routes.js';
import { myPassRoutes, passRoutes } from './pass-routes.js';
import { scannerScope } from './scanner-auth.js';

export interface CheckinPluginOptions {
  checkin: CheckinFeature;
  config: Config;
}

/**
 * Check-in under its prefix (`/api/v1`), one scope per guard:
 * - anyone: a pass opened through its personal link;
 * - signed in: the caller's own pass;
 * - staff: undoing a check-in (the service checks the caller staffs the session);
 * - scanner (a device token, or a signed-in user): scanning, counts and what
 *   offline scanners need. Whether the scanner may scan that session is
 *   checkin-access.ts's question.
 */
export async function checkinPlugin(app: App, { checkin, config }: CheckinPluginOptions): Promise<void> {
  passRoutes(app, checkin.service, { linkAttemptsPerMinute: config.userCodeAttemptsPerMinute });
  await signedInScope(app, 'member', (scope) => myPassRoutes(scope, checkin.service));
  await signedInScope(app, 'staff', (scope) => checkinUndoRoutes(scope, checkin.service));
  await scannerScope(app, checkin.devices, (scope) => checkinRoutes(scope, checkin.service, { scansPerMinute: config.checkinScansPerMinute }));
}
