/**
 * `node --import tsx bench/login/qr-load.ts`: does drawing login QR images
 * hold up a node? One address asks for PNG QR images at a steady rate while
 * /healthz is timed every 100 ms; a /healthz slower than 2 s counts as timed
 * out. Three loads: the same 2048 px image (refused since the 1024 px bound),
 * the same 1024 px image (cached after the first), and 1024-ish images of
 * ever-different codes and sizes (no cache can help).
 *
 * Runs the product in a child process (dist by default; BENCH_FROM=tsx runs
 * the sources, to compare two checkouts). Env: BENCH_QR_RATE (10 per second),
 * BENCH_QR_SECONDS (6 per load), BENCH_QR_LOADS (e.g. `2`: only the third load).
 */
import { BENCH_ADMIN, startBenchServer } from '../support/server-process.js';

const envInt = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const RATE = envInt('BENCH_QR_RATE', 10);
const SECONDS = envInt('BENCH_QR_SECONDS', 6);
const HEALTH_TIMEOUT_MS = 2000;
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

async function timed(url: string, timeoutMs: number): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status };
  } catch {
    return { ms: performance.now() - t0, status: 0 };
  }
}

async function load(base: string, name: string, qrUrl: (i: number) => string) {
  const health: number[] = [];
  let healthTimeouts = 0;
  const qr: Array<{ ms: number; status: number }> = [];
  const end = performance.now() + SECONDS * 1000;
  const probing = (async () => {
    while (performance.now() < end) {
      const r = await timed(`${base}/healthz`, HEALTH_TIMEOUT_MS);
      if (r.status === 200) health.push(r.ms);
      else healthTimeouts++;
      await sleep(100);
    }
  })();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; performance.now() < end; i++) {
    inFlight.push(timed(`${base}${qrUrl(i)}`, 30_000).then((r) => void qr.push(r)));
    await sleep(1000 / RATE);
  }
  await Promise.all([probing, ...inFlight]);
  const statuses = [...new Set(qr.map((r) => r.status))].join('/');
  return {
    name,
    health: `${fmt(pct(health, 50))} / ${fmt(pct(health, 95))} / ${fmt(Math.max(...health))}`,
    timeouts: `${healthTimeouts} of ${health.length + healthTimeouts}`,
    qr: `${fmt(pct(qr.map((r) => r.ms), 50))} / ${fmt(pct(qr.map((r) => r.ms), 95))} (${qr.length} x ${statuses})`,
  };
}

const server = await startBenchServer({ name: 'qr', from: process.env.BENCH_FROM === 'tsx' ? 'tsx' : 'dist' });
try {
  const signIn = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) });
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const { csrf_token } = (await signIn.json()) as { csrf_token: string };
  const created = await fetch(`${server.url}/api/v1/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf_token },
    body: JSON.stringify({ name: 'bench screen' }),
  });
  const clientId = ((await created.json()) as { client: { client_id: string } }).client.client_id;
  const auth = await fetch(`${server.url}/oauth/device_authorization`, { method: 'POST', body: new URLSearchParams({ client_id: clientId }) });
  const { user_code } = (await auth.json()) as { user_code: string };
  // Different codes, all well-formed (the old route answers 404 for the unknown ones after a lookup).
  const codeOf = (i: number) => Array.from({ length: 8 }, (_, k) => ALPHABET[Math.floor(i / 20 ** k) % 20]).join('').replace(/^(.{4})/, '$1-');

  const loads: Array<[string, (i: number) => string]> = [
    ['idle (no QR load)', () => '/healthz'],
    [`same code, png 2048 px, ${RATE}/s`, () => `/oauth/device/qr/${user_code}?format=png&size=2048`],
    [`same code, png 1024 px, ${RATE}/s`, () => `/oauth/device/qr/${user_code}?format=png&size=1024`],
    [`new code+size each, png ~1000 px, ${RATE}/s`, (i) => `/oauth/device/qr/${i % 2 ? user_code : codeOf(i + 7)}?format=png&size=${1024 - (i % 64)}`],
  ];
  // BENCH_QR_LOADS=2,3 runs only those (by position): a slow load's backlog spills into the next.
  const only = process.env.BENCH_QR_LOADS?.split(',').map(Number);
  const rows = [];
  for (const [i, [name, url]] of loads.entries()) if (!only || only.includes(i)) rows.push(await load(server.url, name, url));
  console.log(`\n| load | /healthz p50 / p95 / max ms | /healthz timed out (>${HEALTH_TIMEOUT_MS} ms) | QR answer p50 / p95 ms (n x status) |\n| --- | --- | --- | --- |`);
  for (const r of rows) console.log(`| ${r.name} | ${r.health} | ${r.timeouts} | ${r.qr} |`);
} finally {
  await server.stop();
}
