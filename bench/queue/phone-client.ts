/**
 * A process of simulated phones for the queue's `load` phase (bench/queue/load.ts):
 * one WebSocket per phone, each following its ticket (`ticket:<id>`) and its
 * service's line (`line:<service>`) with the grants the join answered, and
 * keeping `ahead` exactly as the ticket page does: the ticket snapshot gives
 * `order`, `ahead` and `line_version`; each `line:` frame is applied with
 * `applyLine` (web/lib/queue-api.ts, the page's own code); a gap re-reads
 * `GET /tickets/{id}`. Driven over IPC by load.ts; one process holds a few
 * thousand sockets, well under the 20,000 open-file limit.
 *
 * While recording, each phone notes when (CLOCK_MONOTONIC, shared by every
 * process on the machine) its line version passed each version: taken on
 * receipt of the frame, before parsing. Phones of one process share the
 * parse of an identical frame text (the server sends the same bytes to every
 * subscriber): each still applies the changes to its own state, but the
 * simulation does not pay 5,000 parses a call on the two cores the server
 * uses too.
 */
import http from 'node:http';
import WebSocket from 'ws';
import { applyLine } from '../../web/lib/queue-api.js';
import type { LineFrame } from '../../src/flows/queue/queue-schemas.js';
import { clockMs, spread, startLoopDelay } from '../live/common.js';
import type { CallRecord, PhoneCommand, PhoneMessage, PhoneSetup, PhonesCallStats, PhonesCheck } from './load-common.js';

const send = (m: PhoneMessage) => process.send?.(m);

interface Phone {
  /** The node this phone talks to. */
  url: string;
  id: string;
  token: string;
  service: string;
  order: number;
  ahead: number;
  version: number;
  status: string;
  ticketVersion: number;
  resyncing: boolean;
  gotTicket: boolean;
  gotLine: boolean;
  ws?: WebSocket;
}

let phones: Phone[] = [];
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

// ------------------------------------------------------------------ recording

let recording = false;
let loop: ReturnType<typeof startLoopDelay> | undefined;
let resyncsRecorded = 0;
let errorFrames = 0;
let closed = 0;
/** Per service: the line version at `mark` (max over this process's phones). */
const base = new Map<string, number>();
/** Per service, per version after `mark`: when each local phone passed it (0 = not yet). */
const passed = new Map<string, Map<number, Float64Array>>();
/** `${service} ${order}` of a change that took a ticket out of the line -> its version. */
const leftAt = new Map<string, number>();

function note(p: Phone, idx: number, from: number, to: number, t: number): void {
  if (!recording || to <= from) return;
  const b = base.get(p.service) ?? 0;
  let byVersion = passed.get(p.service);
  if (!byVersion) passed.set(p.service, (byVersion = new Map()));
  for (let v = Math.max(from, b) + 1; v <= to; v++) {
    let arr = byVersion.get(v);
    if (!arr) byVersion.set(v, (arr = new Float64Array(phones.length)));
    if (arr[idx] === 0) arr[idx] = t;
  }
}

// ------------------------------------------------------------------ HTTP

