/**
 * Shared pieces of the live bench: the IPC messages between the orchestrator
 * (run.ts), the server processes (server.ts, socketio-server.ts) and the client
 * processes (client.ts), a cross-process clock, memory readings and the
 * publisher loop both servers use.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/** Shared secret for channel tokens: the client mints, the scanpass node verifies. */
export const BENCH_SECRET = 'scanpass-bench-secret-0123456789abcdef';
export const BENCH_KIND = 'bench';
/** Like `bench`, but each snapshot is read from the node's store (sp-burst, sp-slow). */
export const BENCH_STORE_KIND = 'benchdb';
export const channelName = (i: number) => `${BENCH_KIND}:${i}`;

/**
 * Milliseconds on CLOCK_MONOTONIC (process.hrtime), with nanosecond resolution: one clock for every
 * process on the machine. `performance.timeOrigin + performance.now()` was tried first, but each
 * process pairs its monotonic origin with a wall-clock reading taken once at start-up, and in one
 * run on a loaded machine the median latency came out at -3.9 ms (the processes disagreed by
 * several ms), so the bench stamps and compares raw monotonic time instead.
 */
export const clockMs = () => Number(process.hrtime.bigint()) / 1e6;

export interface MemReading {
  rssKB: number;
  heapUsedKB: number;
  heapTotalKB: number;
  externalKB: number;
  arrayBuffersKB: number;
  /** Sum of V8 heap spaces' physical size: how much of RSS the JS heap holds. */
  heapPhysicalKB: number;
}

/** VmRSS from /proc after a full GC (the process must run with --expose-gc). */
async function readMemory(): Promise<MemReading> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 150));
  }
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  const mu = process.memoryUsage();
  const hs = v8.getHeapStatistics();
  return {
    rssKB: m ? Number(m[1]) : Math.round(mu.rss / 1024),
    heapUsedKB: Math.round(mu.heapUsed / 1024),
    heapTotalKB: Math.round(mu.heapTotal / 1024),
    externalKB: Math.round(mu.external / 1024),
    arrayBuffersKB: Math.round(mu.arrayBuffers / 1024),
    heapPhysicalKB: Math.round(hs.total_physical_size / 1024),
  };
}

/** Orchestrator -> server. */
export type ServerCommand =
  | { cmd: 'mem'; id: number }
  | { cmd: 'stats'; id: number }
  | { cmd: 'publish'; id: number; channels: number; rate: number; seconds: number; warmupSeconds: number }
  | { cmd: 'heapsnapshot'; id: number; file: string }
  | { cmd: 'beat'; id: number }
  | { cmd: 'probe-start'; id: number; channel: string; everyMs: number }
  | { cmd: 'probe-stop'; id: number }
  | { cmd: 'flood'; id: number; channel: string; frameKB: number; everyMs: number; untilSocketsBelow: number; timeoutMs: number }
  | { cmd: 'stop'; id: number };

/** What the server saw while a probe ran (sp-burst, sp-slow): its event-loop delay and what it published. */
export interface ProbeResult {
  published: number;
  loopDelay: LoopDelay;
}

/** What a flood of large frames to non-reading sockets did (sp-slow). */
export interface FloodResult {
  published: number;
  /** Sockets when the flood started and when it ended. */
  socketsBefore: number;
  socketsAfter: number;
  /** From the first published frame until the open sockets fell below the target, ms. */
  ms: number;
  loopDelay: LoopDelay;
}

/** Server -> orchestrator. */
export type ServerMessage =
  | { type: 'ready'; url: string; pid: number }
  | { type: 'reply'; id: number; result: unknown };

export interface PublishResult {
  warm: number;
  measured: number;
  /** Achieved rate over the measured part, events/s. */
  achievedRate: number;
  /** How far behind schedule the publisher fell at worst, ms. */
  maxLagMs: number;
  /** The publishing process's event-loop delay while it ran, ms. */
  loopDelay: LoopDelay;
}

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** Median, 99th percentile and maximum of some samples, ms. */
export type Spread = LoopDelay;

