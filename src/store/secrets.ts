import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Returns the named server secret, creating it with `make()` if absent. Two
 * nodes starting at once both insert-if-absent and then read, so they agree.
 */
export async function getOrCreateSecret(db: Kysely<Database>, name: string, make: () => string, now: number): Promise<string> {
  await db
    .insertInto('server_secrets')
    .values({ name, value: make(), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
