import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AuthService } from './auth/auth-service.js';
import { UsersService } from './auth/users-service.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { randomToken, type Random } from './domain/random.js';
import { userGrant } from './domain/live-grant.js';
import { sessionChannel } from './flows/checkin/checkin-live.js';
import { boardChannel } from './flows/queue/queue-live.js';
import type { Bus } from './live/bus.js';
import { ChannelTokens } from './live/channel-token.js';
import { LiveService } from './live/live-service.js';
import { ApiKeysRepo } from './store/api-keys.js';
import { AuditLog } from './store/audit-log.js';
import type { Store } from './store/database.js';
import { isStoreOutage } from './store/store-outage.js';
import { getOrCreateSecret } from './store/secrets.js';
import { SignInsRepo } from './store/sign-ins.js';
import { UsersRepo } from './store/users.js';
import { createLogin, type LoginFeature } from './flows/login/login-feature.js';
import { createShare, type ShareFeature } from './flows/share/share-feature.js';
import { createCheckin, type CheckinFeature } from './flows/checkin/checkin-feature.js';
import { eventWebhookOwner } from './flows/checkin/checkin-webhooks.js';
import { createEvents, type EventsFeature } from './flows/events/events-feature.js';
import { createAttendance, type AttendanceFeature } from './flows/attendance/attendance-feature.js';
import { createQueue, type QueueFeature } from './flows/queue/queue-feature.js';
import { queueWebhookOwner } from './flows/queue/queue-webhooks.js';
import { QueuesRepo } from './store/queues.js';
import { createWebhooks, type Webhooks } from './webhooks/webhooks.js';
import { createNotifications, type Notifications } from './notifications/notifications.js';
import { EventsRepo } from './store/events.js';
import { addressKey, clientAddress, trustFunction } from './http/client-address.js';
import { openGeoLocator, type GeoLocator } from './http/client-location.js';
import { SignInBackoff } from './auth/sign-in-backoff.js';
import { SignInBackoffRepo } from './store/sign-in-backoff.js';

/**
 * The system's randomness, drawn 4 KB at a time: one call into OpenSSL per
 * 256 row ids instead of one each (Node's randomUUID caches the same way).
 * Every draw is a copy of bytes never handed out before.
 */
function pooledRandom(): Random {
  const POOL = 4096;
  let pool = Buffer.alloc(0);
  let at = 0;
  return {
    bytes(n) {
      if (n > POOL / 4) return randomBytes(n);
      if (at + n > pool.length) {
        pool = randomBytes(POOL);
        at = 0;
      }
      const out = new Uint8Array(pool.subarray(at, at + n));
      at += n;
      return out;
    },
  };
}

export const systemRandom: Random = pooledRandom();

/** Everything stateful a node runs, built once at start-up and handed to the HTTP layer. */
export interface Services {
  config: Config;
  store: Store;
  redis: Redis | undefined;
  clock: Clock;
  random: Random;
  live: LiveService;
  auth: AuthService;
  /** Account management (admins): the console's Users section. */
  accounts: UsersService;
  audit: AuditLog;
  users: UsersRepo;
  login: LoginFeature;
  share: ShareFeature;
  checkin: CheckinFeature;
  events: EventsFeature;
  attendance: AttendanceFeature;
  queue: QueueFeature;
  webhooks: Webhooks;
  notifications: Notifications;
  /** Roughly where a client address is ("Shanghai, China"), from SCANPASS_GEOIP_DB; null for everything when unset. */
  geo: GeoLocator;
  shuttingDown(): boolean;
  markShuttingDown(): void;
}

export interface ServiceDeps {
  store: Store;
  bus: Bus;
  redis?: Redis;
  clock?: Clock;
  random?: Random;
  logger: Logger;
  /** Opened by the caller before the store (startNode), so a bad SCANPASS_GEOIP_DB stops the start first; else opened here. */
  geo?: GeoLocator;
}

