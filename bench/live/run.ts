/**
 * `npm run bench:live`: memory per idle WebSocket subscriber and
 * publish-to-receive latency of the scanpass live channel, on one node and
 * across two nodes over Redis, against a plain Socket.IO 4 server under the
 * same load. See bench/README.md for the method.
 *
 * Env overrides: BENCH_IDLE_CLIENTS (15000), BENCH_LATENCY_CLIENTS (5000),
 * BENCH_RATE (1000 events/s), BENCH_SECONDS (25), BENCH_WARMUP_SECONDS (3),
 * BENCH_IDLE_PROCS (4), BENCH_LATENCY_PROCS (2), BENCH_CONCURRENCY (per client
 * process, 64), BENCH_ADDRESSES (source addresses 127.0.0.2.., 8),
 * BENCH_ONLY (comma list of sp-idle, sio-idle, sp-lat, sp-redis, sio-lat, sp-burst, sp-slow),
 * BENCH_BURST_SOCKETS (2000), BENCH_BURST_RATE (400/s), BENCH_BURST_CHANNELS (100 per socket),
 * BENCH_BURST_CHANNEL_SPACE (20000), BENCH_BURST_PROCS (2), BENCH_HANDSHAKE_TIMEOUT_MS (10000),
 * BENCH_SLOW_SOCKETS (2000), BENCH_SLOW_FRAME_KB (4), BENCH_SLOW_EVERY_MS (10),
 * BENCH_HEAPSNAPSHOT=1 (write heap snapshots of the idle scanpass node),
 * BENCH_SERVER_NODE_ARGS (extra node flags for the servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`),
 * SCANPASS_REDIS_URL (redis://127.0.0.1:6379).
 *
 * A run of every phase at the default sizes is saved as
 * bench/results/live-latest.*; every run adds a line to
 * bench/results/history.jsonl (bench/support/results.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ChannelTokens } from '../../src/live/channel-token.js';
import {
  BENCH_KIND,
  BENCH_SECRET,
  BENCH_STORE_KIND,
  clockMs,
  envInt,
  spread,
  type BurstReport,
  type BurstSetup,
  type FloodResult,
  type ProbeResult,
  type Spread,
  percentile,
  type ClientCommand,
  type ClientMessage,
  type ClientReport,
  type ClientSetup,
  type MemReading,
  type PublishResult,
  type ServerCommand,
  type ServerMessage,
} from './common.js';
import { saveRun } from '../support/results.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

const cfg = {
  idleClients: envInt('BENCH_IDLE_CLIENTS', 15_000),
  latencyClients: envInt('BENCH_LATENCY_CLIENTS', 5_000),
  rate: envInt('BENCH_RATE', 1_000),
  // One full heartbeat interval (25 s): every run then holds a whole heartbeat round, as steady state does.
  seconds: envInt('BENCH_SECONDS', 25),
  warmupSeconds: envInt('BENCH_WARMUP_SECONDS', 3),
  idleProcs: Math.max(2, envInt('BENCH_IDLE_PROCS', 4)),
  latencyProcs: Math.max(1, envInt('BENCH_LATENCY_PROCS', 2)),
  concurrency: Math.max(1, envInt('BENCH_CONCURRENCY', 64)),
  addresses: Math.max(1, Math.min(250, envInt('BENCH_ADDRESSES', 8))),
  redisUrl: process.env.SCANPASS_REDIS_URL || 'redis://127.0.0.1:6379',
  burst: {
    sockets: envInt('BENCH_BURST_SOCKETS', 2_000),
    rate: Math.max(1, envInt('BENCH_BURST_RATE', 400)),
    channelsPerSocket: Math.max(1, envInt('BENCH_BURST_CHANNELS', 100)),
    channelSpace: Math.max(1, envInt('BENCH_BURST_CHANNEL_SPACE', 20_000)),
    procs: Math.max(1, envInt('BENCH_BURST_PROCS', 2)),
    handshakeTimeoutMs: envInt('BENCH_HANDSHAKE_TIMEOUT_MS', 10_000),
  },
  slow: {
    sockets: envInt('BENCH_SLOW_SOCKETS', 2_000),
    frameKB: Math.max(1, envInt('BENCH_SLOW_FRAME_KB', 4)),
    everyMs: Math.max(1, envInt('BENCH_SLOW_EVERY_MS', 10)),
  },
  only: new Set((process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  heapSnapshot: process.env.BENCH_HEAPSNAPSHOT === '1',
  /** Experiments on the scanpass nodes (see server.ts); a run with any of these is not saved as "latest". */
  experiment: {
    pingSeconds: process.env.SCANPASS_LIVE_PING_SECONDS ? Number(process.env.SCANPASS_LIVE_PING_SECONDS) : undefined,
  },
};
const SIZE_KNOBS = ['BENCH_IDLE_CLIENTS', 'BENCH_LATENCY_CLIENTS', 'BENCH_RATE', 'BENCH_SECONDS', 'BENCH_BURST_SOCKETS', 'BENCH_BURST_RATE', 'BENCH_BURST_CHANNELS', 'BENCH_SLOW_SOCKETS', 'BENCH_SLOW_FRAME_KB', 'BENCH_SLOW_EVERY_MS'];
/** A subset of phases, other sizes or an experiment: not comparable with the full run, so not saved as latest. */
const isPartial = () => cfg.only.size > 0 || cfg.experiment.pingSeconds !== undefined || SIZE_KNOBS.some((k) => process.env[k]);
const TARGETS = { idleKB: 6, p99OneNodeMs: 5, p99TwoNodesMs: 15 };
const wanted = (phase: string) => cfg.only.size === 0 || cfg.only.has(phase);
const localAddresses = Array.from({ length: cfg.addresses }, (_, i) => `127.0.0.${i + 2}`);

