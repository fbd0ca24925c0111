import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import { AttendeesRepo } from '../../store/attendees.js';
import type { AuditLog } from '../../store/audit-log.js';
import { EventsRepo } from '../../store/events.js';
import type { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import type { Database } from '../../store/schema.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import type { UsersRepo } from '../../store/users.js';
import type { CheckinLive } from '../checkin/checkin-live.js';
import { EventService } from './event-service.js';

/** The organiser's side of check-in: events, sessions, attendees, staff and scanner devices. Routes: events-plugin.ts. */
export interface EventsFeature {
  service: EventService;
}

export interface EventsFeatureDeps {
  db: Kysely<Database>;
  units: UnitsOfWork;
  users: UsersRepo;
  audit: AuditLog;
  /** The check-in feature's: it caches device tokens, so a revocation must go through the same one. */
  devices: ScannerDevicesRepo;
  /** Where changes to sessions, passes and devices are published. */
  channels: CheckinLive;
  clock: Clock;
  random: Random;
}

export function createEvents(config: Config, d: EventsFeatureDeps): EventsFeature {
  const service = new EventService({
    events: new EventsRepo(d.db),
    attendees: new AttendeesRepo(d.db),
    devices: d.devices,
    users: d.users,
    audit: d.audit,
    units: d.units,
    channels: d.channels,
    clock: d.clock,
    random: d.random,
    publicUrl: config.publicUrl,
  });
  return { service };
}