export function spread(samples: number[]): Spread {
  const sorted = Float64Array.from(samples).sort();
  const r = (x: number) => Math.round(x * 100) / 100;
  return { p50: r(percentile(sorted, 50)), p99: r(percentile(sorted, 99)), max: r(sorted.length ? sorted[sorted.length - 1]! : NaN) };
}

export function startLoopDelay(): { stop(): LoopDelay } {
  const h: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return {
    stop() {
      h.disable();
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    },
  };
}

/**
 * Publishes `rate` events/s to random channels `0..channels-1` for
 * `warmupSeconds + seconds`. Events sent during warm-up carry `w: 1` so the
 * clients count them (for the loss check) but leave them out of the latency
 * samples. Each event is stamped with its own send time just before it is
 * handed to the server's publish path.
 */
function runPublisher(
  publish: (channel: string, version: number, data: { t: number; w?: 1 }) => void,
  opts: { channels: number; rate: number; seconds: number; warmupSeconds: number },
): Promise<PublishResult> {
  const versions = new Uint32Array(opts.channels).fill(1); // every snapshot is version 1
  const warmTotal = Math.round(opts.rate * opts.warmupSeconds);
  const total = warmTotal + Math.round(opts.rate * opts.seconds);
  let sent = 0;
  let maxLagMs = 0;
  let measuredStart = 0;
  const start = performance.now();
  const loop = startLoopDelay();
  return new Promise((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor((elapsed * opts.rate) / 1000));
      if (due - sent > 1) maxLagMs = Math.max(maxLagMs, ((due - sent - 1) * 1000) / opts.rate);
      while (sent < due) {
        const i = Math.floor(Math.random() * opts.channels);
        const version = ++versions[i]!;
        const warm = sent < warmTotal;
        if (!warm && measuredStart === 0) measuredStart = performance.now();
        publish(channelName(i), version, warm ? { t: clockMs(), w: 1 } : { t: clockMs() });
        sent++;
      }
      if (sent >= total) {
        const measured = total - warmTotal;
        const secs = (performance.now() - (measuredStart || start)) / 1000;
        resolve({ warm: warmTotal, measured, achievedRate: measured / Math.max(secs, 1e-9), maxLagMs, loopDelay: loop.stop() });
      } else {
        setTimeout(tick, 1);
      }
    };
    setTimeout(tick, 1);
  });
}

/**
 * Publishes to `channel` every `everyMs` (data `{t}` stamped just before) and
 * records this process's event-loop delay until stopped.
 */
function startProbe(publish: (channel: string, version: number, data: { t: number }) => void, channel: string, everyMs: number): () => ProbeResult {
  const loop = startLoopDelay();
  let version = 1; // the bench kind's snapshot is version 1
  const timer = setInterval(() => publish(channel, ++version, { t: clockMs() }), everyMs);
  return () => {
    clearInterval(timer);
    return { published: version - 1, loopDelay: loop.stop() };
  };
}

/**
 * Publishes frames of `frameKB` to `channel` every `everyMs` until fewer than
 * `untilSocketsBelow` sockets are open (the slow ones were dropped) or the
 * time runs out; records the event-loop delay meanwhile.
 */
function flood(
  publish: (channel: string, version: number, data: unknown) => void,
  sockets: () => number,
  opts: { channel: string; frameKB: number; everyMs: number; untilSocketsBelow: number; timeoutMs: number },
): Promise<FloodResult> {
  const loop = startLoopDelay();
  const pad = 'x'.repeat(opts.frameKB * 1024);
  const socketsBefore = sockets();
  const start = performance.now();
  let version = 1;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const done = sockets() < opts.untilSocketsBelow || performance.now() - start > opts.timeoutMs;
      if (!done) return publish(opts.channel, ++version, { pad });
      clearInterval(timer);
      resolve({ published: version - 1, socketsBefore, socketsAfter: sockets(), ms: performance.now() - start, loopDelay: loop.stop() });
    }, opts.everyMs);
  });
}

