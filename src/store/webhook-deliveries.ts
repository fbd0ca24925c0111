import type { Kysely } from 'kysely';
import type { DeliveryStatus, DueDelivery, WebhookDelivery } from '../domain/webhook-delivery.js';
import type { Database, WebhookDeliveriesTable } from './schema.js';

export type { DeliveryStatus } from '../domain/webhook-delivery.js';

const toDelivery = (r: WebhookDeliveriesTable): WebhookDelivery => ({
  id: r.id,
  owner: r.owner,
  kind: r.kind,
  payload: r.payload,
  status: r.status as DeliveryStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  lastStatus: r.last_status === null ? null : Number(r.last_status),
  lastError: r.last_error,
  createdAt: Number(r.created_at),
  deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
});

/** How an attempt ended, as written back by the node that made it. */
export type Settlement =
  | { status: 'delivered'; attempts: number; lastStatus: number; at: number }
  | { status: 'pending'; attempts: number; lastStatus: number | null; lastError: string; nextAttemptAt: number }
  | { status: 'failed'; attempts: number; lastStatus: number | null; lastError: string };

/**
 * The outbox of webhook deliveries. Rows are inserted inside the transaction
 * of the change they report; nodes take due rows by compare-and-set on the
 * claim columns, so each attempt is made by one node.
 */
export class WebhookDeliveriesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Queues a new delivery, due at once. */
  async insert(d: Pick<WebhookDelivery, 'id' | 'owner' | 'kind' | 'payload' | 'createdAt'>, trx: Kysely<Database> = this.db): Promise<void> {
    await trx
      .insertInto('webhook_deliveries')
      .values({ id: d.id, owner: d.owner, kind: d.kind, payload: d.payload, created_at: d.createdAt, status: 'pending', attempts: 0, next_attempt_at: d.createdAt, claimed_until: null, claim_token: null, last_status: null, last_error: null, delivered_at: null })
      .execute();
  }

  /** Pending deliveries due by `now`, unclaimed (or whose claim lapsed), of enabled endpoints; oldest due first. */
  async due(now: number, limit: number): Promise<DueDelivery[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as w', 'w.owner', 'd.owner')
      .selectAll('d')
      .select(['w.url', 'w.secret'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<', now)]))
      .where('w.enabled', '=', 1)
      .orderBy('d.next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...toDelivery(r), url: r.url, secret: r.secret }));
  }

  /**
   * Claims those of `ids` still pending and unclaimed, in one statement: on
   * Postgres a row another node is claiming waits for it and is re-checked
   * after, so two nodes never both win a row. A row settled since it was
   * read (delivered, or put off to a later try) is not due any more and is
   * not won either. Returns the ids won with their attempt counts as of now.
   */
  async claim(ids: string[], token: string, now: number, until: number): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const won = await this.db
      .updateTable('webhook_deliveries')
      .set({ claimed_until: until, claim_token: token })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .returning(['id', 'attempts'])
      .execute();
    return new Map(won.map((r) => [r.id, Number(r.attempts)]));
  }

  /** Writes how an attempt ended, only while this claim still holds. */
  async settle(id: string, token: string, s: Settlement): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: s.status,
        attempts: s.attempts,
        last_status: s.lastStatus,
        last_error: s.status === 'delivered' ? null : s.lastError,
        ...(s.status === 'delivered' ? { delivered_at: s.at } : {}),
        ...(s.status === 'pending' ? { next_attempt_at: s.nextAttemptAt } : {}),
        claimed_until: null,
        claim_token: null,
      })
      .where('id', '=', id)
      .where('claim_token', '=', token)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Gives a claim back without counting an attempt (the node is shutting down). */
  async release(id: string, token: string): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({ claimed_until: null, claim_token: null }).where('id', '=', id).where('claim_token', '=', token).execute();
  }

  /** The latest deliveries of an owner's endpoint, newest first. */
  async list(owner: string, status: DeliveryStatus | undefined, limit: number): Promise<WebhookDelivery[]> {
    let q = this.db.selectFrom('webhook_deliveries').selectAll().where('owner', '=', owner);
    if (status) q = q.where('status', '=', status);
    return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toDelivery);
  }

  async get(owner: string, id: string): Promise<WebhookDelivery | undefined> {
    const r = await this.db.selectFrom('webhook_deliveries').selectAll().where('owner', '=', owner).where('id', '=', id).executeTakeFirst();
    return r && toDelivery(r);
  }

  /** Sends a delivered or failed delivery once more, now; it keeps its id, so the receiver can tell. */
  async redeliver(owner: string, id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now, claimed_until: null, claim_token: null })
      .where('owner', '=', owner)
      .where('id', '=', id)
      .where('status', '!=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Forgets finished deliveries created before `before`. */
  async purge(before: number): Promise<number> {
    const r = await this.db.deleteFrom('webhook_deliveries').where('status', '!=', 'pending').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
