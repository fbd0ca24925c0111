/**
 * A client process of bench/live/real-channels.ts: holds one socket per subscriber, each following
 * one attendee's channel, and tells the orchestrator when each one hears a change.
 *
 * scanpass: a WebSocket on /v1/live per subscriber, `{"op":"sub","channel":"pass:<id>","token"}`
 * with the grant the pass page got; subscribed when the snapshot frame arrives. Socket.IO:
 * `socket.io-client` (WebSocket transport, forceNew) per subscriber, `emit('sub', room, ack)`.
 * After that, every frame on a subscriber's channel is a change: its receive time (clockMs, the
 * shared CLOCK_MONOTONIC) goes back to the orchestrator in batches, with the subscriber's index.
 */
import WebSocket from 'ws';
import { io as ioClient, type Socket } from 'socket.io-client';
import { clockMs } from './common.js';

export interface RealConnect {
  cmd: 'connect';
  kind: 'scanpass' | 'socketio';
  url: string;
  /** Index of subs[0] among all subscribers. */
  first: number;
  /** scanpass: [channel, token]; Socket.IO: [room]. */
  subs: string[][];
  localAddresses: string[];
  concurrency: number;
}
export type RealClientCommand = RealConnect | { cmd: 'exit' };
export type RealClientMessage =
  | { type: 'progress'; connected: number }
  | { type: 'connected'; connected: number; failed: number; firstError?: string; ms: number }
  /** Flat pairs: subscriber index, receive time (clockMs). */
  | { type: 'got'; pairs: number[] }
  /** The first change frame seen (its payload, to give the peer the same one), once. */
  | { type: 'sample'; frame: unknown; bytes: number }
  | { type: 'closed'; count: number };

const send = (m: RealClientMessage) => process.send?.(m);
const keep: unknown[] = [];
let pairs: number[] = [];
let sampled = false;
let closed = 0;
setInterval(() => {
  if (pairs.length) {
    send({ type: 'got', pairs });
    pairs = [];
  }
}, 50);

function changed(index: number, frame: unknown, bytes: number): void {
  pairs.push(index, clockMs());
  if (!sampled) {
    sampled = true;
    send({ type: 'sample', frame, bytes });
  }
}

function connectScanpass(setup: RealConnect, i: number): Promise<void> {
  const [channel, token] = setup.subs[i]!;
  const index = setup.first + i;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${setup.url.replace(/^http/, 'ws')}/v1/live`, { localAddress: setup.localAddresses[i % setup.localAddresses.length], perMessageDeflate: false });
    let subscribed = false;
    ws.on('open', () => ws.send(JSON.stringify({ op: 'sub', channel, token })));
    ws.on('message', (data) => {
      const text = String(data);
      if (subscribed) {
        const f = JSON.parse(text) as { channel?: string; op?: string };
        if (f.channel === channel && f.op === undefined) changed(index, f, Buffer.byteLength(text));
        return;
      }
      subscribed = true;
      if (text.includes('"op":"error"')) reject(new Error(`sub refused: ${text.slice(0, 300)}`));
      else resolve();
    });
    ws.on('error', (err) => {
      if (!subscribed) reject(err);
    });
    ws.on('close', () => {
      if (subscribed) send({ type: 'closed', count: ++closed });
      else reject(new Error('closed before subscribed'));
    });
    keep.push(ws);
  });
}

function connectSocketIo(setup: RealConnect, i: number): Promise<void> {
  const [room] = setup.subs[i]!;
  const index = setup.first + i;
  return new Promise((resolve, reject) => {
    const socket: Socket = ioClient(setup.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
      localAddress: setup.localAddresses[i % setup.localAddresses.length],
    } as Parameters<typeof ioClient>[1]);
    let subscribed = false;
    socket.on('connect', () => {
      socket.emit('sub', room, (res: { ok?: boolean }) => {
        subscribed = true;
        if (res?.ok) resolve();
        else reject(new Error('sub refused'));
      });
    });
    socket.on('ev', (f: unknown) => changed(index, f, Buffer.byteLength(JSON.stringify(f))));
    socket.on('connect_error', (err) => {
      if (!subscribed) reject(err);
    });
    socket.on('disconnect', () => {
      if (subscribed) send({ type: 'closed', count: ++closed });
      else reject(new Error('disconnected before subscribed'));
    });
    keep.push(socket);
  });
}

async function connectAll(setup: RealConnect): Promise<void> {
  const started = Date.now();
  let next = 0;
  let connected = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    for (let i = next++; i < setup.subs.length; i = next++) {
      try {
        await (setup.kind === 'scanpass' ? connectScanpass(setup, i) : connectSocketIo(setup, i));
        if (++connected % 250 === 0) send({ type: 'progress', connected });
      } catch (err) {
        failed++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, setup.concurrency) }, worker));
  send({ type: 'connected', connected, failed, ...(firstError ? { firstError } : {}), ms: Date.now() - started });
}

process.on('message', (raw) => {
  const msg = raw as RealClientCommand;
  if (msg.cmd === 'connect') void connectAll(msg);
  else if (msg.cmd === 'exit') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
