import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationsFor } from './migrations/index.js';
import { HotStatementClient } from './pg-hot-statements.js';
import { startBackgroundCheckpoints } from './sqlite-checkpointer.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { SqliteGroupCommit, transactionPerUnit, type UnitsOfWork } from './units-of-work.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Atomic units for hot write paths: several share one commit on SQLite. */
  units: UnitsOfWork;
  close(): Promise<void>;
  /** SQLite only: the folder of the database file. */
  dataDir?: string;
}

export interface StoreOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  sqliteSync?: string;
  /** Postgres pool size. */
  poolSize?: number;
  /** Told of trouble the store works around (a failed background checkpoint). */
  onWarning?: (message: string) => void;
}

/** The one place that decides SQLite or Postgres. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const store = opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize ?? 10) : openSqlite(opts);
  try {
    await (store.dialect === 'sqlite' ? migrateSqliteExclusively(store, opts.dataDir) : migrate(store));
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openSqlite(opts: StoreOptions): Store {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, 'scanpass.db');
  const sqlite = new SQLite(file);
  // WAL lets readers run beside the writer; NORMAL keeps every commit through
  // a process crash (FULL also through power loss, at a cost per commit).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.sqliteSync === 'FULL' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const cached = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
  const checkpoints = startBackgroundCheckpoints(sqlite, file, {
    finishOnWriter: () => db.connection().execute(async () => void sqlite.pragma('wal_checkpoint(PASSIVE)')),
    onError: opts.onWarning,
  });
  return {
    db,
    dialect: 'sqlite',
    units: new SqliteGroupCommit(db, cached),
    close: async () => {
      await checkpoints.stop();
      await db.destroy();
    },
    dataDir: opts.dataDir,
  };
}

function openPostgres(url: string, max: number): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    Client: HotStatementClient as unknown as new () => pg.ClientBase,
    // int8 (bigint) columns hold millisecond times and counters that fit a double.
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) } as pg.CustomTypesConfig,
  });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', units: transactionPerUnit(db), close: () => db.destroy() };
}

const sqliteMigrations = new Map<string, Promise<void>>();

/**
 * Kysely takes no lock on SQLite, so two processes starting on one file (a
 * node and `scanpass user add`, say) could both create tables. Migrations run
 * one at a time per file: chained within this process, and across processes
 * under an exclusive lock on a side file that the OS releases if we die.
 */
function migrateSqliteExclusively(store: Store, dataDir: string): Promise<void> {
  const key = path.resolve(dataDir);
  const run = (sqliteMigrations.get(key) ?? Promise.resolve()).catch(() => {}).then(async () => {
    const lock = new SQLite(path.join(dataDir, 'scanpass.migrate-lock'));
    try {
      lock.pragma('busy_timeout = 30000');
      lock.exec('BEGIN EXCLUSIVE');
      await migrate(store);
      lock.exec('COMMIT');
    } finally {
      lock.close();
    }
  });
  sqliteMigrations.set(key, run);
  return run;
}

async function migrate(store: Store): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(store.dialect) };
  const migrator = new Migrator({ db: store.db, provider, migrationTableName: 'scanpass_migrations', migrationLockTableName: 'scanpass_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
}
