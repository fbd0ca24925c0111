import { sql, type Kysely } from 'kysely';

/**
 * `queue_services.waiting`: how many of the service's tickets wait, kept by
 * the same statement that records each change to its waiting set (the `line:`
 * channel's changes), so it moves with `line_version`. A join checked the cap,
 * the line frame and the board counted every waiting ticket instead: three
 * counts of up to the whole line per join, under the service's lock.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('queue_services').addColumn('waiting', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update queue_services set waiting = (select count(*) from tickets where tickets.service_id = queue_services.id and tickets.status = 'waiting')`.execute(db);
}
