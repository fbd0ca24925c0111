import { sql, type Kysely } from 'kysely';
import type { Role } from '../domain/roles.js';
import type { User } from '../domain/user.js';
import type { Database, UsersTable } from './schema.js';

export type { User } from '../domain/user.js';

/** Which accounts a listing shows: a case-insensitive part of the email or name, a role. */
export interface UserFilter {
  search?: string | undefined;
  role?: Role | undefined;
}

/** `%` and `_` in what was typed match themselves, not any character. */
const likeContaining = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const toUser = (r: Pick<UsersTable, 'id' | 'email' | 'name' | 'role' | 'created_at' | 'disabled_at'>): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role as Role,
  created_at: Number(r.created_at),
  disabled: r.disabled_at !== null,
});

export class UsersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns false when the email is taken. */
  async insert(row: UsersTable): Promise<boolean> {
    const res = await this.db.insertInto('users').values(row).onConflict((oc) => oc.column('email').doNothing()).executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** The account with its password hash, for signing in (the one read that hands out a row). */
  async findByEmail(email: string): Promise<UsersTable | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async findById(id: string, trx: Kysely<Database> = this.db): Promise<User | undefined> {
    const r = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  }

  async list(limit: number, offset: number, filter: UserFilter = {}): Promise<User[]> {
    const rows = await this.matching(filter).selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
    return rows.map(toUser);
  }

  /** How many accounts `filter` matches (for paging). */
  async countMatching(filter: UserFilter): Promise<number> {
    const r = await this.matching(filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private matching(filter: UserFilter) {
    let q = this.db.selectFrom('users');
    if (filter.role) q = q.where('role', '=', filter.role);
    const search = filter.search?.trim();
    if (search) {
      // lower() on both dialects: Postgres' LIKE is case-sensitive, SQLite's is not.
      const pattern = likeContaining(search);
      q = q.where(sql<boolean>`(lower(email) like ${pattern} escape '\\' or lower(name) like ${pattern} escape '\\')`);
    }
    return q;
  }

  /**
   * Takes the row lock (Postgres) of every enabled admin by a no-op update, and
   * returns their ids. A unit that may leave fewer admins calls this first, so
   * two such units run one after another and both see the other's outcome:
   * two admins demoting each other at once cannot leave none.
   */
  async lockActiveAdmins(trx: Kysely<Database>): Promise<string[]> {
    const rows = await trx.updateTable('users').set((eb) => ({ role: eb.ref('role') })).where('role', '=', 'admin').where('disabled_at', 'is', null).returning('id').execute();
    return rows.map((r) => r.id);
  }

  /** Sets what is given; returns the account as it is now, or undefined when no such account. */
  async update(trx: Kysely<Database>, id: string, change: { role?: Role; name?: string; disabledAt?: number | null }): Promise<User | undefined> {
    const set: Partial<Pick<UsersTable, 'role' | 'name' | 'disabled_at'>> = {};
    if (change.role !== undefined) set.role = change.role;
    if (change.name !== undefined) set.name = change.name;
    if (change.disabledAt !== undefined) set.disabled_at = change.disabledAt;
    if (Object.keys(set).length === 0) return this.findById(id, trx);
    const r = await trx.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    return r && toUser(r);
  }

  /**
   * Ends the account's staff assignments (check-in sessions, queue places):
   * a member staffs nothing. Returns what it was assigned to, so its live
   * access to those channels can be revoked once committed.
   */
  async endStaffAssignments(trx: Kysely<Database>, userId: string): Promise<{ sessionIds: string[]; queueIds: string[] }> {
    const sessions = await trx.deleteFrom('session_staff').where('user_id', '=', userId).returning('session_id').execute();
    const queues = await trx.deleteFrom('queue_staff').where('user_id', '=', userId).returning('queue_id').execute();
    return { sessionIds: sessions.map((r) => r.session_id), queueIds: queues.map((r) => r.queue_id) };
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
