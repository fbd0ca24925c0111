/**
 * `npm run bench:login`: with N screens waiting on QR login requests, how long
 * from a phone's approve call until the screen learns `approved`, pushed over
 * the live channel versus a standard RFC 8628 client polling the token
 * endpoint every 5 s; and how many requests per second the server spends on
 * the waiting screens in each mode. Then (`code-flow`, bench/login/code-flow.ts)
 * many OpenID authorization-code sign-ins at once: from the phone's approve
 * until the application's back end holds the tokens. Runs the real product
 * (dist/server/main.js) on SQLite in a child process; screens, browsers, phones
 * and the application live in this process, so both ends of a measurement
 * read one clock.
 *
 * Env: BENCH_SCREENS (2000), BENCH_APPROVALS_PER_SECOND (100),
 * BENCH_POLL_INTERVAL (5), BENCH_IDLE_WINDOW (10 s of request counting),
 * BENCH_CODE_FLOW_SIGNINS (200), BENCH_CODE_FLOW_PHONES (20),
 * BENCH_ONLY (some of live,polling,code-flow).
 * A run of every phase at the defaults is saved as bench/results/login-latest.*;
 * every run adds a line to bench/results/history.jsonl (bench/support/results.ts).
 */
import os from 'node:os';
import WebSocket from 'ws';
import { describeMachine, finishMachine, machineAtStart } from '../support/machine.js';
import { saveRun } from '../support/results.js';
import { BENCH_ADMIN as ADMIN, startBenchServer } from '../support/server-process.js';
import { codeFlowMode, type Step, STEPS } from './code-flow.js';
import { deviceFloodMode } from './device-flood.js';
import { json, log, now, percentile, pool, type Session, signIn, sleep } from './common.js';

const envInt = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);

const PHASES = ['live', 'polling', 'code-flow', 'device-flood'] as const;
type Phase = (typeof PHASES)[number];
const only = process.env.BENCH_ONLY?.split(',').map((p) => p.trim()).filter(Boolean);
for (const p of only ?? []) if (!PHASES.includes(p as Phase)) throw new Error(`BENCH_ONLY: unknown phase ${p} (phases: ${PHASES.join(', ')})`);
const runs = (p: Phase) => !only || only.includes(p);

const cfg = {
  screens: envInt('BENCH_SCREENS', 2000),
  approvalsPerSecond: envInt('BENCH_APPROVALS_PER_SECOND', 100),
  pollInterval: envInt('BENCH_POLL_INTERVAL', 5),
  idleWindow: envInt('BENCH_IDLE_WINDOW', 10),
  codeFlowSignIns: envInt('BENCH_CODE_FLOW_SIGNINS', 200),
  codeFlowPhones: envInt('BENCH_CODE_FLOW_PHONES', 20),
  deviceFloodSeconds: envInt('BENCH_DEVICE_FLOOD_SECONDS', 40),
  /** How long a login request lives: short, and the device flood's requests expire while it runs (the expiry sweep's load). */
  loginTtlSeconds: envInt('BENCH_LOGIN_TTL_SECONDS', 900),
  phases: only ?? [...PHASES],
};
const KNOBS = ['BENCH_SCREENS', 'BENCH_APPROVALS_PER_SECOND', 'BENCH_POLL_INTERVAL', 'BENCH_IDLE_WINDOW', 'BENCH_CODE_FLOW_SIGNINS', 'BENCH_CODE_FLOW_PHONES', 'BENCH_DEVICE_FLOOD_SECONDS', 'BENCH_LOGIN_TTL_SECONDS', 'BENCH_ONLY', 'BENCH_SERVER_NODE_ARGS'];
const TARGETS = { liveP99Ms: 15, speedupAtP50: 100 };
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

// ------------------------------------------------------------------ server

/** Requests the server has answered so far (from its Prometheus metrics). */
async function requestCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('scanpass_http_request_duration_seconds_count{') && !line.includes('route="/metrics"')) total += Number(line.split(' ').pop());
  }
  return total;
}

async function idleRequestRate(url: string): Promise<number> {
  const before = await requestCount(url);
  const t0 = now();
  await sleep(cfg.idleWindow * 1000);
  const after = await requestCount(url);
  return (after - before) / ((now() - t0) / 1000);
}

// ------------------------------------------------------------------ setup

