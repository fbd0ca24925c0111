/**
 * `npm run bench:checkin`: check-ins per second and their latency through the
 * HTTP API (`POST /api/v1/checkins` with a device token, every scan a real
 * check-in of a distinct attendee), on SQLite and on Postgres; and how long
 * from a scan until the attendee's phone, subscribed over WebSocket to
 * `pass:<attendee>`, receives the result.
 *
 * Runs the real product in a child process (dist/src/main.js, or the sources
 * through tsx with BENCH_SERVER=tsx). The load generator is in this process:
 * keep-alive sockets, a fixed number of requests in flight, codes signed here
 * with the event's key read from the store (what the pass page would show).
 *
 * Env: BENCH_ATTENDEES (30000), BENCH_PG_ATTENDEES (8000: the Postgres phase
 * is smaller so the whole bench ends in a few minutes; the targets are on
 * SQLite), BENCH_CONCURRENCY (16), BENCH_PUSH_SCANS (500), BENCH_PUSH_RATE
 * (200 per s), BENCH_DIALECTS (sqlite,postgres), BENCH_PG_URL
 * (postgres://postgres@127.0.0.1:5432/test), BENCH_SERVER (dist|tsx),
 * BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 *
 * Only a run at the default sizes over both stores, without extra server
 * flags, is saved as bench/results/checkin-latest.*; any other run is
 * partial (see bench/support/results.ts). Every run adds a line to
 * bench/results/history.jsonl.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQLite } from '../../src/store/sqlite-driver.js';
import pg from 'pg';
import WebSocket from 'ws';
import { encodePassToken, windowAt } from '../../src/domain/pass-token.js';
import { EventKeyCache } from '../../src/flows/checkin/event-keys.js';
import { createTestDatabase } from '../../test/support/postgres.js';
import { saveRun } from '../support/results.js';
import { BENCH_ADMIN as ADMIN, startBenchServer, type BenchServer } from '../support/server-process.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const envInt = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);

const cfg = {
  attendees: envInt('BENCH_ATTENDEES', 30000),
  pgAttendees: envInt('BENCH_PG_ATTENDEES', 8000),
  concurrency: envInt('BENCH_CONCURRENCY', 16),
  pushScans: envInt('BENCH_PUSH_SCANS', 500),
  pushRate: envInt('BENCH_PUSH_RATE', 200),
  dialects: (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim()).filter(Boolean),
  pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  server: process.env.BENCH_SERVER ?? (fs.existsSync(path.join(ROOT, 'dist/src/flows/checkin/checkin-service.js')) ? 'dist' : 'tsx'),
  /** Extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
};
const TARGETS = { sqliteCheckinsPerSecond: 3000, sqliteP99Ms: 25, pushP99Ms: 15 };

const log = (line: string) => process.stdout.write(`[bench:checkin ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const round = (n: number) => Math.round(n * 100) / 100;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), max: round(s.at(-1) ?? NaN) };
};

// ------------------------------------------------------------------ server

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

/** The event's private key, read from the store as the server keeps it: the pass page's codes, signed here. */
async function privateKeyOf(s: Server, eventId: string): Promise<string> {
  if (s.databaseUrl) {
    const c = new pg.Client({ connectionString: s.databaseUrl });
    await c.connect();
    const r = await c.query<{ private_key: string }>('SELECT private_key FROM events WHERE id = $1', [eventId]);
    await c.end();
    return r.rows[0]!.private_key;
  }
  const db = new SQLite(path.join(s.dataDir, 'scanpass.db'), { readonly: true });
  try {
    return (db.prepare('SELECT private_key FROM events WHERE id = ?').get(eventId) as { private_key: string }).private_key;
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------ HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(url: string, method: string, pathName: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: u.hostname, port: u.port, method, path: pathName, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function api(s: Server, auth: Record<string, string>, method: string, p: string, body?: unknown, expect = 200) {
  const r = await request(s.url, method, p, auth, body);
  if (r.status !== expect) throw new Error(`${method} ${p}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}

/** Runs `fn` over `items` with at most `n` at once. */
async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

interface Setup {
  sessionId: string;
  device: Record<string, string>;
  attendees: { id: string; link: string }[];
  sign: (attendeeId: string) => string;
}

async function signInAdmin(s: Server): Promise<Record<string, string>> {
  const res = await fetch(`${s.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  const body = (await res.json()) as { csrf_token: string };
  return { cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), 'x-csrf-token': body.csrf_token };
}

async function setup(s: Server, attendees: number): Promise<Setup> {
  const admin = await signInAdmin(s);
  const t = Date.now();
  const ev = await api(s, admin, 'POST', '/api/v1/events', { name: 'Bench conference', starts_at: t - 3600_000, ends_at: t + 86400_000 }, 201);
  const session = await api(s, admin, 'POST', `/api/v1/events/${ev.id}/sessions`, { name: 'Keynote', place: 'Main hall', starts_at: t - 600_000, ends_at: t + 86400_000, all_attendees: true }, 201);
  const device = await api(s, admin, 'POST', `/api/v1/events/${ev.id}/devices`, { name: 'Gate 1' }, 201);
  const list: { id: string; link: string }[] = new Array(attendees);
  const t0 = now();
  await pool(Array.from({ length: attendees }, (_, i) => i), 16, async (i) => {
    const a = await api(s, admin, 'POST', `/api/v1/events/${ev.id}/attendees`, { name: `Attendee ${i}`, email: `a${i}@bench.local` }, 201);
    list[i] = { id: a.id as string, link: a.link_token as string };
  });
  log(`  ${attendees} attendees registered in ${((now() - t0) / 1000).toFixed(1)} s`);
  const signer = new EventKeyCache().signer(ev.id as string, await privateKeyOf(s, ev.id as string));
  return {
    sessionId: session.id as string,
    device: { authorization: `Bearer ${device.token as string}` },
    attendees: list,
    sign: (attendeeId) => encodePassToken({ eventId: ev.id as string, attendeeId, window: windowAt(Date.now()) }, signer),
  };
}

// ------------------------------------------------------------------ phases

async function throughput(s: Server, st: Setup, people: { id: string }[]) {
  const latencies: number[] = new Array(people.length);
  let ok = 0;
  let other = 0;
  const t0 = now();
  // Each code is signed just before its scan, as a phone shows the current one.
  await pool(people, cfg.concurrency, async (a, i) => {
    const code = st.sign(a.id);
    const started = now();
    const r = await request(s.url, 'POST', '/api/v1/checkins', st.device, { code, session_id: st.sessionId, nonce: `b${i}-${randomBytes(6).toString('hex')}` });
    latencies[i] = now() - started;
    if (r.status === 200 && r.body.includes('"result":"ok"')) ok++;
    else if (other++ < 3) log(`  unexpected answer: ${r.status} ${r.body.slice(0, 200)}`);
  });
  const seconds = (now() - t0) / 1000;
  return { scans: people.length, ok, seconds: round(seconds), checkinsPerSecond: Math.round(ok / seconds), latencyMs: summary(latencies) };
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
    const pass = await api(s, {}, 'GET', `/api/v1/passes/by-link/${a.link}`);
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

async function runDialect(dialect: string) {
  const pgDb = dialect === 'postgres' ? await createTestDatabase(cfg.pgUrl, 'scanpass_bench') : undefined;
  const s = await startServer(pgDb?.url);
  try {
    log(`${dialect}: server at ${s.url} (${cfg.server})`);
    const attendees = dialect === 'postgres' ? cfg.pgAttendees : cfg.attendees;
    const st = await setup(s, attendees + cfg.pushScans);
    const load = st.attendees.slice(0, attendees);
    const warm = load.splice(0, Math.min(1000, Math.floor(load.length / 10)));
    await throughput(s, st, warm);
    const t = await throughput(s, st, load);
    log(`  ${t.checkinsPerSecond} check-ins/s, p50 ${t.latencyMs.p50} ms, p99 ${t.latencyMs.p99} ms (${t.ok}/${t.scans} ok, concurrency ${cfg.concurrency})`);
    const p = await pushLatency(s, st, st.attendees.slice(attendees));
    log(`  attendee told: p50 ${p.scanToPushMs.p50} ms, p99 ${p.scanToPushMs.p99} ms from the scan (${p.missed} missed)`);
    return { dialect, throughput: t, push: p };
  } finally {
    await s.stop();
    await pgDb?.drop();
  }
}

// ------------------------------------------------------------------ main

const results = [];
for (const d of cfg.dialects) results.push(await runDialect(d));
agent.destroy();

const sqlite = results.find((r) => r.dialect === 'sqlite');
const verdict = sqlite && {
  checkinsPerSecond: sqlite.throughput.checkinsPerSecond >= TARGETS.sqliteCheckinsPerSecond,
  p99: sqlite.throughput.latencyMs.p99 < TARGETS.sqliteP99Ms,
  push: sqlite.push.scanToPushMs.p99 < TARGETS.pushP99Ms,
};
const fullRun =
  !process.env.BENCH_ATTENDEES && !process.env.BENCH_PG_ATTENDEES && !process.env.BENCH_CONCURRENCY && !process.env.BENCH_PUSH_SCANS && !process.env.BENCH_PUSH_RATE && cfg.serverNodeArgs.length === 0 && ['sqlite', 'postgres'].every((d) => cfg.dialects.includes(d));
const report = { bench: 'checkin', at: new Date().toISOString(), machine: { cpus: os.cpus().length, load: os.loadavg().map(round), node: process.version }, config: cfg, targets: TARGETS, verdict, results };
const md = [
  `# bench:checkin, ${report.at}`,
  '',
  `${report.machine.cpus} cores (load ${report.machine.load.join(', ')} at the end), Node ${report.machine.node}, server from ${cfg.server}; load generator in the same machine.`,
  `Each scan is a real check-in of a distinct attendee by a device token; ${cfg.concurrency} requests in flight on keep-alive sockets.`,
  `Scans per store (after a warm-up of a tenth, at most 1000): SQLite ${cfg.attendees}, Postgres ${cfg.pgAttendees}; then ${cfg.pushScans} phones told at ${cfg.pushRate} scans/s.`,
  ...(fullRun ? [] : ['Partial run (sizes, stores or server flags changed): not saved as checkin-latest.']),
  '',
  '| Store | Check-ins/s | p50 ms | p95 ms | p99 ms | Attendee told p50 ms | p99 ms | answer to push p99 ms |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.dialect} | ${r.throughput.checkinsPerSecond} | ${r.throughput.latencyMs.p50} | ${r.throughput.latencyMs.p95} | ${r.throughput.latencyMs.p99} | ${r.push.scanToPushMs.p50} | ${r.push.scanToPushMs.p99} | ${Number.isNaN(r.push.answerToPushMs.p99) ? 'push always first' : r.push.answerToPushMs.p99} |`,
  ),
  '',
  `Targets on SQLite: at least ${TARGETS.sqliteCheckinsPerSecond} check-ins/s with p99 under ${TARGETS.sqliteP99Ms} ms; attendee told within ${TARGETS.pushP99Ms} ms p99.`,
  verdict ? `Met: throughput ${verdict.checkinsPerSecond ? 'yes' : 'NO'}, p99 ${verdict.p99 ? 'yes' : 'NO'}, push ${verdict.push ? 'yes' : 'NO'}.` : '',
  '',
].join('\n');
const saved = saveRun({ bench: 'checkin', date: report.at, partial: !fullRun, report, md, node: process.version, load: report.machine.load[0]! });
process.stdout.write(`${md}\n${JSON.stringify(report.results, null, 2)}\nsaved ${saved.join(', ')}\n`);