const longestSlice = (hs: { blockMs: number }[]) => (hs.length ? `${Math.max(...hs.map((h) => h.blockMs)).toFixed(1)} ms` : 'none');
const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes

const children = new Set<ChildProcess>();
const tmpDirs: string[] = [];

function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping child processes`);
    killAll();
    process.exit(130);
  });
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

type ServerRequest = ServerCommand extends infer C ? (C extends ServerCommand ? Omit<C, 'id'> : never) : never;

interface ServerProc {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  call<T>(cmd: ServerRequest, timeoutMs?: number): Promise<T>;
  mem(): Promise<MemReading>;
  stop(): Promise<void>;
}

async function spawnServer(name: string, script: string, env: Record<string, string>): Promise<ServerProc> {
  const child = track(
    fork(path.join(HERE, script), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)],
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    }),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  let seq = 0;
  const pending = new Map<number, (v: unknown) => void>();
  const ready = new Promise<{ url: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${stderr}`)), 60_000);
    child.on('message', (raw) => {
      const m = raw as ServerMessage;
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      } else if (m.type === 'reply') {
        pending.get(m.id)?.(m.result);
        pending.delete(m.id);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${stderr}`));
    });
  });
  const { url, pid } = await ready;
  child.on('exit', (code, signal) => {
    if (pending.size > 0) log(`${name} exited (${code ?? signal}) with ${pending.size} commands pending:\n${stderr}`);
  });
  const call = <T>(cmd: ServerRequest, timeoutMs = 120_000) =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}: "${cmd.cmd}" got no answer within ${timeoutMs} ms\n${stderr}`));
      }, timeoutMs);
      pending.set(id, (v) => {
        clearTimeout(timer);
        if (v && typeof v === 'object' && 'error' in v) reject(new Error(`${name}: ${String((v as { error: unknown }).error)}`));
        else resolve(v as T);
      });
      child.send({ ...cmd, id } as ServerCommand);
    });
  return {
    name,
    url,
    pid,
    child,
    call,
    mem: () => call<MemReading>({ cmd: 'mem' }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      await call({ cmd: 'stop' }, 15_000).catch(() => child.kill('SIGKILL'));
      await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

function scanpassEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-bench-'));
  tmpDirs.push(dataDir);
  return {
    SCANPASS_PORT: '0',
    SCANPASS_HOST: '127.0.0.1',
    SCANPASS_DATA_DIR: dataDir,
    SCANPASS_LOG_LEVEL: 'warn',
    SCANPASS_TOKEN_SECRET: BENCH_SECRET,
    SCANPASS_ADMIN_PASSWORD: 'bench-admin-password-not-secret',
    SCANPASS_RATE_LIMIT_PER_MINUTE: '1000000',
    SCANPASS_LIVE_UPGRADES_PER_MINUTE: '1000000',
    SCANPASS_LIVE_MAX_SOCKETS_PER_ADDRESS: '1000000',
    SCANPASS_SHUTDOWN_GRACE_SECONDS: '1',
    ...(process.env.SCANPASS_LIVE_PING_SECONDS ? { SCANPASS_LIVE_PING_SECONDS: process.env.SCANPASS_LIVE_PING_SECONDS } : {}),
    ...extra,
  };
}

class ClientProc {
  readonly child: ChildProcess;
  progress = 0;
  private waiters: ((m: ClientMessage) => void)[] = [];
  onProgress: () => void = () => {};

  constructor(readonly name: string) {
    this.child = track(
      fork(path.join(HERE, 'client.ts'), [], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx'],
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    this.child.on('message', (raw) => {
      const m = raw as ClientMessage;
      if (m.type === 'progress') {
        this.progress = m.connected;
        this.onProgress();
      } else {
        for (const w of this.waiters.splice(0)) w(m);
      }
    });
  }

  private next<T extends ClientMessage['type']>(type: T, timeoutMs: number): Promise<Extract<ClientMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const onExit = () => reject(new Error(`${this.name} exited while waiting for "${type}"`));
      this.child.once('exit', onExit);
      const wait = (m: ClientMessage) => {
        if (m.type !== type) return void this.waiters.push(wait);
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve(m as Extract<ClientMessage, { type: T }>);
      };
      this.waiters.push(wait);
    });
  }

  send(cmd: ClientCommand): void {
    this.child.send(cmd);
  }

  async connect(setup: Omit<ClientSetup, 'cmd'>): Promise<Extract<ClientMessage, { type: 'connected' }>> {
    const done = this.next('connected', 300_000);
    this.send({ cmd: 'connect', ...setup });
    const r = await done;
    this.progress = r.connected;
    return r;
  }

  async burst(setup: Omit<BurstSetup, 'cmd'>): Promise<BurstReport> {
    const r = this.next('burst', 600_000);
    this.send({ cmd: 'burst', ...setup });
    return (await r).report;
  }

  async collect(): Promise<ClientReport> {
    const r = this.next('report', 30_000);
    this.send({ cmd: 'collect' });
    return (await r).report;
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.send({ cmd: 'exit' });
    await Promise.race([exited, sleep(5_000).then(() => this.child.kill('SIGKILL'))]);
  }
}