/** Wires a server process's IPC: answers `mem`, `stats`, `publish`, `heapsnapshot`, `stop`, and the probe and flood commands. */
export function serveCommands(handlers: {
  stats: () => unknown;
  publish: (channel: string, version: number, data: unknown) => void;
  /** Open WebSockets (scanpass only; for `flood`). */
  sockets?: () => number;
  stop: () => Promise<void>;
  /** Runs one heartbeat round now and returns how long it blocked, ms (scanpass only). */
  beat?: () => number;
}): void {
  const reply = (id: number, result: unknown) => process.send?.({ type: 'reply', id, result } satisfies ServerMessage);
  let stopProbe: (() => ProbeResult) | undefined;
  process.on('message', (raw) => {
    const msg = raw as ServerCommand;
    void (async () => {
      try {
        switch (msg.cmd) {
          case 'mem':
            return reply(msg.id, await readMemory());
          case 'stats':
            return reply(msg.id, handlers.stats());
          case 'publish':
            return reply(msg.id, await runPublisher(handlers.publish, msg));
          case 'heapsnapshot':
            (globalThis as { gc?: () => void }).gc?.();
            return reply(msg.id, v8.writeHeapSnapshot(msg.file));
          case 'beat':
            return reply(msg.id, handlers.beat ? handlers.beat() : null);
          case 'probe-start':
            stopProbe?.();
            stopProbe = startProbe(handlers.publish, msg.channel, msg.everyMs);
            return reply(msg.id, true);
          case 'probe-stop': {
            const result = stopProbe?.() ?? null;
            stopProbe = undefined;
            return reply(msg.id, result);
          }
          case 'flood':
            return reply(msg.id, await flood(handlers.publish, handlers.sockets ?? (() => 0), msg));
          case 'stop':
            await handlers.stop();
            reply(msg.id, true);
            setTimeout(() => process.exit(0), 50);
            return;
        }
      } catch (err) {
        reply(msg.id, { error: String(err) });
      }
    })();
  });
  // If the orchestrator dies, do not linger.
  process.on('disconnect', () => process.exit(0));
}

/** Orchestrator -> client process. */
export interface ClientSetup {
  cmd: 'connect';
  kind: 'scanpass' | 'socketio';
  url: string;
  /** Channel / room numbers [first, first+count). */
  first: number;
  count: number;
  localAddresses: string[];
  concurrency: number;
}
/**
 * Orchestrator -> client process, sp-burst: open `count` sockets at `rate` per
 * second; each, once open, sends `channelsPerSocket` sub frames at once for
 * channels `(k * 7 + j) % channelSpace` (so some channels are opened by the
 * burst and others joined). Sp-slow: `pause` makes each socket stop reading
 * once all its snapshots are in.
 */
export interface BurstSetup {
  cmd: 'burst';
  url: string;
  first: number;
  count: number;
  rate: number;
  channelsPerSocket: number;
  channelSpace: number;
  /** Channel names are `<kind>:<prefix><n>`. */
  kind: string;
  prefix: string;
  localAddresses: string[];
  handshakeTimeoutMs: number;
  pause?: boolean;
}

export interface BurstReport {
  opened: number;
  /** Handshakes that failed or timed out. */
  failed: number;
  firstError?: string;
  /** Sockets that got every snapshot, and the sub errors seen. */
  complete: number;
  subErrors: number;
  /** Per socket: from `new WebSocket()` until the handshake completed, and until its last snapshot, ms. */
  handshakeMs: Spread;
  allSnapshotsMs: Spread;
}

export type ClientCommand = ClientSetup | BurstSetup | { cmd: 'reset' } | { cmd: 'collect' } | { cmd: 'exit' };

export interface ClientReport {
  /** Latency samples (ms) of measured events. */
  samples: number[];
  warm: number;
  measured: number;
  /** Versions skipped on some channel (events lost). */
  gaps: number;
  /** Versions received twice or out of order. */
  stale: number;
  errors: number;
  closed: number;
  /** This client process's event-loop delay between reset and collect, ms. */
  loopDelay?: LoopDelay;
}

export type ClientMessage =
  | { type: 'progress'; connected: number }
  | { type: 'connected'; connected: number; failed: number; firstError?: string; ms: number }
  | { type: 'report'; report: ClientReport }
  | { type: 'burst'; report: BurstReport };

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function envInt(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}
