import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Web Push: at most one browser push subscription per owner (`<kind>:<id>`,
 * e.g. `ticket:<id>`): the push service's endpoint URL and the browser's
 * keys that encrypt what is sent to it (RFC 8291). The server's own VAPID key
 * pair lives in `server_secrets` (`push_vapid_keys`).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('push_subscriptions')
    .addColumn('owner', 'text', (c) => c.primaryKey())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('p256dh', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // Subscriptions outlive nothing they belong to (a ticket lasts a day): old ones are purged by age.
  await db.schema.createIndex('push_subscriptions_created').on('push_subscriptions').column('created_at').execute();
}
