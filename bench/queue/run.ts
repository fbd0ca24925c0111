/**
 * `npm run bench:queue`: the QR queue's benches, one phase after another.
 *
 * - `estimator` (bench/queue/estimator.ts): simulated days at a few kinds of
 *   place; the median absolute error between the wait shown at joining and
 *   the wait that followed, for the queue's estimator and for the naive
 *   "people ahead × fixed minutes", side by side. Pure computation, a few
 *   seconds.
 * - `load` (bench/queue/load.ts): the built server on SQLite; tickets join at
 *   500/s, every ticket's phone follows its place over its own WebSocket,
 *   10 counters call 5 a second; join and call-next latency, and how long
 *   until every waiting phone shows its new `ahead`. About 2 minutes.
 * - `load-two-nodes`: the same on two nodes sharing Postgres (a fresh
 *   database on BENCH_PG_URL) and Redis (SCANPASS_REDIS_URL). About 3 minutes.
 *
 * Env: BENCH_ONLY (comma-separated phases; default all), BENCH_QUEUE_DAYS
 * (10 simulated days per place), BENCH_QUEUE_SEED (20261130),
 * BENCH_QUEUE_NAIVE_MINUTES (3); the load phase's knobs are in load.ts
 * (LOAD_KNOBS) and bench/README.md.
 *
 * Only a run of every phase at the defaults is saved as
 * bench/results/queue-latest.*; any other run is partial (see
 * bench/support/results.ts). Every run adds a line to history.jsonl.
 *
 * A phase is an entry of PHASES: it returns its report (kept under
 * `results.<phase>`) and its Markdown lines.
 */
import { describeMachine, finishMachine, machineAtStart } from '../support/machine.js';
import { saveRun } from '../support/results.js';
import { runEstimator, type Score } from './estimator.js';
import { LOAD_KNOBS, runLoad } from './load.js';

const envInt = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const log = (line: string) => process.stdout.write(`[bench:queue ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface PhaseOutput {
  report: unknown;
  md: string[];
}

const estimatorConfig = {
  days: envInt('BENCH_QUEUE_DAYS', 10),
  seed: envInt('BENCH_QUEUE_SEED', 20261130),
  naiveMinutes: envInt('BENCH_QUEUE_NAIVE_MINUTES', 3),
};

function estimatorPhase(): PhaseOutput {
  const t0 = performance.now();
  const r = runEstimator(estimatorConfig);
  log(`estimator: ${r.all.tickets} visitors called over ${estimatorConfig.days} days x ${r.places.length} places in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const row = (name: string, s: Score) =>
    `| ${name} | ${s.tickets} | ${s.medianActualMin} | **${s.ours.mae}** | ${s.ours.p90} | ${s.naive.mae} | ${s.naive.p90} | ${s.naiveBest.mae} | ${s.naiveBest.p90} (${s.naiveBest.minutesPerPerson} min) | ${Math.round(s.ours.inRange * 100)}% | ${s.ours.rangeWidthMin} |`;
  const md = [
    '## Expected wait: estimator vs naive',
    '',
    `Simulated days (seed ${estimatorConfig.seed}, ${estimatorConfig.days} per place): error = |wait shown at joining - wait until called|, minutes, over every visitor called.`,
    `Naive: people ahead x ${estimatorConfig.naiveMinutes} min; naive best: people ahead x the fixed minutes that scored best at that place, chosen after the fact.`,
    '',
    `| Place | Visitors | Median wait | Estimator median error | p90 | Naive ${estimatorConfig.naiveMinutes} min median | p90 | Naive best median | p90 (min/person) | Actual in shown range | Median range width |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.places.map((p) => row(p.place, p)),
    row('all', r.all),
    row('all, every assigned counter counted as open', r.assignedCounters),
    '',
  ];
  return { report: r, md };
}

/** Phases in the order they run. `load` needs the build (`prebench:queue`). */
const PHASES: Record<string, () => PhaseOutput | Promise<PhaseOutput>> = {
  estimator: estimatorPhase,
  load: () => runLoad('one-node'),
  'load-two-nodes': () => runLoad('two-nodes'),
};

const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only.filter((p) => !(p in PHASES));
if (unknown.length) throw new Error(`BENCH_ONLY: unknown phase(s) ${unknown.join(', ')}; phases: ${Object.keys(PHASES).join(', ')}`);
const phases = only.length ? Object.keys(PHASES).filter((p) => only.includes(p)) : Object.keys(PHASES);

const at = new Date().toISOString();
const started = machineAtStart();
const results: Record<string, unknown> = {};
const md: string[] = [];
for (const name of phases) {
  const out = await PHASES[name]!();
  results[name] = out.report;
  md.push(...out.md);
}

const fullRun = phases.length === Object.keys(PHASES).length && ['BENCH_QUEUE_DAYS', 'BENCH_QUEUE_SEED', 'BENCH_QUEUE_NAIVE_MINUTES', ...LOAD_KNOBS].every((k) => !process.env[k]);
const machine = finishMachine(started);
const report = { bench: 'queue', at, machine, phases, results };
const text = [
  `# bench:queue, ${at}`,
  '',
  `${describeMachine(machine)}; phases: ${phases.join(', ')}.`,
  ...(fullRun ? [] : ['Partial run (phases or sizes changed): not saved as queue-latest.']),
  '',
  ...md,
  'Run: `npm run bench:queue`.',
].join('\n');
const saved = saveRun({ bench: 'queue', date: at, partial: !fullRun, report, md: text, node: process.version, load: machine.loadAfter![0]! });
process.stdout.write(`${text}\nsaved ${saved.join(', ')}\n`);
