import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The QR queue's devices and posters: `queue_devices` are display boards and
 * kiosks provisioned for a place the way scanners are for an event (the
 * token is shown once, only its hash is kept; `revoked_at` ends it), and
 * `queues.poster_enabled` lets a place without a screen print a static
 * entrance code (off by default; turning it off voids every printed copy).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('queue_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue_id', 'text', (c) => c.notNull().references('queues.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('queue_devices_queue').on('queue_devices').columns(['queue_id', 'created_at']).execute();
  await db.schema.alterTable('queues').addColumn('poster_enabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
