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
import { smtpMailer } from '../../mail/mail-transport.js';
import { PassDeliveriesRepo } from '../../store/pass-deliveries.js';
import { PassLinksRepo } from '../../store/pass-links.js';
import { EventEdits } from './event-edits.js';
import { EventService } from './event-service.js';
import { PassDeliveryService } from './pass-delivery-service.js';
import { PassLinks } from './pass-links.js';
import { PassMailer } from './pass-mailer.js';

/** The organiser's side of check-in: events, sessions, attendees, staff and scanner devices. Routes: events-plugin.ts. */
export interface EventsFeature {
  service: EventService;
  /** Editing, deleting and archiving events and sessions. */
  edits: EventEdits;
  /** Personal pass links that can be given again (mailed, exported). */
  passLinks: PassLinks;
  /** Passes by e-mail: the organiser's API. */
  passes: PassDeliveryService;
  /** ... and the sender every node runs (undefined when no SMTP server is configured). */
  mailer: PassMailer | undefined;
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
  onError: (err: unknown, context: string) => void;
}

/** Pass e-mails: how often each node looks for queued ones, how many it sends at once, and how long a claim lasts. */
const MAIL_TICK_MS = 1000;
const MAIL_CONCURRENCY = 4;
const MAIL_LEASE_MS = 5 * 60_000;

export function createEvents(config: Config, d: EventsFeatureDeps): EventsFeature {
  const passLinks = new PassLinks({ db: d.db, units: d.units, links: new PassLinksRepo(d.db), channels: d.channels, clock: d.clock, random: d.random, publicUrl: config.publicUrl });
  // The sealing key exists before the first request needs it, so a refused request never writes it.
  passLinks.ready().catch(() => {});
  const deliveries = new PassDeliveriesRepo(d.db);
  const mailer = config.smtpUrl
    ? new PassMailer(
        { deliveries, links: passLinks, mailer: smtpMailer(config.smtpUrl, config.mailFrom ?? defaultFrom(config.publicUrl)), clock: d.clock, random: d.random, onError: d.onError },
        { tickMs: MAIL_TICK_MS, concurrency: MAIL_CONCURRENCY, leaseMs: MAIL_LEASE_MS },
      )
    : undefined;
  const passes = new PassDeliveryService({ db: d.db, events: new EventsRepo(d.db), deliveries, links: passLinks, audit: d.audit, clock: d.clock, random: d.random, mailConfigured: mailer !== undefined, kick: () => mailer?.kick() });
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
    passLinks,
  });
  const edits = new EventEdits({ events: new EventsRepo(d.db), devices: d.devices, units: d.units, audit: d.audit, channels: d.channels, clock: d.clock });
  return { service, edits, passLinks, passes, mailer };
}

/** Without SCANPASS_MAIL_FROM: scanpass@ the public URL's host. */
const defaultFrom = (publicUrl: string) => `scanpass <scanpass@${new URL(publicUrl).hostname}>`;
