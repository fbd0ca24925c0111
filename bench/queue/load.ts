/**
 * The queue's `load` phases (bench/queue/run.ts): `load`, one node on SQLite,
 * and `load-two-nodes`, two nodes sharing Postgres (a fresh database) and
 * Redis; the built server in its own process per node
 * (bench/support/server-process.ts). With two nodes, joins, calls and phones
 * alternate between them, so half the phones hear of a call through Redis.
 *
 * 1. A place with 2 services and 10 counters (odd counters serve B, even A).
 *    BENCH_QUEUE_TICKETS tickets join at BENCH_QUEUE_JOIN_RATE per second on
 *    an open-loop schedule (each join leaves at its time whatever the answers
 *    before it did; latency counts from that time), alternating services, with
 *    the rotating entrance code as a phone would (fetched again every 30 s).
 *    A warm-up place takes 500 joins and 10 calls first, not counted.
 * 2. Every ticket's phone opens its own WebSocket (phone-client.ts, in
 *    BENCH_QUEUE_PHONE_PROCS processes) and subscribes to `ticket:<id>` and
 *    `line:<service>` with the grants of its join, keeping `ahead` from the
 *    frames with the page's own `applyLine`.
 * 3. The counters call BENCH_QUEUE_CALL_RATE tickets a second in total, in
 *    turn, for BENCH_SECONDS (open loop again). Per call: the call-next
 *    latency, and when each phone of the service still waiting then had
 *    applied the line version that took the called ticket out (from the
 *    call's request; the latest phone per call, and every phone).
 * 4. Then BENCH_QUEUE_CHECK_SAMPLE phones, spread over all, compare their
 *    `ahead` and status with a fresh `GET /tickets/{id}`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockMs, percentile, startLoopDelay } from '../live/common.js';
import { createTestDatabase } from '../../test/support/postgres.js';
import { api as sharedApi, request } from '../support/http.js';
import { BENCH_ADMIN, startBenchServer, type BenchServer } from '../support/server-process.js';
import type { CallRecord, PhoneCommand, PhoneMessage, PhonesCallStats, PhonesCheck, PhoneSpec } from './load-common.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const envInt = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);

/** Env knobs that make a run partial (other sizes or server flags). */
export const LOAD_KNOBS = [
  'BENCH_QUEUE_TICKETS',
  'BENCH_QUEUE_JOIN_RATE',
  'BENCH_QUEUE_CALL_RATE',
  'BENCH_SECONDS',
  'BENCH_QUEUE_PHONE_PROCS',
  'BENCH_QUEUE_CHECK_SAMPLE',
  'BENCH_CONCURRENCY',
  'BENCH_SERVER',
  'BENCH_SERVER_NODE_ARGS',
  'BENCH_PG_URL',
  'SCANPASS_REDIS_URL',
];

const cfg = {
  tickets: envInt('BENCH_QUEUE_TICKETS', 10_000),
  joinRate: envInt('BENCH_QUEUE_JOIN_RATE', 500),
  callRate: envInt('BENCH_QUEUE_CALL_RATE', 5),
  seconds: envInt('BENCH_SECONDS', 30),
  counters: 10,
  phoneProcs: envInt('BENCH_QUEUE_PHONE_PROCS', 2),
  checkSample: envInt('BENCH_QUEUE_CHECK_SAMPLE', 500),
  concurrency: envInt('BENCH_CONCURRENCY', 64),
  addresses: 8,
  server: process.env.BENCH_SERVER === 'tsx' ? ('tsx' as const) : ('dist' as const),
  serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
  pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.SCANPASS_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** Where the load runs: one node on SQLite, or two nodes sharing Postgres and Redis. */
export type Topology = 'one-node' | 'two-nodes';
const TOPOLOGY_TITLE: Record<Topology, string> = { 'one-node': 'one node, SQLite', 'two-nodes': 'two nodes, Postgres + Redis' };
export const LOAD_TARGETS = { phoneP99Ms: 100, callP99Ms: 20, joinRate: 500, joinP99Ms: 25 };

const log = (line: string) => process.stdout.write(`[bench:queue ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r2 = (n: number) => Math.round(n * 100) / 100;
const localAddresses = Array.from({ length: cfg.addresses }, (_, i) => `127.0.0.${i + 2}`);

export interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
function stats(xs: ArrayLike<number>): Stats {
  const s = Float64Array.from(xs).sort();
  return { n: s.length, p50: r2(percentile(s, 50)), p90: r2(percentile(s, 90)), p99: r2(percentile(s, 99)), max: r2(s.length ? s[s.length - 1]! : NaN) };
}

// ------------------------------------------------------------------ HTTP

/** The nodes' URLs; admin work goes to the first. */
let nodes: string[] = [];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const api = async (auth: Record<string, string>, method: string, p: string, body?: unknown, expect = 200): Promise<Json> => (await sharedApi(nodes[0]!, auth, method, p, body, expect)) as Json;

async function signInAdmin(): Promise<Record<string, string>> {
  const res = await fetch(`${nodes[0]}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  const body = (await res.json()) as { csrf_token: string };
  return { cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), 'x-csrf-token': body.csrf_token };
}

