import type { Kysely } from 'kysely';

/**
 * Per-account sign-in back-off, shared by every node through the store: one
 * row per e-mail address (its sha256, so arbitrary input costs a fixed size)
 * that has failed lately, known account or not, so the back-off itself does
 * not tell which addresses have accounts. A successful sign-in deletes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sign_in_backoff')
    .addColumn('email_hash', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_backoff_last_attempt').on('sign_in_backoff').column('last_attempt_at').execute();
}
