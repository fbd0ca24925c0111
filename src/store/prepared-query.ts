import type SQLite from 'better-sqlite3';
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import { markHot } from './pg-hot-statements.js';
import type { Database } from './schema.js';
import type { UnitContext } from './units-of-work.js';

const MARK = '\u0000sp-param:';

/**
 * A hot query built and compiled once. Kysely builds an operation tree and
 * compiles it to SQL on every call, which on the check-in path cost more CPU
 * than SQLite running the statements. Here `build` runs once with a
 * placeholder for each named value; each call copies the compiled SQL and
 * swaps the values into their parameter slots.
 *
 * `build` must put each value straight into a parameter (`=`, `values`, `set`),
 * never choose SQL by value (`is null` for a null, `in` over a list): the SQL
 * is fixed at the first call. The SQL depends only on the dialect, so keep one
 * per repository instance (each instance has one database).
 */
export class PreparedQuery<P extends object, Row> {
  private compiled: CompiledQuery<Row> | undefined;
  /** For each parameter slot: the name of the value that fills it, or a constant the builder put there. */
  private slots: ({ name: keyof P } | { value: unknown })[] = [];

  constructor(private readonly build: (db: Kysely<Database>, p: P) => Compilable<Row>) {}

  execute(db: Kysely<Database>, values: P): Promise<QueryResult<Row>> {
    const c = this.compiled ?? this.compile(db);
    return db.executeQuery<Row>({ ...c, parameters: this.parameters(values) });
  }

  /** Runs it on a transaction, or in a unit of work through the unit's fast path. */
  executeOn(on: Kysely<Database> | UnitContext, values: P): Promise<QueryResult<Row>> {
    return 'run' in on ? on.run(this, values) : this.execute(on, values);
  }

  /** The compiled SQL text (for `db`'s dialect). */
  sql(db: Kysely<Database>): string {
    return (this.compiled ?? this.compile(db)).sql;
  }

  /**
   * Runs it on a better-sqlite3 handle at once, bypassing Kysely's async
   * driver: for SQLite's group commit, which already holds Kysely's only
   * connection. `db` is that Kysely (for the dialect); the handle's `prepare`
   * should cache statements (see withStatementCache). The statement's own run
   * is added to `work.seconds` (the writer's time inside SQLite, see WriterWork).
   */
  runSync(sqlite: SQLite.Database, db: Kysely<Database>, values: P, work: { seconds: number }): QueryResult<Row> {
    const c = this.compiled ?? this.compile(db);
    const stmt = sqlite.prepare(c.sql);
    const parameters = this.parameters(values);
    const start = performance.now();
    try {
      if (stmt.reader) return { rows: stmt.all(parameters) as Row[] };
      const r = stmt.run(parameters);
      return { rows: [], numAffectedRows: BigInt(r.changes), insertId: BigInt(r.lastInsertRowid) };
    } finally {
      work.seconds += (performance.now() - start) / 1000;
    }
  }

  async first(db: Kysely<Database>, values: P): Promise<Row | undefined> {
    return (await this.execute(db, values)).rows[0];
  }

  /** The values in their parameter slots, in the compiled SQL's order. */
  private parameters(values: P): unknown[] {
    return this.slots.map((s) => ('name' in s ? values[s.name] : s.value));
  }

  private compile(db: Kysely<Database>): CompiledQuery<Row> {
    const read = new Set<string>();
    const placeholders = new Proxy({}, { get: (_t, name) => (read.add(String(name)), `${MARK}${String(name)}`) }) as P;
    const c = this.build(db, placeholders).compile();
    this.slots = c.parameters.map((v) => (typeof v === 'string' && v.startsWith(MARK) ? { name: v.slice(MARK.length) as keyof P } : { value: v }));
    // A value read but never reaching a parameter slot would be silently ignored on every call.
    const used = new Set(this.slots.flatMap((s) => ('name' in s ? [String(s.name)] : [])));
    const lost = [...read].filter((n) => !used.has(n));
    if (lost.length > 0) throw new Error(`PreparedQuery: ${lost.join(', ')} did not become parameters`);
    markHot(c.sql);
    this.compiled = c;
    return c;
  }
}
