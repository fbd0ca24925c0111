import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * QR check-in: events (each with its own Ed25519 key pair), their sessions,
 * attendees (an attendee row is one person's registration for one event),
 * per-session registrations, staff assignments, scanner devices, check-ins
 * and every scan (refusals too). `attendees.version` and
 * `event_sessions.version` are the versions of the `pass:` and `session:`
 * channels; bumping the attendee's version first in a scan's transaction is
 * what locks that attendee while the scan is decided.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const autoId = dialect === 'postgres' ? 'bigserial' : 'integer';

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('event_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('place', 'text')
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('opens_at', 'bigint', (c) => c.notNull())
    .addColumn('closes_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .addColumn('all_attendees', 'integer', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_sessions_event').on('event_sessions').column('event_id').execute();

  await db.schema
    .createTable('attendees')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('link_token_hash', 'text', (c) => c.unique())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('attendees_event').on('attendees').column('event_id').execute();
  await db.schema.createIndex('attendees_event_user').on('attendees').columns(['event_id', 'user_id']).unique().execute();

  await db.schema
    .createTable('session_registrations')
    .addColumn('session_id', 'text', (c) => c.notNull().references('event_sessions.id').onDelete('cascade'))
    .addColumn('attendee_id', 'text', (c) => c.notNull().references('attendees.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addPrimaryKeyConstraint('session_registrations_pk', ['session_id', 'attendee_id'])
    .execute();
  await db.schema.createIndex('session_registrations_attendee').on('session_registrations').column('attendee_id').execute();

  await db.schema
    .createTable('session_staff')
    .addColumn('session_id', 'text', (c) => c.notNull().references('event_sessions.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_staff_pk', ['session_id', 'user_id'])
    .execute();
  await db.schema.createIndex('session_staff_user').on('session_staff').column('user_id').execute();

  await db.schema
    .createTable('scanner_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.references('event_sessions.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('scanner_devices_event').on('scanner_devices').column('event_id').execute();

  await db.schema
    .createTable('checkins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('event_sessions.id').onDelete('cascade'))
    .addColumn('attendee_id', 'text', (c) => c.notNull().references('attendees.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('gate', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('by_user_id', 'text')
    .addColumn('by_device_id', 'text')
    .addColumn('exited_at', 'bigint')
    .addColumn('undone_at', 'bigint')
    .addColumn('undone_by', 'text')
    .execute();
  // One live check-in per attendee and session; an undone one no longer counts.
  await db.schema
    .createIndex('checkins_live')
    .on('checkins')
    .columns(['session_id', 'attendee_id'])
    .unique()
    .where(sql.ref('undone_at'), 'is', null)
    .execute();
  await db.schema.createIndex('checkins_attendee').on('checkins').column('attendee_id').execute();

  await db.schema
    .createTable('scans')
    .addColumn('id', sql.raw(autoId), (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('scanned_at', 'bigint', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull().references('event_sessions.id').onDelete('cascade'))
    .addColumn('attendee_id', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('checkin_id', 'text')
    .addColumn('actor_key', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('gate', 'text')
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scans_nonce').on('scans').columns(['actor_key', 'nonce']).unique().execute();
  await db.schema.createIndex('scans_session').on('scans').columns(['session_id', 'id']).execute();
  await db.schema.createIndex('scans_attendee').on('scans').columns(['attendee_id', 'id']).execute();
}
