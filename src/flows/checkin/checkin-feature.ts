import { availableParallelism } from 'node:os';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import type { LiveService } from '../../live/live-service.js';
import { AttendeesRepo } from '../../store/attendees.js';
import type { AuditLog } from '../../store/audit-log.js';
import { CheckinReportsRepo } from '../../store/checkin-reports.js';
import { CheckinsRepo } from '../../store/checkins.js';
import type { WebhookOutbox } from '../../webhooks/webhook-outbox.js';
import { EventsRepo } from '../../store/events.js';
import { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import type { Database } from '../../store/schema.js';
import type { SnapshotReads } from '../../store/snapshot-reads.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import type { CheckinLive } from './checkin-live.js';
import { CheckinService } from './checkin-service.js';
import { checkinWebhooks } from './checkin-webhooks.js';
import { EventKeyCache } from './event-keys.js';

/**
 * Check-in itself: scanning, passes and their live channels. The organiser's
 * side is the events feature, the attendee lists the attendance feature; both
 * publish through `channels`. Routes: checkin-plugin.ts.
 */
export interface CheckinFeature {
  service: CheckinService;
  /** The `pass:` and `session:` channels, for the features that change what they show. */
  channels: CheckinLive;
  /** Resolves device tokens for the scanner scope. */
  devices: ScannerDevicesRepo;
}

export interface CheckinFeatureDeps {
  db: Kysely<Database>;
  units: UnitsOfWork;
  /** Where the session's live counts are read: off the event loop on SQLite. */
  reads: SnapshotReads;
  live: LiveService;
  audit: AuditLog;
  clock: Clock;
  random: Random;
  /** Each check-in change writes its `checkin.*` webhook through it, inside the change's transaction. */
  outbox: WebhookOutbox;
  onError: (err: unknown, context: string) => void;
  /** True once the node is shutting down: coalesced snapshots stop reading the store. */
  closing: () => boolean;
}

export function createCheckin(config: Config, d: CheckinFeatureDeps): CheckinFeature {
  const devices = new ScannerDevicesRepo(d.db, d.clock);
  const service = new CheckinService(
    {
      events: new EventsRepo(d.db),
      attendees: new AttendeesRepo(d.db),
      devices,
      checkins: new CheckinsRepo(d.db, d.units, d.reads, d.random, checkinWebhooks(d.outbox, new CheckinReportsRepo())),
      live: d.live,
      audit: d.audit,
      clock: d.clock,
      keys: new EventKeyCache(),
      onError: d.onError,
      closing: d.closing,
    },
    { codesAhead: config.checkinCodesAhead, maxScanAgeSeconds: config.checkinMaxScanAgeSeconds, checkCodesOffThread: checksCodesOffThread(config.checkinSignaturePool) },
  );
  return { service, channels: service.channels, devices };
}

/**
 * Whether scans' codes are checked in libuv's thread pool, for SCANPASS_CHECKIN_SIGNATURE_POOL's
 * setting. `auto`: the pool pays only where a core is free for it (see CheckinOptions.checkCodesOffThread).
 */
export const checksCodesOffThread = (setting: string): boolean => (setting === 'auto' ? availableParallelism() > 2 : setting === 'on');
