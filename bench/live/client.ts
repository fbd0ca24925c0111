/**
 * A bench client process: opens `count` connections to one server, each
 * following its own channel / room, with bounded concurrency and spread over
 * several source addresses; then records publish-to-receive latency for every
 * event (receive wall time minus the `t` the publisher stamped). Driven over IPC
 * by run.ts (see common.ts). One process holds at most a few thousand sockets,
 * well under the 20,000 open-file limit.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { io as ioClient, type Socket } from 'socket.io-client';
import { ChannelTokens } from '../../src/live/channel-token.js';
import { BENCH_SECRET, channelName, spread, startLoopDelay, clockMs, type BurstReport, type BurstSetup, type ClientCommand, type ClientMessage, type ClientReport, type ClientSetup } from './common.js';

const send = (m: ClientMessage) => process.send?.(m);

interface Frame {
  op?: string;
  channel?: string;
  version?: number;
  data?: { t?: number; w?: 1 };
}

let report: ClientReport = emptyReport();
let loop: ReturnType<typeof startLoopDelay> | undefined;
function emptyReport(): ClientReport {
  return { samples: [], warm: 0, measured: 0, gaps: 0, stale: 0, errors: 0, closed: 0 };
}

/** Highest version seen per local connection (index - first). */
let lastVersion = new Uint32Array(0);
let ready = new Uint8Array(0);
const keep: unknown[] = [];

function onEvent(idx: number, now: number, f: Frame): void {
  if (f.op === 'error') {
    report.errors++;
    return;
  }
  const v = f.version ?? 0;
  const last = lastVersion[idx]!;
  if (v <= last) report.stale++;
  else {
    if (last > 0 && v > last + 1) report.gaps += v - last - 1;
    lastVersion[idx] = v;
  }
  const t = f.data?.t;
  if (t === undefined) return; // the snapshot
  if (f.data?.w) report.warm++;
  else {
    report.measured++;
    report.samples.push(now - t);
  }
}

