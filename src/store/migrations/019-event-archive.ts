import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Organisers edit, delete and archive events and sessions. `events.version`
 * makes an edit a compare-and-set (two admins changing the start and the end
 * at once cannot leave an event that ends before it starts);
 * `archived_at` files an event or a session away: hidden from the default
 * lists and from the scanners' picker, its check-ins kept.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('events').addColumn('version', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('events').addColumn('archived_at', 'bigint').execute();
  await db.schema.alterTable('event_sessions').addColumn('archived_at', 'bigint').execute();
}