async function createClient(url: string, s: Session): Promise<string> {
  const res = await fetch(`${url}/api/v1/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
    body: JSON.stringify({ name: 'Bench TV', scopes: ['openid', 'profile'] }),
  });
  return ((await json(res)).client as { client_id: string }).client_id;
}

interface Screen {
  deviceCode: string;
  userCode: string;
  live: { channel: string; token: string };
}

async function startRequests(url: string, clientId: string, live: boolean): Promise<Screen[]> {
  const screens: Screen[] = new Array(cfg.screens);
  await pool([...Array(cfg.screens).keys()], 32, async (i) => {
    const body = await json(
      await fetch(`${url}/oauth/device_authorization`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: clientId, scope: 'openid profile', ...(live ? { live: 'true' } : {}) }),
      }),
    );
    screens[i] = { deviceCode: body.device_code as string, userCode: body.user_code as string, live: body.live as Screen['live'] };
  });
  return screens;
}

/** The phone: claims (as a camera scan would) and later approves. */
const phone = (url: string, s: Session) => ({
  open: (code: string) => fetch(`${url}/api/v1/login-requests/${code}`, { headers: { cookie: s.cookie } }).then(json),
  approve: (code: string, match?: number) =>
    fetch(`${url}/api/v1/login-requests/${code}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: JSON.stringify(match === undefined ? {} : { match }),
    }).then(json),
});

// ------------------------------------------------------------------ live mode

async function liveMode(url: string, clientId: string, s: Session) {
  log(`live: starting ${cfg.screens} login requests`);
  const screens = await startRequests(url, clientId, true);
  const wsUrl = url.replace(/^http/, 'ws') + '/v1/live';
  const matchNumber = new Map<string, (n: number) => void>();
  const approvedAt = new Map<string, (t: number) => void>();
  const sockets: WebSocket[] = [];
  log(`live: opening ${cfg.screens} WebSockets, one per screen`);
  await pool(screens, 64, async (screen) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => {
        ws.send(JSON.stringify({ op: 'sub', channel: screen.live.channel, token: screen.live.token }));
      });
      ws.on('message', (raw) => {
        const t = now();
        const frame = JSON.parse(raw.toString()) as { type?: string; data?: { match_number?: number }; op?: string };
        if (frame.op === 'error') reject(new Error(JSON.stringify(frame)));
        if (frame.type === 'pending') resolve();
        if (frame.type === 'scanned' && frame.data?.match_number) matchNumber.get(screen.userCode)?.(frame.data.match_number);
        if (frame.type === 'approved') approvedAt.get(screen.userCode)?.(t);
      });
    });
  });
  log(`live: ${cfg.screens} screens waiting; counting requests for ${cfg.idleWindow} s`);
  const idleRate = await idleRequestRate(url);

  log(`live: approving every request, ${cfg.approvalsPerSecond}/s`);
  const p = phone(url, s);
  const latencies: number[] = [];
  const started = now();
  await paced(screens, async (screen) => {
    const gotNumber = new Promise<number>((r) => matchNumber.set(screen.userCode, r));
    await p.open(screen.userCode);
    const match = await gotNumber; // the person reads the number off the screen
    const gotApproved = new Promise<number>((r) => approvedAt.set(screen.userCode, r));
    const t0 = now();
    const res = await p.approve(screen.userCode, match);
    if (res.status !== 'approved') throw new Error(`approve failed: ${JSON.stringify(res)}`);
    latencies.push((await gotApproved) - t0);
  });
  const perSecond = latencies.length / ((now() - started) / 1000);
  for (const ws of sockets) ws.terminate();
  return { idleRate, latencies: latencies.sort((a, b) => a - b), perSecond, failures: 0 };
}

// ------------------------------------------------------------------ polling mode

