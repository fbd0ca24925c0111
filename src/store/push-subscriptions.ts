import type { Kysely } from 'kysely';
import type { PushSubscription } from '../domain/push-subscription.js';
import type { Database, PushSubscriptionsTable } from './schema.js';

const toSubscription = (r: PushSubscriptionsTable): PushSubscription => ({
  owner: r.owner,
  endpoint: r.endpoint,
  p256dh: r.p256dh,
  auth: r.auth,
  createdAt: Number(r.created_at),
});

/** The Web Push subscription of each owner (`<kind>:<id>`; at most one each). */
export class PushSubscriptionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(owner: string): Promise<PushSubscription | undefined> {
    const r = await this.db.selectFrom('push_subscriptions').selectAll().where('owner', '=', owner).executeTakeFirst();
    return r && toSubscription(r);
  }

  /** Creates or replaces the owner's subscription (a browser that subscribes again gets a new endpoint). */
  async put(s: PushSubscription): Promise<void> {
    const row = { endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth, created_at: s.createdAt };
    await this.db
      .insertInto('push_subscriptions')
      .values({ owner: s.owner, ...row })
      .onConflict((oc) => oc.column('owner').doUpdateSet(row))
      .execute();
  }

  /**
   * Deletes the owner's subscription; with `endpoint`, only while it is still
   * that one (a push service's "gone" for an old endpoint must not remove the
   * one the browser has just put). False when nothing was deleted.
   */
  async delete(owner: string, endpoint?: string): Promise<boolean> {
    let q = this.db.deleteFrom('push_subscriptions').where('owner', '=', owner);
    if (endpoint !== undefined) q = q.where('endpoint', '=', endpoint);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Deletes subscriptions created before `before` (ms); returns how many. */
  async purge(before: number): Promise<number> {
    const r = await this.db.deleteFrom('push_subscriptions').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
