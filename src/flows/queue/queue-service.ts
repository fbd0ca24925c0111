import type { Clock } from '../../domain/clock.js';
import { entranceCode, newEntranceKey, posterCode, verifyEntranceCode } from '../../domain/entrance-code.js';
import { AppError } from '../../domain/errors.js';
import { deviceGrant, userGrant } from '../../domain/live-grant.js';
import { SERVICE_DEFAULTS, type QueueDevice, type QueuePlace } from '../../domain/queue.js';
import { randomToken, randomUuid, type Random } from '../../domain/random.js';
import { canonicalTimeZone } from '../../domain/ticket-number.js';
import { sha256 } from '../../auth/secrets.js';
import type { LiveService } from '../../live/live-service.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { QueueDevicesRepo } from '../../store/queue-devices.js';
import type { QueuesRepo } from '../../store/queues.js';
import type { TicketsRepo } from '../../store/tickets.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import type { User, UsersRepo } from '../../store/users.js';
import { callerAccess, placesOf, shownQueue, staffedCounter, staffedQueue, type QueueCaller } from './queue-access.js';
import { QUEUE_DEVICE_TOKEN_PREFIX } from './queue-device-auth.js';
import { boardChannel, type QueueLive } from './queue-live.js';
import type { BoardView, CounterView, EntranceCode, JoinInfo, PosterCode, QueueBody, QueueDeviceBody, QueueDeviceView, QueueStaffList, ServiceView } from './queue-schemas.js';
import { counterView, queueView, serviceView } from './queue-views.js';

export interface QueueDeps {
  queues: QueuesRepo;
  tickets: TicketsRepo;
  users: UsersRepo;
  /** The place's boards and kiosks; the feature's own (it caches tokens, so revoking goes through it). */
  devices: QueueDevicesRepo;
  audit: AuditLog;
  units: UnitsOfWork;
  live: LiveService;
  channels: QueueLive;
  clock: Clock;
  random: Random;
  publicUrl: string;
}

/** The message of a stale or forged entrance code: what the visitor should do. */
export const STALE_ENTRANCE = 'this code has expired: scan the code at the entrance again';

const deviceView = (d: QueueDevice): QueueDeviceView => ({ id: d.id, queue_id: d.queueId, name: d.name, kind: d.kind, created_at: d.createdAt, revoked: d.revokedAt !== null });

/** Places: creating them, their staff, opening services, the entrance code, the join page's list and the board. */
export class QueueService {
  constructor(private readonly d: QueueDeps) {}

  async create(userId: string, body: QueueBody) {
    const timezone = canonicalTimeZone(body.timezone ?? 'UTC');
    if (!timezone) throw new AppError('invalid_request', `unknown time zone: ${String(body.timezone).slice(0, 64)} (use an IANA name such as Asia/Shanghai)`);
    const prefixes = body.services.map((s) => s.prefix);
    if (new Set(prefixes).size !== prefixes.length) throw new AppError('invalid_request', 'each service needs its own prefix');
    const id = randomUuid(this.d.random);
    const services = body.services.map((s, i) => ({
      id: randomUuid(this.d.random),
      queueId: id,
      name: s.name,
      prefix: s.prefix,
      position: i,
      ask: s.ask ?? SERVICE_DEFAULTS.ask,
      maxWaiting: s.max_waiting ?? SERVICE_DEFAULTS.maxWaiting,
      nearAhead: s.near_ahead ?? SERVICE_DEFAULTS.nearAhead,
      noShowSeconds: s.no_show_seconds ?? SERVICE_DEFAULTS.noShowSeconds,
      moreTimePlaces: s.more_time_places ?? SERVICE_DEFAULTS.moreTimePlaces,
      open: true,
      lineVersion: 0,
    }));
    const byPrefix = new Map(services.map((s) => [s.prefix, s.id]));
    const counters = body.counters.map((c, i) => {
      const unknown = c.services.find((p) => !byPrefix.has(p));
      if (unknown !== undefined) throw new AppError('invalid_request', `counter "${c.name.slice(0, 80)}" names no service with prefix ${unknown}`);
      return { id: randomUuid(this.d.random), queueId: id, name: c.name, position: i, serviceIds: [...new Set(c.services)].map((p) => byPrefix.get(p)!), open: true };
    });
    const place: QueuePlace = { id, name: body.name, timezone, entranceKey: newEntranceKey(this.d.random), version: 1, createdBy: userId, createdAt: this.d.clock.now(), posterEnabled: false, services, counters };
    await this.d.units.execute((unit) => this.d.queues.insert(place, unit.db));
    return queueView(place);
  }