function getJson(url: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: u.hostname, port: u.port, method: 'GET', path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> });
        } catch (err) {
          reject(err);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const readTicket = (p: Phone) => getJson(p.url, `/api/v1/tickets/${p.id}?token=${encodeURIComponent(p.token)}`);

// ------------------------------------------------------------------ frames

interface TicketData {
  status: string;
  order: number;
  ahead: number;
  line_version: number;
}

function take(p: Phone, idx: number, s: TicketData, t: number): void {
  const from = p.version;
  p.order = s.order;
  p.ahead = s.ahead;
  p.status = s.status;
  // A snapshot's (ahead, line_version) pair is consistent; an older one than what the line already gave is taken as is (later frames re-apply).
  p.version = s.line_version;
  note(p, idx, from, p.version, t);
}

async function resync(p: Phone, idx: number): Promise<void> {
  if (p.resyncing) return;
  p.resyncing = true;
  if (recording) resyncsRecorded++;
  try {
    const r = await readTicket(p);
    if (r.status === 200) take(p, idx, r.body as unknown as TicketData, clockMs());
  } finally {
    p.resyncing = false;
  }
}

/** The last line frame text per service and its parse: every phone of the service gets the same bytes. */
const parsed = new Map<string, { text: string; frame: { channel: string; version: number; data: LineFrame } }>();

function onLine(p: Phone, idx: number, text: string, t: number): void {
  const hit = parsed.get(p.service);
  let f: { channel: string; version: number; data: LineFrame };
  if (hit && hit.text === text) f = hit.frame;
  else {
    f = JSON.parse(text) as typeof f;
    parsed.set(p.service, { text, frame: f });
    if (recording) for (const [v, order, delta] of f.data.changes) if (delta < 0) leftAt.set(`${p.service} ${order}`, v);
  }
  p.gotLine = true;
  if (p.status !== 'waiting' || p.resyncing) return;
  const r = applyLine(p, f.data);
  if (r.gap) {
    void resync(p, idx);
    return;
  }
  const from = p.version;
  p.ahead = r.ahead;
  p.version = r.version;
  note(p, idx, from, r.version, t);
}

function onMessage(p: Phone, idx: number, raw: WebSocket.RawData): void {
  const t = clockMs();
  const text = String(raw);
  if (text.startsWith('{"op":"error"') || text.includes('"op":"error"')) {
    errorFrames++;
    return;
  }
  // Frames are {"channel":"line:..."|"ticket:...", ...}: the channel kind decides without parsing ticket frames twice.
  if (text.includes('"channel":"line:')) return onLine(p, idx, text, t);
  const f = JSON.parse(text) as { channel?: string; version?: number; data?: TicketData };
  if (!f.channel?.startsWith('ticket:') || !f.data) return;
  p.gotTicket = true;
  if ((f.version ?? 0) <= p.ticketVersion) return;
  p.ticketVersion = f.version ?? 0;
  take(p, idx, f.data, t);
}

// ------------------------------------------------------------------ connecting

function connect(p: Phone, idx: number, live: { channel: string; token: string }, line: { channel: string; token: string }, localAddress: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${p.url.replace(/^http/, 'ws')}/v1/live`, { localAddress, perMessageDeflate: false });
    p.ws = ws;
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
    ws.on('open', () => {
      ws.send(JSON.stringify({ op: 'sub', channel: live.channel, token: live.token }));
      ws.send(JSON.stringify({ op: 'sub', channel: line.channel, token: line.token }));
    });
    ws.on('message', (raw) => {
      const before = errorFrames;
      onMessage(p, idx, raw);
      if (errorFrames > before) done(new Error(`sub refused: ${String(raw).slice(0, 200)}`));
      else if (p.gotTicket && p.gotLine) done();
    });
    ws.on('error', (err) => done(err));
    ws.on('close', () => {
      closed++;
      done(new Error('closed before subscribed'));
    });
  });
}

async function connectAll(setup: PhoneSetup): Promise<void> {
  const started = clockMs();
  phones = setup.phones.map((s, i) => ({ url: setup.urls[i % setup.urls.length]!, id: s.id, token: s.token, service: s.service, order: s.order, ahead: s.ahead, version: s.version, status: 'waiting', ticketVersion: 0, resyncing: false, gotTicket: false, gotLine: false }));
  let next = 0;
  let connected = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    for (let i = next++; i < phones.length; i = next++) {
      const s = setup.phones[i]!;
      try {
        await connect(phones[i]!, i, s.live, s.line, setup.localAddresses[i % setup.localAddresses.length]!);
        connected++;
        if (connected % 500 === 0) send({ type: 'progress', connected });
      } catch (err) {
        failed++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, setup.concurrency) }, worker));
  send({ type: 'connected', connected, failed, ...(firstError ? { firstError } : {}), ms: clockMs() - started });
}

// ------------------------------------------------------------------ results

function mark(): void {
  base.clear();
  passed.clear();
  leftAt.clear();
  for (const p of phones) base.set(p.service, Math.max(base.get(p.service) ?? 0, p.version));
  resyncsRecorded = 0;
  recording = true;
  loop = startLoopDelay();
}

/** For each call: every local phone of its service still waiting then, and when it passed the call's version. */
function collect(calls: CallRecord[]): PhonesCallStats {
  recording = false;
  const loopDelay = loop?.stop();
  const versionOf = (c: CallRecord) => leftAt.get(`${c.service} ${c.order}`);
  const calledAt = new Map<string, number>();
  for (const c of calls) {
    const v = versionOf(c);
    if (v !== undefined) calledAt.set(c.ticketId, v);
  }
  const perCall: PhonesCallStats['perCall'] = [];
  const all: number[] = [];
  for (const c of calls) {
    const v = versionOf(c);
    if (v === undefined) {
      perCall.push({ version: null, phones: 0, missed: 0, firstMs: null, lastMs: null });
      continue;
    }
    const arr = passed.get(c.service)?.get(v);
    let n = 0;
    let missed = 0;
    let last = -Infinity;
    let first = Infinity;
    phones.forEach((p, idx) => {
      if (p.service !== c.service) return;
      if ((calledAt.get(p.id) ?? Infinity) <= v) return; // called by this call or an earlier one: no longer waiting
      n++;
      const t = arr ? arr[idx]! : 0;
      if (t === 0) {
        missed++;
        return;
      }
      const ms = t - c.t0;
      all.push(Math.round(ms * 100) / 100);
      if (ms > last) last = ms;
      if (ms < first) first = ms;
    });
    perCall.push({ version: v, phones: n, missed, firstMs: n > missed ? first : null, lastMs: n > missed ? last : null });
  }
  return { perCall, all, resyncs: resyncsRecorded, errorFrames, closed, ...(loopDelay ? { loopDelay } : {}) };
}

/** Compares `ahead` (and status) of up to `sample` phones with a fresh read, spread over the process's phones. */
async function check(sample: number): Promise<PhonesCheck> {
  const step = Math.max(1, Math.floor(phones.length / Math.max(1, sample)));
  const picked = phones.filter((_, i) => i % step === 0).slice(0, sample);
  let checked = 0;
  let waiting = 0;
  let mismatched = 0;
  const examples: string[] = [];
  for (const p of picked) {
    const r = await readTicket(p);
    if (r.status !== 200) {
      mismatched++;
      if (examples.length < 5) examples.push(`${p.id}: GET ${r.status}`);
      continue;
    }
    checked++;
    const s = r.body as unknown as TicketData;
    if (s.status === 'waiting') waiting++;
    const ok = s.status === p.status && (s.status !== 'waiting' || s.ahead === p.ahead);
    if (!ok) {
      mismatched++;
      if (examples.length < 5) examples.push(`${p.id}: phone ${p.status}/${p.ahead}@v${p.version}, server ${s.status}/${s.ahead}@v${s.line_version}`);
    }
  }
  const aheads = phones.filter((p) => p.status === 'waiting').map((p) => p.ahead);
  return { checked, waiting, mismatched, examples, phonesWaiting: aheads.length, aheadSpread: spread(aheads) };
}

process.on('message', (raw) => {
  const msg = raw as PhoneCommand;
  switch (msg.cmd) {
    case 'connect':
      void connectAll(msg).catch((err: unknown) => send({ type: 'connected', connected: 0, failed: msg.phones.length, firstError: String(err), ms: 0 }));
      return;
    case 'mark':
      mark();
      send({ type: 'marked' });
      return;
    case 'collect':
      send({ type: 'stats', stats: collect(msg.calls) });
      return;
    case 'check':
      void check(msg.sample).then(
        (c) => send({ type: 'checked', check: c }),
        (err: unknown) => send({ type: 'checked', check: { checked: 0, waiting: 0, mismatched: -1, examples: [String(err)], phonesWaiting: 0, aheadSpread: spread([]) } }),
      );
      return;
    case 'exit':
      for (const p of phones) p.ws?.terminate();
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
