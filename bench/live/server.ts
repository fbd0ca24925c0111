/**
 * A scanpass node in its own process for the live bench. Configuration comes
 * from SCANPASS_* variables (run.ts sets a temp SQLite dir, a fixed secret, a
 * quiet log level, a high rate limit and, for the two-node case, the Redis URL).
 * It registers a `bench` channel kind whose snapshot comes from memory (version
 * 1, empty data) so the store is not what is measured, then takes commands over
 * IPC (see common.ts). Run with --expose-gc so memory readings follow a full GC.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startNode } from '../../src/node.js';
import { BENCH_KIND, serveCommands, type ServerMessage } from './common.js';

const SNAPSHOT = { version: 1, type: 'init', data: {} } as const;

const config = loadConfig({ env: process.env, argv: [] });
const node = await startNode(config, {
  logger: pino({ level: config.logLevel }),
  announce: () => {},
  extend: (_app, services) => {
    services.live.registry.register(BENCH_KIND, async () => SNAPSHOT);
  },
});

serveCommands({
  stats: () => node.services.live.stats(),
  publish: (channel, version, data) => node.services.live.publish({ channel, version, type: 'tick', data }),
  stop: () => node.close(),
});
process.send?.({ type: 'ready', url: node.url, pid: process.pid } satisfies ServerMessage);
