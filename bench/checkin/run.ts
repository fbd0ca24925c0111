/**
 * `npm run bench:checkin`: check-ins per second and their latency through the
 * HTTP API (`POST /api/v1/checkins` with a device token, every scan a real
 * check-in of a distinct attendee), beside this machine's limit for such a
 * route, measured in the same run: a bare Fastify route doing one SQLite
 * INSERT per JSON POST (bench/checkin/bare-route.ts). Each round sends the
 * same number of requests to the bare route and then to scanpass, at 16 and
 * at 50 connections, repeated; the report gives the ratio first, then the
 * absolute numbers, the CPU each used per request, and the spread over the
 * rounds. Then Postgres (16 connections, no peer), and how long from a scan
 * until the attendee's phone, subscribed over WebSocket to
 * `pass:<attendee>`, receives the result.
 *
 * The servers run in child processes (dist/server/main.js, or the sources
 * through tsx with BENCH_SERVER=tsx); the load comes from autocannon in this
 * process, with codes signed here with the event's key read from the store
 * (what the pass page would show), just before each round.
 *
 * Env: BENCH_SCANS (20000 per round), BENCH_ROUNDS (3), BENCH_CONNECTIONS
 * (16,50), BENCH_PG_SCANS (8000: the Postgres phase is smaller so the bench
 * ends in a few minutes), BENCH_PUSH_SCANS (500), BENCH_PUSH_RATE (200 per
 * s), BENCH_DIALECTS (sqlite,postgres), BENCH_PG_URL
 * (postgres://postgres@127.0.0.1:5432/test), BENCH_SERVER (dist|tsx),
 * BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 *
 * A run writes to bench/runs/; only a run at the default sizes over both
 * stores, without extra server flags, can be kept as
 * bench/results/checkin-latest.* (`npm run bench:keep`).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import { spawnServer } from '../../test/support/processes.js';
import { createTestDatabase } from '../../test/support/postgres.js';
import { runLoad, type LoadResult } from '../support/load-generator.js';
import { cpuSecondsOf, mainThreadCpuSecondsOf, describeMachine, finishMachine, machineAtStart, runQueueWaitSecondsOf, spread } from '../support/machine.js';
import { saveRun } from '../support/results.js';
import { pool, setupCheckinEvent, sqlitePrivateKey, type CheckinEvent } from '../support/checkin-event.js';
import { api, closeHttp, request } from '../support/http.js';
import { startBenchServer, type BenchServer } from '../support/server-process.js';
import { describeStalls, withServerReadings, type Stalls } from '../support/server-stalls.js';
import { checksCodesOffThread } from '../../src/flows/checkin/checkin-feature.js';
import { codeCheckMicros } from './code-check-cost.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const envInt = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);

const cfg = {
  scans: envInt('BENCH_SCANS', 20000),
  rounds: envInt('BENCH_ROUNDS', 3),
  connections: (process.env.BENCH_CONNECTIONS ?? '16,50').split(',').map(Number).filter((n) => n > 0),
  pgScans: envInt('BENCH_PG_SCANS', 8000),
  pushScans: envInt('BENCH_PUSH_SCANS', 500),
  pushRate: envInt('BENCH_PUSH_RATE', 200),
  dialects: (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim()).filter(Boolean),
  pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  server: process.env.BENCH_SERVER ?? (fs.existsSync(path.join(ROOT, 'dist/server/main.js')) ? 'dist' : 'tsx'),
  /** Extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
};
/** Against the bare route in the same run, at every connection count: throughput at least this share, p99 at most this multiple. */
const TARGETS = { throughputRatio: 0.5, p99Multiple: 2, pushP99Ms: 15 };

