import type { Kysely } from 'kysely';
import type { Database, SigningKeysTable } from './schema.js';

export class SigningKeysRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async all(): Promise<SigningKeysTable[]> {
    // Oldest first: every node signs with the same (oldest) key and publishes all.
    return this.db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
  }

  /** Inserts unless a key exists already (two nodes starting at once keep one). */
  async insertFirst(row: SigningKeysTable): Promise<void> {
    const existing = await this.db.selectFrom('signing_keys').select('kid').limit(1).executeTakeFirst();
    if (!existing) await this.db.insertInto('signing_keys').values(row).onConflict((oc) => oc.doNothing()).execute();
  }
}