function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Runs `fire(i)` for i in [0, count) at `rate` per second from now, without waiting for earlier ones (open loop). */
async function openLoop<T>(count: number, rate: number, fire: (i: number, scheduled: number) => Promise<T>): Promise<{ results: T[]; maxLagMs: number; seconds: number }> {
  const pending: Promise<T>[] = [];
  const start = clockMs() + 5;
  let maxLagMs = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = clockMs();
      while (pending.length < count) {
        const due = start + (pending.length * 1000) / rate;
        if (due > now) break;
        maxLagMs = Math.max(maxLagMs, now - due);
        pending.push(fire(pending.length, due));
      }
      if (pending.length >= count) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const results = await Promise.all(pending);
  return { results, maxLagMs: r2(maxLagMs), seconds: (clockMs() - start) / 1000 };
}

// ------------------------------------------------------------------ place

interface Place {
  id: string;
  services: { id: string; prefix: string }[];
  counters: { id: string; name: string; service_ids: string[] }[];
}

async function createPlace(admin: Record<string, string>, name: string, maxWaiting: number): Promise<Place> {
  return (await api(
    admin,
    'POST',
    '/api/v1/queues',
    {
      name,
      services: [
        { name: 'General', prefix: 'A', max_waiting: maxWaiting },
        { name: 'Accounts', prefix: 'B', max_waiting: maxWaiting },
      ],
      counters: Array.from({ length: cfg.counters }, (_, i) => ({ name: `Counter ${i + 1}`, services: [i % 2 === 0 ? 'A' : 'B'] })),
    },
    201,
  )) as Place;
}

/** The place's entrance code, fetched again every 30 s (it rotates every 60 s and is accepted for 120 s). */
async function entranceCode(admin: Record<string, string>, placeId: string): Promise<{ current: () => string; stop: () => void }> {
  let code = ((await api(admin, 'GET', `/api/v1/queues/${placeId}/entrance-code`)) as { code: string }).code;
  const timer = setInterval(() => {
    api(admin, 'GET', `/api/v1/queues/${placeId}/entrance-code`).then(
      (r) => (code = (r as { code: string }).code),
      (err: unknown) => log(`  entrance code refresh failed: ${String(err)}`),
    );
  }, 30_000);
  return { current: () => code, stop: () => clearInterval(timer) };
}

interface JoinOutcome {
  ms: number;
  fromSendMs: number;
  status: number;
  phone?: PhoneSpec;
  error?: string;
}

async function joins(place: Place, code: () => string, count: number, rate: number) {
  return openLoop(count, rate, async (i, scheduled): Promise<JoinOutcome> => {
    const service = place.services[i % place.services.length]!;
    const sent = clockMs();
    try {
      const r = await request(nodes[i % nodes.length]!, 'POST', `/api/v1/queues/${place.id}/tickets`, {}, { service_id: service.id, entrance_code: code() });
      const done = clockMs();
      if (r.status !== 201) return { ms: done - scheduled, fromSendMs: done - sent, status: r.status, error: r.body.slice(0, 200) };
      const t = JSON.parse(r.body) as Json;
      return {
        ms: done - scheduled,
        fromSendMs: done - sent,
        status: 201,
        phone: { id: t.id, token: t.token, service: t.service.id, order: t.order, ahead: t.ahead, version: t.line_version, live: t.live, line: t.line },
      };
    } catch (err) {
      return { ms: clockMs() - scheduled, fromSendMs: clockMs() - sent, status: 0, error: String(err) };
    }
  });
}

