/**
 * What stopped a scanpass server's work during a phase, from its own /metrics:
 * garbage-collection pauses (prom-client's `nodejs_gc_duration_seconds`, all
 * kinds) and, on SQLite, the times its writer was held so the WAL could start
 * over (`scanpass_sqlite_writer_held_seconds_total`). Either stops every
 * request in flight at once, so together they explain much of a p99.
 * Beside them, on SQLite, the event loop's time inside SQLite for units of work
 * (`scanpass_sqlite_writer_busy_seconds_total`): the part of each scan that no
 * faster HTTP or JavaScript could save.
 */
import { request } from './http.js';

export interface Stalls {
  gcPauses: number;
  gcMs: number;
  /** null on Postgres, which has no such holds. */
  writerHolds: number | null;
  writerHeldMs: number | null;
}

/** The SQLite writer's work during a phase: units of work run, and the event loop's time in calls into SQLite for them. */
export interface WriterWorkDuring {
  units: number;
  ms: number;
}

interface Totals {
  gcPauses: number;
  gcSeconds: number;
  writerHolds: number | null;
  writerHeldSeconds: number | null;
  writerUnits: number | null;
  writerSeconds: number | null;
}

/** The sum of every sample of `name` (any labels); null when the server has no such metric. */
function total(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) sum = (sum ?? 0) + Number(m[1]);
  return sum;
}

async function totals(url: string): Promise<Totals> {
  const res = await request(url, 'GET', '/metrics', {});
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return {
    gcPauses: total(res.body, 'nodejs_gc_duration_seconds_count') ?? 0,
    gcSeconds: total(res.body, 'nodejs_gc_duration_seconds_sum') ?? 0,
    writerHolds: total(res.body, 'scanpass_sqlite_writer_holds_total'),
    writerHeldSeconds: total(res.body, 'scanpass_sqlite_writer_held_seconds_total'),
    writerUnits: total(res.body, 'scanpass_sqlite_writer_units_total'),
    writerSeconds: total(res.body, 'scanpass_sqlite_writer_busy_seconds_total'),
  };
}

/**
 * Runs `work` and says how often and how long the server at `url` stalled
 * meanwhile, and (SQLite) what its writer did. `settleMs` waits after the
 * first reading, so the scrape's own work is over before `work` starts.
 */
export async function withServerReadings<T>(url: string, work: () => Promise<T>, settleMs = 0): Promise<{ result: T; stalls: Stalls; writer: WriterWorkDuring | null }> {
  const before = await totals(url);
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  const result = await work();
  const after = await totals(url);
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  const ms = (s: number | null) => (s === null ? null : Math.round(s * 1000));
  return {
    result,
    stalls: {
      gcPauses: after.gcPauses - before.gcPauses,
      gcMs: ms(after.gcSeconds - before.gcSeconds)!,
      writerHolds: diff(before.writerHolds, after.writerHolds),
      writerHeldMs: ms(diff(before.writerHeldSeconds, after.writerHeldSeconds)),
    },
    writer:
      before.writerUnits === null || after.writerUnits === null || before.writerSeconds === null || after.writerSeconds === null
        ? null
        : { units: after.writerUnits - before.writerUnits, ms: (after.writerSeconds - before.writerSeconds) * 1000 },
  };
}

export const describeStalls = (s: Stalls) =>
  `GC ${s.gcPauses} pauses ${s.gcMs} ms` + (s.writerHolds === null ? '' : `, writer held ${s.writerHolds} times ${s.writerHeldMs} ms`);
