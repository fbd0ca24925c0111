import type { Kysely } from 'kysely';

/**
 * What an API key may do beyond acting as its owner, space-separated (empty:
 * nothing more). Today `login:approve:<client_id>`: approve logins of that
 * application for the application's own users (`subject`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('scopes', 'text', (c) => c.notNull().defaultTo('')).execute();
}