/**
 * Connects `total` subscribers (channels offset..offset+total-1) using the given
 * client processes, each taking an even contiguous share. Prints progress
 * every 2,500 connections.
 */
async function connectClients(procs: ClientProc[], kind: ClientSetup['kind'], url: string, offset: number, total: number, baseline: number, grandTotal: number) {
  const started = Date.now();
  let printed = Math.floor(baseline / 2500);
  const update = () => {
    const sum = baseline + procs.reduce((a, p) => a + p.progress, 0);
    if (Math.floor(sum / 2500) > printed) {
      printed = Math.floor(sum / 2500);
      log(`  ${kind}: ${printed * 2500} / ${grandTotal} subscribed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  };
  for (const p of procs) {
    p.progress = 0;
    p.onProgress = update;
  }
  const share = Math.ceil(total / procs.length);
  const results = await Promise.all(
    procs.map((p, i) => {
      const first = offset + i * share;
      const count = Math.max(0, Math.min(share, offset + total - first));
      return p.connect({ kind, url, first, count, localAddresses, concurrency: cfg.concurrency });
    }),
  );
  const connected = results.reduce((a, r) => a + r.connected, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const secs = (Date.now() - started) / 1000;
  log(`  ${kind}: ${connected} subscribed, ${failed} failed in ${secs.toFixed(1)} s (${Math.round(connected / secs)}/s)`);
  if (failed > 0) throw new Error(`${failed} of ${total} ${kind} clients failed to subscribe; first error: ${results.find((r) => r.firstError)?.firstError}`);
  return { connected, seconds: secs };
}

function cpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------- phases

interface IdleResult {
  clients: number;
  before: MemReading;
  mid: MemReading & { clients: number };
  after: MemReading;
  perSubKB: number;
  /** RSS slope between the half-way and the full reading: fixed costs excluded. */
  marginalKB: number;
  heapPerSubKB: number;
  externalPerSubKB: number;
  connectSeconds: number;
  serverStats: unknown;
  /** The longest single heartbeat slice of a round at this size blocks the event loop this long, ms; scanpass only. */
  heartbeatBlockMs?: number;
}

async function idlePhase(kind: ClientSetup['kind']): Promise<IdleResult> {
  const n = cfg.idleClients;
  log(`${kind} idle memory: ${n} subscribers over ${cfg.idleProcs} client processes`);
  const server =
    kind === 'scanpass' ? await spawnServer('scanpass node', 'server.ts', scanpassEnv()) : await spawnServer('socket.io server', 'socketio-server.ts', {});
  const procs = Array.from({ length: cfg.idleProcs }, (_, i) => new ClientProc(`${kind} idle client ${i}`));
  try {
    await sleep(1000);
    const before = await server.mem();
    log(`  server pid ${server.pid}: RSS before ${before.rssKB} KB`);
    if (kind === 'scanpass' && cfg.heapSnapshot) log(`  heap snapshot: ${await server.call<string>({ cmd: 'heapsnapshot', file: path.join(os.tmpdir(), 'scanpass-idle-before.heapsnapshot') })}`);
    // Two waves (half the client processes each) so the slope can be read without fixed costs.
    const half = Math.floor(procs.length / 2);
    const firstWave = Math.round((n * half) / procs.length);
    const t0 = Date.now();
    await connectClients(procs.slice(0, half), kind, server.url, 0, firstWave, 0, n);
    await sleep(1000);
    const mid = { ...(await server.mem()), clients: firstWave };
    log(`  RSS at ${firstWave}: ${mid.rssKB} KB`);
    await connectClients(procs.slice(half), kind, server.url, firstWave, n - firstWave, firstWave, n);
    const connectSeconds = (Date.now() - t0) / 1000;
    await sleep(2000);
    const after = await server.mem();
    const serverStats = await server.call({ cmd: 'stats' });
    if (kind === 'scanpass' && cfg.heapSnapshot) log(`  heap snapshot: ${await server.call<string>({ cmd: 'heapsnapshot', file: path.join(os.tmpdir(), 'scanpass-idle-after.heapsnapshot') }, 300_000)}`);
    const heartbeatBlockMs = kind === 'scanpass' ? ((await server.call<number | null>({ cmd: 'beat' })) ?? undefined) : undefined;
    const r: IdleResult = {
      clients: n,
      before,
      mid,
      after,
      perSubKB: (after.rssKB - before.rssKB) / n,
      marginalKB: (after.rssKB - mid.rssKB) / (n - firstWave),
      heapPerSubKB: (after.heapUsedKB - before.heapUsedKB) / n,
      externalPerSubKB: (after.externalKB - before.externalKB) / n,
      connectSeconds,
      serverStats,
      ...(heartbeatBlockMs !== undefined ? { heartbeatBlockMs } : {}),
    };
    log(
      `  RSS after ${after.rssKB} KB -> ${r.perSubKB.toFixed(2)} KB per idle subscriber (marginal ${r.marginalKB.toFixed(2)} KB; JS heap ${r.heapPerSubKB.toFixed(2)} KB, external ${r.externalPerSubKB.toFixed(2)} KB) stats ${JSON.stringify({ ...(serverStats as object), heartbeats: undefined })}` +
        (heartbeatBlockMs !== undefined ? `; longest heartbeat slice blocks ${heartbeatBlockMs.toFixed(1)} ms` : ''),
    );
    return r;
  } finally {
    await Promise.all(procs.map((p) => p.exit()));
    await server.stop();
  }
}

interface LatencyResult {
  clients: number;
  rate: number;
  seconds: number;
  published: PublishResult;
  received: number;
  lost: number;
  gaps: number;
  stale: number;
  errors: number;
  closed: number;
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** CPU used by the subscribers' server during publishing, in % of one core. */
  serverCpuPct: number;
  publisherCpuPct?: number;
  /** Heartbeat slices the subscribers' node ran while publishing; scanpass only. */
  heartbeatsInWindow?: { at: number; blockMs: number }[];
  /** Worst event-loop delay seen by any client process while measuring, ms. */
  clientLoopDelayMaxMs: number;
  clientLoopDelayP99Ms: number;
}

async function latencyPhase(kind: ClientSetup['kind'], twoNodes: boolean): Promise<LatencyResult> {
  const n = cfg.latencyClients;
  const label = `${kind}${twoNodes ? ' two nodes over Redis' : ' one node'}`;
  log(`${label} latency: ${n} subscribers, ${cfg.rate} events/s for ${cfg.seconds} s after ${cfg.warmupSeconds} s warm-up`);
  const servers: ServerProc[] = [];
  const procs: ClientProc[] = [];
  try {
    let subscribersNode: ServerProc;
    let publisherNode: ServerProc;
    if (kind === 'socketio') {
      subscribersNode = publisherNode = await spawnServer('socket.io server', 'socketio-server.ts', {});
      servers.push(subscribersNode);
    } else if (!twoNodes) {
      subscribersNode = publisherNode = await spawnServer('scanpass node', 'server.ts', scanpassEnv());
      servers.push(subscribersNode);
    } else {
      [subscribersNode, publisherNode] = await Promise.all([
        spawnServer('scanpass node A', 'server.ts', scanpassEnv({ SCANPASS_REDIS_URL: cfg.redisUrl })),
        spawnServer('scanpass node B', 'server.ts', scanpassEnv({ SCANPASS_REDIS_URL: cfg.redisUrl })),
      ]);
      servers.push(subscribersNode, publisherNode);
    }
    for (let i = 0; i < cfg.latencyProcs; i++) procs.push(new ClientProc(`${kind} latency client ${i}`));
    await connectClients(procs, kind, subscribersNode.url, 0, n, 0, n);
    await sleep(1000);
    for (const p of procs) p.send({ cmd: 'reset' });
    const cpu0 = cpuTicks(subscribersNode.pid);
    const cpuP0 = cpuTicks(publisherNode.pid);
    const t0 = Date.now();
    const published = await publisherNode.call<PublishResult>(
      { cmd: 'publish', channels: n, rate: cfg.rate, seconds: cfg.seconds, warmupSeconds: cfg.warmupSeconds },
      (cfg.seconds + cfg.warmupSeconds) * 1000 + 60_000,
    );
    const t1 = Date.now();
    const wallSecs = (t1 - t0) / 1000;
    const serverCpuPct = ((cpuTicks(subscribersNode.pid) - cpu0) / 100 / wallSecs) * 100;
    const publisherCpuPct = twoNodes ? ((cpuTicks(publisherNode.pid) - cpuP0) / 100 / wallSecs) * 100 : undefined;
    await sleep(1500); // let the last events arrive
    const reports = await Promise.all(procs.map((p) => p.collect()));
    const subStats = (await subscribersNode.call({ cmd: 'stats' })) as { heartbeats?: { at: number; blockMs: number }[] };
    const heartbeatsInWindow = subStats.heartbeats?.filter((h) => h.at >= t0 && h.at <= t1);
    const all: number[] = [];
    for (const r of reports) for (const s of r.samples) all.push(s);
    const sorted = Float64Array.from(all).sort();
    const sum = (f: (r: ClientReport) => number) => reports.reduce((a, r) => a + f(r), 0);
    const received = sum((r) => r.warm + r.measured);
    const res: LatencyResult = {
      clients: n,
      rate: cfg.rate,
      seconds: cfg.seconds,
      published,
      received,
      lost: published.warm + published.measured - received,
      gaps: sum((r) => r.gaps),
      stale: sum((r) => r.stale),
      errors: sum((r) => r.errors),
      closed: sum((r) => r.closed),
      samples: sorted.length,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: sorted.length ? sorted[sorted.length - 1]! : NaN,
      mean: sorted.length ? all.reduce((a, b) => a + b, 0) / sorted.length : NaN,
      serverCpuPct,
      ...(heartbeatsInWindow ? { heartbeatsInWindow } : {}),
      clientLoopDelayMaxMs: Math.max(...reports.map((r) => r.loopDelay?.max ?? NaN)),
      clientLoopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelay?.p99 ?? NaN)),
      ...(publisherCpuPct !== undefined ? { publisherCpuPct } : {}),
    };
    log(
      `  ${res.samples} samples: p50 ${res.p50.toFixed(2)} ms, p90 ${res.p90.toFixed(2)} ms, p99 ${res.p99.toFixed(2)} ms, p99.9 ${res.p999.toFixed(2)} ms, max ${res.max.toFixed(2)} ms; ` +
        `published ${published.warm + published.measured} (${published.achievedRate.toFixed(0)}/s, max lag ${published.maxLagMs.toFixed(1)} ms, publisher loop delay p99 ${published.loopDelay.p99} max ${published.loopDelay.max} ms; client loop delay p99 ${res.clientLoopDelayP99Ms} max ${res.clientLoopDelayMaxMs} ms), received ${received}, lost ${res.lost}, gaps ${res.gaps}, errors ${res.errors}; server CPU ${serverCpuPct.toFixed(0)}%` +
        (publisherCpuPct !== undefined ? `, publisher CPU ${publisherCpuPct.toFixed(0)}%` : '') +
        (heartbeatsInWindow ? `; ${heartbeatsInWindow.length} heartbeat slices in window, longest ${longestSlice(heartbeatsInWindow)}` : ''),
    );
    return res;
  } finally {
    await Promise.all(procs.map((p) => p.exit()));
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/**
 * What a client already there sees while the node is under a burst: the
 * publish -> receive latency of a channel the server publishes to every 10 ms,
 * and the round trip of `GET /readyz` every 20 ms (a request that reads the store, through
 * accept, parse and answer, as a check-in's would be).
 */
async function startWitness(server: ServerProc): Promise<{ stop(): Promise<{ publishToReceive: Spread; readyz: Spread; readyzFailed: number; probe: ProbeResult }> }> {
  const channel = `${BENCH_KIND}:probe`;
  const token = new ChannelTokens(Buffer.from(BENCH_SECRET), () => Date.now(), 3600).mint(channel, 3600).token;
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/live`, { perMessageDeflate: false });
  const latencies: number[] = [];
  ws.on('message', (data) => {
    const now = clockMs();
    const f = JSON.parse(String(data)) as { data?: { t?: number } };
    if (f.data?.t !== undefined) latencies.push(now - f.data.t);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ op: 'sub', channel, token }));
  await sleep(200);
  await server.call({ cmd: 'probe-start', channel, everyMs: 10 });
  const readyz: number[] = [];
  let readyzFailed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = clockMs();
      try {
        const res = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        if (res.status === 200) readyz.push(clockMs() - t);
        else readyzFailed++;
      } catch {
        readyzFailed++;
      }
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const probe = await server.call<ProbeResult>({ cmd: 'probe-stop' });
      await sleep(200);
      ws.terminate();
      return { publishToReceive: spread(latencies), readyz: spread(readyz), readyzFailed, probe };
    },
  };
}