const log = (line: string) => process.stdout.write(`[bench:checkin ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), max: round(s.at(-1) ?? NaN) };
};

// ------------------------------------------------------------------ servers

interface Server extends BenchServer {
  databaseUrl?: string;
}

async function startServer(databaseUrl?: string): Promise<Server> {
  const server = await startBenchServer({
    name: 'checkin',
    from: cfg.server === 'tsx' ? 'tsx' : 'dist',
    nodeArgs: cfg.serverNodeArgs,
    env: {
      SCANPASS_CHECKIN_SCANS_PER_MINUTE: '10000000',
      ...(databaseUrl ? { SCANPASS_DATABASE_URL: databaseUrl } : {}),
    },
  });
  return { ...server, ...(databaseUrl ? { databaseUrl } : {}) };
}

/** The limit: bench/checkin/bare-route.ts in its own process and data directory. */
async function startBareRoute(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-bench-bare-'));
  const node = await spawnServer(['--import', 'tsx', path.join(HERE, 'bare-route.ts'), dir], {}, {
    urlIn: (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1],
    onExit: () => fs.rmSync(dir, { recursive: true, force: true }),
    echoStderr: true,
  });
  return { url: node.url, pid: node.child.pid!, stop: () => node.stop() };
}

/** The event's private key, read from the store as the server keeps it: the pass page's codes, signed here. */
async function privateKeyOf(s: Server, eventId: string): Promise<string> {
  if (!s.databaseUrl) return sqlitePrivateKey(s.dataDir, eventId);
  const c = new pg.Client({ connectionString: s.databaseUrl });
  await c.connect();
  const r = await c.query<{ private_key: string }>('SELECT private_key FROM events WHERE id = $1', [eventId]);
  await c.end();
  return r.rows[0]!.private_key;
}

type Setup = CheckinEvent;

/** The event with `attendees` people; each phase takes its people from the front of `attendees`. */
const setup = (s: Server, attendees: number): Promise<Setup> =>
  setupCheckinEvent(s.url, attendees, (eventId) => privateKeyOf(s, eventId), (n, seconds) => log(`  ${n}/${attendees} attendees imported (${seconds.toFixed(1)} s)`));

// ------------------------------------------------------------------ throughput

interface Round {
  requests: number;
  ok: number;
  failed: number;
  perSecond: number;
  latencyMs: ReturnType<typeof summary>;
  /** Server CPU (user + system, all threads) per answered request. */
  cpuMicrosPerRequest: number | null;
  /** The same, of the event loop's thread alone: the one that limits throughput. */
  mainThreadMicrosPerRequest: number | null;
  /** scanpass only: its GC pauses and writer holds during the round, each of which stops every request in flight. */
  stalls?: Stalls;
  /** How long the event loop's thread waited for a core per request (ready to run, none free). */
  runQueueMicrosPerRequest: number | null;
  /** The event loop's time in calls into SQLite per request: scanpass's units of work (its /metrics), the bare route's INSERT. */
  sqliteMicrosPerRequest: number | null;
}

/**
 * The bodies of one round, one distinct attendee each. `fresh(i)` signs the
 * code as the request goes (a phone shows the current one; a round can last
 * longer than a code is accepted); `signed` are the same bodies signed once
 * now, for the bare route, which reads no code: so the load generator spends
 * nothing on signing while it drives the limit.
 */
function scanBodies(st: Setup, people: { id: string }[], tag: string): { count: number; fresh: (i: number) => string; signed: string[] } {
  const nonces = people.map((_, i) => `${tag}${i}-${randomBytes(6).toString('hex')}`);
  const body = (i: number) => JSON.stringify({ code: st.sign(people[i]!.id), session_id: st.sessionId, nonce: nonces[i] });
  return { count: people.length, fresh: body, signed: people.map((_, i) => body(i)) };
}

async function hammer(url: string, pid: number, headers: Record<string, string>, bodies: { count: number; body: (i: number) => string }, connections: number): Promise<Omit<Round, 'sqliteMicrosPerRequest'>> {
  const cpu0 = cpuSecondsOf(pid);
  const main0 = mainThreadCpuSecondsOf(pid);
  const wait0 = runQueueWaitSecondsOf(pid);
  const r: LoadResult = await runLoad({
    url,
    path: '/api/v1/checkins',
    connections,
    amount: bodies.count,
    headers,
    body: bodies.body,
    isOk: (status, body) => status === 200 && body.includes('"result":"ok"'),
    onUnexpected: (status, body) => log(`  unexpected answer: ${status} ${body.slice(0, 200)}`),
  });
  const cpu1 = cpuSecondsOf(pid);
  const main1 = mainThreadCpuSecondsOf(pid);
  const wait1 = runQueueWaitSecondsOf(pid);
  const perRequest = (a: number | null, b: number | null) => perRequestMicros(a === null || b === null ? null : b - a, r.requests);
  return {
    requests: r.requests,
    ok: r.ok,
    failed: r.failed,
    perSecond: Math.round(r.okPerSecond),
    latencyMs: summary(r.latenciesMs),
    cpuMicrosPerRequest: perRequest(cpu0, cpu1),
    mainThreadMicrosPerRequest: perRequest(main0, main1),
    runQueueMicrosPerRequest: perRequest(wait0, wait1),
  };
}

/** Takes the next `n` people who have not been scanned yet. */
function take(st: Setup, n: number): { id: string; link: string }[] {
  if (st.attendees.length < n) throw new Error(`only ${st.attendees.length} unscanned attendees left, ${n} wanted`);
  return st.attendees.splice(0, n);
}

const median = (rounds: Round[], f: (r: Round) => number | null) => spread(rounds.map(f).filter((x): x is number => x !== null));

/** The bare route's time in its INSERTs so far (its own count). */
async function bareSqliteSeconds(url: string): Promise<number> {
  const r = await request(url, 'GET', '/sqlite-seconds', {});
  return (JSON.parse(r.body) as { seconds: number }).seconds;
}

/** Seconds over `requests` as whole µs each; null when either is missing. */
const perRequestMicros = (seconds: number | null, requests: number) => (seconds === null || requests === 0 ? null : Math.round((seconds * 1e6) / requests));

/** Whether the server checks codes on its event loop: on these cores with the default setting (see CheckinOptions). */
const codesOnEventLoop = !checksCodesOffThread('auto');

/**
 * The most a check-in could reach against the bare route, from what a round
 * measured: if everything scanpass does but SQLite and the code check cost
 * no more than the bare route's request without its INSERT, a check-in's
 * event loop would spend `floor` µs; `ceiling` is the bare route's event-loop
 * time over it, beside the same ratio as measured (`eventLoopRatio`).
 * Generous to scanpass where the readings are uncertain: SQLite's times are
 * wall time on the event loop, so all of its wait for a core in the round is
 * taken off them (as if every wait fell inside a SQLite call). The throughput
 * ratio runs higher than the event-loop ratio (the load generator, on the
 * same cores, holds the bare route back more), so `throughputCeiling` scales
 * the ceiling by the round's own throughput ratio over its event-loop ratio.
 */
function floorOf(p: Round, b: Round, codeMicros: number) {
  const [pLoop, bLoop, pSqlite, bSqlite] = [p.mainThreadMicrosPerRequest, b.mainThreadMicrosPerRequest, p.sqliteMicrosPerRequest, b.sqliteMicrosPerRequest];
  if (pLoop === null || bLoop === null || pSqlite === null || bSqlite === null || pLoop === 0 || b.perSecond === 0) return null;
  const bareHttp = Math.max(0, bLoop - bSqlite);
  const sqlite = Math.max(0, pSqlite - (p.runQueueMicrosPerRequest ?? 0));
  const code = codesOnEventLoop ? codeMicros : 0;
  const floor = bareHttp + sqlite + code;
  const ceiling = bLoop / floor;
  const eventLoopRatio = bLoop / pLoop;
  return {
    bareHttpMicros: bareHttp,
    sqliteMicros: sqlite,
    codeCheckMicros: round(code, 1),
    floorMicros: Math.round(floor),
    ceiling: round(ceiling),
    eventLoopRatio: round(eventLoopRatio),
    throughputCeiling: round((ceiling * (p.perSecond / b.perSecond)) / eventLoopRatio),
  };
}

/** Both servers, round after round, at one connection count; the ratio is of the medians. */
async function versusBare(s: Server, bare: { url: string; pid: number }, st: Setup, connections: number, codeMicros: number) {
  const scanpass: Round[] = [];
  const limit: Round[] = [];
  for (let i = 0; i < cfg.rounds; i++) {
    const bodies = scanBodies(st, take(st, cfg.scans), `c${connections}r${i}-`);
    const bareSqlite0 = await bareSqliteSeconds(bare.url);
    const bareRound = await hammer(bare.url, bare.pid, {}, { count: bodies.count, body: (j) => bodies.signed[j]! }, connections);
    const b: Round = { ...bareRound, sqliteMicrosPerRequest: perRequestMicros((await bareSqliteSeconds(bare.url)) - bareSqlite0, bareRound.requests) };
    const { result, stalls, writer } = await withServerReadings(s.url, () => hammer(s.url, s.pid, st.device, { count: bodies.count, body: bodies.fresh }, connections));
    const p: Round = { ...result, stalls, sqliteMicrosPerRequest: writer && perRequestMicros(writer.ms / 1000, result.requests) };
    limit.push(b);
    scanpass.push(p);
    const f = floorOf(p, b, codeMicros);
    log(`  ${connections} connections, round ${i + 1}/${cfg.rounds}: bare ${b.perSecond}/s p99 ${b.latencyMs.p99} ms; scanpass ${p.perSecond}/s p99 ${p.latencyMs.p99} ms (${p.ok}/${p.requests} ok, ${p.cpuMicrosPerRequest} µs CPU each, ${p.mainThreadMicrosPerRequest} on the event loop, ${p.sqliteMicrosPerRequest} in SQLite, ${p.runQueueMicrosPerRequest} waiting for a core; bare ${b.cpuMicrosPerRequest} / ${b.mainThreadMicrosPerRequest} / ${b.sqliteMicrosPerRequest} / ${b.runQueueMicrosPerRequest}; ${describeStalls(stalls)}${f ? `; floor ${f.floorMicros} µs, ceiling ${f.ceiling} (throughput ${f.throughputCeiling})` : ''})`);
  }
  const floors = scanpass.map((p, i) => floorOf(p, limit[i]!, codeMicros)).filter((f) => f !== null);
  const perSecond = { scanpass: median(scanpass, (r) => r.perSecond), bare: median(limit, (r) => r.perSecond) };
  const p99 = { scanpass: median(scanpass, (r) => r.latencyMs.p99), bare: median(limit, (r) => r.latencyMs.p99) };
  return {
    connections,
    throughputRatio: round(perSecond.scanpass.median / perSecond.bare.median),
    p99Multiple: round(p99.scanpass.median / p99.bare.median),
    perSecond,
    p99Ms: p99,
    p50Ms: { scanpass: median(scanpass, (r) => r.latencyMs.p50), bare: median(limit, (r) => r.latencyMs.p50) },
    cpuMicrosPerRequest: { scanpass: median(scanpass, (r) => r.cpuMicrosPerRequest), bare: median(limit, (r) => r.cpuMicrosPerRequest) },
    eventLoopMicrosPerRequest: { scanpass: median(scanpass, (r) => r.mainThreadMicrosPerRequest), bare: median(limit, (r) => r.mainThreadMicrosPerRequest) },
    floor:
      floors.length === 0
        ? null
        : {
            sqliteMicros: spread(floors.map((f) => f.sqliteMicros)),
            bareHttpMicros: spread(floors.map((f) => f.bareHttpMicros)),
            codeCheckMicros: floors[0]!.codeCheckMicros,
            floorMicros: spread(floors.map((f) => f.floorMicros)),
            ceiling: spread(floors.map((f) => f.ceiling)),
            throughputCeiling: spread(floors.map((f) => f.throughputCeiling)),
            eventLoopRatio: spread(floors.map((f) => f.eventLoopRatio)),
          },
    stalls: {
      gcPauses: median(scanpass, (r) => r.stalls?.gcPauses ?? null),
      gcMs: median(scanpass, (r) => r.stalls?.gcMs ?? null),
      writerHolds: median(scanpass, (r) => r.stalls?.writerHolds ?? null),
      writerHeldMs: median(scanpass, (r) => r.stalls?.writerHeldMs ?? null),
    },
    rounds: { scanpass, bare: limit },
  };
}

async function pushLatency(s: Server, st: Setup, people: { id: string; link: string }[]) {
  const passes = new Map<string, { sent: number; answered: number; pushed: (t: number) => void }>();
  const wsUrl = s.url.replace(/^http/, 'ws') + '/v1/live';
  const sockets: WebSocket[] = [];
  const perSocket = 100;
  const fromSend: number[] = [];
  const fromAnswer: number[] = [];
  // One socket per hundred phones: fewer sockets, same frames.
  for (let i = 0; i < people.length; i += perSocket) {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as { channel?: string; type?: string };
      if (f.type !== 'ok' || !f.channel) return;
      passes.get(f.channel.slice(5))?.pushed(now());
    });
    sockets.push(ws);
  }
  let snapshots = 0;
  await pool(people, 16, async (a, i) => {
    const pass = await api(s.url, {}, 'GET', `/api/v1/passes/by-link/${a.link}`);
    const live = pass.live as { channel: string; token: string };
    sockets[Math.floor(i / perSocket)]!.send(JSON.stringify({ op: 'sub', channel: live.channel, token: live.token }));
    snapshots++;
  });
  await sleep(500);
  log(`  ${snapshots} phones subscribed to their pass channels`);
  const gap = 1000 / cfg.pushRate;
  const t0 = now();
  await Promise.all(
    people.map(async (a, i) => {
      await sleep(Math.max(0, t0 + i * gap - now()));
      const got = new Promise<void>((resolve) => {
        const entry = { sent: now(), answered: 0, pushed: (t: number) => (fromSend.push(t - entry.sent), entry.answered && fromAnswer.push(Math.max(0, t - entry.answered)), resolve()) };
        passes.set(a.id, entry);
      });
      const entry = passes.get(a.id)!;
      const r = await request(s.url, 'POST', '/api/v1/checkins', st.device, { code: st.sign(a.id), session_id: st.sessionId, nonce: `p${i}-${randomBytes(6).toString('hex')}` });
      entry.answered = now();
      if (!r.body.includes('"result":"ok"')) throw new Error(`push scan refused: ${r.body}`);
      await Promise.race([got, sleep(5000)]);
    }),
  );
  for (const ws of sockets) ws.close();
  return { scans: people.length, ratePerSecond: cfg.pushRate, scanToPushMs: summary(fromSend), answerToPushMs: summary(fromAnswer), missed: people.length - fromSend.length };
}

async function runSqlite() {
  // Timed before any server starts, with nothing else running: the cheapest a code check gets here.
  const codeMicros = codeCheckMicros();
  log(`one code check (decode, Ed25519 by signing again): ${codeMicros.toFixed(1)} µs`);
  const s = await startServer();
  const bare = await startBareRoute();
  try {
    log(`sqlite: scanpass at ${s.url} (${cfg.server}), the bare route at ${bare.url}`);
    const st = await setup(s, cfg.scans * (cfg.rounds * cfg.connections.length + 1) + cfg.pushScans);
    // A warm-up round for both, so neither is measured while its code is still being optimised.
    const warm = scanBodies(st, take(st, cfg.scans), 'warm-');
    await hammer(bare.url, bare.pid, {}, { count: warm.count, body: (j) => warm.signed[j]! }, 16);
    await hammer(s.url, s.pid, st.device, { count: warm.count, body: warm.fresh }, 16);
    // The phones first, at a door's steady pace on a warm node: after the rounds below (140,000
    // check-ins at full speed) the store is still catching up, and that is not a door's steady state.
    const { result: p, stalls } = await withServerReadings(s.url, () => pushLatency(s, st, take(st, cfg.pushScans)));
    log(`  attendee told: p50 ${p.scanToPushMs.p50} ms, p99 ${p.scanToPushMs.p99} ms from the scan (${p.missed} missed; ${describeStalls(stalls)})`);
    const versus = [];
    for (const c of cfg.connections) versus.push(await versusBare(s, bare, st, c, codeMicros));
    return { versus, push: { ...p, stalls } };
  } finally {
    await bare.stop();
    await s.stop();
  }
}

async function runPostgres() {
  const pgDb = await createTestDatabase(cfg.pgUrl, 'scanpass_bench');
  const s = await startServer(pgDb.url);
  try {
    log(`postgres: server at ${s.url} (${cfg.server})`);
    const st = await setup(s, cfg.pgScans + Math.min(1000, cfg.pgScans / 10) + cfg.pushScans);
    const fresh = (n: number, tag: string) => {
      const b = scanBodies(st, take(st, n), tag);
      return { count: b.count, body: b.fresh };
    };
    await hammer(s.url, s.pid, st.device, fresh(Math.min(1000, cfg.pgScans / 10), 'warm-'), 16);
    const t = await hammer(s.url, s.pid, st.device, fresh(cfg.pgScans, 'pg-'), 16);
    log(`  ${t.perSecond} check-ins/s, p50 ${t.latencyMs.p50} ms, p99 ${t.latencyMs.p99} ms (${t.ok}/${t.requests} ok, 16 connections, ${t.cpuMicrosPerRequest} µs CPU each)`);
    const p = await pushLatency(s, st, take(st, cfg.pushScans));
    log(`  attendee told: p50 ${p.scanToPushMs.p50} ms, p99 ${p.scanToPushMs.p99} ms from the scan (${p.missed} missed)`);
    return { throughput: t, push: p };
  } finally {
    await s.stop();
    await pgDb.drop();
  }
}

// ------------------------------------------------------------------ main

const machine = machineAtStart();
log(describeMachine(machine));
const sqlite = cfg.dialects.includes('sqlite') ? await runSqlite() : undefined;
const postgres = cfg.dialects.includes('postgres') ? await runPostgres() : undefined;
closeHttp();
const ended = finishMachine(machine);

// null: no round against the bare route ran (BENCH_CONNECTIONS=0), so nothing was met or missed.
const rounds = sqlite && sqlite.versus.length > 0 ? sqlite.versus : null;
const verdict = sqlite && {
  throughput: rounds && rounds.every((v) => v.throughputRatio >= TARGETS.throughputRatio),
  p99: rounds && rounds.every((v) => v.p99Multiple <= TARGETS.p99Multiple),
  push: sqlite.push.scanToPushMs.p99 < TARGETS.pushP99Ms,
};
const fullRun =
  ['BENCH_SCANS', 'BENCH_ROUNDS', 'BENCH_CONNECTIONS', 'BENCH_PG_SCANS', 'BENCH_PUSH_SCANS', 'BENCH_PUSH_RATE'].every((k) => !process.env[k]) &&
  cfg.serverNodeArgs.length === 0 &&
  ['sqlite', 'postgres'].every((d) => cfg.dialects.includes(d));
const report = { bench: 'checkin', at: new Date().toISOString(), machine: ended, config: cfg, targets: TARGETS, verdict, sqlite, postgres };
const range = (x: { median: number; min: number; max: number }, d = 0) => `${round(x.median, d)} (${round(x.min, d)}–${round(x.max, d)})`;
const yes = (b: boolean | null) => (b === null ? 'not measured' : b ? 'yes' : 'NO');
/** The floor table: what a check-in could reach with everything but its SQLite and its code check as cheap as the bare route. */
function floorSection(versus: NonNullable<typeof sqlite>['versus']): string[] {
  const rows = versus.filter((v) => v.floor !== null);
  if (rows.length === 0) return [];
  const highest = Math.max(...rows.map((v) => v.floor!.throughputCeiling.max));
  return [
    '### The floor: what no faster HTTP or JavaScript could save',
    '',
    '| Connections | Event-loop µs per request, scanpass / bare | scanpass in SQLite | bare without its INSERT | one code check | floor | ceiling (event loop) | scanpass now (event loop) | ceiling (throughput) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((v) => {
      const f = v.floor!;
      return `| ${v.connections} | ${round(v.eventLoopMicrosPerRequest.scanpass.median, 0)} / ${round(v.eventLoopMicrosPerRequest.bare.median, 0)} | ${range(f.sqliteMicros)} | ${range(f.bareHttpMicros)} | ${f.codeCheckMicros} | ${range(f.floorMicros)} | **${range(f.ceiling, 2)}** | ${range(f.eventLoopRatio, 2)} | **${range(f.throughputCeiling, 2)}** |`;
    }),
    '',
    "A check-in's floor, per round: the bare route's event-loop time per request without its INSERT (its HTTP), plus scanpass's event-loop time in calls into SQLite per check-in (`scanpass_sqlite_writer_busy_seconds_total` over the round: every statement of a scan and its share of the commit), less all the time its event loop waited for a core in the round (those times are wall time), plus one code check (decode and the Ed25519 check by the server's own functions, timed in the bench's process before the servers start; counted only where the server checks codes on its event loop, as on two cores). " +
      "The ceiling is the bare route's event-loop time over that floor: the most the ratio of event-loop times could be if everything else scanpass does per scan cost no more than the bare route's own HTTP; beside it, that ratio as measured. The throughput ceiling scales it by the round's throughput ratio over its event-loop ratio (the load generator holds the bare route back more)." +
      (highest < TARGETS.throughputRatio ? ` The throughput target (${TARGETS.throughputRatio}) is above the throughput ceiling of every round: while a check-in's store work and code check stay what they are, no work on the HTTP layer or the check-in's JavaScript reaches it.` : ''),
    '',
  ];
}

const md = [
  `# bench:checkin, ${report.at}`,
  '',
  `${describeMachine(ended)}; server from ${cfg.server}; autocannon in the same machine.`,
  `Each scan is a real check-in of a distinct attendee by a device token. Per round, the same ${cfg.scans} request bodies go to the bare route (Fastify + one SQLite INSERT, bench/checkin/bare-route.ts) and then to scanpass; ${cfg.rounds} rounds per connection count, medians with the range over the rounds in brackets.`,
  ...(fullRun ? [] : ['Partial run (sizes, stores or server flags changed): it cannot be kept as checkin-latest.']),
  '',
  ...(sqlite
    ? [
        '## SQLite against the bare route',
        '',
        '| Connections | Throughput ratio | p99 multiple | scanpass check-ins/s | bare/s | scanpass p50 / p99 ms | bare p50 / p99 ms | CPU µs per request, scanpass / bare | scanpass stalls per round: GC pauses, writer held |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        ...sqlite.versus.map(
          (v) =>
            `| ${v.connections} | **${v.throughputRatio}** | **${v.p99Multiple}** | ${range(v.perSecond.scanpass)} | ${range(v.perSecond.bare)} | ${round(v.p50Ms.scanpass.median)} / ${range(v.p99Ms.scanpass, 1)} | ${round(v.p50Ms.bare.median)} / ${range(v.p99Ms.bare, 1)} | ${round(v.cpuMicrosPerRequest.scanpass.median, 0)} / ${round(v.cpuMicrosPerRequest.bare.median, 0)} | ${round(v.stalls.gcPauses.median, 0)} for ${round(v.stalls.gcMs.median, 0)} ms, ${round(v.stalls.writerHolds.median, 0)} for ${round(v.stalls.writerHeldMs.median, 0)} ms |`,
        ),
        '',
        `Targets: throughput at least ${TARGETS.throughputRatio} of the bare route's and p99 at most ${TARGETS.p99Multiple}x its p99, at every connection count; the attendee told within ${TARGETS.pushP99Ms} ms p99. Met: throughput ${yes(verdict!.throughput)}, p99 ${yes(verdict!.p99)}, push ${yes(verdict!.push)}.`,
        '',
        "Stalls: medians over the rounds, from scanpass's /metrics: its garbage-collection pauses, and the times its SQLite writer was held so the WAL could start over. Each stops every request in flight, so they are much of the p99.",
        '',
        ...floorSection(sqlite.versus),
      ]
    : []),
  '| Store | Check-ins/s | p50 ms | p99 ms | Attendee told p50 ms | p99 ms | missed |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...(sqlite ? [`| sqlite (${sqlite.versus[0]?.connections} connections) | ${sqlite.versus[0]?.perSecond.scanpass.median} | ${sqlite.versus[0]?.p50Ms.scanpass.median} | ${sqlite.versus[0]?.p99Ms.scanpass.median} | ${sqlite.push.scanToPushMs.p50} | ${sqlite.push.scanToPushMs.p99} | ${sqlite.push.missed} |`] : []),
  ...(postgres ? [`| postgres (16 connections) | ${postgres.throughput.perSecond} | ${postgres.throughput.latencyMs.p50} | ${postgres.throughput.latencyMs.p99} | ${postgres.push.scanToPushMs.p50} | ${postgres.push.scanToPushMs.p99} | ${postgres.push.missed} |`] : []),
  '',
  `The attendee told: ${cfg.pushScans} phones subscribed over WebSocket to their pass channels, scans at ${cfg.pushRate}/s, from sending the scan until the phone has the result.`,
  '',
].join('\n');
const saved = saveRun({ bench: 'checkin', date: report.at, partial: !fullRun, report, md, node: process.version, load: ended.loadAfter![0]! });
process.stdout.write(`${md}\nsaved ${saved.join(', ')}\n`);
