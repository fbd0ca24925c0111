import type SQLite from 'better-sqlite3';
import type { Kysely, QueryResult } from 'kysely';
import type { PreparedQuery } from './prepared-query.js';
import type { Database } from './schema.js';
import { NestedUnitError, type UnitScope } from './unit-scope.js';

/** What one unit of work sees: Kysely on its transaction, and a fast path for the hot prepared queries. */
export interface UnitContext {
  db: Kysely<Database>;
  run<P extends object, R>(q: PreparedQuery<P, R>, values: P): Promise<QueryResult<R>>;
}

/**
 * Runs units of work atomically: all of a unit's writes commit, or none do.
 * The store's one way to run a transaction (see README.md here). A unit must
 * reach the store only through its context, and await nothing else (no
 * network): on SQLite the batch holds the only connection while a unit runs,
 * and everything else waits for the batch. A query on the outer Kysely from
 * inside a unit throws OuterHandleInUnitError (on SQLite it would wait for
 * the unit forever); starting a unit inside a unit throws NestedUnitError.
 */
export interface UnitsOfWork {
  execute<T>(work: (unit: UnitContext) => Promise<T>): Promise<T>;
}

/** One transaction per unit: Postgres, where many transactions run at once over the pool. */
export function transactionPerUnit(db: Kysely<Database>, scope: UnitScope): UnitsOfWork {
  return {
    execute: (work) => {
      if (scope.active) return Promise.reject(new NestedUnitError());
      // The scope starts once the transaction has its connection: only queries that bypass `trx` ask for another.
      return db.transaction().execute((trx) => scope.run(() => work({ db: trx, run: (q, values) => q.execute(trx, values) })));
    },
  };
}

/** Units in one shared SQLite transaction at most; beyond, they wait for the next. */
const MAX_UNITS_PER_COMMIT = 64;

/**
 * What the SQLite writer did for units of work, as totals since start: how
 * many units ran, and the event loop's time in calls into better-sqlite3 for
 * them: the statements run through `unit.run` (the hot paths: scans, logins),
 * and every BEGIN, SAVEPOINT, RELEASE, COMMIT and rollback. Statements a unit
 * runs through Kysely (`unit.db`) are not counted. It is wall time on the
 * event loop, so a wait for a core in the middle of a call counts too. For
 * /metrics: operators see how busy the one writer is, the check-in bench the
 * part of a scan no faster HTTP or JavaScript could save.
 */
export interface WriterWork {
  units: number;
  seconds: number;
}

interface Pending {
  work: (unit: UnitContext) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit on SQLite. A commit writes every page the transaction dirtied
 * to the WAL, and one check-in dirties about eight pages scattered over its
 * indexes, so on a busy door committing each scan alone costs more than the
 * scan. Units that arrive together run one after another in one transaction,
 * each inside a savepoint: a unit that throws is rolled back alone and its
 * caller gets the error, the others commit together. A caller hears of its
 * unit only after the commit. While one batch runs (holding Kysely's single
 * connection, so no other query interleaves), the next one gathers.
 */
export class SqliteGroupCommit implements UnitsOfWork {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly stmt: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', SQLite.Statement>;
  /** Totals for /metrics (see WriterWork). */
  readonly work: WriterWork = { units: 0, seconds: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sqlite: SQLite.Database,
    /** Set while a unit's work runs: a unit started there would wait for its own batch, a query on `db` for the batch's connection. */
    private readonly scope: UnitScope,
    /** How a caller sees a failed unit or batch (a busy or full database becomes 503 `unavailable`). */
    private readonly translate: (err: unknown) => unknown = (err) => err,
  ) {
    this.stmt = {
      begin: sqlite.prepare('BEGIN IMMEDIATE'),
      commit: sqlite.prepare('COMMIT'),
      rollback: sqlite.prepare('ROLLBACK'),
      savepoint: sqlite.prepare('SAVEPOINT unit'),
      release: sqlite.prepare('RELEASE unit'),
      rollbackTo: sqlite.prepare('ROLLBACK TO unit'),
    };
  }

  execute<T>(work: (unit: UnitContext) => Promise<T>): Promise<T> {
    if (this.scope.active) return Promise.reject(new NestedUnitError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) this.schedule();
    });
  }

  /**
   * The next batch runs after the event loop's next turn: requests read
   * meanwhile join it, and callers that queue more work as soon as theirs is
   * answered cannot keep the loop from timers and I/O.
   */
  private schedule(): void {
    this.scheduled = true;
    setImmediate(() => void this.commitNext());
  }

  private async commitNext(): Promise<void> {
    try {
      await this.commitBatch(this.queue.splice(0, MAX_UNITS_PER_COMMIT));
    } finally {
      if (this.queue.length > 0) this.schedule();
      else this.scheduled = false;
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      await this.db.connection().execute(async (conn) => {
        const unit: UnitContext = { db: conn, run: async (q, values) => q.runSync(this.sqlite, conn, values, this.work) };
        this.exec(this.stmt.begin);
        try {
          for (const p of batch) outcomes.push(await this.inSavepoint(p, unit));
          this.exec(this.stmt.commit);
        } finally {
          // Never hand the connection back inside a transaction: every later BEGIN would fail.
          if (this.sqlite.inTransaction) this.exec(this.stmt.rollback);
        }
      });
    } catch (err) {
      // The shared transaction failed (BEGIN, COMMIT, or SQLite rolled it all back): nothing of the batch was stored.
      for (const p of batch) p.reject(this.translate(err));
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(this.translate(o.err));
    });
  }

  private async inSavepoint(p: Pending, unit: UnitContext) {
    this.exec(this.stmt.savepoint);
    this.work.units++;
    try {
      const value = await this.scope.run(() => p.work(unit));
      this.sharedTransactionAlive();
      this.exec(this.stmt.release);
      return { ok: true as const, value };
    } catch (err) {
      // SQLite ends the whole transaction on some errors (disk full, I/O): then the batch fails with this error.
      if (!this.sqlite.inTransaction) throw err;
      this.exec(this.stmt.rollbackTo);
      this.exec(this.stmt.release);
      return { ok: false as const, err };
    }
  }

  /** Runs one transaction statement, its time added to `work`. */
  private exec(stmt: SQLite.Statement): void {
    const start = performance.now();
    try {
      stmt.run();
    } finally {
      this.work.seconds += (performance.now() - start) / 1000;
    }
  }

  /** A unit that swallowed an error which ended the transaction must not go on as if its writes were pending. */
  private sharedTransactionAlive(): void {
    if (!this.sqlite.inTransaction) throw new Error('the shared transaction ended inside a unit of work');
  }
}