interface BurstResult {
  sockets: number;
  ratePerSecond: number;
  channelsPerSocket: number;
  channelSpace: number;
  opened: number;
  handshakeFailures: number;
  firstError?: string;
  complete: number;
  subErrors: number;
  handshakeMs: Spread;
  allSnapshotsMs: Spread;
  seconds: number;
  subscriptionsPerSecond: number;
  serverLoopDelay: Spread;
  publishToReceive: Spread;
  readyz: Spread;
  readyzFailed: number;
}

/** sp-burst: sockets opening at a steady rate, each subscribing to many channels at once, while a witness measures. */
async function burstPhase(): Promise<BurstResult> {
  const b = cfg.burst;
  log(`scanpass burst: ${b.sockets} sockets at ${b.rate}/s, ${b.channelsPerSocket} channels each (of ${b.channelSpace}), handshake timeout ${b.handshakeTimeoutMs} ms`);
  const server = await spawnServer('scanpass node', 'server.ts', scanpassEnv());
  const procs = Array.from({ length: b.procs }, (_, i) => new ClientProc(`burst client ${i}`));
  try {
    await sleep(1000);
    const witness = await startWitness(server);
    await sleep(500);
    const t0 = Date.now();
    const share = Math.ceil(b.sockets / procs.length);
    const reports = await Promise.all(
      procs.map((p, i) =>
        p.burst({
          url: server.url,
          first: i * share,
          count: Math.max(0, Math.min(share, b.sockets - i * share)),
          rate: b.rate / procs.length,
          channelsPerSocket: b.channelsPerSocket,
          channelSpace: b.channelSpace,
          kind: BENCH_STORE_KIND,
          prefix: '',
          localAddresses,
          handshakeTimeoutMs: b.handshakeTimeoutMs,
        }),
      ),
    );
    const seconds = (Date.now() - t0) / 1000;
    const w = await witness.stop();
    const sum = (f: (r: BurstReport) => number) => reports.reduce((a, r) => a + f(r), 0);
    const worst = (f: (r: BurstReport) => Spread) => ({ p50: Math.max(...reports.map((r) => f(r).p50)), p99: Math.max(...reports.map((r) => f(r).p99)), max: Math.max(...reports.map((r) => f(r).max)) });
    const firstError = reports.find((r) => r.firstError)?.firstError;
    const r: BurstResult = {
      sockets: b.sockets,
      ratePerSecond: b.rate,
      channelsPerSocket: b.channelsPerSocket,
      channelSpace: b.channelSpace,
      opened: sum((x) => x.opened),
      handshakeFailures: sum((x) => x.failed),
      ...(firstError ? { firstError } : {}),
      complete: sum((x) => x.complete),
      subErrors: sum((x) => x.subErrors),
      handshakeMs: worst((x) => x.handshakeMs),
      allSnapshotsMs: worst((x) => x.allSnapshotsMs),
      seconds,
      subscriptionsPerSecond: (sum((x) => x.complete) * b.channelsPerSocket) / seconds,
      serverLoopDelay: w.probe.loopDelay,
      publishToReceive: w.publishToReceive,
      readyz: w.readyz,
      readyzFailed: w.readyzFailed,
    };
    log(
      `  opened ${r.opened}, handshake failures ${r.handshakeFailures}${firstError ? ` (first: ${firstError})` : ''}, all snapshots on ${r.complete} sockets, sub errors ${r.subErrors} in ${seconds.toFixed(1)} s (${Math.round(r.subscriptionsPerSecond)} subscriptions/s); ` +
        `handshake p99 ${r.handshakeMs.p99} max ${r.handshakeMs.max} ms; all snapshots p99 ${r.allSnapshotsMs.p99} max ${r.allSnapshotsMs.max} ms; ` +
        `server loop delay p99 ${r.serverLoopDelay.p99} max ${r.serverLoopDelay.max} ms; witness publish->receive p50 ${r.publishToReceive.p50} p99 ${r.publishToReceive.p99} max ${r.publishToReceive.max} ms; /readyz p50 ${r.readyz.p50} p99 ${r.readyz.p99} max ${r.readyz.max} ms (${r.readyzFailed} failed)`,
    );
    return r;
  } finally {
    await Promise.all(procs.map((p) => p.exit()));
    await server.stop();
  }
}

