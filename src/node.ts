import type { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import type { Clock } from './domain/clock.js';
import type { Random } from './domain/random.js';
import { buildApp } from './http/app.js';
import type { App } from './http/types.js';
import type { Bus } from './live/bus.js';
import { MemoryBus } from './live/memory-bus.js';
import { watchRedisState } from './live/redis-state.js';
import { keepAliveDrain } from './http/keep-alive-drain.js';
import { isStoreOutage } from './store/store-outage.js';
import { createServices, type Services } from './services.js';
import { openGeoLocator } from './http/client-location.js';
import { openStore } from './store/database.js';
import { ensureAdmin } from './auth/bootstrap-admin.js';

const LISTEN_BACKLOG = 4096;

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
  /** The node's time and randomness; the system's unless a test drives them. */
  clock?: Clock;
  random?: Random;
}

/**
 * How long a starting node waits for Redis before it serves without it: long
 * enough for a normal start to connect first, short enough that a Redis
 * outage does not keep nodes from starting (they catch up when it is back).
 */
const REDIS_START_WAIT_MS = 2000;

/** Opens the store and the bus, builds the app and listens. The one place that wires a node together. */
export async function startNode(config: Config, opts: NodeOptions = {}): Promise<RunningNode> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  // Before anything is opened: a SCANPASS_GEOIP_DB that cannot be read stops the start with a ConfigError, leaving nothing to close.
  const geo = await openGeoLocator(config.geoipDb);
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
    dataDir: config.dataDir,
    sqliteSync: config.sqliteSync,
    onWarning: (message) => logger.warn(message),
    onOutage: ({ up, reason, downMs }) =>
      up ? logger.warn({ downMs }, 'database available again') : logger.error({ reason }, 'database unavailable: requests answer 503 unavailable until it is back'),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  let bus: Bus = new MemoryBus();
  let redis: Redis | undefined;
  try {
    if (config.redisUrl) {
      // ioredis and the Redis bus are loaded only by a node that uses Redis.
      const [{ Redis }, { RedisBus }] = await Promise.all([import('ioredis'), import('./live/redis-bus.js')]);
      // Without Redis a node still serves: its events reach only its own subscribers until Redis is back,
      // then every node re-reads its channels. Each change is logged once, not every reconnect attempt.
      const redisBus = new RedisBus({
        url: config.redisUrl,
        onStateChange: (up, reason) =>
          up ? logger.info('redis bus connected') : logger.warn({ reason }, 'redis bus down: live events reach only this node until it is back'),
      });
      bus = redisBus;
      await redisBus.ready(REDIS_START_WAIT_MS).catch(() => {});
      redis = new Redis(config.redisUrl, { connectionName: 'scanpass-ratelimit', maxRetriesPerRequest: 1, enableOfflineQueue: false });
      watchRedisState([redis], (up, reason) => {
        if (up) logger.info('redis rate-limit store connected');
        else logger.warn({ reason }, 'redis rate-limit store down: each node counts alone until it is back');
      });
    }
  } catch (err) {
    await Promise.allSettled([bus.close(), store.close()]);
    throw err;
  }

  const services = await createServices(config, { store, bus, geo, ...(redis ? { redis } : {}), ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.random ? { random: opts.random } : {}), logger });
  const app = await buildApp(services, logger);
  const keepAlive = keepAliveDrain(app.server);
  if (opts.extend) await opts.extend(app, services);
  await ensureAdmin(services, opts.announce ?? ((line) => logger.info(line)));

  // A burst of new sockets (a venue's screens reconnecting at once) must wait in the accept queue,
  // not overflow it: Node's default of 511 dropped handshakes at 400 new sockets/s. The kernel
  // caps this at net.core.somaxconn (4096 on current Linux).
  await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
  services.live.attach(app.server);
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;

  // A database outage is logged once by the store, not by every sweep it fails.
  const warn = (what: string) => (err: unknown) => {
    if (!isStoreOutage(err)) logger.warn({ err }, what);
  };
  const purge = setInterval(() => {
    services.auth.purgeExpiredSignIns().catch(warn('sign-in purge failed'));
    services.login.service.purge().catch(warn('login request purge failed'));
    services.login.authorize.purge().catch(warn('authorization purge failed'));
    services.login.grants.purge(services.clock.now(), services.clock.now() - 30 * 86_400_000).catch(warn('grant purge failed'));
    services.share.service.purge().catch(warn('share purge failed'));
  }, 10 * 60_000);
  purge.unref();
  // Screens learn `expired` when it happens, not on their next poll.
  let sweeping = false;
  const expirySweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    Promise.all([
      services.login.service.expireDue().catch(warn('login expiry sweep failed')),
      services.share.service.expireDue().catch(warn('share expiry sweep failed')),
      services.queue.tickets.noShowDue().catch(warn('queue no-show sweep failed')),
    ]).finally(() => (sweeping = false));
  }, 1000);
  expirySweep.unref();
  // Check-in webhooks: every node sends what is due; claims keep them from sending one twice.
  services.webhooks.dispatcher.start();
  // Pass e-mails: every node sends what is queued; claims keep them from sending one twice.
  services.events.mailer?.start();

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      services.markShuttingDown();
      // Every answer from now on ends its connection, so no keep-alive connection holds app.close().
      keepAlive.drain();
      clearInterval(purge);
      clearInterval(expirySweep);
      const graceMs = config.shutdownGraceSeconds * 1000;
      await services.live.shutdown(Math.min(graceMs, 2000));
      // Requests still running after the grace are cut: the bus and the store must close all the same.
      const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
      await app.close();
      clearTimeout(cut);
      await services.webhooks.dispatcher.close(Math.min(graceMs, 2000));
      await services.events.mailer?.close();
      await bus.close();
      redis?.disconnect();
      await store.close();
      logger.info('stopped: bus and store closed');
    })());
  return { app, services, url, close };
}