async function pollingMode(url: string, clientId: string, s: Session) {
  log(`polling: starting ${cfg.screens} login requests, each polled every ${cfg.pollInterval} s like a standard RFC 8628 client`);
  const screens = await startRequests(url, clientId, false);
  const tokensAt = new Map<string, (t: number) => void>();
  let stopping = false;
  let errors = 0;
  const pollers = screens.map(async (screen) => {
    await sleep(Math.random() * cfg.pollInterval * 1000); // real screens start at random moments
    let interval = cfg.pollInterval;
    while (!stopping) {
      const res = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: screen.deviceCode, client_id: clientId }),
      });
      const t = now();
      const body = (await res.json()) as { error?: string; interval?: number; access_token?: string };
      if (body.access_token) return tokensAt.get(screen.userCode)?.(t);
      if (body.error === 'slow_down') interval = body.interval ?? interval + 5;
      else if (body.error !== 'authorization_pending') {
        errors++;
        return;
      }
      await sleep(interval * 1000);
    }
  });
  await sleep(cfg.pollInterval * 1000); // every poller has started
  log(`polling: ${cfg.screens} screens waiting; counting requests for ${cfg.idleWindow} s`);
  const idleRate = await idleRequestRate(url);

  log(`polling: approving every request, ${cfg.approvalsPerSecond}/s`);
  const p = phone(url, s);
  const latencies: number[] = [];
  const started = now();
  await paced(screens, async (screen) => {
    await p.open(screen.userCode);
    const gotTokens = new Promise<number>((r) => tokensAt.set(screen.userCode, r));
    const t0 = now();
    const res = await p.approve(screen.userCode);
    if (res.status !== 'approved') throw new Error(`approve failed: ${JSON.stringify(res)}`);
    latencies.push((await gotTokens) - t0);
  });
  const perSecond = latencies.length / ((now() - started) / 1000);
  stopping = true;
  await Promise.all(pollers);
  if (errors) log(`polling: ${errors} pollers ended with an unexpected error`);
  return { idleRate, latencies: latencies.sort((a, b) => a - b), perSecond, failures: errors };
}

/** Starts `fn` for each item at a steady rate, all running concurrently. */
async function paced<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  const gap = 1000 / cfg.approvalsPerSecond;
  const start = now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < items.length; i++) {
    const wait = start + i * gap - now();
    if (wait > 0) await sleep(wait);
    running.push(fn(items[i]!));
    if (i > 0 && i % 500 === 0) log(`  ${i}/${items.length} approvals started`);
  }
  await Promise.all(running);
}

// ------------------------------------------------------------------ report

const stats = (l: number[]) => ({ n: l.length, p50: percentile(l, 50), p90: percentile(l, 90), p99: percentile(l, 99), max: l[l.length - 1] ?? NaN });
const ms = (v: number) => (Number.isNaN(v) ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(2));

type Stats = ReturnType<typeof stats>;
const row = (mode: string, from: string, S: Stats, failures: number, perSecond: number, waiting: number | null) =>
  `| ${mode} | ${from} | ${ms(S.p50)} | ${ms(S.p90)} | ${ms(S.p99)} | ${ms(S.max)} | ${S.n} | ${failures} | ${perSecond.toFixed(0)} | ${waiting === null ? '-' : waiting.toFixed(1)} |`;