function connectScanpass(setup: ClientSetup, idx: number, tokens: ChannelTokens): Promise<void> {
  const channel = channelName(setup.first + idx);
  const { token } = tokens.mint(channel, 3600);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${setup.url.replace(/^http/, 'ws')}/v1/live`, {
      localAddress: setup.localAddresses[idx % setup.localAddresses.length],
      perMessageDeflate: false,
    });
    let acked = false;
    ws.on('open', () => ws.send(JSON.stringify({ op: 'sub', channel, token })));
    ws.on('message', (data) => {
      const now = clockMs();
      const f = JSON.parse(String(data)) as Frame;
      onEvent(idx, now, f);
      if (!acked) {
        acked = true;
        if (f.op === 'error') reject(new Error(`sub refused: ${String(data)}`));
        else resolve();
      }
    });
    ws.on('error', (err) => {
      if (!acked) {
        acked = true;
        reject(err);
      }
    });
    ws.on('close', () => {
      report.closed++;
      if (!acked) {
        acked = true;
        reject(new Error('closed before subscribed'));
      }
    });
    keep.push(ws);
  });
}

function connectSocketIo(setup: ClientSetup, idx: number): Promise<void> {
  const room = channelName(setup.first + idx);
  return new Promise((resolve, reject) => {
    const socket: Socket = ioClient(setup.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
      // engine.io-client hands localAddress on to ws; the server refuses compression anyway
      localAddress: setup.localAddresses[idx % setup.localAddresses.length],
    } as Parameters<typeof ioClient>[1]);
    let acked = false;
    socket.on('connect', () => {
      socket.emit('sub', room, (res: { ok?: boolean }) => {
        if (acked) return;
        acked = true;
        if (res?.ok) resolve();
        else reject(new Error('sub refused'));
      });
    });
    socket.on('ev', (f: Frame) => onEvent(idx, clockMs(), f));
    socket.on('connect_error', (err) => {
      if (!acked) {
        acked = true;
        reject(err);
      }
    });
    socket.on('disconnect', () => {
      report.closed++;
      if (!acked) {
        acked = true;
        reject(new Error('disconnected before subscribed'));
      }
    });
    keep.push(socket);
  });
}

async function connectAll(setup: ClientSetup): Promise<void> {
  const started = Date.now();
  lastVersion = new Uint32Array(setup.count);
  ready = new Uint8Array(setup.count);
  const tokens = new ChannelTokens(Buffer.from(BENCH_SECRET), () => Date.now(), 3600);
  let next = 0;
  let connected = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    for (let idx = next++; idx < setup.count; idx = next++) {
      try {
        await (setup.kind === 'scanpass' ? connectScanpass(setup, idx, tokens) : connectSocketIo(setup, idx));
        ready[idx] = 1;
        connected++;
        if (connected % 250 === 0) send({ type: 'progress', connected });
      } catch (err) {
        failed++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, setup.concurrency) }, worker));
  send({ type: 'connected', connected, failed, ...(firstError ? { firstError } : {}), ms: Date.now() - started });
}

/**
 * sp-burst / sp-slow: opens sockets at a steady rate, each sending all its sub
 * frames as soon as it is open, and reports handshake failures and how long
 * each socket took to get every snapshot.
 */
async function burst(setup: BurstSetup): Promise<BurstReport> {
  const tokens = new ChannelTokens(Buffer.from(BENCH_SECRET), () => Date.now(), 3600);
  const handshakes: number[] = [];
  const complete: number[] = [];
  let failed = 0;
  let subErrors = 0;
  let firstError: string | undefined;
  const one = (k: number) =>
    new Promise<void>((resolve) => {
      const subs: string[] = [];
      for (let j = 0; j < setup.channelsPerSocket; j++) {
        const channel = `${setup.kind}:${setup.prefix}${(k * 7 + j) % setup.channelSpace}`;
        subs.push(JSON.stringify({ op: 'sub', channel, token: tokens.mint(channel, 3600).token }));
      }
      const t0 = clockMs();
      const ws = new WebSocket(`${setup.url.replace(/^http/, 'ws')}/v1/live`, {
        localAddress: setup.localAddresses[k % setup.localAddresses.length],
        perMessageDeflate: false,
        handshakeTimeout: setup.handshakeTimeoutMs,
      });
      keep.push(ws);
      let got = 0;
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        resolve();
      };
      let opened = false;
      ws.on('open', () => {
        opened = true;
        handshakes.push(clockMs() - t0);
        for (const f of subs) ws.send(f);
      });
      ws.on('message', (data) => {
        const f = JSON.parse(String(data)) as Frame;
        if (f.op === 'error') subErrors++;
        else if (++got === setup.channelsPerSocket) {
          complete.push(clockMs() - t0);
          if (setup.pause) ws.pause(); // a slow consumer from now on: reads nothing more
          settle();
        }
      });
      ws.on('error', (err) => {
        if (!opened) {
          failed++;
          firstError ??= String(err);
        }
        settle();
      });
      ws.on('close', settle);
    });
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < setup.count; i++) {
    const due = start + (i * 1000) / setup.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(one(setup.first + i));
  }
  await Promise.all(pending);
  return { opened: handshakes.length, failed, ...(firstError ? { firstError } : {}), complete: complete.length, subErrors, handshakeMs: spread(handshakes), allSnapshotsMs: spread(complete) };
}

process.on('message', (raw) => {
  const msg = raw as ClientCommand;
  switch (msg.cmd) {
    case 'connect':
      void connectAll(msg);
      return;
    case 'burst':
      void burst(msg).then((report) => send({ type: 'burst', report }));
      return;
    case 'reset':
      report = emptyReport();
      loop = startLoopDelay();
      return;
    case 'collect':
      if (loop) report.loopDelay = loop.stop();
      loop = undefined;
      send({ type: 'report', report });
      return;
    case 'exit':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
