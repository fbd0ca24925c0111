import { sql, type Kysely } from 'kysely';

/**
 * "My passes" finds a person's attendee rows in every event: those tied to
 * their account, and those of no account with their e-mail in any case (an
 * organiser's import). Without these, each home page read every attendee row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('attendees_user').on('attendees').column('user_id').execute();
  await db.schema.createIndex('attendees_email_lower').on('attendees').expression(sql`lower(email)`).execute();
}
