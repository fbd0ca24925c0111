import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Passes by e-mail. `attendees.language` picks the message's language (null:
 * English). `pass_links` keeps each attendee's current personal link sealed
 * (AES-GCM under a server secret), so a resend and the links CSV give the
 * same link instead of replacing it. `pass_deliveries` holds one row per
 * attendee: the latest send job that covers them and how it went; a node
 * claims a queued row (status `sending`, with a lease) before it talks SMTP.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('attendees').addColumn('language', 'text').execute();
  await db.schema
    .createTable('pass_links')
    .addColumn('attendee_id', 'text', (c) => c.primaryKey().references('attendees.id').onDelete('cascade'))
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('pass_deliveries')
    .addColumn('attendee_id', 'text', (c) => c.primaryKey().references('attendees.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claim_token', 'text')
    .addColumn('claimed_until', 'bigint')
    .addColumn('error', 'text')
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pass_deliveries_event').on('pass_deliveries').columns(['event_id']).execute();
  await db.schema.createIndex('pass_deliveries_due').on('pass_deliveries').columns(['status', 'queued_at']).execute();
  await db.schema.createIndex('pass_deliveries_job').on('pass_deliveries').columns(['job_id', 'status']).execute();
}
