import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import type { LiveService } from '../../live/live-service.js';
import { AttendeesRepo } from '../../store/attendees.js';
import type { AuditLog } from '../../store/audit-log.js';
import { CheckinsRepo } from '../../store/checkins.js';
import { EventsRepo } from '../../store/events.js';
import { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import type { Database } from '../../store/schema.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import type { UsersRepo } from '../../store/users.js';
import { createAttendance, type AttendanceModule } from './attendance-module.js';
import { CheckinService } from './checkin-service.js';
import { EventAdmin } from './event-admin.js';
import { EventKeyCache } from './event-keys.js';
import { createWebhooks, type Webhooks } from './webhook-module.js';

/** The check-in feature's services for the node; its routes are checkin-plugin.ts. */
export interface CheckinModule {
  service: CheckinService;
  admin: EventAdmin;
  devices: ScannerDevicesRepo;
  attendance: AttendanceModule;
  webhooks: Webhooks;
}

export interface CheckinModuleDeps {
  db: Kysely<Database>;
  units: UnitsOfWork;
  live: LiveService;
  audit: AuditLog;
  users: UsersRepo;
  clock: Clock;
  random: Random;
  onError: (err: unknown, context: string) => void;
  /** True once the node is shutting down: coalesced snapshots stop reading the store. */
  closing: () => boolean;
}

export function createCheckin(config: Config, d: CheckinModuleDeps): CheckinModule {
  const events = new EventsRepo(d.db);
  const attendees = new AttendeesRepo(d.db);
  const devices = new ScannerDevicesRepo(d.db, d.clock);
  const webhooks = createWebhooks(config, { db: d.db, events, audit: d.audit, clock: d.clock, random: d.random, onError: d.onError });
  const checkins = new CheckinsRepo(d.db, d.units, webhooks.outbox);
  const service = new CheckinService(
    { events, attendees, devices, checkins, live: d.live, audit: d.audit, clock: d.clock, keys: new EventKeyCache(), onError: d.onError, closing: d.closing },
    { codesAhead: config.checkinCodesAhead, maxScanAgeSeconds: config.checkinMaxScanAgeSeconds },
  );
  const admin = new EventAdmin({ events, attendees, devices, users: d.users, audit: d.audit, units: d.units, channels: service.channels, clock: d.clock, random: d.random, publicUrl: config.publicUrl });
  const attendance = createAttendance(config, { db: d.db, units: d.units, events, attendees, audit: d.audit, channels: service.channels, clock: d.clock, random: d.random });
  return { service, admin, devices, webhooks, attendance };
}
