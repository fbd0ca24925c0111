import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Webhooks become a capability any feature plugs into: an endpoint belongs to
 * an owner, `<kind>:<id>` (`event:<id>` for an event's check-in webhook), not
 * to an event. `event_webhooks` becomes `webhook_endpoints` keyed by `owner`,
 * and `webhook_deliveries.event_id` becomes `owner`; every row is kept, with
 * owner `event:` || event_id, so secrets, the delivery log and what is still
 * pending survive. The endpoint has no key into `events` any more: whatever
 * deletes an owner deletes its endpoint (deleting the endpoint still deletes
 * its deliveries, by cascade).
 *
 * Copied into new tables, the old ones dropped, the new deliveries renamed
 * into place, with the same index and key names a fresh database gets. On
 * SQLite (whose migrations Kysely does not wrap in a transaction) this runs in
 * one transaction of its own, so a crash part way leaves the old tables.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') return move(db, dialect);
  await sql`begin immediate`.execute(db);
  try {
    await move(db, dialect);
    await sql`commit`.execute(db);
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
}

async function move(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('owner', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into webhook_endpoints (owner, url, secret, enabled, created_at, updated_at)
            select 'event:' || event_id, url, secret, enabled, created_at, updated_at from event_webhooks`.execute(db);

  await db.schema
    .createTable('webhook_deliveries_new')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Deleting the endpoint deletes its history and what it had still to send.
    .addColumn('owner', 'text', (c) => c.notNull().references('webhook_endpoints.owner').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('claim_token', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await sql`insert into webhook_deliveries_new (id, owner, kind, payload, status, attempts, next_attempt_at, claimed_until, claim_token, last_status, last_error, created_at, delivered_at)
            select id, 'event:' || event_id, kind, payload, status, attempts, next_attempt_at, claimed_until, claim_token, last_status, last_error, created_at, delivered_at
            from webhook_deliveries`.execute(db);

  // Children first: nothing refers to event_webhooks once the old deliveries are gone.
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('event_webhooks').execute();
  await db.schema.alterTable('webhook_deliveries_new').renameTo('webhook_deliveries').execute();
  if (dialect === 'postgres') {
    // Named by Postgres after the table they were created on.
    await sql`alter table webhook_deliveries rename constraint webhook_deliveries_new_pkey to webhook_deliveries_pkey`.execute(db);
    await sql`alter table webhook_deliveries rename constraint webhook_deliveries_new_owner_fkey to webhook_deliveries_owner_fkey`.execute(db);
  }
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_owner').on('webhook_deliveries').columns(['owner', 'created_at']).execute();
}