interface CallOutcome {
  ms: number;
  fromSendMs: number;
  status: number;
  record?: CallRecord;
  error?: string;
}

async function calls(admin: Record<string, string>, place: Place, count: number, rate: number) {
  return openLoop(count, rate, async (k, scheduled): Promise<CallOutcome> => {
    const counter = place.counters[k % place.counters.length]!;
    const sent = clockMs();
    try {
      const r = await request(nodes[k % nodes.length]!, 'POST', `/api/v1/counters/${counter.id}/call`, admin);
      const done = clockMs();
      if (r.status !== 200) return { ms: done - scheduled, fromSendMs: done - sent, status: r.status, error: r.body.slice(0, 200) };
      const t = (JSON.parse(r.body) as { ticket: Json }).ticket;
      return { ms: done - scheduled, fromSendMs: done - sent, status: 200, record: { ticketId: t.id, service: t.service.id, order: t.order, t0: sent } };
    } catch (err) {
      return { ms: clockMs() - scheduled, fromSendMs: clockMs() - sent, status: 0, error: String(err) };
    }
  });
}

// ------------------------------------------------------------------ phone processes

const children = new Set<ChildProcess>();
function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}
process.on('exit', killChildren);

class PhoneProc {
  readonly child: ChildProcess;
  progress = 0;
  onProgress: () => void = () => {};
  private waiters: ((m: PhoneMessage) => void)[] = [];

  constructor(readonly name: string) {
    this.child = fork(path.join(HERE, 'phone-client.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(this.child);
    this.child.once('exit', () => children.delete(this.child));
    this.child.on('message', (raw) => {
      const m = raw as PhoneMessage;
      if (m.type === 'progress') {
        this.progress = m.connected;
        this.onProgress();
      } else for (const w of this.waiters.splice(0)) w(m);
    });
  }

  next<T extends PhoneMessage['type']>(type: T, timeoutMs: number): Promise<Extract<PhoneMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const onExit = () => reject(new Error(`${this.name} exited while waiting for "${type}"`));
      this.child.once('exit', onExit);
      const wait = (m: PhoneMessage) => {
        if (m.type !== type) return void this.waiters.push(wait);
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve(m as Extract<PhoneMessage, { type: T }>);
      };
      this.waiters.push(wait);
    });
  }

  ask<T extends PhoneMessage['type']>(cmd: PhoneCommand, type: T, timeoutMs = 120_000) {
    const r = this.next(type, timeoutMs);
    this.child.send(cmd);
    return r;
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ cmd: 'exit' } satisfies PhoneCommand);
    await Promise.race([exited, sleep(5_000).then(() => this.child.kill('SIGKILL'))]);
  }
}

// ------------------------------------------------------------------ the phase

export interface LoadReport {
  topology: Topology;
  config: Omit<typeof cfg, 'pgUrl' | 'redisUrl'>;
  targets: typeof LOAD_TARGETS;
  machine: { cpuModel: string; cpus: number; uptimeBefore: string; uptimeAfter: string; loadBefore: number[]; loadAfter: number[] };
  join: { tickets: number; ok: number; refused: Record<string, number>; firstError?: string; targetRate: number; achievedRate: number; maxScheduleLagMs: number; latencyMs: Stats; fromSendMs: Stats; serverCpuSeconds: number };
  subscribe: { phones: number; failed: number; seconds: number; procs: number };
  call: { calls: number; ok: number; refused: Record<string, number>; firstError?: string; rate: number; seconds: number; latencyMs: Stats; fromSendMs: Stats; serverCpuSeconds: number };
  phones: {
    /** Per call: ms from the call's request until the last phone of the service still waiting had applied it (a phone that never did counts as Infinity). */
    lastPhoneMs: Stats;
    /** Per call: the first phone of the service to apply it, and the spread first -> last (the fan-out of one frame to every phone). */
    firstPhoneMs: Stats;
    fanOutMs: Stats;
    /** Every (call, waiting phone) pair. */
    allPhonesMs: Stats;
    phonesPerCall: Stats;
    neverApplied: number;
    callsWithoutFrame: number;
    resyncs: number;
    errorFrames: number;
    socketsClosed: number;
    clientLoopDelay: (PhonesCallStats['loopDelay'] | null)[];
  };
  check: { sampled: number; waiting: number; mismatched: number; examples: string[]; phonesWaiting: number; aheadP50: number; aheadMax: number };
  verdict: { phones: boolean; call: boolean; joinRate: boolean; joinP99: boolean; correct: boolean };
  driverLoopDelay: { p50: number; p99: number; max: number };
}

