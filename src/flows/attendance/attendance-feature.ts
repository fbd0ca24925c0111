import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import { AttendanceRepo } from '../../store/attendance.js';
import { AttendeeBatch } from '../../store/attendee-batch.js';
import { AttendeesRepo } from '../../store/attendees.js';
import type { AuditLog } from '../../store/audit-log.js';
import { EventsRepo } from '../../store/events.js';
import type { Database } from '../../store/schema.js';
import type { SnapshotReads } from '../../store/snapshot-reads.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import { AttendanceExport } from './attendance-export.js';
import { AttendeeImport } from './attendee-import.js';
import { AttendeeSearch } from './attendee-search.js';
import { NotArrived } from './not-arrived.js';
import type { CheckinLive } from '../checkin/checkin-live.js';
import type { PassLinks } from '../events/pass-links.js';

/** The organiser's attendee lists: CSV import, attendance export, and the name search of the dashboard. Routes: attendance-plugin.ts. */
export interface AttendanceFeature {
  importer: AttendeeImport;
  exporter: AttendanceExport;
  search: AttendeeSearch;
  /** Who a session expects and has not come yet (the dashboard's list and its CSV). */
  notArrived: NotArrived;
}

export interface AttendanceFeatureDeps {
  db: Kysely<Database>;
  units: UnitsOfWork;
  /** Where the name searches and not-arrived lists run: off the event loop on SQLite. */
  reads: SnapshotReads;
  audit: AuditLog;
  channels: CheckinLive;
  clock: Clock;
  random: Random;
  /** The events feature's: new links from an import are kept readable. */
  passLinks: PassLinks;
}

export function createAttendance(config: Config, d: AttendanceFeatureDeps): AttendanceFeature {
  const events = new EventsRepo(d.db);
  const attendance = new AttendanceRepo(d.db, d.reads);
  return {
    importer: new AttendeeImport({ ...d, events, attendees: new AttendeesRepo(d.db), batch: new AttendeeBatch(d.db, d.units), publicUrl: config.publicUrl }),
    exporter: new AttendanceExport({ events, attendance }),
    search: new AttendeeSearch({ events, attendance }),
    notArrived: new NotArrived({ events, attendance }),
  };
}