async function main() {
  const started = machineAtStart();
  const server = await startBenchServer({
    nodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    name: 'login',
    // Each phone account signs in once (code-flow): more than the default 10 a minute from one address.
    env: { SCANPASS_LOGIN_INTERVAL_SECONDS: String(cfg.pollInterval), SCANPASS_LOGIN_TTL_SECONDS: String(cfg.loginTtlSeconds), SCANPASS_SIGNIN_LIMIT_PER_MINUTE: '100000' },
  });
  log(`scanpass at ${server.url} (pid ${server.pid}), SQLite; ${os.cpus().length} cores; phases ${cfg.phases.join(', ')}`);
  try {
    const s = await signIn(server.url, ADMIN);
    const clientId = await createClient(server.url, s);
    const live = runs('live') ? await liveMode(server.url, clientId, s) : null;
    const polling = runs('polling') ? await pollingMode(server.url, clientId, s) : null;
    const code = runs('code-flow') ? await codeFlowMode(server.url, s, { signIns: cfg.codeFlowSignIns, phones: cfg.codeFlowPhones }) : null;
    const flood = runs('device-flood') ? await deviceFloodMode(server.url, clientId, { seconds: cfg.deviceFloodSeconds, connections: 16 }) : null;
    if (flood) log(`device-flood: ${flood.perSecond} device codes/s over ${flood.seconds} s; by slice ${flood.perSecondBySlice.join(', ')}; last/first ${flood.lastOverFirst}`);
    const L = live && stats(live.latencies);
    const P = polling && stats(polling.latencies);
    const speedup = L && P ? P.p50 / L.p50 : null;
    const codeFlow = code && {
      fromApproveAnswer: stats(code.fromApproveAnswer),
      fromApproveRequest: stats(code.fromApproveRequest),
      signInsPerSecond: code.signInsPerSecond,
      failures: code.failures,
      failureReasons: code.failureReasons,
      benchLoopDelayMs: code.benchLoopDelayMs,
      steps: Object.fromEntries(Object.entries(code.steps).map(([k, v]) => [k, stats(v)])) as Record<Step, Stats>,
    };
    const result = {
      date: new Date().toISOString(),
      machine: finishMachine(started),
      config: cfg,
      live: L && { ...L, waitingRequestsPerSecond: live!.idleRate, approvalsPerSecond: live!.perSecond },
      polling: P && { ...P, waitingRequestsPerSecond: polling!.idleRate, approvalsPerSecond: polling!.perSecond, failures: polling!.failures },
      codeFlow,
      deviceFlood: flood,
      speedupAtP50: speedup,
      targets: {
        liveP99Under15ms: L ? L.p99 < TARGETS.liveP99Ms : null,
        atLeast100xFasterAtP50: speedup === null ? null : speedup >= TARGETS.speedupAtP50,
      },
    };
    const sizes = [
      live || polling ? `${cfg.screens} screens waiting, approvals at ${cfg.approvalsPerSecond}/s, pollers every ${cfg.pollInterval} s` : null,
      code ? `code flow: ${cfg.codeFlowSignIns} sign-ins at once over ${cfg.codeFlowPhones} phone accounts` : null,
      flood ? `device codes asked for by 16 connections for ${flood.seconds} s, none approved` : null,
    ].filter(Boolean);
    const verdicts = [
      speedup !== null ? `Live is ${speedup.toFixed(0)}x faster at p50 (target at least ${TARGETS.speedupAtP50}x): ${result.targets.atLeast100xFasterAtP50 ? 'PASS' : 'MISS'}.` : null,
      L ? `Live p99 ${ms(L.p99)} ms (target under ${TARGETS.liveP99Ms} ms): ${result.targets.liveP99Under15ms ? 'PASS' : 'MISS'}.` : null,
      codeFlow ? `Code flow: ${codeFlow.failures} of ${cfg.codeFlowSignIns} sign-ins failed${codeFlow.failures ? ` (${JSON.stringify(codeFlow.failureReasons)})` : ''}; no target.` : null,
    ].filter(Boolean);
    const md = [
      `# Login bench, ${result.date}`,
      '',
      `${describeMachine(result.machine)}; ${sizes.join('; ')}.`,
      '',
      '| Mode | measured | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | sign-ins | failed | sign-ins/s | requests/s while waiting |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...(L ? [row('device grant, live channel (WebSocket)', 'approve request → screen hears `approved`', L, 0, live!.perSecond, live!.idleRate)] : []),
      ...(P ? [row(`device grant, RFC 8628 polling every ${cfg.pollInterval} s`, 'approve request → screen has tokens', P, polling!.failures, polling!.perSecond, polling!.idleRate)] : []),
      ...(codeFlow
        ? [
            row('authorization code flow, browser on the live channel', 'approve answer → app has tokens', codeFlow.fromApproveAnswer, codeFlow.failures, codeFlow.signInsPerSecond, null),
            row('authorization code flow, browser on the live channel', 'approve request → app has tokens', codeFlow.fromApproveRequest, codeFlow.failures, codeFlow.signInsPerSecond, null),
          ]
        : []),
      ...(codeFlow
        ? ['', `Code flow, where the time after the approve answer goes (p50 / p99 ms): ${(Object.keys(STEPS) as Step[]).map((k) => `${STEPS[k]} ${ms(codeFlow.steps[k].p50)} / ${ms(codeFlow.steps[k].p99)}`).join('; ')}. The bench process's event loop (browsers, phones and app) was delayed up to ${ms(codeFlow.benchLoopDelayMs.max)} ms (p99 ${ms(codeFlow.benchLoopDelayMs.p99)}).`]
        : []),
      ...(flood
        ? [
            '',
            `Device authorization as requests pile up: ${flood.perSecond} device codes/s over ${flood.seconds} s (p50 ${ms(flood.latencyMs.p50)} ms, p99 ${ms(flood.latencyMs.p99)} ms, ${flood.failed} failed); per ${flood.seconds / flood.perSecondBySlice.length} s slice: ${flood.perSecondBySlice.join(', ')}/s; the last slice at **${flood.lastOverFirst}** of the first.`,
          ]
        : []),
      '',
      verdicts.join(' '),
      '',
      `Run: \`${KNOBS.filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('')}npm run bench:login\`.`,
    ].join('\n');
    // Other sizes than the defaults, or some phases only, make a partial run: it does not replace login-latest.
    const partial = KNOBS.some((k) => process.env[k]);
    const saved = saveRun({ bench: 'login', date: result.date, partial, report: result, md, node: process.version, load: result.machine.loadAfter![0]! });
    process.stdout.write(`\n${md}\nsaved ${saved.join(', ')}\n`);
  } finally {
    await server.stop();
  }
}

await main();
