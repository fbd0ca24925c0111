/**
 * The `code-flow` phase of `npm run bench:login`: OpenID Connect's
 * authorization code flow with many sign-ins at once. Each sign-in has a
 * browser (the QR page's HTTP calls and its own WebSocket on the live
 * channel), a phone (one of a few signed-in members: scan, read the number
 * off the page, approve) and the application: a small HTTP server in this
 * process whose callback exchanges the code at /oauth/token (public client,
 * PKCE S256). Measured per sign-in, from the phone's approve (its answer, and
 * its request) until the application holds the tokens: the browser heard
 * `approved`, posted `finish`, followed `redirect_to` to the callback, and
 * the callback's token request was answered.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { api, json, log, now, pool, type Session, signIn } from './common.js';

export interface CodeFlowConfig {
  /** Sign-ins started together. */
  signIns: number;
  /** Signed-in phone accounts the sign-ins are spread over. */
  phones: number;
}

export interface CodeFlowResult {
  /** Phone's approve answer -> application has tokens, ms, sorted. */
  fromApproveAnswer: number[];
  /** Phone's approve request sent -> application has tokens, ms, sorted. */
  fromApproveRequest: number[];
  failures: number;
  /** Failure reason -> count. */
  failureReasons: Record<string, number>;
  /** Completed sign-ins over the time from the first approve request to the last tokens. */
  signInsPerSecond: number;
  /** Where the time from the approve answer went, per completed sign-in, ms, each sorted. */
  steps: Record<Step, number[]>;
  /** This process's event-loop delay during the sign-ins, ms: browsers, phones and app share it, so a stall here delays all three. */
  benchLoopDelayMs: { p99: number; max: number };
}

export const STEPS = {
  approveAnswerToHeard: 'approve answer → browser hears `approved` (negative: heard first)',
  heardToFinished: 'browser hears `approved` → `finish` answered',
  finishedToCallback: '`finish` answered → app callback reached',
  callbackToTokens: 'app callback reached → token response (the exchange)',
} as const;
export type Step = keyof typeof STEPS;

/** How long any one step may take before the sign-in counts as failed. */
const STEP_TIMEOUT_MS = 30_000;
const PHONE_PASSWORD = 'bench phone password 123';

const base64url = (b: Buffer) => b.toString('base64url');

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), STEP_TIMEOUT_MS)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A promise with its resolve and reject in hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {}); // rejections are read where the sign-in awaits it
  return { promise, resolve, reject };
}

/** What the application keeps between sending the browser away and its return (by `state`). */
interface PendingSignIn {
  verifier: string;
  /** When the browser reached the callback. */
  called?: number;
  /** When the token response arrived. */
  landed: ReturnType<typeof deferred<number>>;
}

/**
 * The application: a callback that exchanges the code, as a web app's back
 * end does, and answers the browser once it has the tokens.
 */
