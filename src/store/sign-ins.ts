import type { Kysely } from 'kysely';
import type { SignIn } from '../domain/sign-in.js';
import type { Database, SignInsTable } from './schema.js';
import { toUser, type User } from './users.js';

const toSignIn = (r: SignInsTable): SignIn => ({
  idHash: r.id_hash,
  userId: r.user_id,
  csrfToken: r.csrf_token,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  ip: r.ip,
  userAgent: r.user_agent,
});

/** Sign-ins: the cookie credentials of signed-in users. */
export class SignInsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(s: SignIn): Promise<void> {
    await this.db
      .insertInto('sign_ins')
      .values({ id_hash: s.idHash, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt, ip: s.ip, user_agent: s.userAgent })
      .execute();
  }

  /** The live sign-in with this hash and its (enabled) user. */
  async find(idHash: string, now: number): Promise<{ signIn: SignIn; user: User } | undefined> {
    const r = await this.db
      .selectFrom('sign_ins')
      .innerJoin('users', 'users.id', 'sign_ins.user_id')
      .select([
        'sign_ins.id_hash', 'sign_ins.user_id', 'sign_ins.csrf_token', 'sign_ins.created_at as s_created_at', 'sign_ins.expires_at',
        'sign_ins.ip', 'sign_ins.user_agent', 'users.id', 'users.email', 'users.name', 'users.role', 'users.created_at', 'users.disabled_at',
      ])
      .where('sign_ins.id_hash', '=', idHash)
      .where('sign_ins.expires_at', '>', now)
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!r) return undefined;
    return { signIn: toSignIn({ ...r, created_at: r.s_created_at }), user: toUser(r) };
  }

  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom('sign_ins').where('id_hash', '=', idHash).execute();
  }

  /** Ends every sign-in of the account; returns their hashes (for the live revocations). */
  async deleteAllOf(userId: string, trx: Kysely<Database> = this.db): Promise<string[]> {
    const rows = await trx.deleteFrom('sign_ins').where('user_id', '=', userId).returning('id_hash').execute();
    return rows.map((r) => r.id_hash);
  }

  async purgeExpired(now: number): Promise<number> {
    const res = await this.db.deleteFrom('sign_ins').where('expires_at', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
