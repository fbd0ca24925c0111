import type { Kysely } from 'kysely';
import type { ApiKey } from '../domain/api-key.js';
import type { ApiKeysTable, Database } from './schema.js';
import { toUser, type User } from './users.js';

export type { ApiKey } from '../domain/api-key.js';

const scopeList = (s: string): string[] => s.split(' ').filter(Boolean);

const toApiKey = (r: Omit<ApiKeysTable, 'key_hash'>): ApiKey => ({
  id: r.id,
  name: r.name,
  userId: r.user_id,
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  scopes: scopeList(r.scopes),
});

export class ApiKeysRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores the key under the hash of its value (the value itself is never stored); its scopes space-separated. */
  async insert(k: ApiKey, keyHash: string): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({ id: k.id, key_hash: keyHash, name: k.name, user_id: k.userId, created_at: k.createdAt, last_used_at: k.lastUsedAt, revoked_at: k.revokedAt, scopes: k.scopes.join(' ') })
      .execute();
  }

  /** The unrevoked key with this hash and its (enabled) owner. */
  async findActive(keyHash: string): Promise<{ key: ApiKey; user: User } | undefined> {
    const r = await this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .select([
        'api_keys.id as key_id', 'api_keys.name as key_name', 'api_keys.user_id', 'api_keys.created_at as key_created_at',
        'api_keys.last_used_at', 'api_keys.revoked_at', 'api_keys.scopes as key_scopes', 'users.id', 'users.email', 'users.name', 'users.role', 'users.created_at', 'users.disabled_at',
      ])
      .where('api_keys.key_hash', '=', keyHash)
      .where('api_keys.revoked_at', 'is', null)
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      key: toApiKey({ id: r.key_id, name: r.key_name, user_id: r.user_id, created_at: r.key_created_at, last_used_at: r.last_used_at, revoked_at: r.revoked_at, scopes: r.key_scopes }),
      user: toUser(r),
    };
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
  }

  async list(userId?: string): Promise<ApiKey[]> {
    let q = this.db.selectFrom('api_keys').select(['id', 'name', 'user_id', 'created_at', 'last_used_at', 'revoked_at', 'scopes']).orderBy('created_at', 'desc');
    if (userId) q = q.where('user_id', '=', userId);
    return (await q.execute()).map(toApiKey);
  }

  /** Revokes every unrevoked key of the account; returns their ids (for the live revocations). */
  async revokeAllOf(userId: string, now: number, trx: Kysely<Database> = this.db): Promise<string[]> {
    const rows = await trx.updateTable('api_keys').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).returning('id').execute();
    return rows.map((r) => r.id);
  }

  /** Returns false when no such unrevoked key (of this owner, if given). */
  async revoke(id: string, now: number, userId?: string): Promise<boolean> {
    let q = this.db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null);
    if (userId) q = q.where('user_id', '=', userId);
    const res = await q.executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}
