import type { Kysely } from 'kysely';
import type { WebhookEndpoint } from '../webhooks/webhook-delivery.js';
import type { Database, EventWebhooksTable } from './schema.js';

const toEndpoint = (r: EventWebhooksTable): WebhookEndpoint => ({
  eventId: r.event_id,
  url: r.url,
  secret: r.secret,
  enabled: Number(r.enabled) === 1,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** The webhook endpoint of each event (at most one). */
export class EventWebhooksRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(eventId: string): Promise<WebhookEndpoint | undefined> {
    const r = await this.db.selectFrom('event_webhooks').selectAll().where('event_id', '=', eventId).executeTakeFirst();
    return r && toEndpoint(r);
  }

  /** Creates or replaces the endpoint; `createdAt` of an existing one is kept. */
  async put(w: WebhookEndpoint): Promise<WebhookEndpoint> {
    const enabled = w.enabled ? 1 : 0;
    await this.db
      .insertInto('event_webhooks')
      .values({ event_id: w.eventId, url: w.url, secret: w.secret, enabled, created_at: w.createdAt, updated_at: w.updatedAt })
      .onConflict((oc) => oc.column('event_id').doUpdateSet({ url: w.url, secret: w.secret, enabled, updated_at: w.updatedAt }))
      .execute();
    return (await this.get(w.eventId))!;
  }

  /** Deletes the endpoint and, by cascade, its deliveries. False when there was none. */
  async delete(eventId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('event_webhooks').where('event_id', '=', eventId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
