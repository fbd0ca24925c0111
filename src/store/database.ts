import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider } from 'kysely';
import { systemClock, type Clock } from '../domain/clock.js';
import type { Database } from './schema.js';
import { migrationsFor } from './migrations/index.js';
import type PG from 'pg';
import { hotStatementClient } from './pg-hot-statements.js';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';
import { outageAwareDialect } from './outage-aware-dialect.js';
import { StoreOutage, type OutageChange } from './store-outage.js';
import { startBackgroundCheckpoints, type WriterHolds } from './sqlite-checkpointer.js';
import { SQLite } from './sqlite-driver.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { SqliteReader } from './sqlite-reader.js';
import { readsOnPool, type SnapshotReads } from './snapshot-reads.js';
import { UnitScope } from './unit-scope.js';
import { SqliteGroupCommit, transactionPerUnit, type UnitsOfWork, type WriterWork } from './units-of-work.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The one way to run a transaction (see README.md here): several units share one commit on SQLite. */
  units: UnitsOfWork;
  /** Reads over many rows that run while people are checked in (live counts, name search, not-arrived list), kept off the event loop: see snapshot-reads.ts. */
  reads: SnapshotReads;
  /** Whether the database answers; errors meaning it does not reach callers as 503 `unavailable`. */
  outage: StoreOutage;
  close(): Promise<void>;
  /** SQLite only: the folder of the database file. */
  dataDir?: string;
  /** SQLite only: the writer held for the background checkpoints (each hold delays every commit behind it). */
  writerHolds?: WriterHolds;
  /** SQLite only: the writer's time inside SQLite for units of work (see WriterWork). */
  writerWork?: WriterWork;
}

export interface StoreOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  sqliteSync?: string;
  /** Postgres pool size. */
  poolSize?: number;
  /** Told of trouble the store works around (a failed background checkpoint). */
  onWarning?: (message: string) => void;
  /** Told once when the database stops answering and once when it is back (see StoreOutage). */
  onOutage?: (change: OutageChange) => void;
  /** How long an outage lasted is told by this clock: the node's (the system's unless a test drives it). */
  clock?: Clock;
}

/** The one place that decides SQLite or Postgres. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const scope = new UnitScope();
  // The probe runs only after a failed query, by which time `store` is set; a
  // failed query inside a unit schedules it, yet it runs outside that unit.
  const probe = () => scope.outside(async () => void (await sql`select 1`.execute(store.db)));
  const clock = opts.clock ?? systemClock;
  const outage: StoreOutage = new StoreOutage(probe, opts.onOutage ?? (() => {}), () => clock.now());
  const store: Store = opts.databaseUrl ? await openPostgres(opts.databaseUrl, opts.poolSize ?? 10, outage, scope) : openSqlite(opts, outage, scope);
  try {
    await (store.dialect === 'sqlite' ? migrateSqliteExclusively(store, opts.dataDir) : migrate(store));
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openSqlite(opts: StoreOptions, outage: StoreOutage, scope: UnitScope): Store {
  ensurePrivateDir(opts.dataDir, opts.onWarning);
  const file = path.join(opts.dataDir, 'scanpass.db');
  // Made 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database file's mode.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (f === file || fs.existsSync(f)) ensurePrivateFile(f, opts.onWarning);
  const sqlite = new SQLite(file);
  // WAL lets readers run beside the writer; NORMAL keeps every commit through
  // a process crash (FULL also through power loss, at a cost per commit).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.sqliteSync === 'FULL' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Group commit wraps each unit in a savepoint, whose sub-journal keeps the
  // original of every page the unit changes. On disk (SQLite's default once it
  // passes 64 KB, which one check-in's pages do) that was two write calls per
  // page, more than the WAL itself took; in memory it is a copy.
  sqlite.pragma('temp_store = MEMORY');
  const cached = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: scope.guard(outageAwareDialect(new SqliteDialect({ database: cached }), (err) => outage.translate(err))) });
  const writerHolds: WriterHolds = { count: 0, seconds: 0 };
  const checkpoints = startBackgroundCheckpoints(sqlite, file, {
    holdWriter: (work) => db.connection().execute(work),
    onError: opts.onWarning,
    onWriterHeld: (ms) => {
      writerHolds.count++;
      writerHolds.seconds += ms / 1000;
    },
  });
  const reads = new SqliteReader(file, { fallback: db, translate: (err) => outage.translate(err), onWarning: opts.onWarning });
  const units = new SqliteGroupCommit(db, cached, scope, (err) => outage.translate(err));
  return {
    db,
    dialect: 'sqlite',
    units,
    reads,
    outage,
    writerHolds,
    writerWork: units.work,
    close: async () => {
      outage.close();
      await reads.close();
      await checkpoints.stop();
      await db.destroy();
    },
    dataDir: opts.dataDir,
  };
}

async function openPostgres(url: string, max: number, outage: StoreOutage, scope: UnitScope): Promise<Store> {
  // pg is loaded only by a node that uses Postgres.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // A Postgres that drops packets instead of refusing must not hold requests for minutes:
    // a connection (or a free pool slot) not had within 10 s is a 503 `unavailable`, and
    // TCP keep-alive notices an established connection that went silent.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    Client: hotStatementClient(pg) as unknown as new () => PG.ClientBase,
    // int8 (bigint) columns hold millisecond times and counters that fit a double.
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) } as PG.CustomTypesConfig,
  });
  // An idle client that loses its connection must not crash the process (checked-out ones: HotStatementClient).
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: scope.guard(outageAwareDialect(new PostgresDialect({ pool }), (err) => outage.translate(err))) });
  return {
    db,
    dialect: 'postgres',
    units: transactionPerUnit(db, scope),
    reads: readsOnPool(db),
    outage,
    close: () => {
      outage.close();
      return db.destroy();
    },
  };
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
    const lockFile = path.join(dataDir, 'scanpass.migrate-lock');
    ensurePrivateFile(lockFile);
    const lock = new SQLite(lockFile);
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
  const migrator = new Migrator({
    db: store.db,
    provider,
    migrationTableName: 'scanpass_migrations',
    migrationLockTableName: 'scanpass_migrations_lock',
    // Our names are ASCII ("001-..."); Kysely's default, localeCompare, loads ICU's collation data (about 3 MB of RSS).
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
}