  async list(user: User) {
    return { queues: (await this.d.queues.places(placesOf(user))).map(queueView) };
  }

  async get(user: User, queueId: string) {
    await staffedQueue(this.d.queues, user, queueId);
    const p = await this.d.queues.place(queueId);
    if (!p) throw new AppError('not_found', 'no such queue');
    return queueView(p);
  }

  /** Who staffs the place. */
  async staff(queueId: string): Promise<QueueStaffList> {
    if (!(await this.d.queues.queue(queueId))) throw new AppError('not_found', 'no such queue');
    return { staff: (await this.d.queues.staffOf(queueId)).map((m) => ({ id: m.id, name: m.name, email: m.email, created_at: m.since })) };
  }

  async setStaff(queueId: string, userId: string, on: boolean) {
    if (!(await this.d.queues.queue(queueId))) throw new AppError('not_found', 'no such queue');
    const user = await this.d.users.findById(userId);
    if (!user) throw new AppError('not_found', 'no such user');
    if (on) {
      if (user.role === 'member') throw new AppError('invalid_request', 'only staff and admin accounts can staff a place');
      await this.d.queues.addStaff(queueId, userId, this.d.clock.now());
    } else {
      if (!(await this.d.queues.removeStaff(queueId, userId))) throw new AppError('not_found', 'this user does not staff this place');
      // The board they opened ends, on every node; their other places stay.
      this.d.live.revoke({ grant: userGrant(userId), channel: boardChannel(queueId) });
    }
    return { queue_id: queueId, user_id: userId, staff: on };
  }

  async setOpen(user: User, queueId: string, serviceId: string, open: boolean): Promise<ServiceView> {
    await staffedQueue(this.d.queues, user, queueId);
    const changed = await this.d.units.execute((unit) => this.d.queues.setOpen(queueId, serviceId, open, unit.db));
    if (!changed) throw new AppError('not_found', 'no such service in this queue');
    this.d.channels.publishBoard(queueId);
    return serviceView((await this.d.queues.service(serviceId))!);
  }

  /** A counter is opened (staffed) or closed: the services it serves get a new pace, the board shows it. */
  async setCounterOpen(user: User, counterId: string, open: boolean): Promise<CounterView> {
    const c = await staffedCounter(this.d.queues, user, counterId);
    await this.d.units.execute((unit) => this.d.queues.setCounterOpen(c.id, open, unit.db));
    for (const serviceId of c.serviceIds) {
      this.d.channels.refreshPace(serviceId);
      this.d.channels.publishLine(serviceId);
    }
    this.d.channels.publishBoard(c.queueId);
    return counterView((await this.d.queues.counter(c.id))!);
  }

  async entranceCode(caller: QueueCaller, queueId: string): Promise<EntranceCode> {
    const q = await shownQueue(this.d.queues, caller, queueId);
    const c = entranceCode(q.entranceKey, q.id, this.d.clock.now());
    const url = `${this.d.publicUrl}/queue?${new URLSearchParams({ q: q.id, c: c.code })}`;
    return { code: c.code, url, expires_at: c.expiresAt, rotates_at: c.rotatesAt };
  }

  /** What the join page lists: the services, open or not, with how many wait and how long a newcomer would. */
  async joinInfo(queueId: string, code: string): Promise<JoinInfo> {
    const q = await this.d.queues.queue(queueId);
    if (!q) throw new AppError('not_found', 'no such queue');
    if (verifyEntranceCode(q.entranceKey, q.id, code, this.d.clock.now(), { poster: q.posterEnabled }) !== 'ok') throw new AppError('invalid_entrance_code', STALE_ENTRANCE);
    const [services, waiting] = await Promise.all([this.d.queues.servicesOf([q.id]), this.d.tickets.waiting(q.id)]);
    return {
      queue: { id: q.id, name: q.name },
      services: await Promise.all(
        services.map(async (s) => {
          const n = waiting.get(s.id)?.waiting ?? 0;
          return { id: s.id, name: s.name, prefix: s.prefix, ask: s.ask, open: s.open, waiting: n, eta_seconds: (await this.d.channels.estimate(s.id, n)).seconds };
        }),
      ),
    };
  }

