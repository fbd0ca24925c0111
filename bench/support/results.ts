/**
 * Where the benches keep what they measured. Every run, full or partial,
 * goes to bench/runs/ (not committed): `<bench>-<date>.json` with every
 * number, `.md` as a table (`-partial` in the name for other sizes, a subset
 * of phases or profiling flags), and a line in bench/runs/history.jsonl.
 * Only a deliberate step, `npm run bench:keep -- <bench>`, makes a full run
 * the committed result: it copies it to bench/results/<bench>-latest.* and
 * adds its line to bench/results/history.jsonl, so a noisy run never
 * replaces a good one by accident and the committed history holds the runs
 * someone chose to stand behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS_DIR = path.join(ROOT, 'bench/results');
export const RUNS_DIR = path.join(ROOT, 'bench/runs');
const HISTORY = 'history.jsonl';

export type BenchName = 'live' | 'live-real' | 'checkin' | 'login' | 'queue' | 'start';
export const BENCHES: readonly BenchName[] = ['live', 'live-real', 'checkin', 'login', 'queue', 'start'];
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
  /** The run's report in bench/runs/ (runs history only). */
  file?: string;
}

export interface RunToSave {
  bench: BenchName;
  date: string;
  partial: boolean;
  /** The whole report, as written to `<bench>-<date>.json`. */
  report: unknown;
  /** The report as a Markdown table, as written to `<bench>-<date>.md`. */
  md: string;
  node: string;
  load: number;
}

const round = (n: unknown, digits = 2): number | null => (typeof n === 'number' && Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

/** Writes the run to bench/runs/ and its line to the runs' history; returns the paths written. */
export function saveRun(run: RunToSave): string[] {
  fs.mkdirSync(RUNS_DIR, { recursive: true });
  const base = path.join(RUNS_DIR, `${run.bench}-${run.date.replace(/[:.]/g, '-')}${run.partial ? '-partial' : ''}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(run.report, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, run.md.endsWith('\n') ? run.md : `${run.md}\n`);
  const line: HistoryLine = { date: run.date, bench: run.bench, partial: run.partial, node: run.node, load: round(run.load), headline: headline(run.bench, run.report), file: path.basename(`${base}.json`) };
  const history = path.join(RUNS_DIR, HISTORY);
  fs.appendFileSync(history, `${JSON.stringify(line)}\n`);
  process.stdout.write(
    run.partial
      ? `a partial run: it stays in bench/runs/ (only a full run can become the committed result)\n`
      : `to make this run the committed result of ${run.bench}: npm run bench:keep -- ${path.relative(ROOT, `${base}.json`)}\n`,
  );
  return [`${base}.json`, `${base}.md`, history];
}

/** The runs' history (bench/runs/history.jsonl), oldest first; empty when nothing ran here yet. */
export function runsHistory(): HistoryLine[] {
  const file = path.join(RUNS_DIR, HISTORY);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HistoryLine);
}

/** Copies a full run to bench/results/<bench>-latest.* and adds its line to the committed history. */
export function keepRun(line: HistoryLine): string[] {
  if (line.partial) throw new Error(`${line.file} is a partial run; only a full run can be the committed result`);
  if (!line.file) throw new Error('this history line names no report file');
  const from = path.join(RUNS_DIR, line.file);
  const to = path.join(RESULTS_DIR, `${line.bench}-latest`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.copyFileSync(from, `${to}.json`);
  fs.copyFileSync(from.replace(/\.json$/, '.md'), `${to}.md`);
  const { file: _runFile, ...kept } = line;
  fs.appendFileSync(path.join(RESULTS_DIR, HISTORY), `${JSON.stringify(kept)}\n`);
  return [`${to}.json`, `${to}.md`, path.join(RESULTS_DIR, HISTORY)];
}

/** `o.a.b.c`, or undefined where any step is missing: history also holds runs from before a field existed. */
const at = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/** The numbers each bench is judged by (its targets), from its report; null where a run did not measure one. */
function headline(bench: BenchName, report: unknown): Headline {
  if (bench === 'checkin') {
    const out: Headline = {};
    // Since the bare route ran beside it: the ratios at each connection count first.
    for (const v of (at(report, 'sqlite', 'versus') as unknown[] | undefined) ?? []) {
      const c = String(at(v, 'connections'));
      out[`ratio_c${c}`] = round(at(v, 'throughputRatio'));
      out[`p99_multiple_c${c}`] = round(at(v, 'p99Multiple'));
      out[`sqlite_c${c}_checkins_per_s`] = round(at(v, 'perSecond', 'scanpass', 'median'), 0);
      out[`bare_c${c}_per_s`] = round(at(v, 'perSecond', 'bare', 'median'), 0);
    }
    if (at(report, 'sqlite')) out.sqlite_told_p99_ms = round(at(report, 'sqlite', 'push', 'scanToPushMs', 'p99'));
    if (at(report, 'postgres')) {
      out.postgres_checkins_per_s = round(at(report, 'postgres', 'throughput', 'perSecond'), 0);
      out.postgres_p99_ms = round(at(report, 'postgres', 'throughput', 'latencyMs', 'p99'));
    }
    // Runs from before: one throughput per store.
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
  if (bench === 'start') {
    return {
      restart_ready_ms: round(at(report, 'restart', 'readyMs', 'median'), 0),
      restart_rss_mb: round(at(report, 'restart', 'rssMb', 'median'), 0),
      first_ready_ms: round(at(report, 'first', 'readyMs', 'median'), 0),
    };
  }
  if (bench === 'live-real') {
    // Real pass channels against Socket.IO 4 in the same run: the ratios first, then each side.
    const out: Headline = {
      kb_ratio: round(at(report, 'ratios', 'kbPerSubscriber')),
      kb_scanpass: round(at(report, 'scanpass', 'memory', 'perSubKB')),
      kb_socketio: round(at(report, 'socketio', 'memory', 'perSubKB')),
    };
    for (const r of (at(report, 'ratios', 'rates') as unknown[] | undefined) ?? []) {
      const rate = String(at(r, 'rate'));
      out[`p50_ratio_${rate}`] = round(at(r, 'p50'));
      out[`p99_ratio_${rate}`] = round(at(r, 'p99'));
    }
    for (const side of ['scanpass', 'socketio']) {
      for (const r of (at(report, side, 'rates') as unknown[] | undefined) ?? []) {
        const rate = String(at(r, 'rate'));
        out[`${side}_${rate}_p50_ms`] = round(at(r, 'latencyMs', 'p50'));
        out[`${side}_${rate}_p99_ms`] = round(at(r, 'latencyMs', 'p99'));
        out[`${side}_${rate}_cpu_share`] = round(at(r, 'cpuShare'), 3);
        out[`${side}_${rate}_missed`] = round(at(r, 'missed'), 0);
      }
    }
    return out;
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
      device_codes_per_s: round(at(report, 'deviceFlood', 'perSecond'), 0),
      device_last_over_first: round(at(report, 'deviceFlood', 'lastOverFirst')),
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