interface SlowResult {
  sockets: number;
  frameKB: number;
  subscribed: number;
  flood: FloodResult;
  dropped: number;
  publishToReceive: Spread;
  readyz: Spread;
  readyzFailed: number;
}

/** sp-slow: many subscribers of one channel stop reading; large frames go out until the node drops them. */
async function slowPhase(): Promise<SlowResult> {
  const sl = cfg.slow;
  log(`scanpass slow consumers: ${sl.sockets} sockets on one channel stop reading; ${sl.frameKB} KB frames every ${sl.everyMs} ms until they are dropped`);
  const server = await spawnServer('scanpass node', 'server.ts', scanpassEnv());
  const procs = Array.from({ length: cfg.burst.procs }, (_, i) => new ClientProc(`slow client ${i}`));
  try {
    const share = Math.ceil(sl.sockets / procs.length);
    const reports = await Promise.all(
      procs.map((p, i) =>
        p.burst({
          url: server.url,
          first: i * share,
          count: Math.max(0, Math.min(share, sl.sockets - i * share)),
          rate: 500 / procs.length,
          channelsPerSocket: 1,
          channelSpace: 1,
          kind: BENCH_KIND,
          prefix: 'slow',
          localAddresses,
          handshakeTimeoutMs: cfg.burst.handshakeTimeoutMs,
          pause: true,
        }),
      ),
    );
    const subscribed = reports.reduce((a, r) => a + r.complete, 0);
    const witness = await startWitness(server);
    await sleep(500);
    const flood = await server.call<FloodResult>(
      { cmd: 'flood', channel: `${BENCH_KIND}:slow0`, frameKB: sl.frameKB, everyMs: sl.everyMs, untilSocketsBelow: Math.ceil(subscribed * 0.01) + 1, timeoutMs: 120_000 },
      180_000,
    );
    await sleep(1000);
    const w = await witness.stop();
    const r: SlowResult = { sockets: sl.sockets, frameKB: sl.frameKB, subscribed, flood, dropped: flood.socketsBefore - flood.socketsAfter, publishToReceive: w.publishToReceive, readyz: w.readyz, readyzFailed: w.readyzFailed };
    log(
      `  ${subscribed} slow subscribers; ${flood.published} frames of ${sl.frameKB} KB; ${r.dropped} dropped in ${(flood.ms / 1000).toFixed(1)} s; server loop delay p99 ${flood.loopDelay.p99} max ${flood.loopDelay.max} ms; ` +
        `healthy witness publish->receive p50 ${r.publishToReceive.p50} p99 ${r.publishToReceive.p99} max ${r.publishToReceive.max} ms; /readyz p99 ${r.readyz.p99} max ${r.readyz.max} ms (${r.readyzFailed} failed)`,
    );
    return r;
  } finally {
    await Promise.all(procs.map((p) => p.exit()));
    await server.stop();
  }
}

