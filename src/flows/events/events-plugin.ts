import { signedInScope } from '../../auth/http-auth.js';
import type { App } from '../../http/types.js';
import type { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import { scannerScope } from '../checkin/scanner-auth.js';
import { attendeeRoutes } from './attendee-routes.js';
import { deviceRoutes } from './device-routes.js';
import { eventEditRoutes } from './event-edit-routes.js';
import { eventRoutes } from './event-routes.js';
import type { EventsFeature } from './events-feature.js';
import { scannerSessionRoutes } from './scanner-session-routes.js';
import { passDeliveryRoutes } from './pass-delivery-routes.js';

export interface EventsPluginOptions {
  events: EventsFeature;
  /** Resolves device tokens for the scanner's session list. */
  devices: ScannerDevicesRepo;
}

/**
 * The organiser's API under its prefix (`/api/v1`): events, sessions, staff,
 * attendees and scanner devices for admins; the session picker of the
 * scanner page for any scanner (device or signed-in user).
 */
export async function eventsPlugin(app: App, { events, devices }: EventsPluginOptions): Promise<void> {
  await signedInScope(app, 'admin', (scope) => {
    eventRoutes(scope, events.service);
    eventEditRoutes(scope, events.edits);
    attendeeRoutes(scope, events.service);
    deviceRoutes(scope, events.service);
    passDeliveryRoutes(scope, events.passes);
  });
  await scannerScope(app, devices, (scope) => scannerSessionRoutes(scope, events.service));
}
