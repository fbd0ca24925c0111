import type { Kysely } from 'kysely';
import type { Database, EventWebhooksTable } from './schema.js';

export type EventWebhookRow = EventWebhooksTable;

/** The webhook endpoint of each event (at most one). */
export class EventWebhooksRepo {
  constructor(private readonly db: Kysely<Database>) {}

  get(eventId: string): Promise<EventWebhookRow | undefined> {
    return this.db.selectFrom('event_webhooks').selectAll().where('event_id', '=', eventId).executeTakeFirst();
  }

  /** Creates or replaces the endpoint; `created_at` of an existing one is kept. */
  async put(row: EventWebhookRow): Promise<EventWebhookRow> {
    await this.db
      .insertInto('event_webhooks')
      .values(row)
      .onConflict((oc) => oc.column('event_id').doUpdateSet({ url: row.url, secret: row.secret, enabled: row.enabled, updated_at: row.updated_at }))
      .execute();
    return (await this.get(row.event_id))!;
  }

  /** Deletes the endpoint and, by cascade, its deliveries. False when there was none. */
  async delete(eventId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('event_webhooks').where('event_id', '=', eventId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
