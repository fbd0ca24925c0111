import { Worker } from 'node:worker_threads';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { SnapshotReads } from './snapshot-reads.js';
import { SQLite, SQLITE_DRIVER } from './sqlite-driver.js';

/** Statements the thread keeps prepared (one per query shape; the counts have a few). */
const STATEMENTS_KEPT = 100;

// Plain CommonJS run with `eval`, as the checkpoint thread: the same code under tsx, Vitest and the build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map();
const prepared = (sql) => {
  let s = statements.get(sql);
  if (!s) {
    s = db.prepare(sql);
    if (statements.size >= workerData.statementsKept) statements.delete(statements.keys().next().value);
    statements.set(sql, s);
  }
  return s;
};
const begin = db.prepare('BEGIN');
const end = db.prepare('COMMIT');
parentPort.postMessage({ ready: true });
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  let rows;
  try {
    // One read transaction: every query of the call sees the same commits.
    begin.run();
    try {
      rows = m.queries.map((q) => prepared(q.sql).all(...q.parameters));
    } finally {
      end.run();
    }
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: { message: String((err && err.message) || err), code: err && err.code } });
    return;
  }
  parentPort.postMessage({ id: m.id, rows });
});
`;

interface Pending {
  queries: CompiledQuery[];
  resolve: (rows: unknown[][]) => void;
  reject: (err: unknown) => void;
}

type Answer = { ready: true } | { id: number; rows: unknown[][]; error?: undefined } | { id: number; error: { message: string; code?: string } };

export interface SqliteReaderOptions {
  /** Where reads go when the thread cannot run: the writer's connection, on the event loop. */
  fallback: Kysely<Database>;
  /** How a failed read reaches its caller (a busy or missing database becomes 503 `unavailable`). */
  translate: (err: unknown) => unknown;
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * SnapshotReads on SQLite: a worker thread with its own read-only
 * connection (WAL lets it read beside the writer). It starts with the first
 * read, not with the node: its V8 and SQLite cost about 10 MB, and a node
 * nobody watches never needs it. Until it is ready, reads go to the writer's
 * connection: the first counts of a session are not kept waiting while a
 * thread starts (on a busy machine that took long enough to space the next
 * counts out by seconds, see CheckinLive). If the thread cannot start or
 * dies, reads go to the writer's connection from then on, and the warning
 * says so once.
 */
export class SqliteReader implements SnapshotReads {
  private worker: Worker | undefined;
  /** The thread has opened the database and answers. */
  private ready = false;
  private failed = false;
  private closed = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly file: string,
    private readonly o: SqliteReaderOptions,
  ) {}

  read(queries: readonly { compile(): CompiledQuery }[]): Promise<never> {
    const compiled = queries.map((q) => q.compile());
    return (this.failed ? this.onWriter(compiled) : this.onThread(compiled)) as Promise<never>;
  }

  /** Ends the thread; reads still waiting fail (the store is closing). */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    const exited = new Promise((resolve) => w.once('exit', resolve));
    w.postMessage('close');
    await exited;
    this.failAll(new Error('the store is closed'));
  }

  private onThread(queries: CompiledQuery[]): Promise<unknown[][]> {
    if (this.closed) return Promise.reject(this.o.translate(new Error('the store is closed')));
    const w = this.worker ?? this.start();
    if (!w || !this.ready) return this.onWriter(queries);
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      this.pending.set(id, { queries, resolve, reject });
      // Referenced only while a read waits: an idle thread must not keep the process alive.
      if (this.pending.size === 1) w.ref();
      w.postMessage({ id, queries: queries.map((q) => ({ sql: q.sql, parameters: q.parameters })) });
    });
  }

  private async onWriter(queries: CompiledQuery[]): Promise<unknown[][]> {
    const rows: unknown[][] = [];
    for (const q of queries) rows.push((await this.o.fallback.executeQuery(q)).rows);
    return rows;
  }

  private start(): Worker | undefined {
    let w: Worker;
    try {
      w = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: SQLITE_DRIVER, file: this.file, statementsKept: STATEMENTS_KEPT } });
    } catch (err) {
      this.giveUp(`the read thread could not start: ${(err as Error).message}`);
      return undefined;
    }
    w.unref();
    w.on('message', (m: Answer) => this.answer(m));
    w.on('error', (err) => this.lost(w, `the read thread failed: ${err.message}`));
    w.on('exit', (code) => this.lost(w, `the read thread exited (code ${code})`));
    this.worker = w;
    return w;
  }

  private answer(m: Answer): void {
    if ('ready' in m) {
      this.ready = true;
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (m.error === undefined) return p.resolve(m.rows);
    // An SqliteError again, with its code: the store's outage check knows a busy or broken database by it.
    p.reject(this.o.translate(m.error.code ? new SQLite.SqliteError(m.error.message, m.error.code) : new Error(m.error.message)));
  }

  /** The thread went while reads waited: the writer's connection answers them, and every read after. */
  private lost(w: Worker, why: string): void {
    if (this.closed || this.worker !== w) return;
    this.worker = undefined;
    this.ready = false;
    this.giveUp(`${why}; the dashboard's counts are read on the event loop from now on`);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) this.onWriter(p.queries).then(p.resolve, p.reject);
  }

  private giveUp(message: string): void {
    this.failed = true;
    this.o.onWarning?.(message);
  }

  private failAll(err: unknown): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(this.o.translate(err));
  }
}
