/**
 * `npm run bench:start`: how long the product takes from `node
 * dist/server/main.js` to answering /readyz, and how much memory it holds
 * once idle, on SQLite. Two kinds of start, each BENCH_START_ROUNDS times
 * (default 5), alternating:
 *
 * - `first`: a fresh data folder (migrations, the admin account's password hash);
 * - `restart`: the same folder again, as every later start of a node is.
 *
 * Each start is its own process: spawned, /readyz polled every 10 ms,
 * then left idle BENCH_START_IDLE_SECONDS (3) before VmRSS is read from
 * /proc (the reading the targets judge), read again once the node has been
 * idle BENCH_START_SETTLED_SECONDS (12: V8's memory reducer shrinks an idle
 * heap about 8 s after start), then stopped with SIGTERM. Targets (issue
 * 13): restart at most 1 s to /readyz, at most 80 MB idle RSS.
 *
 * BENCH_START_MAIN runs another build's entry instead (an older checkout's,
 * to compare in the same minutes); such a run stays partial.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/free-port.js';
import { saveRun } from '../support/results.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 5);
const IDLE_S = Number(process.env.BENCH_START_IDLE_SECONDS ?? 3);
const SETTLED_S = Math.max(IDLE_S, Number(process.env.BENCH_START_SETTLED_SECONDS ?? 12));
const MAIN = path.resolve(process.env.BENCH_START_MAIN ?? path.join(ROOT, 'dist/server/main.js'));
const TARGET = { readyMs: 1000, rssMb: 80 };
const log = (m: string) => process.stdout.write(`[bench:start ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

interface Sample {
  readyMs: number;
  rssMb: number;
  settledRssMb: number;
}

const rssMb = (pid: number | undefined) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

async function startOnce(dataDir: string): Promise<Sample> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      SCANPASS_PORT: String(port),
      SCANPASS_HOST: '127.0.0.1',
      SCANPASS_DATA_DIR: dataDir,
      SCANPASS_LOG_LEVEL: 'warn',
      SCANPASS_ADMIN_EMAIL: 'bench@scanpass.local',
      SCANPASS_ADMIN_PASSWORD: 'bench password 123',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let readyMs = -1;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before /readyz answered`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (ok) {
        readyMs = performance.now() - t0;
        break;
      }
      if (performance.now() - t0 > 60_000) throw new Error('no /readyz within 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const idle = rssMb(child.pid);
    await new Promise((r) => setTimeout(r, (SETTLED_S - IDLE_S) * 1000));
    return { readyMs, rssMb: idle, settledRssMb: rssMb(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, min: s[0]!, max: s.at(-1)! };
};
const summary = (xs: Sample[]) => ({
  readyMs: stats(xs.map((s) => s.readyMs)),
  rssMb: stats(xs.map((s) => s.rssMb)),
  settledRssMb: stats(xs.map((s) => s.settledRssMb)),
});

if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm run build`);
const loadBefore = os.loadavg();
log(`${path.relative(ROOT, MAIN)}: ${ROUNDS} rounds of a first start and a restart, RSS after ${IDLE_S} s and ${SETTLED_S} s idle; ${os.cpus().length} cores (${os.cpus()[0]?.model}), load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
const samples = { first: [] as Sample[], restart: [] as Sample[] };
for (let i = 0; i < ROUNDS; i++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-bench-start-'));
  try {
    samples.first.push(await startOnce(dataDir));
    samples.restart.push(await startOnce(dataDir));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  log(`round ${i + 1}/${ROUNDS}: first ${samples.first.at(-1)!.readyMs.toFixed(0)} ms ${samples.first.at(-1)!.rssMb.toFixed(0)} MB; restart ${samples.restart.at(-1)!.readyMs.toFixed(0)} ms ${samples.restart.at(-1)!.rssMb.toFixed(0)} MB (${samples.restart.at(-1)!.settledRssMb.toFixed(0)} MB at ${SETTLED_S} s)`);
}
const loadAfter = os.loadavg();

const report = {
  at: new Date().toISOString(),
  machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadBefore, loadAfter },
  rounds: ROUNDS,
  main: path.relative(ROOT, MAIN),
  idleSeconds: IDLE_S,
  settledSeconds: SETTLED_S,
  first: summary(samples.first),
  restart: summary(samples.restart),
  target: TARGET,
};
const f = (n: number) => n.toFixed(0);
const row = (name: string, r: typeof report.first) =>
  `| ${name} | ${f(r.readyMs.median)} | ${f(r.readyMs.min)}-${f(r.readyMs.max)} | ${f(r.rssMb.median)} | ${f(r.rssMb.min)}-${f(r.rssMb.max)} | ${f(r.settledRssMb.median)} | ${f(r.settledRssMb.min)}-${f(r.settledRssMb.max)} |`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const md = [
  `# Start bench, ${report.at}`,
  '',
  `${report.machine.cores} cores (${report.machine.cpu}), Node ${report.machine.node}; load before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; ${ROUNDS} rounds of \`node ${report.main}\`; RSS after ${IDLE_S} s idle, and after ${SETTLED_S} s.`,
  '',
  `| start | to /readyz, median (ms) | spread (ms) | RSS at ${IDLE_S} s, median (MB) | spread (MB) | RSS at ${SETTLED_S} s, median (MB) | spread (MB) |`,
  '| --- | --- | --- | --- | --- | --- | --- |',
  row('first (fresh data folder)', report.first),
  row('restart (same folder)', report.restart),
  '',
  `Restart to /readyz ${f(report.restart.readyMs.median)} ms (target at most ${TARGET.readyMs}): ${verdict(report.restart.readyMs.median <= TARGET.readyMs)}. Idle RSS at ${IDLE_S} s ${f(report.restart.rssMb.median)} MB (target at most ${TARGET.rssMb}): ${verdict(report.restart.rssMb.median <= TARGET.rssMb)}.`,
  '',
].join('\n');
process.stdout.write(`\n${md}\n`);
const partial = ['BENCH_START_ROUNDS', 'BENCH_START_IDLE_SECONDS', 'BENCH_START_SETTLED_SECONDS', 'BENCH_START_MAIN'].some((v) => process.env[v] !== undefined);
const saved = saveRun({ bench: 'start', date: report.at, partial, report, md, node: process.version, load: loadAfter[0]! });
log(`saved ${saved.join(', ')}`);
