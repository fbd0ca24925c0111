import type { Kysely } from 'kysely';
import type { WebhookEndpoint } from '../domain/webhook-delivery.js';
import { PreparedQuery } from './prepared-query.js';
import type { Database, WebhookEndpointsTable } from './schema.js';
import type { UnitContext } from './units-of-work.js';

const toEndpoint = (r: WebhookEndpointsTable): WebhookEndpoint => ({
  owner: r.owner,
  url: r.url,
  secret: r.secret,
  enabled: Number(r.enabled) === 1,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** The webhook endpoint of each owner (`<kind>:<id>`; at most one each). */
export class WebhookEndpointsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(owner: string): Promise<WebhookEndpoint | undefined> {
    const r = await this.db.selectFrom('webhook_endpoints').selectAll().where('owner', '=', owner).executeTakeFirst();
    return r && toEndpoint(r);
  }

  /** Whether `owner` has an enabled endpoint, read in the change's transaction or unit of work: one look-up by key. */
  async enabled(on: Kysely<Database> | UnitContext, owner: string): Promise<boolean> {
    return (await this.enabledQuery.executeOn(on, { owner })).rows.length > 0;
  }

  /** Run inside every change a webhook may report (each check-in), so compiled once. */
  private readonly enabledQuery = new PreparedQuery((db, p: { owner: string }) =>
    db.selectFrom('webhook_endpoints').select('owner').where('owner', '=', p.owner).where('enabled', '=', 1),
  );

  /** Creates or replaces the endpoint; `createdAt` of an existing one is kept. */
  async put(w: WebhookEndpoint): Promise<WebhookEndpoint> {
    const enabled = w.enabled ? 1 : 0;
    await this.db
      .insertInto('webhook_endpoints')
      .values({ owner: w.owner, url: w.url, secret: w.secret, enabled, created_at: w.createdAt, updated_at: w.updatedAt })
      .onConflict((oc) => oc.column('owner').doUpdateSet({ url: w.url, secret: w.secret, enabled, updated_at: w.updatedAt }))
      .execute();
    return (await this.get(w.owner))!;
  }

  /** Deletes the endpoint and, by cascade, its deliveries. False when there was none. */
  async delete(owner: string, trx: Kysely<Database> = this.db): Promise<boolean> {
    const r = await trx.deleteFrom('webhook_endpoints').where('owner', '=', owner).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
