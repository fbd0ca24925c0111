import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The table of cookie sign-ins was called `sessions`, the word an event's
 * sessions (`event_sessions`) use too: it becomes `sign_ins`, with its indexes
 * (and, on Postgres, its key constraints). Rows stay as they are, so nobody is
 * signed out. On SQLite (whose migrations Kysely does not wrap in a
 * transaction) it runs in one transaction of its own, so a crash part way
 * leaves `sessions` as it was.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') return rename(db, dialect);
  await sql`begin immediate`.execute(db);
  try {
    await rename(db, dialect);
    await sql`commit`.execute(db);
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
}

async function rename(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('sessions').renameTo('sign_ins').execute();
  await db.schema.dropIndex('sessions_user').execute();
  await db.schema.dropIndex('sessions_expiry').execute();
  await db.schema.createIndex('sign_ins_user').on('sign_ins').column('user_id').execute();
  await db.schema.createIndex('sign_ins_expiry').on('sign_ins').column('expires_at').execute();
  if (dialect === 'postgres') {
    // Named by Postgres after the table when 001 created it.
    await sql`alter table sign_ins rename constraint sessions_pkey to sign_ins_pkey`.execute(db);
    await sql`alter table sign_ins rename constraint sessions_user_id_fkey to sign_ins_user_id_fkey`.execute(db);
  }
}