async function startApp(server: string, pending: Map<string, PendingSignIn>) {
  // The issuer named in discovery (the server's public URL, not necessarily the address the bench reaches it at).
  const issuer = (await json(await fetch(`${server}/.well-known/openid-configuration`))).issuer;
  let clientId = '';
  let redirectUri = '';
  const app = http.createServer((req, res) => {
    const called = now();
    const url = new URL(req.url ?? '/', redirectUri);
    const p = pending.get(url.searchParams.get('state') ?? '');
    if (p) p.called = called;
    const refuse = (why: string) => {
      p?.landed.reject(new Error(why));
      res.writeHead(400).end(why);
    };
    if (url.pathname !== '/callback' || !p) return refuse('callback: unknown state');
    if (url.searchParams.get('iss') !== issuer) return refuse(`callback: iss ${url.searchParams.get('iss')}`);
    const code = url.searchParams.get('code');
    if (!code) return refuse(`callback: ${url.searchParams.get('error') ?? 'no code'}`);
    void (async () => {
      const tokens = await json(
        await fetch(`${server}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: p.verifier, client_id: clientId }),
        }),
      );
      const t = now();
      if (typeof tokens.access_token !== 'string' || typeof tokens.id_token !== 'string') return refuse(`token: ${String(tokens.error ?? 'no tokens')}`);
      p.landed.resolve(t);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in');
    })().catch((err: Error) => refuse(`token: ${err.message}`));
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  redirectUri = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
  return {
    redirectUri,
    setClient: (id: string) => (clientId = id),
    close: () => new Promise<void>((r) => app.close(() => r())),
  };
}

/** One browser on the QR page: its visit, the page's calls and its live channel. */
interface Browser {
  state: string;
  userCode: string;
  matchNumber: ReturnType<typeof deferred<number>>;
  /** Once the browser has posted `finish` and followed `redirect_to` to the app: when it heard `approved`, when `finish` answered. */
  followed: Promise<{ heard: number; finished: number }>;
  ws: WebSocket;
}

async function openBrowser(server: string, clientId: string, redirectUri: string, pending: Map<string, PendingSignIn>): Promise<Browser> {
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const q = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile',
    state,
    nonce: base64url(randomBytes(16)),
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  });
  const visit = await fetch(`${server}/oauth/authorize?${q}`, { redirect: 'manual' });
  const id = new URL(visit.headers.get('location') ?? '', server).searchParams.get('id');
  if (visit.status !== 303 || !id) throw new Error(`authorize: ${visit.status} ${visit.headers.get('location')}`);
  const page: Session = { cookie: visit.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), csrf: '' };
  const path = `/oauth/authorize/${encodeURIComponent(id)}`;
  const view = await api(server, page, 'GET', path); // what the page asks first
  if (view.status !== 200) throw new Error(`view: ${String(view.body.error)}`);
  const qr = await api(server, page, 'POST', `${path}/qr`, {});
  if (qr.status !== 200) throw new Error(`qr: ${String(qr.body.error)}`);
  const { handle, user_code: userCode, live } = qr.body as { handle: string; user_code: string; live: { channel: string; token: string } };

  const landed = deferred<number>();
  pending.set(state, { verifier, landed });
  const matchNumber = deferred<number>();
  const approved = deferred<number>();
  const subscribed = deferred<void>();
  const ws = new WebSocket(server.replace(/^http/, 'ws') + '/v1/live', { perMessageDeflate: false });
  ws.once('error', (err) => subscribed.reject(err));
  ws.once('open', () => ws.send(JSON.stringify({ op: 'sub', channel: live.channel, token: live.token })));
  ws.on('message', (raw) => {
    const t = now();
    const frame = JSON.parse(raw.toString()) as { type?: string; op?: string; data?: { match_number?: number } };
    if (frame.op === 'error') subscribed.reject(new Error(`live: ${JSON.stringify(frame)}`));
    if (frame.type === 'pending') subscribed.resolve();
    if (frame.type === 'scanned' && frame.data?.match_number) matchNumber.resolve(frame.data.match_number);
    if (frame.type === 'approved') approved.resolve(t);
  });
  await within(subscribed.promise, 'live snapshot');

  // What the page does on `approved`: ask where to go, leave (its socket closes), and go there.
  const followed = approved.promise.then(async (heard) => {
    const fin = await api(server, page, 'POST', `${path}/finish`, { handle });
    const finished = now();
    ws.close();
    if (fin.status !== 200) throw new Error(`finish: ${String(fin.body.error)}`);
    const back = await fetch(String(fin.body.redirect_to), { redirect: 'manual' });
    const said = await back.text();
    if (back.status !== 200) throw new Error(`app said ${back.status}: ${said}`);
    return { heard, finished };
  });
  followed.catch(() => {});
  return { state, userCode, matchNumber, followed, ws };
}

/** The members whose phones approve: created and signed in by the admin's session. */
async function signedInPhones(server: string, admin: Session, n: number): Promise<Session[]> {
  const phones: Session[] = new Array(n);
  const run = base64url(randomBytes(4)).toLowerCase();
  await pool([...Array(n).keys()], 4, async (i) => {
    const email = `phone-${run}-${i}@bench.scanpass.local`;
    const created = await api(server, admin, 'POST', '/api/v1/users', { email, password: PHONE_PASSWORD, name: `Bench Phone ${i}`, role: 'member' });
    if (created.status !== 201) throw new Error(`creating ${email}: ${JSON.stringify(created.body)}`);
    phones[i] = await signIn(server, { email, password: PHONE_PASSWORD });
  });
  return phones;
}

export async function codeFlowMode(server: string, admin: Session, cfg: CodeFlowConfig): Promise<CodeFlowResult> {
  const pending = new Map<string, PendingSignIn>();
  const app = await startApp(server, pending);
  const failureReasons: Record<string, number> = {};
  const fail = (err: unknown) => {
    const why = (err as Error).message ?? String(err);
    failureReasons[why] = (failureReasons[why] ?? 0) + 1;
  };
  const browsers: Browser[] = [];
  try {
    const created = await api(server, admin, 'POST', '/api/v1/clients', { name: 'Bench web app', scopes: ['openid', 'profile'], redirect_uris: [app.redirectUri] });
    if (created.status !== 201) throw new Error(`creating the client: ${JSON.stringify(created.body)}`);
    const clientId = (created.body.client as { client_id: string }).client_id;
    app.setClient(clientId);
    log(`code-flow: signing in ${cfg.phones} phone accounts`);
    const phones = await signedInPhones(server, admin, cfg.phones);

    log(`code-flow: opening ${cfg.signIns} sign-in pages (authorize, QR, one WebSocket each)`);
    await pool([...Array(cfg.signIns).keys()], 32, async () => {
      try {
        browsers.push(await openBrowser(server, clientId, app.redirectUri, pending));
      } catch (err) {
        fail(err);
      }
    });

    log(`code-flow: ${browsers.length} pages waiting; every phone scans and approves at once`);
    const fromApproveAnswer: number[] = [];
    const fromApproveRequest: number[] = [];
    const steps: Record<Step, number[]> = { approveAnswerToHeard: [], heardToFinished: [], finishedToCallback: [], callbackToTokens: [] };
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    let first = Infinity;
    let last = -Infinity;
    await Promise.all(
      browsers.map(async (b, i) => {
        const phone = phones[i % phones.length]!;
        const code = `/api/v1/login-requests/${encodeURIComponent(b.userCode)}`;
        try {
          const opened = await api(server, phone, 'GET', code);
          if (opened.status !== 200) throw new Error(`scan: ${String(opened.body.error)}`);
          const match = await within(b.matchNumber.promise, 'scanned frame'); // the person reads the number off the page
          const sent = now();
          first = Math.min(first, sent);
          const res = await api(server, phone, 'POST', `${code}/approve`, { match });
          const answered = now();
          if (res.body.status !== 'approved') throw new Error(`approve: ${String(res.body.error ?? res.body.status)}`);
          const { heard, finished } = await within(b.followed, 'browser back at the app');
          const p = pending.get(b.state)!;
          const t1 = await within(p.landed.promise, 'tokens');
          last = Math.max(last, t1);
          fromApproveAnswer.push(t1 - answered);
          fromApproveRequest.push(t1 - sent);
          steps.approveAnswerToHeard.push(heard - answered);
          steps.heardToFinished.push(finished - heard);
          steps.finishedToCallback.push(p.called! - finished);
          steps.callbackToTokens.push(t1 - p.called!);
        } catch (err) {
          fail(err);
        }
      }),
    );
    loop.disable();
    const failures = Object.values(failureReasons).reduce((a, b) => a + b, 0);
    if (failures) log(`code-flow: ${failures} sign-ins failed: ${JSON.stringify(failureReasons)}`);
    return {
      fromApproveAnswer: fromApproveAnswer.sort((a, b) => a - b),
      fromApproveRequest: fromApproveRequest.sort((a, b) => a - b),
      failures,
      failureReasons,
      signInsPerSecond: fromApproveAnswer.length / ((last - first) / 1000),
      benchLoopDelayMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, v.sort((a, b) => a - b)])) as Record<Step, number[]>,
    };
  } finally {
    for (const b of browsers) b.ws.terminate();
    await app.close();
  }
}
