import type { Kysely } from 'kysely';
import { randomUuid, type Random } from '../domain/random.js';
import type { Database } from '../store/schema.js';
import type { UnitContext } from '../store/units-of-work.js';
import type { WebhookDeliveriesRepo } from '../store/webhook-deliveries.js';
import type { WebhookEndpointsRepo } from '../store/webhook-endpoints.js';

/** The capability's own body type, sent by `POST .../webhook/test`; features declare theirs (check-in: `checkin.*`). */
export const PING = 'ping';

/** Delivery ids carry a prefix, so a receiver's logs say what they are. */
export const newDeliveryId = (random: Random) => `whd_${randomUuid(random).replaceAll('-', '')}`;

/** A body's `data`: sent as JSON, in the key order given. */
export type WebhookData = Record<string, unknown>;

/** One change a feature reports to an owner's webhook. */
export interface WebhookMessage {
  /** `<kind>:<id>` (see webhook-owner.ts). */
  owner: string;
  /** The body's `type`: one the feature declared. */
  type: string;
  /** The body's `created_at` (ms), when the change happened. */
  at: number;
  /**
   * The body's `data`, or a function that reads it: called only when the
   * owner has an enabled endpoint, on the same unit of work; undefined from
   * it sends nothing.
   */
  data: WebhookData | (() => Promise<WebhookData | undefined>);
}

/**
 * The outbox every feature writes through, inside the transaction of the
 * change it reports (pass the unit's handle as `trx`): a committed change
 * always has its delivery and a rolled back one never does. A pending
 * delivery is inserted only when the owner has an enabled endpoint; when it
 * has none this costs one look-up by key and `data` is never read.
 */
export class WebhookOutbox {
  constructor(
    private readonly endpoints: WebhookEndpointsRepo,
    private readonly deliveries: WebhookDeliveriesRepo,
    private readonly random: Random,
  ) {}

  /**
   * Queues `m` for the owner's endpoint; returns the delivery id, or undefined
   * when nothing was queued. `on` is the change's transaction, or its unit of
   * work (whose fast path runs the look-up every change pays for).
   */
  async enqueue(on: Kysely<Database> | UnitContext, m: WebhookMessage): Promise<string | undefined> {
    if (!(await this.endpoints.enabled(on, m.owner))) return undefined;
    const trx = 'run' in on ? on.db : on;
    const data = typeof m.data === 'function' ? await m.data() : m.data;
    if (data === undefined) return undefined;
    const id = newDeliveryId(this.random);
    await this.deliveries.insert({ id, owner: m.owner, kind: m.type, payload: JSON.stringify(data), createdAt: m.at }, trx);
    return id;
  }
}
