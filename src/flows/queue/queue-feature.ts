import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import type { LiveService } from '../../live/live-service.js';
import type { AuditLog } from '../../store/audit-log.js';
import { QueueDevicesRepo } from '../../store/queue-devices.js';
import { QueueStatsRepo } from '../../store/queue-stats.js';
import { QueuesRepo } from '../../store/queues.js';
import type { Database } from '../../store/schema.js';
import { TicketsRepo } from '../../store/tickets.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import type { UsersRepo } from '../../store/users.js';
import type { WebhookOutbox } from '../../webhooks/webhook-outbox.js';
import { QueueLive } from './queue-live.js';
import { QueueService } from './queue-service.js';
import { StatsService } from './stats-service.js';
import { ticketWebhooks } from './queue-webhooks.js';
import { TicketNotices, type TicketPusher } from './ticket-notices.js';
import { TicketService } from './ticket-service.js';

/**
 * The QR queue: places with services and counters, tickets, and the
 * `ticket:`, `line:` and `board:` channels. Routes: queue-plugin.ts.
 */
export interface QueueFeature {
  queues: QueueService;
  tickets: TicketService;
  channels: QueueLive;
  /** A place's statistics per day and its tickets as CSV. */
  stats: StatsService;
  /** The places' boards and kiosks: resolves their tokens (cached, so revoking goes through this one). */
  devices: QueueDevicesRepo;
}

export interface QueueFeatureDeps {
  db: Kysely<Database>;
  units: UnitsOfWork;
  live: LiveService;
  users: UsersRepo;
  audit: AuditLog;
  clock: Clock;
  random: Random;
  /** Each ticket change writes its `ticket.*` webhook through it, inside the change's unit of work. */
  outbox: WebhookOutbox;
  /** Web Push to tickets' phones. */
  push: TicketPusher;
  onError: (err: unknown, context: string) => void;
  closing: () => boolean;
}

export function createQueue(config: Config, d: QueueFeatureDeps): QueueFeature {
  const queues = new QueuesRepo(d.db);
  const tickets = new TicketsRepo(d.db, d.units, ticketWebhooks(d.outbox, d.audit));
  const channels = new QueueLive(d.live, tickets, d.clock, d.onError, d.closing);
  const devices = new QueueDevicesRepo(d.db, d.clock);
  return {
    queues: new QueueService({ queues, tickets, users: d.users, devices, audit: d.audit, units: d.units, live: d.live, channels, clock: d.clock, random: d.random, publicUrl: config.publicUrl }),
    tickets: new TicketService({ queues, tickets, live: d.live, channels, notices: new TicketNotices({ queues, tickets, push: d.push, publicUrl: config.publicUrl }, d.onError), clock: d.clock, random: d.random }),
    channels,
    devices,
    stats: new StatsService({ queues, stats: new QueueStatsRepo(d.db), clock: d.clock }),
  };
}
