import type { Kysely } from 'kysely';
import { ConfigError, type Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import { parseRetrySchedule } from './webhook-retry.js';
import type { AuditLog } from '../store/audit-log.js';
import type { CheckinHook } from '../store/checkins.js';
import { EventWebhooksRepo } from '../store/event-webhooks.js';
import { EventsRepo } from '../store/events.js';
import type { Database } from '../store/schema.js';
import { WebhookDeliveriesRepo } from '../store/webhook-deliveries.js';
import { WebhookService } from './webhook-service.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { webhookOutbox } from './webhook-outbox.js';

/** Webhooks as one capability: the outbox hook a feature's store writes through, the admin API, the node's dispatcher. */
export interface Webhooks {
  outbox: CheckinHook;
  service: WebhookService;
  dispatcher: WebhookDispatcher;
}

export interface WebhookDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  clock: Clock;
  random: Random;
  onError: (err: unknown, context: string) => void;
}

export function createWebhooks(config: Config, d: WebhookDeps): Webhooks {
  let retrySchedule: number[];
  try {
    retrySchedule = parseRetrySchedule(config.webhookRetrySchedule);
  } catch (err) {
    throw new ConfigError(`SCANPASS_WEBHOOK_RETRY_SCHEDULE: ${(err as Error).message}`);
  }
  const deliveries = new WebhookDeliveriesRepo(d.db);
  return {
    outbox: webhookOutbox(deliveries, d.random),
    service: new WebhookService({ events: new EventsRepo(d.db), endpoints: new EventWebhooksRepo(d.db), deliveries, audit: d.audit, clock: d.clock, random: d.random, allowPrivate: config.webhookAllowPrivate }),
    dispatcher: new WebhookDispatcher(
      { deliveries, clock: d.clock, random: d.random, onError: d.onError },
      { tickMs: config.webhookTickMs, retrySchedule, timeoutMs: config.webhookTimeoutSeconds * 1000, allowPrivate: config.webhookAllowPrivate },
    ),
  };
}