// ---------------------------------------------------------------- report

const f2 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(2));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? 'n/a' : `${(a / b).toFixed(2)}x`);
const verdict = (x: number | undefined, max: number) => (x === undefined || Number.isNaN(x) ? 'n/a' : x <= max ? 'PASS' : 'MISS');

function burstRows(b: BurstResult | undefined): string[][] {
  if (!b) return [];
  const label = `burst: ${b.sockets} sockets at ${b.ratePerSecond}/s x ${b.channelsPerSocket} channels`;
  return [
    [`${label}: handshakes failed`, `${b.handshakeFailures} of ${b.sockets}`, '', '', '0', b.handshakeFailures === 0 && b.complete === b.sockets ? 'PASS' : 'MISS'],
    ['  server event-loop delay p99 / max (ms)', `${f2(b.serverLoopDelay.p99)} / ${f2(b.serverLoopDelay.max)}`, '', '', '', ''],
    ['  witness publish -> receive p99 / max (ms)', `${f2(b.publishToReceive.p99)} / ${f2(b.publishToReceive.max)}`, '', '', '', ''],
    ['  /readyz round trip p99 / max (ms)', `${f2(b.readyz.p99)} / ${f2(b.readyz.max)}`, '', '', '', ''],
    ['  every snapshot in, per socket p99 (ms)', f2(b.allSnapshotsMs.p99), '', '', '', ''],
  ];
}

