import type { Kysely } from 'kysely';
import type { SigningKey } from '../domain/signing-key.js';
import type { Database, SigningKeysTable } from './schema.js';

const toKey = (r: SigningKeysTable): SigningKey => ({ kid: r.kid, alg: r.alg, privateJwk: r.private_jwk, publicJwk: r.public_jwk, createdAt: Number(r.created_at) });

export class SigningKeysRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async all(): Promise<SigningKey[]> {
    // Oldest first: every node signs with the same (oldest) key and publishes all.
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
    return rows.map(toKey);
  }

  /** Inserts unless a key exists already (two nodes starting at once keep one). */
  async insertFirst(k: SigningKey): Promise<void> {
    const existing = await this.db.selectFrom('signing_keys').select('kid').limit(1).executeTakeFirst();
    const row = { kid: k.kid, alg: k.alg, private_jwk: k.privateJwk, public_jwk: k.publicJwk, created_at: k.createdAt };
    if (!existing) await this.db.insertInto('signing_keys').values(row).onConflict((oc) => oc.doNothing()).execute();
  }
}
