import { SQLite } from './sqlite-driver.js';
import { AppError } from '../domain/errors.js';

/**
 * Errors that say "the database cannot be reached or cannot take writes right
 * now", as opposed to a bug or a caller's bad input. Postgres: SQLSTATE class
 * 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect
 * now: a restart), 53300 (too many connections); socket errors and pg's own
 * messages for a dead or never-opened connection. SQLite: a lock held past
 * busy_timeout, an I/O error, a full disk.
 */
const PG_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
const PG_MESSAGES = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end)/;
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN)/;

function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (err instanceof SQLite.SqliteError) return SQLITE_CODES.test(err.code);
  if (typeof code === 'string' && (PG_SQLSTATE.test(code) || SOCKET_CODES.has(code))) return true;
  // Node's connect to a name with several addresses fails with all of their errors.
  if (err instanceof AggregateError) return err.errors.some(isUnreachable);
  return PG_MESSAGES.test(err.message);
}

/** What a caller gets while the database is unreachable: 503 `unavailable`, retry shortly. */
class StoreUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('unavailable', 'the database is unavailable right now; retry shortly');
    this.cause = cause;
  }
}

export const isStoreOutage = (err: unknown): err is StoreUnavailableError => err instanceof StoreUnavailableError;

export interface OutageChange {
  up: boolean;
  /** Why it went down (the first error seen), when `up` is false. */
  reason?: string;
  /** How long it was down, when `up` is true. */
  downMs?: number;
}

/**
 * Whether the database answers, learnt from the errors of real queries (no
 * traffic, no verdict). `onChange` hears of each change once: an outage under
 * load is one log line going down and one coming back, not a stack per
 * request. Back means a probe (`select 1`, every `probeMs`) succeeded and no
 * query failed for `quietMs` after it: a full SQLite disk still answers
 * reads, and without the quiet period every failed write would log a pair.
 * Requests are never held back by this state: the pool opens new
 * connections as soon as the database answers again.
 */
export class StoreOutage {
  private downSince: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Counts failures, so a probe that was running when one came does not count. */
  private failures = 0;

  constructor(
    private readonly probe: () => Promise<void>,
    private readonly onChange: (change: OutageChange) => void,
    /** The store's clock, for how long an outage lasted. */
    private readonly now: () => number,
    private readonly probeMs = 250,
    private readonly quietMs = 1000,
  ) {}

  get reachable(): boolean {
    return this.downSince === null;
  }

  /** `err` as callers should see it: a StoreUnavailableError when it means the database is unavailable, else unchanged. */
  translate(err: unknown): unknown {
    if (err instanceof StoreUnavailableError || !isUnreachable(err)) return err;
    if (!this.closed) {
      this.failures++;
      if (this.downSince === null) {
        this.downSince = this.now();
        this.onChange({ up: false, reason: describe(err) });
      }
      // Down, or failing again while it looked back: (re)start probing.
      this.schedule(() => this.runProbe(), this.probeMs);
    }
    return new StoreUnavailableError(err);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private runProbe(): void {
    const failures = this.failures;
    const next = (step: () => void, ms: number) => {
      if (this.failures === failures) this.schedule(step, ms); // else a failure meanwhile has scheduled a probe already
    };
    this.probe().then(
      () => next(() => this.back(), this.quietMs),
      () => next(() => this.runProbe(), this.probeMs),
    );
  }

  private back(): void {
    if (this.downSince === null) return;
    const downMs = this.now() - this.downSince;
    this.downSince = null;
    this.onChange({ up: true, downMs });
  }

  private schedule(step: () => void, ms: number): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(step, ms);
    this.timer.unref();
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[] };
  const message = typeof e.message === 'string' && e.message ? e.message : Array.isArray(e.errors) ? String((e.errors[0] as Error | undefined)?.message) : String(err);
  return typeof e.code === 'string' ? `${e.code}: ${message}` : message;
}