function slowRows(r: SlowResult | undefined): string[][] {
  if (!r) return [];
  return [
    [`slow consumers: ${r.dropped} of ${r.subscribed} dropped together; server loop delay p99 / max (ms)`, `${f2(r.flood.loopDelay.p99)} / ${f2(r.flood.loopDelay.max)}`, '', '', '', ''],
    ['  healthy witness publish -> receive p99 / max (ms)', `${f2(r.publishToReceive.p99)} / ${f2(r.publishToReceive.max)}`, '', '', '', ''],
  ];
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const load0 = os.loadavg();
  log(
    `live bench on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load ${load0.map((l) => l.toFixed(2)).join(' ')}; ` +
      `idle ${cfg.idleClients}, latency ${cfg.latencyClients} at ${cfg.rate}/s for ${cfg.seconds} s`,
  );

  const out: {
    idle: { scanpass?: IdleResult; socketio?: IdleResult };
    latency: { scanpassOneNode?: LatencyResult; scanpassTwoNodes?: LatencyResult; socketioOneNode?: LatencyResult };
    burst?: BurstResult;
    slow?: SlowResult;
    notes: string[];
  } = { idle: {}, latency: {}, notes: [] };

  if (wanted('sp-idle')) out.idle.scanpass = await idlePhase('scanpass');
  if (wanted('sio-idle')) out.idle.socketio = await idlePhase('socketio');
  if (wanted('sp-lat')) out.latency.scanpassOneNode = await latencyPhase('scanpass', false);
  if (wanted('sp-redis')) {
    try {
      out.latency.scanpassTwoNodes = await latencyPhase('scanpass', true);
    } catch (err) {
      const note = `two-node scanpass case failed (is Redis up at ${cfg.redisUrl}?): ${String(err).split('\n')[0]}`;
      log(note);
      out.notes.push(note);
    }
  }
  if (wanted('sio-lat')) out.latency.socketioOneNode = await latencyPhase('socketio', false);
  if (wanted('sp-burst')) out.burst = await burstPhase();
  if (wanted('sp-slow')) out.slow = await slowPhase();
  out.notes.push('Socket.IO two-node case skipped: @socket.io/redis-adapter is not installed.');

  const load1 = os.loadavg();
  const { idle, latency } = out;
  const sp1 = latency.scanpassOneNode;
  const sp2 = latency.scanpassTwoNodes;
  const sio = latency.socketioOneNode;
  const rows: string[][] = [
    ['Metric', 'scanpass', 'Socket.IO', 'Socket.IO / scanpass', 'Target (scanpass)', 'Result'],
    [`RSS per idle subscriber @ ${cfg.idleClients} (KB)`, f2(idle.scanpass?.perSubKB), f2(idle.socketio?.perSubKB), ratio(idle.socketio?.perSubKB, idle.scanpass?.perSubKB), `<= ${TARGETS.idleKB} KB`, verdict(idle.scanpass?.perSubKB, TARGETS.idleKB)],
    ['  marginal RSS per subscriber, 2nd half (KB)', f2(idle.scanpass?.marginalKB), f2(idle.socketio?.marginalKB), ratio(idle.socketio?.marginalKB, idle.scanpass?.marginalKB), '', ''],
    ['  JS heap used per subscriber (KB)', f2(idle.scanpass?.heapPerSubKB), f2(idle.socketio?.heapPerSubKB), ratio(idle.socketio?.heapPerSubKB, idle.scanpass?.heapPerSubKB), '', ''],
    [`Latency p50, one node (ms)`, f2(sp1?.p50), f2(sio?.p50), ratio(sio?.p50, sp1?.p50), '', ''],
    [`Latency p99, one node (ms)`, f2(sp1?.p99), f2(sio?.p99), ratio(sio?.p99, sp1?.p99), `<= ${TARGETS.p99OneNodeMs} ms`, verdict(sp1?.p99, TARGETS.p99OneNodeMs)],
    [`Latency max, one node (ms)`, f2(sp1?.max), f2(sio?.max), '', '', ''],
    [`Latency p50, two nodes via Redis (ms)`, f2(sp2?.p50), 'skipped', '', '', ''],
    [`Latency p99, two nodes via Redis (ms)`, f2(sp2?.p99), 'skipped', '', `<= ${TARGETS.p99TwoNodesMs} ms`, verdict(sp2?.p99, TARGETS.p99TwoNodesMs)],
    [`Latency max, two nodes via Redis (ms)`, f2(sp2?.max), 'skipped', '', '', ''],
    [
      'Events published / lost (1 node; 2 nodes)',
      `${sp1 ? `${sp1.published.warm + sp1.published.measured}/${sp1.lost}` : 'n/a'}; ${sp2 ? `${sp2.published.warm + sp2.published.measured}/${sp2.lost}` : 'n/a'}`,
      sio ? `${sio.published.warm + sio.published.measured}/${sio.lost}` : 'n/a',
      '',
      '0 lost',
      [sp1, sp2].every((r) => !r || (r.lost === 0 && r.gaps === 0)) ? 'PASS' : 'MISS',
    ],
    [
      `Longest heartbeat slice blocks loop @ ${cfg.idleClients} (ms)`,
      f2(idle.scanpass?.heartbeatBlockMs),
      'per-socket timers',
      '',
      '',
      '',
    ],
    [
      'Longest heartbeat slice during latency window (1 node; 2 nodes)',
      `${sp1?.heartbeatsInWindow ? longestSlice(sp1.heartbeatsInWindow) : 'n/a'}; ${sp2?.heartbeatsInWindow ? longestSlice(sp2.heartbeatsInWindow) : 'n/a'}`,
      '',
      '',
      '',
      '',
    ],
    ['Server CPU while publishing (% of a core, 1 node)', sp1 ? sp1.serverCpuPct.toFixed(0) : 'n/a', sio ? sio.serverCpuPct.toFixed(0) : 'n/a', '', '', ''],
    ...burstRows(out.burst),
    ...slowRows(out.slow),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const text = rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')).join('\n');
  process.stdout.write(`\n${text}\n\n`);
  for (const n of out.notes) log(n);

  const env = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGB: Math.round(os.totalmem() / 2 ** 30),
    loadBefore: load0,
    loadAfter: load1,
    versions: readVersions(),
    config: { ...cfg, only: [...cfg.only] },
    targets: TARGETS,
  };
  const verdicts = {
    idleMemory: verdict(idle.scanpass?.perSubKB, TARGETS.idleKB),
    p99OneNode: verdict(sp1?.p99, TARGETS.p99OneNodeMs),
    p99TwoNodes: verdict(sp2?.p99, TARGETS.p99TwoNodesMs),
  };
  if (cfg.heapSnapshot) {
    log('BENCH_HEAPSNAPSHOT=1: writing a heap snapshot inflates RSS, so these numbers are not saved; compare the snapshots with bench/live/heap-diff.ts');
    return;
  }
  const report = { env, verdicts, ...out };
  const partial = isPartial();
  const md = [
    `# Live bench, ${startedAt.toISOString()}`,
    '',
    `${env.cpus} cores (${env.cpuModel}), Node ${env.node}, ws ${env.versions.ws}, socket.io ${env.versions['socket.io']}; load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${load1.map((l) => l.toFixed(2)).join(' ')}.`,
    `Idle: ${cfg.idleClients} WebSocket subscribers, one channel / room each, over ${cfg.idleProcs} client processes. ` +
      `Latency: ${cfg.latencyClients} subscribers, ${cfg.rate} events/s to random channels for ${cfg.seconds} s after ${cfg.warmupSeconds} s warm-up.`,
    '',
    '| ' + rows[0]!.join(' | ') + ' |',
    '| ' + rows[0]!.map(() => '---').join(' | ') + ' |',
    ...rows.slice(1).map((r) => '| ' + r.join(' | ') + ' |'),
    '',
    ...out.notes.map((n) => `- ${n}`),
    '',
    ...(partial ? [`Partial or experimental run: ${JSON.stringify({ only: [...cfg.only], ...cfg.experiment })}.`, ''] : []),
    `Raw numbers: \`bench/results/live-latest.json\`; one line per run in \`bench/results/history.jsonl\`. Run: \`npm run bench:live\`; method in \`bench/README.md\`.`,
    '',
  ].join('\n');
  const saved = saveRun({ bench: 'live', date: startedAt.toISOString(), partial, report, md, node: process.version, load: load1[0]! });
  log(`verdicts: memory ${verdicts.idleMemory}, p99 one node ${verdicts.p99OneNode}, p99 two nodes ${verdicts.p99TwoNodes}`);
  log(`${partial ? 'partial/experimental run (live-latest.* untouched): ' : ''}saved ${saved.join(', ')}`);
}

function readVersions(): Record<string, string> {
  const v: Record<string, string> = {};
  for (const name of ['ws', 'socket.io', 'socket.io-client', 'ioredis']) {
    try {
      v[name] = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      v[name] = '?';
    }
  }
  return v;
}

main().then(
  () => {
    killAll();
    process.exit(0);
  },
  (err: unknown) => {
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    killAll();
    process.exit(1);
  },
);