export async function createServices(config: Config, deps: ServiceDeps): Promise<Services> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? systemRandom;
  const geo = deps.geo ?? (await openGeoLocator(config.geoipDb));
  const { db } = deps.store;
  // Every node must sign channel tokens with the same key: it lives in the shared store.
  const tokenKey = config.tokenSecret ?? (await getOrCreateSecret(db, 'channel_token_key', () => randomToken(random, 32), clock.now()));
  const tokens = new ChannelTokens(Buffer.from(tokenKey), () => clock.now(), config.liveTokenTtlSeconds);
  // A database outage is logged once by the store (onOutage), not once per failed snapshot or sweep.
  const onError = (err: unknown, context: string) => {
    if (!isStoreOutage(err)) deps.logger.error({ err, context }, 'live error');
  };
  const trust = trustFunction(config.trustProxy);
  const live = new LiveService({
    bus: deps.bus,
    tokens,
    pingSeconds: config.livePingSeconds,
    maxBufferedBytes: config.liveMaxBufferedBytes,
    maxFrameBytes: config.liveMaxFrameBytes,
    maxChannelsPerSocket: config.liveMaxChannelsPerSocket,
    maxSocketsPerAddress: config.liveMaxSocketsPerAddress,
    upgradesPerMinute: config.liveUpgradesPerMinute,
    addressOf: (req) => addressKey(clientAddress(req, trust)),
    ipOf: (req) => clientAddress(req, trust),
    onError,
    now: () => clock.now(),
  });
  const users = new UsersRepo(db);
  const signIns = new SignInsRepo(db);
  const apiKeys = new ApiKeysRepo(db);
  const auth = new AuthService({
    users,
    signIns,
    apiKeys,
    clock,
    random,
    signInTtlMs: config.sessionTtlHours * 3600_000,
    onRevoked: (grant) => live.revoke({ grant }),
    backoff: new SignInBackoff(new SignInBackoffRepo(db), { after: config.signInBackoffAfter, maxMs: config.signInBackoffMaxSeconds * 1000 }, () => clock.now()),
  });
  const audit = new AuditLog(db);
  const accounts = new UsersService({
    auth,
    users,
    signIns,
    apiKeys,
    audit,
    units: deps.store.units,
    clock,
    random,
    onRevoked: (grant) => live.revoke({ grant }),
    // A member staffs nothing: the channels their assignments opened end (the account itself stays).
    onStaffEnded: (userId, ended) => {
      for (const id of ended.sessionIds) live.revoke({ grant: userGrant(userId), channel: sessionChannel(id) });
      for (const id of ended.queueIds) live.revoke({ grant: userGrant(userId), channel: boardChannel(id) });
    },
  });
  const login = await createLogin(config, { db, units: deps.store.units, live, audit, users, geo, clock, random });
  const share = createShare(config, { db, live, audit, clock, random });
  let closing = false;
  const { units } = deps.store;
  // Webhooks are a capability: each feature that sends them registers its kind of owner and writes through the outbox.
  const webhooks = createWebhooks(config, { db, audit, clock, random, onError, owners: [eventWebhookOwner(new EventsRepo(db)), queueWebhookOwner(new QueuesRepo(db))] });
  const checkin = createCheckin(config, { db, units, reads: deps.store.reads, live, audit, clock, random, outbox: webhooks.outbox, onError, closing: () => closing });
  const events = createEvents(config, { db, units, users, audit, devices: checkin.devices, channels: checkin.channels, clock, random, onError });
  const attendance = createAttendance(config, { db, units, reads: deps.store.reads, audit, channels: checkin.channels, clock, random, passLinks: events.passLinks });
  // Web Push (a capability, like webhooks): the queue notifies a ticket's browser through notifications.push.
  const onPushError = (err: unknown, context: string) => {
    if (!isStoreOutage(err)) deps.logger.warn({ err, context }, 'web push failed');
  };
  const notifications = await createNotifications(config, { db, clock, onError: onPushError });
  const queue = createQueue(config, { db, units, live, users, audit, clock, random, outbox: webhooks.outbox, push: notifications.push, onError, closing: () => closing });
  return {
    config,
    store: deps.store,
    redis: deps.redis,
    clock,
    random,
    live,
    auth,
    accounts,
    audit,
    users,
    login,
    share,
    checkin,
    events,
    attendance,
    queue,
    webhooks,
    notifications,
    geo,
    shuttingDown: () => closing,
    markShuttingDown: () => {
      closing = true;
    },
  };
}
