import { sql, type Kysely } from 'kysely';

/**
 * Indexes that answer a session's live counts from the index alone. Counting
 * a 30,000-person event read every attendee and check-in row (about 15 ms on
 * SQLite, each time the dashboard's counts are refreshed); from these
 * indexes it reads only index entries.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Expected: the event's attendees not revoked. Covers what attendees_event did.
  await db.schema.createIndex('attendees_event_live').on('attendees').columns(['event_id', 'revoked_at']).execute();
  await db.schema.dropIndex('attendees_event').execute();
  // Checked in and inside now: the session's check-ins not undone, by whether they left.
  await db.schema.createIndex('checkins_session_live').on('checkins').columns(['session_id', 'exited_at']).where(sql.ref('undone_at'), 'is', null).execute();
}
