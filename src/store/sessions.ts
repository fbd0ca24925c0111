import type { Kysely } from 'kysely';
import type { Database, SessionsTable } from './schema.js';
import { toUser, type User } from './users.js';

export class SessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: SessionsTable): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** The live session with this hash and its (enabled) user. */
  async find(idHash: string, now: number): Promise<{ session: SessionsTable; user: User } | undefined> {
    const r = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id_hash', 'sessions.user_id', 'sessions.csrf_token', 'sessions.created_at as s_created_at', 'sessions.expires_at',
        'sessions.ip', 'sessions.user_agent', 'users.id', 'users.email', 'users.name', 'users.role', 'users.created_at', 'users.disabled_at',
      ])
      .where('sessions.id_hash', '=', idHash)
      .where('sessions.expires_at', '>', now)
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      session: { id_hash: r.id_hash, user_id: r.user_id, csrf_token: r.csrf_token, created_at: r.s_created_at, expires_at: r.expires_at, ip: r.ip, user_agent: r.user_agent },
      user: toUser(r),
    };
  }

  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async purgeExpired(now: number): Promise<number> {
    const res = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
