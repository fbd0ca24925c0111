import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** An organiser's note per attendee, shown to the door staff when they scan or find them (null: none). */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('attendees').addColumn('note', 'text').execute();
}
