import type { Kysely, Selectable } from 'kysely';
import type { AskKind, Queue, QueueCounter, QueuePlace, QueueService } from '../domain/queue.js';
import type { StaffMember } from '../domain/user.js';
import type { Database, QueueServicesTable, QueuesTable } from './schema.js';

const toQueue = (r: Selectable<QueuesTable>): Queue => ({
  id: r.id,
  name: r.name,
  timezone: r.timezone,
  entranceKey: new Uint8Array(Buffer.from(r.entrance_key, 'base64url')),
  version: Number(r.version),
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  posterEnabled: Number(r.poster_enabled) === 1,
});

export const toQueueService = (r: Omit<QueueServicesTable, 'waiting'>): QueueService => ({
  id: r.id,
  queueId: r.queue_id,
  name: r.name,
  prefix: r.prefix,
  position: Number(r.position),
  ask: r.ask as AskKind,
  maxWaiting: Number(r.max_waiting),
  nearAhead: Number(r.near_ahead),
  noShowSeconds: Number(r.no_show_seconds),
  moreTimePlaces: Number(r.more_time_places),
  open: Number(r.open) === 1,
  lineVersion: Number(r.line_version),
});

/** Places (queues), their services, counters and staff. */
export class QueuesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** A new place with its services and counters, in the caller's unit of work. */
  async insert(p: QueuePlace, trx: Kysely<Database>): Promise<void> {
    await trx
      .insertInto('queues')
      .values({ id: p.id, name: p.name, timezone: p.timezone, entrance_key: Buffer.from(p.entranceKey).toString('base64url'), version: p.version, created_by: p.createdBy, created_at: p.createdAt, poster_enabled: p.posterEnabled ? 1 : 0 })
      .execute();
    if (p.services.length) {
      await trx
        .insertInto('queue_services')
        .values(
          p.services.map((s) => ({
            id: s.id,
            queue_id: p.id,
            name: s.name,
            prefix: s.prefix,
            position: s.position,
            ask: s.ask,
            max_waiting: s.maxWaiting,
            near_ahead: s.nearAhead,
            no_show_seconds: s.noShowSeconds,
            more_time_places: s.moreTimePlaces,
            open: s.open ? 1 : 0,
            line_version: s.lineVersion,
          })),
        )
        .execute();
    }
    if (p.counters.length) {
      await trx.insertInto('queue_counters').values(p.counters.map((c) => ({ id: c.id, queue_id: p.id, name: c.name, position: c.position }))).execute();
      const links = p.counters.flatMap((c) => c.serviceIds.map((serviceId) => ({ counter_id: c.id, service_id: serviceId })));
      if (links.length) await trx.insertInto('queue_counter_services').values(links).execute();
    }
  }

  async queue(id: string, db: Kysely<Database> = this.db): Promise<Queue | undefined> {
    const r = await db.selectFrom('queues').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toQueue(r);
  }

  /** The place with its services and counters. */
  async place(id: string): Promise<QueuePlace | undefined> {
    const q = await this.queue(id);
    if (!q) return undefined;
    const [services, counters] = await Promise.all([this.servicesOf([id]), this.countersOf([id])]);
    return { ...q, services, counters };
  }

  /** Places, each with its services and counters: every one, or those `staffUserId` staffs. */
  async places(staffUserId?: string): Promise<QueuePlace[]> {
    let q = this.db.selectFrom('queues').selectAll();
    if (staffUserId !== undefined) {
      q = q.where((eb) => eb.exists(eb.selectFrom('queue_staff').select('queue_staff.user_id').whereRef('queue_staff.queue_id', '=', 'queues.id').where('queue_staff.user_id', '=', staffUserId)));
    }
    const queues = (await q.orderBy('created_at').orderBy('id').limit(1000).execute()).map(toQueue);
    if (!queues.length) return [];
    const ids = queues.map((x) => x.id);
    const [services, counters] = await Promise.all([this.servicesOf(ids), this.countersOf(ids)]);
    return queues.map((x) => ({ ...x, services: services.filter((s) => s.queueId === x.id), counters: counters.filter((c) => c.queueId === x.id) }));
  }

  async servicesOf(queueIds: string[]): Promise<QueueService[]> {
    const rows = await this.db.selectFrom('queue_services').selectAll().where('queue_id', 'in', queueIds).orderBy('position').execute();
    return rows.map(toQueueService);
  }

  async countersOf(queueIds: string[]): Promise<QueueCounter[]> {
    const rows = await this.db.selectFrom('queue_counters').selectAll().where('queue_id', 'in', queueIds).orderBy('position').execute();
    if (!rows.length) return [];
    const links = await this.db
      .selectFrom('queue_counter_services')
      .innerJoin('queue_services', 'queue_services.id', 'queue_counter_services.service_id')
      .select(['queue_counter_services.counter_id', 'queue_counter_services.service_id'])
      .where('queue_counter_services.counter_id', 'in', rows.map((r) => r.id))
      .orderBy('queue_services.position')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      queueId: r.queue_id,
      name: r.name,
      position: Number(r.position),
      serviceIds: links.filter((l) => l.counter_id === r.id).map((l) => l.service_id),
      open: Number(r.open) === 1,
    }));
  }

  async service(id: string, db: Kysely<Database> = this.db): Promise<QueueService | undefined> {
    const r = await db.selectFrom('queue_services').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toQueueService(r);
  }

  /** Opens or closes a counter and bumps the board's version, in the caller's unit; false when no such counter. */
  async setCounterOpen(counterId: string, open: boolean, trx: Kysely<Database>): Promise<boolean> {
    const r = await trx.updateTable('queue_counters').set({ open: open ? 1 : 0 }).where('id', '=', counterId).returning('queue_id').executeTakeFirst();
    if (!r) return false;
    await this.bumpBoard(r.queue_id, trx);
    return true;
  }

  async counter(id: string): Promise<QueueCounter | undefined> {
    const r = await this.db.selectFrom('queue_counters').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    return (await this.countersOf([r.queue_id])).find((c) => c.id === id);
  }

  /** Opens or closes a service and bumps the board's version, in the caller's unit; false when no such service in that queue. */
  async setOpen(queueId: string, serviceId: string, open: boolean, trx: Kysely<Database>): Promise<boolean> {
    const r = await trx.updateTable('queue_services').set({ open: open ? 1 : 0 }).where('id', '=', serviceId).where('queue_id', '=', queueId).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.bumpBoard(queueId, trx);
    return true;
  }

  /** Turns the place's static poster code on or off; false when there is no such place. */
  async setPosterEnabled(queueId: string, on: boolean): Promise<boolean> {
    const r = await this.db.updateTable('queues').set({ poster_enabled: on ? 1 : 0 }).where('id', '=', queueId).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The `board:` channel's next version. */
  async bumpBoard(queueId: string, trx: Kysely<Database>): Promise<void> {
    await trx.updateTable('queues').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', queueId).execute();
  }

  async addStaff(queueId: string, userId: string, now: number): Promise<void> {
    await this.db
      .insertInto('queue_staff')
      .values({ queue_id: queueId, user_id: userId, created_at: now })
      .onConflict((oc) => oc.columns(['queue_id', 'user_id']).doNothing())
      .execute();
  }

  async removeStaff(queueId: string, userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('queue_staff').where('queue_id', '=', queueId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The place's staff, in the order they were added. */
  async staffOf(queueId: string): Promise<StaffMember[]> {
    const rows = await this.db
      .selectFrom('queue_staff')
      .innerJoin('users', 'users.id', 'queue_staff.user_id')
      .select(['users.id', 'users.name', 'users.email', 'queue_staff.created_at'])
      .where('queue_staff.queue_id', '=', queueId)
      .orderBy('queue_staff.created_at')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, since: Number(r.created_at) }));
  }

  async isStaff(queueId: string, userId: string): Promise<boolean> {
    const r = await this.db.selectFrom('queue_staff').select('user_id').where('queue_id', '=', queueId).where('user_id', '=', userId).executeTakeFirst();
    return r !== undefined;
  }
}
