import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { buildApp } from './http/app.js';
import type { App } from './http/types.js';
import type { Bus } from './live/bus.js';
import { MemoryBus } from './live/memory-bus.js';
import { RedisBus } from './live/redis-bus.js';
import { createServices, type Services } from './services.js';
import { openStore } from './store/database.js';
import { ensureAdmin } from './auth/bootstrap-admin.js';

export interface RunningNode {
  app: App;
  services: Services;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

export interface NodeOptions {
  logger?: Logger;
  /** Extra routes and channel kinds, registered before the app is ready (test harnesses use this). */
  extend?: (app: App, services: Services) => Promise<void> | void;
  /** Print the first-start admin sign-in to stdout (the CLI does). */
  announce?: (line: string) => void;
}

/** Opens the store and the bus, builds the app and listens. The one place that wires a node together. */
export async function startNode(config: Config, opts: NodeOptions = {}): Promise<RunningNode> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteSync: config.sqliteSync, onWarning: (message) => logger.warn(message) });
  let bus: Bus = new MemoryBus();
  let redis: Redis | undefined;
  try {
    if (config.redisUrl) {
      const redisBus = new RedisBus({ url: config.redisUrl, onError: (err) => logger.warn({ err: err.message }, 'redis bus connection problem') });
      bus = redisBus;
      await redisBus.ready();
      redis = new Redis(config.redisUrl, { connectionName: 'scanpass-ratelimit', maxRetriesPerRequest: 1, enableOfflineQueue: false });
      redis.on('error', (err) => logger.warn({ err: err.message }, 'redis rate-limit connection problem'));
    }
  } catch (err) {
    await Promise.allSettled([bus.close(), store.close()]);
    throw err;
  }

  const services = await createServices(config, { store, bus, ...(redis ? { redis } : {}), logger });
  const app = await buildApp(services, logger);
  if (opts.extend) await opts.extend(app, services);
  await ensureAdmin(services, opts.announce ?? ((line) => logger.info(line)));

  await app.listen({ port: config.port, host: config.host });
  services.live.attach(app.server);
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;

  const purge = setInterval(() => {
    services.auth.purgeExpiredSessions().catch((err) => logger.warn({ err }, 'session purge failed'));
    services.login.purge().catch((err) => logger.warn({ err }, 'login request purge failed'));
    services.share.purge().catch((err) => logger.warn({ err }, 'share purge failed'));
  }, 10 * 60_000);
  purge.unref();
  // Screens learn `expired` when it happens, not on their next poll.
  let sweeping = false;
  const expirySweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    Promise.all([
      services.login.expireDue().catch((err) => logger.warn({ err }, 'login expiry sweep failed')),
      services.share.expireDue().catch((err) => logger.warn({ err }, 'share expiry sweep failed')),
    ]).finally(() => (sweeping = false));
  }, 1000);
  expirySweep.unref();
  // Check-in webhooks: every node sends what is due; claims keep them from sending one twice.
  services.checkin.webhooks.dispatcher.start();

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      services.markShuttingDown();
      clearInterval(purge);
      clearInterval(expirySweep);
      const graceMs = config.shutdownGraceSeconds * 1000;
      await services.live.shutdown(Math.min(graceMs, 2000));
      await app.close();
      await services.checkin.webhooks.dispatcher.close(Math.min(graceMs, 2000));
      await bus.close();
      redis?.disconnect();
      await store.close();
    })());
  return { app, services, url, close };
}