  async board(caller: QueueCaller, queueId: string): Promise<BoardView> {
    const q = await shownQueue(this.d.queues, caller, queueId);
    const snap = await this.d.channels.boardSnapshot(q.id);
    if (!snap) throw new AppError('not_found', 'no such queue');
    return { ...snap.data, queue: { id: q.id, name: q.name }, version: snap.version, live: this.d.live.grant(boardChannel(q.id), callerAccess(caller)) };
  }

  /** A board or kiosk for the place; its token is shown once, in `url`'s fragment too (what the device opens). */
  async provisionDevice(by: string, queueId: string, body: QueueDeviceBody): Promise<QueueDeviceView> {
    if (!(await this.d.queues.queue(queueId))) throw new AppError('not_found', 'no such queue');
    const token = QUEUE_DEVICE_TOKEN_PREFIX + randomToken(this.d.random, 32);
    const device: QueueDevice = { id: randomUuid(this.d.random), queueId, name: body.name.trim(), kind: body.kind, createdAt: this.d.clock.now(), revokedAt: null };
    await this.d.devices.insert(device, sha256(token));
    await this.audit(by, 'queue_device_provision', `queue:${queueId}`, { device_id: device.id, kind: device.kind });
    // The token rides in the fragment: browsers never send it, so it stays out of every server's logs.
    const url = `${this.d.publicUrl}/queue-board?${new URLSearchParams({ q: queueId })}#${new URLSearchParams({ device: token })}`;
    return { ...deviceView(device), token, url };
  }

  async devices(queueId: string): Promise<{ devices: QueueDeviceView[] }> {
    if (!(await this.d.queues.queue(queueId))) throw new AppError('not_found', 'no such queue');
    return { devices: (await this.d.devices.listFor(queueId)).map(deviceView) };
  }

  /** Its token stops working at once; the board it shows ends on every node. */
  async revokeDevice(by: string, queueId: string, deviceId: string): Promise<QueueDeviceView> {
    if (!(await this.d.devices.revoke(queueId, deviceId, this.d.clock.now()))) throw new AppError('not_found', 'no such active device at this place');
    await this.audit(by, 'queue_device_revoke', `queue:${queueId}`, { device_id: deviceId });
    this.d.live.revoke({ grant: deviceGrant(deviceId) });
    return deviceView((await this.d.devices.byId(deviceId))!);
  }

  /** Turns the static poster code on or off (off voids every printed copy at once). */
  async setPoster(by: string, queueId: string, on: boolean) {
    if (!(await this.d.queues.setPosterEnabled(queueId, on))) throw new AppError('not_found', 'no such queue');
    await this.audit(by, on ? 'queue_poster_enable' : 'queue_poster_disable', `queue:${queueId}`, {});
    return queueView((await this.d.queues.place(queueId))!);
  }

  /** The static poster code and the URL its QR encodes, only while posters are enabled. */
  async posterCode(queueId: string): Promise<PosterCode> {
    const q = await this.d.queues.queue(queueId);
    if (!q) throw new AppError('not_found', 'no such queue');
    if (!q.posterEnabled) throw new AppError('poster_disabled', "this place's poster is disabled: enable it first (PATCH /queues/{id} {poster_enabled: true})");
    const code = posterCode(q.entranceKey, q.id);
    return { code, url: `${this.d.publicUrl}/queue?${new URLSearchParams({ q: q.id, c: code })}` };
  }

  private audit(by: string, action: string, subject: string, detail: Record<string, unknown>) {
    return this.d.audit.record({ at: this.d.clock.now(), actorId: by, action, subject, outcome: 'ok', detail });
  }
}
