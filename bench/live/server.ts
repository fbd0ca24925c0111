/**
 * A scanpass node in its own process for the live bench. Configuration comes
 * from SCANPASS_* variables (run.ts sets a temp SQLite dir, a fixed secret, a
 * quiet log level, a high rate limit and, for the two-node case, the Redis URL).
 * It registers a `bench` channel kind whose snapshot comes from memory (version
 * 1, empty data) so the store is not what is measured, then takes commands over
 * IPC (see common.ts). Run with --expose-gc so memory readings follow a full GC.

 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startNode } from '../../src/node.js';
import { sql } from 'kysely';
import { BENCH_KIND, BENCH_STORE_KIND, serveCommands, type ServerMessage } from './common.js';

const SNAPSHOT = { version: 1, type: 'init', data: {} } as const;

const config = loadConfig({ env: process.env, argv: [] });
const node = await startNode(config, {
  logger: pino({ level: config.logLevel }),
  announce: () => {},
  extend: (_app, services) => {
    services.live.registry.register(BENCH_KIND, async () => SNAPSHOT);
    // The burst phases read each snapshot from the store, as product channels do: there the
    // store is part of what a burst costs, and what other requests wait behind.
    services.live.registry.register(BENCH_STORE_KIND, async (id) => {
      await sql`select ${id} as id`.execute(services.store.db);
      return SNAPSHOT;
    });
  },
});

/** The transport's heartbeat, reached around `private` to time it. */
interface TransportInternals {
  slices: number;
  beatSlice(): void;
}
const transport = (node.services.live as unknown as { ws: TransportInternals }).ws;

/** Every heartbeat slice the transport ran: when (epoch ms) and how long it blocked the event loop. */
const heartbeats: { at: number; blockMs: number }[] = [];
const originalSlice = transport.beatSlice;
transport.beatSlice = function (this: TransportInternals) {
  const t = performance.now();
  originalSlice.call(this);
  heartbeats.push({ at: Date.now(), blockMs: performance.now() - t });
};

serveCommands({
  stats: () => ({ ...node.services.live.stats(), heartbeats }),
  sockets: () => node.services.live.stats().websockets,
  publish: (channel, version, data) => node.services.live.publish({ channel, version, type: 'tick', data }),
  stop: () => node.close(),
  // A whole round, slice after slice: the longest slice is what a subscriber can feel.
  beat: () => {
    let longest = 0;
    for (let i = 0; i < transport.slices; i++) {
      transport.beatSlice();
      longest = Math.max(longest, heartbeats.at(-1)!.blockMs);
    }
    return longest;
  },
});
process.send?.({ type: 'ready', url: node.url, pid: process.pid } satisfies ServerMessage);
