import type { Kysely } from 'kysely';
import type { Role } from '../domain/roles.js';
import type { User } from '../domain/user.js';
import type { Database, UsersTable } from './schema.js';

export type { User } from '../domain/user.js';

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

  async findById(id: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  }

  async list(limit: number, offset: number): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
    return rows.map(toUser);
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