const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${os.loadavg().map(r2).join(', ')}`;
  }
};
const tally = (xs: { status: number }[], ok: number) => {
  const out: Record<string, number> = {};
  for (const x of xs) if (x.status !== ok) out[String(x.status)] = (out[String(x.status)] ?? 0) + 1;
  return out;
};

/** Starts the nodes: one on SQLite, or two on a fresh Postgres database and Redis (the first migrates it). */
async function startNodes(topology: Topology): Promise<{ servers: BenchServer[]; stop: () => Promise<void> }> {
  const common = { from: cfg.server, nodeArgs: cfg.serverNodeArgs };
  if (topology === 'one-node') {
    const server = await startBenchServer({ name: 'queue', ...common });
    return { servers: [server], stop: () => server.stop() };
  }
  const db = await createTestDatabase(cfg.pgUrl, 'scanpass_bench');
  const servers: BenchServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  };
  try {
    for (const name of ['queue-a', 'queue-b']) servers.push(await startBenchServer({ name, ...common, env: { SCANPASS_DATABASE_URL: db.url, SCANPASS_REDIS_URL: cfg.redisUrl } }));
  } catch (err) {
    await stop();
    throw new Error(`two nodes over Postgres (${cfg.pgUrl}) and Redis (${cfg.redisUrl}) did not start: ${(err as Error).message}`);
  }
  return { servers, stop };
}

export async function runLoad(topology: Topology): Promise<{ report: LoadReport; md: string[] }> {
  const cpuModel = os.cpus()[0]?.model ?? 'unknown';
  const uptimeBefore = uptime();
  const loadBefore = os.loadavg().map(r2);
  log(`load: ${cpuModel}, ${os.cpus().length} cores; ${uptimeBefore}`);
  if (cfg.callRate * cfg.seconds >= cfg.tickets) throw new Error(`BENCH_QUEUE_TICKETS (${cfg.tickets}) must exceed the calls (${cfg.callRate * cfg.seconds})`);
  const driverLoop = startLoopDelay();
  let cluster: Awaited<ReturnType<typeof startNodes>> | undefined;
  const procs: PhoneProc[] = [];
  try {
    cluster = await startNodes(topology);
    const servers = cluster.servers;
    nodes = servers.map((s) => s.url);
    const serverCpu = () => servers.reduce((a, s) => a + cpuSeconds(s.pid), 0);
    log(`load (${TOPOLOGY_TITLE[topology]}): ${nodes.join(', ')} (${cfg.server}${cfg.serverNodeArgs.length ? ` ${cfg.serverNodeArgs.join(' ')}` : ''})`);
    const admin = await signInAdmin();

    // Warm-up: another place, not counted.
    const warm = await createPlace(admin, 'Warm-up', 1000);
    const warmCode = await entranceCode(admin, warm.id);
    await joins(warm, warmCode.current, 500, cfg.joinRate);
    await calls(admin, warm, 10, 20);
    warmCode.stop();

    // 1. Joins.
    const place = await createPlace(admin, 'Bench branch', cfg.tickets);
    const code = await entranceCode(admin, place.id);
    log(`load: ${cfg.tickets} tickets joining at ${cfg.joinRate}/s (open loop)`);
    let cpu0 = serverCpu();
    const j = await joins(place, code.current, cfg.tickets, cfg.joinRate);
    const joinCpu = serverCpu() - cpu0;
    code.stop();
    const joined = j.results.filter((r) => r.phone);
    const lastAnswerS = Math.max(...j.results.map((r, i) => i / cfg.joinRate + r.ms / 1000)); // from the first join's scheduled time
    const joinReport: LoadReport['join'] = {
      tickets: cfg.tickets,
      ok: joined.length,
      refused: tally(j.results, 201),
      ...(j.results.find((r) => r.error) ? { firstError: j.results.find((r) => r.error)!.error } : {}),
      targetRate: cfg.joinRate,
      achievedRate: r2(joined.length / lastAnswerS),
      maxScheduleLagMs: j.maxLagMs,
      latencyMs: stats(j.results.map((r) => r.ms)),
      fromSendMs: stats(j.results.map((r) => r.fromSendMs)),
      serverCpuSeconds: r2(joinCpu),
    };
    log(`  ${joined.length}/${cfg.tickets} joined, ${joinReport.achievedRate}/s; latency p50 ${joinReport.latencyMs.p50} ms, p99 ${joinReport.latencyMs.p99} ms, max ${joinReport.latencyMs.max} ms; server CPU ${joinReport.serverCpuSeconds} s`);
    if (joined.length !== cfg.tickets) log(`  refused: ${JSON.stringify(joinReport.refused)} ${joinReport.firstError ?? ''}`);

    // 2. Phones.
    const phones = joined.map((r) => r.phone!);
    for (let i = 0; i < cfg.phoneProcs; i++) procs.push(new PhoneProc(`phones-${i}`));
    const share = Math.ceil(phones.length / procs.length);
    const subStart = clockMs();
    let printed = 0;
    for (const p of procs)
      p.onProgress = () => {
        const sum = procs.reduce((a, q) => a + q.progress, 0);
        if (Math.floor(sum / 2500) > printed) {
          printed = Math.floor(sum / 2500);
          log(`  ${printed * 2500} / ${phones.length} phones subscribed (${((clockMs() - subStart) / 1000).toFixed(1)} s)`);
        }
      };
    const connected = await Promise.all(
      procs.map((p, i) => p.ask({ cmd: 'connect', urls: nodes, phones: phones.slice(i * share, (i + 1) * share), localAddresses, concurrency: cfg.concurrency }, 'connected', 600_000)),
    );
    const failed = connected.reduce((a, c) => a + c.failed, 0);
    const subscribe = { phones: connected.reduce((a, c) => a + c.connected, 0), failed, seconds: r2((clockMs() - subStart) / 1000), procs: procs.length };
    log(`  ${subscribe.phones} phones subscribed to ticket: and line: in ${subscribe.seconds} s, ${failed} failed${failed ? `: ${connected.find((c) => c.firstError)?.firstError}` : ''}`);
    if (failed > 0) throw new Error(`${failed} phones failed to subscribe`);
    await sleep(2000);
    await Promise.all(procs.map((p) => p.ask({ cmd: 'mark' }, 'marked')));

    // 3. Calls.
    const nCalls = Math.round(cfg.callRate * cfg.seconds);
    log(`load: ${cfg.counters} counters calling ${cfg.callRate}/s in total for ${cfg.seconds} s (${nCalls} calls)`);
    cpu0 = serverCpu();
    const c = await calls(admin, place, nCalls, cfg.callRate);
    const callCpu = serverCpu() - cpu0;
    await sleep(2000);
    const records = c.results.flatMap((r) => (r.record ? [r.record] : []));
    const callReport: LoadReport['call'] = {
      calls: nCalls,
      ok: records.length,
      refused: tally(c.results, 200),
      ...(c.results.find((r) => r.error) ? { firstError: c.results.find((r) => r.error)!.error } : {}),
      rate: cfg.callRate,
      seconds: cfg.seconds,
      latencyMs: stats(c.results.map((r) => r.ms)),
      fromSendMs: stats(c.results.map((r) => r.fromSendMs)),
      serverCpuSeconds: r2(callCpu),
    };
    log(`  ${records.length}/${nCalls} calls answered; call-next p50 ${callReport.latencyMs.p50} ms, p99 ${callReport.latencyMs.p99} ms; server CPU ${callReport.serverCpuSeconds} s`);

    const per = await Promise.all(procs.map((p) => p.ask({ cmd: 'collect', calls: records }, 'stats')));
    const lastPerCall: number[] = [];
    const firstPerCall: number[] = [];
    const fanOut: number[] = [];
    let neverApplied = 0;
    let callsWithoutFrame = 0;
    const phonesPerCall: number[] = [];
    records.forEach((_, k) => {
      const parts = per.map((s) => s.stats.perCall[k]!);
      if (parts.every((x) => x.version === null)) {
        callsWithoutFrame++;
        return;
      }
      const n = parts.reduce((a, x) => a + x.phones, 0);
      const missed = parts.reduce((a, x) => a + x.missed, 0);
      neverApplied += missed;
      phonesPerCall.push(n);
      if (n === 0) return;
      const last = missed > 0 ? Infinity : Math.max(...parts.map((x) => x.lastMs ?? -Infinity));
      const first = Math.min(...parts.map((x) => x.firstMs ?? Infinity));
      lastPerCall.push(last);
      firstPerCall.push(first);
      fanOut.push(last - first);
    });
    const all = per.flatMap((s) => s.stats.all);
    for (let i = 0; i < neverApplied; i++) all.push(Infinity);
    const phonesReport: LoadReport['phones'] = {
      lastPhoneMs: stats(lastPerCall),
      firstPhoneMs: stats(firstPerCall),
      fanOutMs: stats(fanOut),
      allPhonesMs: stats(all),
      phonesPerCall: stats(phonesPerCall),
      neverApplied,
      callsWithoutFrame,
      resyncs: per.reduce((a, s) => a + s.stats.resyncs, 0),
      errorFrames: per.reduce((a, s) => a + s.stats.errorFrames, 0),
      socketsClosed: per.reduce((a, s) => a + s.stats.closed, 0),
      clientLoopDelay: per.map((s) => s.stats.loopDelay ?? null),
    };
    log(`  every waiting phone updated: p50 ${phonesReport.lastPhoneMs.p50} ms, p99 ${phonesReport.lastPhoneMs.p99} ms after the call (last phone per call); all phones p50 ${phonesReport.allPhonesMs.p50}, p99 ${phonesReport.allPhonesMs.p99} ms; first phone p50 ${phonesReport.firstPhoneMs.p50} ms, fan-out first -> last p50 ${phonesReport.fanOutMs.p50} ms; ${neverApplied} never applied, ${phonesReport.resyncs} re-reads`);

    // 4. Correctness.
    const checks: PhonesCheck[] = (await Promise.all(procs.map((p) => p.ask({ cmd: 'check', sample: Math.ceil(cfg.checkSample / procs.length) }, 'checked', 300_000)))).map((m) => m.check);
    const check: LoadReport['check'] = {
      sampled: checks.reduce((a, x) => a + x.checked, 0),
      waiting: checks.reduce((a, x) => a + x.waiting, 0),
      mismatched: checks.reduce((a, x) => a + x.mismatched, 0),
      examples: checks.flatMap((x) => x.examples).slice(0, 5),
      phonesWaiting: checks.reduce((a, x) => a + x.phonesWaiting, 0),
      aheadP50: checks[0]?.aheadSpread.p50 ?? NaN,
      aheadMax: Math.max(...checks.map((x) => x.aheadSpread.max)),
    };
    log(`  check: ${check.sampled} phones against a fresh GET (${check.waiting} still waiting): ${check.mismatched} mismatched${check.examples.length ? `: ${check.examples.join('; ')}` : ''}`);

    const verdict = {
      phones: phonesReport.lastPhoneMs.p99 < LOAD_TARGETS.phoneP99Ms,
      call: callReport.latencyMs.p99 < LOAD_TARGETS.callP99Ms && records.length === nCalls,
      joinRate: joinReport.achievedRate >= LOAD_TARGETS.joinRate * 0.98 && joinReport.ok === cfg.tickets,
      joinP99: joinReport.latencyMs.p99 < LOAD_TARGETS.joinP99Ms,
      correct: check.mismatched === 0 && neverApplied === 0 && callsWithoutFrame === 0,
    };
    const uptimeAfter = uptime();
    const { pgUrl: _pg, redisUrl: _redis, ...config } = cfg;
    const report: LoadReport = {
      topology,
      config,
      targets: LOAD_TARGETS,
      machine: { cpuModel, cpus: os.cpus().length, uptimeBefore, uptimeAfter, loadBefore, loadAfter: os.loadavg().map(r2) },
      join: joinReport,
      subscribe,
      call: callReport,
      phones: phonesReport,
      check,
      verdict,
      driverLoopDelay: driverLoop.stop(),
    };
    return { report, md: markdown(report) };
  } finally {
    await Promise.all(procs.map((p) => p.exit()));
    killChildren();
    await cluster?.stop();
  }
}

const met = (ok: boolean) => (ok ? 'met' : '**MISSED**');

function markdown(r: LoadReport): string[] {
  const { join: j, call: c, phones: p, check: k, verdict: v } = r;
  // The load after a phase is mostly its own (two nodes, Postgres and the phones on two cores): only the load before says whether others shared the machine.
  const busy = r.machine.loadBefore[0]! > 1;
  return [
    `## Load: joins, phones following their place, calls (${TOPOLOGY_TITLE[r.topology]})`,
    '',
    `${r.machine.cpuModel}, ${r.machine.cpus} cores. Before: \`${r.machine.uptimeBefore}\`. After: \`${r.machine.uptimeAfter}\`.` +
      (busy ? ' The machine was busy when this phase began (load average above): read the tails with that in mind.' : ''),
    (r.topology === 'one-node'
      ? `Server: the built product (${r.config.server}) in its own process`
      : `Servers: two nodes of the built product (${r.config.server}), each in its own process, sharing a fresh Postgres database and Redis; joins, calls and phones alternate between them (server CPU below is both nodes')`) +
      `; ${r.subscribe.phones} phones, one WebSocket each, in ${r.subscribe.procs} processes; a place with 2 services and ${r.config.counters} counters.`,
    '',
    '| What | Count | p50 ms | p90 ms | p99 ms | max ms | Target | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    `| Join (${j.ok}/${j.tickets} at ${j.achievedRate}/s of ${j.targetRate}/s, open loop; from the scheduled time) | ${j.latencyMs.n} | ${j.latencyMs.p50} | ${j.latencyMs.p90} | ${j.latencyMs.p99} | ${j.latencyMs.max} | ${LOAD_TARGETS.joinRate}/s, p99 < ${LOAD_TARGETS.joinP99Ms} ms | rate ${met(v.joinRate)}, p99 ${met(v.joinP99)} |`,
    `| Call next (${c.ok}/${c.calls}, ${c.rate}/s over ${c.seconds} s) | ${c.latencyMs.n} | ${c.latencyMs.p50} | ${c.latencyMs.p90} | ${c.latencyMs.p99} | ${c.latencyMs.max} | p99 < ${LOAD_TARGETS.callP99Ms} ms | ${met(v.call)} |`,
    `| Call -> last waiting phone of the service applied it (per call; ${p.phonesPerCall.p50} phones a call) | ${p.lastPhoneMs.n} | ${p.lastPhoneMs.p50} | ${p.lastPhoneMs.p90} | ${p.lastPhoneMs.p99} | ${p.lastPhoneMs.max} | p99 < ${LOAD_TARGETS.phoneP99Ms} ms | ${met(v.phones)} |`,
    `| Call -> each waiting phone applied it (every call x phone) | ${p.allPhonesMs.n} | ${p.allPhonesMs.p50} | ${p.allPhonesMs.p90} | ${p.allPhonesMs.p99} | ${p.allPhonesMs.max} | | |`,
    `| Call -> first phone of the service applied it (per call) | ${p.firstPhoneMs.n} | ${p.firstPhoneMs.p50} | ${p.firstPhoneMs.p90} | ${p.firstPhoneMs.p99} | ${p.firstPhoneMs.max} | | |`,
    `| First -> last phone (one frame's fan-out to the service's phones) | ${p.fanOutMs.n} | ${p.fanOutMs.p50} | ${p.fanOutMs.p90} | ${p.fanOutMs.p99} | ${p.fanOutMs.max} | | |`,
    '',
    `Correctness: ${k.sampled} phones compared with a fresh \`GET /tickets/{id}\` (${k.waiting} still waiting): ${k.mismatched} mismatched${k.examples.length ? ` (${k.examples.join('; ')})` : ''}; ` +
      `${p.neverApplied} (call, phone) pairs never applied, ${p.callsWithoutFrame} calls without a line frame, ${p.resyncs} re-reads after a gap, ${p.errorFrames} error frames, ${p.socketsClosed} sockets closed: ${met(v.correct)}.`,
    `Server CPU: ${j.serverCpuSeconds} s over the joins, ${c.serverCpuSeconds} s over the ${c.seconds} s of calls. Subscribing ${r.subscribe.phones} phones took ${r.subscribe.seconds} s. ` +
      `Phone processes' event-loop delay during the calls (p99/max ms): ${p.clientLoopDelay.map((d) => (d ? `${d.p99}/${d.max}` : '-')).join(', ')}; driver ${r.driverLoopDelay.p99}/${r.driverLoopDelay.max}.`,
    '',
  ];
}
