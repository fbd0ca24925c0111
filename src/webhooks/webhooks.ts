import type { Kysely } from 'kysely';
import { ConfigError, type Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import { parseRetrySchedule } from '../domain/webhook-retry.js';
import type { AuditLog } from '../store/audit-log.js';
import type { Database } from '../store/schema.js';
import { WebhookDeliveriesRepo } from '../store/webhook-deliveries.js';
import { WebhookEndpointsRepo } from '../store/webhook-endpoints.js';
import { WebhookService } from './webhook-service.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookOutbox } from './webhook-outbox.js';
import type { WebhookOwnerKind } from './webhook-owner.js';

/**
 * Webhooks as one capability any feature plugs into: the outbox a feature
 * writes its changes through (`enqueue`, inside the change's unit of work),
 * the admin API of each kind of owner, the node's dispatcher.
 */
export interface Webhooks {
  outbox: WebhookOutbox;
  service: WebhookService;
  dispatcher: WebhookDispatcher;
  /** The kinds of owner registered (check-in: `event`); webhooksPlugin serves each at its path. */
  owners: readonly WebhookOwnerKind[];
}

export interface WebhookDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  clock: Clock;
  random: Random;
  onError: (err: unknown, context: string) => void;
  /** Each feature's kind of owner; kinds and paths must be unique. */
  owners: readonly WebhookOwnerKind[];
}

export function createWebhooks(config: Config, d: WebhookDeps): Webhooks {
  let retrySchedule: number[];
  try {
    retrySchedule = parseRetrySchedule(config.webhookRetrySchedule);
  } catch (err) {
    throw new ConfigError(`SCANPASS_WEBHOOK_RETRY_SCHEDULE: ${(err as Error).message}`);
  }
  for (const [i, k] of d.owners.entries()) {
    if (!/^[a-z][a-z0-9_]*$/.test(k.kind)) throw new Error(`webhook owner kind "${k.kind}": lowercase letters, digits and _ only`);
    if (!k.path.includes(':id')) throw new Error(`webhook owner kind "${k.kind}": its path must name the owner as :id`);
    if (d.owners.findIndex((o) => o.kind === k.kind || o.path === k.path) !== i) throw new Error(`webhook owner kind "${k.kind}" (${k.path}) is registered twice`);
  }
  const endpoints = new WebhookEndpointsRepo(d.db);
  const deliveries = new WebhookDeliveriesRepo(d.db);
  return {
    outbox: new WebhookOutbox(endpoints, deliveries, d.random),
    service: new WebhookService({ endpoints, deliveries, audit: d.audit, clock: d.clock, random: d.random, allowPrivate: config.webhookAllowPrivate }),
    dispatcher: new WebhookDispatcher(
      { deliveries, clock: d.clock, random: d.random, onError: d.onError },
      { tickMs: config.webhookTickMs, retrySchedule, timeoutMs: config.webhookTimeoutSeconds * 1000, allowPrivate: config.webhookAllowPrivate },
    ),
    owners: d.owners,
  };
}
