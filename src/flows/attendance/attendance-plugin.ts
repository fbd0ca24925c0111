import { signedInScope } from '../../auth/http-auth.js';
import type { App } from '../../http/types.js';
import type { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import { scannerScope } from '../checkin/scanner-auth.js';
import { attendeeSearchRoutes, eventAttendanceRoutes, sessionAttendanceRoutes } from './attendance-routes.js';
import type { AttendanceFeature } from './attendance-feature.js';
import { attendeeImportRoutes } from './attendee-import-routes.js';
import { notArrivedRoutes } from './not-arrived-routes.js';

export interface AttendancePluginOptions {
  attendance: AttendanceFeature;
  /** Resolves device tokens for the name search. */
  devices: ScannerDevicesRepo;
}

/**
 * Attendee lists under their prefix (`/api/v1`): CSV import and the event's
 * export for admins; a session's export for its staff (the exporter checks the
 * caller staffs it); the name search for any scanner.
 */
export async function attendancePlugin(app: App, { attendance, devices }: AttendancePluginOptions): Promise<void> {
  await signedInScope(app, 'admin', (scope) => {
    attendeeImportRoutes(scope, attendance.importer);
    eventAttendanceRoutes(scope, attendance.exporter);
  });
  await signedInScope(app, 'staff', (scope) => {
    sessionAttendanceRoutes(scope, attendance.exporter);
    notArrivedRoutes(scope, attendance.notArrived);
  });
  await scannerScope(app, devices, (scope) => attendeeSearchRoutes(scope, attendance.search));
}
