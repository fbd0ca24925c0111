/**
 * Where the benches keep what they measured. bench/results/ holds the last
 * full run of each bench (`<bench>-latest.json` with every number, `.md` as a
 * table) and history.jsonl, one line per run ever made (full or partial) with
 * its date, machine load and headline numbers, so a change shows up as a line
 * beside the ones before it without a folder of dated files. A partial run
 * (other sizes, a subset of phases, profiling flags) does not replace latest:
 * its full report goes to the OS temp folder, and its history line says
 * `partial: true`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS_DIR = path.join(ROOT, 'bench/results');
const HISTORY_FILE = path.join(RESULTS_DIR, 'history.jsonl');

export type BenchName = 'live' | 'checkin' | 'login' | 'queue';
type Headline = Record<string, number | string | null>;

/** One line of history.jsonl. */
export interface HistoryLine {
  /** When the run started (ISO 8601). */
  date: string;
  bench: BenchName;
  partial: boolean;
  node: string | null;
  /** The 1-minute load average at the end, when recorded: a busy machine explains a bad p99. */
  load: number | null;
  headline: Headline;
}

export interface RunToSave {
  bench: BenchName;
  date: string;
  partial: boolean;
  /** The whole report, as written to `<bench>-latest.json`. */
  report: unknown;
  /** The report as a Markdown table, as written to `<bench>-latest.md`. */
  md: string;
  node: string;
  load: number;
}

const round = (n: unknown, digits = 2): number | null => (typeof n === 'number' && Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

/** Writes latest (full runs) or a temp copy (partial ones), appends the history line; returns the paths written. */
export function saveRun(run: RunToSave): string[] {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(run.report, null, 2)}\n`;
  const md = run.md.endsWith('\n') ? run.md : `${run.md}\n`;
  let base: string;
  if (run.partial) {
    const dir = path.join(os.tmpdir(), 'scanpass-bench');
    fs.mkdirSync(dir, { recursive: true });
    base = path.join(dir, `${run.bench}-${run.date.replace(/[:.]/g, '-')}`);
  } else {
    base = path.join(RESULTS_DIR, `${run.bench}-latest`);
  }
  fs.writeFileSync(`${base}.json`, json);
  fs.writeFileSync(`${base}.md`, md);
  const line: HistoryLine = { date: run.date, bench: run.bench, partial: run.partial, node: run.node, load: round(run.load), headline: headline(run.bench, run.report) };
  fs.appendFileSync(HISTORY_FILE, `${JSON.stringify(line)}\n`);
  return [`${base}.json`, `${base}.md`, HISTORY_FILE];
}

/** `o.a.b.c`, or undefined where any step is missing: history also holds runs from before a field existed. */
const at = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/** The numbers each bench is judged by (its targets), from its report; null where a run did not measure one. */
function headline(bench: BenchName, report: unknown): Headline {
  if (bench === 'checkin') {
    const out: Headline = {};
    for (const d of (at(report, 'results') as unknown[] | undefined) ?? []) {
      const name = String(at(d, 'dialect'));
      out[`${name}_checkins_per_s`] = round(at(d, 'throughput', 'checkinsPerSecond'), 0);
      out[`${name}_p99_ms`] = round(at(d, 'throughput', 'latencyMs', 'p99'));
      out[`${name}_told_p99_ms`] = round(at(d, 'push', 'scanToPushMs', 'p99'));
    }
    return out;
  }
  if (bench === 'queue') {
    // Minutes of median absolute error of the wait shown at joining (estimator phase); other phases add theirs.
    const all = (k: string, ...keys: string[]) => round(at(report, 'results', 'estimator', 'all', k, ...keys));
    const load = (...keys: string[]) => round(at(report, 'results', 'load', ...keys));
    return {
      estimator_mae_min: all('ours', 'mae'),
      estimator_p90_min: all('ours', 'p90'),
      naive_mae_min: all('naive', 'mae'),
      naive_best_mae_min: all('naiveBest', 'mae'),
      join_per_s: load('join', 'achievedRate'),
      join_p99_ms: load('join', 'latencyMs', 'p99'),
      call_p99_ms: load('call', 'latencyMs', 'p99'),
      last_phone_p99_ms: load('phones', 'lastPhoneMs', 'p99'),
      all_phones_p99_ms: load('phones', 'allPhonesMs', 'p99'),
      ahead_mismatched: load('check', 'mismatched'),
    };
  }
  if (bench === 'login') {
    return {
      live_p99_ms: round(at(report, 'live', 'p99')),
      polling_p50_ms: round(at(report, 'polling', 'p50'), 0),
      speedup_at_p50: round(at(report, 'speedupAtP50'), 0),
      // OpenID code flow: the phone's approve answer until the app holds the tokens (no target; failures must be 0).
      code_flow_p50_ms: round(at(report, 'codeFlow', 'fromApproveAnswer', 'p50')),
      code_flow_p99_ms: round(at(report, 'codeFlow', 'fromApproveAnswer', 'p99')),
      code_flow_failed: round(at(report, 'codeFlow', 'failures'), 0),
    };
  }
  const lost = [at(report, 'latency', 'scanpassOneNode', 'lost'), at(report, 'latency', 'scanpassTwoNodes', 'lost')].filter((n): n is number => typeof n === 'number');
  return {
    idle_kb_scanpass: round(at(report, 'idle', 'scanpass', 'perSubKB')),
    idle_kb_socketio: round(at(report, 'idle', 'socketio', 'perSubKB')),
    p99_one_node_ms: round(at(report, 'latency', 'scanpassOneNode', 'p99')),
    p99_two_nodes_ms: round(at(report, 'latency', 'scanpassTwoNodes', 'p99')),
    p99_socketio_ms: round(at(report, 'latency', 'socketioOneNode', 'p99')),
    lost: lost.length ? lost.reduce((a, b) => a + b, 0) : null,
    burst_handshake_failures: round(at(report, 'burst', 'handshakeFailures'), 0),
    burst_loop_max_ms: round(at(report, 'burst', 'serverLoopDelay', 'max')),
    slow_drop_ms: round(at(report, 'slow', 'flood', 'ms'), 0),
    slow_loop_max_ms: round(at(report, 'slow', 'flood', 'loopDelay', 'max')),
  };
}
