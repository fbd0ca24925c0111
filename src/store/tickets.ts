import { sql, type Kysely } from 'kysely';
import { AppError } from '../domain/errors.js';
import { nextStatus, type Ticket, type TicketAction, type TicketStatus } from '../domain/queue-ticket.js';
import type { QueueService } from '../domain/queue.js';
import { toQueueService } from './queues.js';
import type { Database, TicketsTable } from './schema.js';
import type { UnitsOfWork } from './units-of-work.js';

/** Changes a phone can apply from the `line:` channel; older ones are pruned (a phone that missed them re-reads its ticket). */
const LINE_CHANGES_KEPT = 64;
/** Order keys of joins are the join time × 1024: comparable across services (first come, first served), with room between for moves. */
const ORDER_PER_MS = 1024;
/** How far before the line's head the first priority ticket lands: an hour of joins, room for any number after it. */
const PRIORITY_LEAD = ORDER_PER_MS * 3_600_000;
/** A call or change retried after another writer took the ticket first (Postgres; SQLite units never collide). */
const MAX_ATTEMPTS = 100;

export const toTicket = (r: TicketsTable): Ticket => ({
  id: r.id,
  queueId: r.queue_id,
  serviceId: r.service_id,
  day: r.day,
  number: r.number,
  seq: Number(r.seq),
  order: Number(r.order_key),
  priority: Number(r.priority),
  status: r.status as TicketStatus,
  name: r.name,
  phone: r.phone,
  counterId: r.counter_id,
  createdAt: Number(r.created_at),
  calledAt: r.called_at === null ? null : Number(r.called_at),
  finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  recalls: Number(r.recalls),
  moreTimeUsed: Number(r.more_time_used) === 1,
  version: Number(r.version),
});

/** A ticket as its holder sees it: with its service, counter, place in line and the line version that place was counted at. */
export interface TicketState {
  ticket: Ticket;
  service: { id: string; name: string; prefix: string; nearAhead: number };
  counter: { id: string; name: string } | null;
  /** Waiting tickets of the service before this one (0 when not waiting). */
  ahead: number;
  /** The service's `line:` version `ahead` was counted at. */
  lineVersion: number;
}

/** One change of a service's waiting set: a ticket left (-1) or entered (+1) at `order`. */
export type LineChange = [version: number, order: number, delta: number];

export interface LineState {
  serviceId: string;
  version: number;
  waiting: number;
  /** The latest changes, oldest first. */
  changes: LineChange[];
}

export interface BoardCall {
  ticketId: string;
  number: string;
  counter: { id: string; name: string } | null;
  at: number;
  recalls: number;
}

export interface BoardState {
  version: number;
  recent: BoardCall[];
  services: { id: string; name: string; prefix: string; open: boolean; waiting: number; oldestWaitingAt: number | null }[];
}

/** What the wait estimate of a service rests on (domain/wait-estimate.ts). */
export interface ServiceFacts {
  finishedAt: number[];
  serviceMs: number[];
  countersOpen: number;
  countersBusy: number;
}

/** A change to a ticket, told to the hook inside its unit of work (the webhook outbox writes there). */
export interface TicketChange {
  type: 'created' | 'called' | 'served' | 'no_show' | 'cancelled' | 'transferred';
  ticket: Ticket;
  /** For a transfer: the service it left. */
  fromServiceId?: string;
  at: number;
  /** `user:<id>`, or `ticket` for the holder's own change (joining, leaving). */
  by: string;
}
export type TicketHook = (trx: Kysely<Database>, change: TicketChange) => Promise<void>;

export interface JoinRecord {
  id: string;
  serviceId: string;
  day: string;
  tokenHash: string;
  name: string | null;
  phone: string | null;
  /** Served before every waiting ticket of its service without priority, after those with it. */
  priority: boolean;
  now: number;
  by: string;
  /** The ticket number as shown, from the service's prefix and the day's counter. */
  format: (prefix: string, seq: number) => string;
}

export interface TicketUpdate {
  action: Exclude<TicketAction, 'call'>;
  now: number;
  by: string;
  /** transfer: where to, and to the front or the back of that line. */
  toServiceId?: string;
  to?: 'front' | 'back';
}

/**
 * Tickets and the service lines they wait in. Every change is one unit of
 * work that bumps the service's `line_version` (a row lock on Postgres, so
 * changes to one line are serialised and their versions follow commit order),
 * records what changed in `line_changes`, bumps the board's version and
 * writes the webhook through the hook. Ticket changes are compare-and-set on
 * the ticket's version.
 */
export class TicketsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly units: UnitsOfWork,
    private readonly onChange?: TicketHook,
  ) {}

  /** A new ticket at the back of the service's line; `queue_full` / `service_closed` refuse it. */
  async join(j: JoinRecord): Promise<Ticket> {
    return this.units.execute(async ({ db: trx }) => {
      // The row lock first: joins of one service are serialised, so the cap and the numbers hold.
      const service = await this.lockService(trx, j.serviceId);
      if (!service) throw new AppError('not_found', 'no such service');
      if (!service.open) throw new AppError('service_closed', 'this service is not taking new tickets now');
      if (service.waiting >= service.maxWaiting) throw new AppError('queue_full', 'this service has as many people waiting as it can take; try again later');
      const seq = await this.nextNumber(trx, j.serviceId, j.day);
      const order = j.priority ? await this.priorityOrder(trx, j.serviceId, j.now) : await this.back(trx, j.serviceId, j.now);
      const row: TicketsTable = {
        id: j.id,
        queue_id: service.queueId,
        service_id: j.serviceId,
        day: j.day,
        number: j.format(service.prefix, seq),
        seq,
        order_key: order,
        priority: j.priority ? 1 : 0,
        status: 'waiting',
        token_hash: j.tokenHash,
        name: j.name,
        phone: j.phone,
        counter_id: null,
        created_at: j.now,
        called_at: null,
        finished_at: null,
        recalls: 0,
        more_time_used: 0,
        version: 1,
      };
      await trx.insertInto('tickets').values(row).execute();
      await this.recordLine(trx, j.serviceId, service.lineVersion, [[order, 1]], j.now);
      const ticket = toTicket(row);
      await this.onChange?.(trx, { type: 'created', ticket, at: j.now, by: j.by });
      await this.bumpBoard(trx, service.queueId);
      return ticket;
    });
  }

  /**
   * Call next: the first waiting ticket of `serviceIds` (by order key, which
   * puts priority tickets first; then arrival) becomes `called` at `counterId`. Exactly once and in
   * line order: the services' rows are locked first (in id order, as every
   * change to a line does), so calls on one line run one after another on
   * Postgres too, each taking the first ticket still waiting; the status
   * compare-and-set is the last guard.
   */
  async callNext(counterId: string, serviceIds: string[], now: number, by: string): Promise<Ticket> {
    if (!serviceIds.length) throw new AppError('queue_empty', 'this counter serves no service');
    return this.units.execute(async ({ db: trx }) => {
      const services = new Map<string, QueueService>();
      for (const id of [...serviceIds].sort()) {
        const s = await this.lockService(trx, id);
        if (s) services.set(id, s);
      }
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const next = await trx
          .selectFrom('tickets')
          .select(['id', 'order_key', 'service_id'])
          .where('service_id', 'in', serviceIds)
          .where('status', '=', 'waiting')
          .orderBy('order_key')
          .orderBy('created_at')
          .limit(1)
          .executeTakeFirst();
        if (!next) throw new AppError('queue_empty', 'nobody is waiting for this counter');
        const taken = await trx
          .updateTable('tickets')
          .set((eb) => ({ status: 'called', counter_id: counterId, called_at: now, version: eb('version', '+', 1) }))
          .where('id', '=', next.id)
          .where('status', '=', 'waiting')
          .returningAll()
          .executeTakeFirst();
        if (!taken) continue;
        await this.recordLine(trx, taken.service_id, services.get(taken.service_id)!.lineVersion, [[Number(taken.order_key), -1]], now);
        const ticket = toTicket(taken);
        await this.onChange?.(trx, { type: 'called', ticket, at: now, by });
        await this.bumpBoard(trx, taken.queue_id);
        return ticket;
      }
      throw new AppError('conflict', 'too many counters called at once; call again');
    });
  }

  /**
   * Recall, done, no-show, leave, more time or transfer, by compare-and-set
   * on the ticket's version. Leaving a ticket that already left changes
   * nothing and returns it as it is.
   */
  async update(ticketId: string, u: TicketUpdate, moreTimePlaces = 0): Promise<Ticket> {
    return this.units.execute(async ({ db: trx }) => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const first = await trx.selectFrom('tickets').select('service_id').where('id', '=', ticketId).executeTakeFirst();
        if (!first) throw new AppError('not_found', 'no such ticket');
        // The lines it may change are locked before the ticket (in id order, as call-next does): no two units wait on each other.
        const lines = new Map<string, QueueService>();
        if (TOUCHES_LINE[u.action]) {
          for (const id of [...new Set([first.service_id, ...(u.toServiceId ? [u.toServiceId] : [])])].sort()) {
            const s = await this.lockService(trx, id);
            if (s) lines.set(id, s);
          }
        }
        const row = await trx.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
        if (!row) throw new AppError('not_found', 'no such ticket');
        if (row.service_id !== first.service_id) continue; // transferred meanwhile: lock its new line instead
        const t = toTicket(row);
        const next = nextStatus(t.status, u.action);
        if (next === null) {
          if (u.action === 'cancel' && t.status === 'cancelled') return t;
          throw new AppError('invalid_ticket_state', `a ${t.status.replace('_', '-')} ticket cannot be ${ACTION_WORDS[u.action]}`);
        }
        if (u.action === 'more_time' && t.moreTimeUsed) throw new AppError('more_time_used', 'more time can be asked for once per ticket');
        const out = await this.apply(trx, t, next, u, moreTimePlaces, lines);
        if (out) return out;
      }
      throw new AppError('conflict', 'the ticket kept changing; try again');
    });
  }

  /** One attempt; undefined when another writer changed the ticket first. */
  private async apply(trx: Kysely<Database>, t: Ticket, next: TicketStatus, u: TicketUpdate, moreTimePlaces: number, locked: Map<string, QueueService>): Promise<Ticket | undefined> {
    const set: Partial<TicketsTable> = { status: next, version: t.version + 1 };
    const lines: [serviceId: string, changes: [number, number][]][] = [];
    const wasWaiting = t.status === 'waiting';
    let type: TicketChange['type'] | undefined;
    switch (u.action) {
      case 'recall':
        Object.assign(set, { called_at: u.now, recalls: t.recalls + 1 });
        break;
      case 'done':
      case 'no_show':
        set.finished_at = u.now;
        type = u.action === 'done' ? 'served' : 'no_show';
        break;
      case 'cancel':
        set.finished_at = u.now;
        type = 'cancelled';
        if (wasWaiting) lines.push([t.serviceId, [[t.order, -1]]]);
        break;
      case 'more_time': {
        const order = await this.orderBehind(trx, t, moreTimePlaces);
        Object.assign(set, { more_time_used: 1, order_key: order });
        if (order !== t.order) lines.push([t.serviceId, [[t.order, -1], [order, 1]]]);
        break;
      }
      case 'transfer': {
        const target = u.toServiceId!;
        const order = await this.orderIn(trx, target, t.id, u.to ?? 'back', u.now);
        Object.assign(set, { service_id: target, order_key: order, counter_id: null, called_at: null });
        type = 'transferred';
        if (target === t.serviceId) lines.push([target, wasWaiting ? [[t.order, -1], [order, 1]] : [[order, 1]]]);
        else {
          if (wasWaiting) lines.push([t.serviceId, [[t.order, -1]]]);
          lines.push([target, [[order, 1]]]);
        }
        break;
      }
    }
    const won = await trx.updateTable('tickets').set(set).where('id', '=', t.id).where('version', '=', t.version).returningAll().executeTakeFirst();
    if (!won) return undefined;
    for (const [serviceId, changes] of lines) await this.recordLine(trx, serviceId, locked.get(serviceId)!.lineVersion, changes, u.now);
    const ticket = toTicket(won);
    if (type) await this.onChange?.(trx, { type, ticket, at: u.now, by: u.by, ...(type === 'transferred' ? { fromServiceId: t.serviceId } : {}) });
    await this.bumpBoard(trx, t.queueId);
    return ticket;
  }

  /** Where a ticket lands `places` places further back: between two waiting tickets with room, or at the back. */
  private async orderBehind(trx: Kysely<Database>, t: Ticket, places: number): Promise<number> {
    if (places <= 0) return t.order;
    const behind = (
      await trx.selectFrom('tickets').select('order_key').where('service_id', '=', t.serviceId).where('status', '=', 'waiting').where('order_key', '>', t.order).orderBy('order_key').limit(places + 32).execute()
    ).map((r) => Number(r.order_key));
    if (!behind.length) return t.order;
    for (let i = Math.min(places, behind.length) - 1; i < behind.length; i++) {
      const a = behind[i]!;
      const b = behind[i + 1];
      if (b === undefined) return behind.length < places + 32 ? a + 1 : this.back(trx, t.serviceId, 0);
      if (b - a >= 2) return a + Math.floor((b - a) / 2);
    }
    return this.back(trx, t.serviceId, 0);
  }

  /**
   * A priority ticket's place: right after the last waiting priority ticket,
   * or, when there is none, an hour's worth of order keys before the first
   * waiting ticket; either way before every ticket without priority. The
   * order key alone says who is served first (call-next and every phone's
   * `ahead` read it), so priority needs no second rule.
   */
  private async priorityOrder(trx: Kysely<Database>, serviceId: string, now: number): Promise<number> {
    const waiting = trx.selectFrom('tickets').select('order_key').where('service_id', '=', serviceId).where('status', '=', 'waiting');
    const lastPriority = await waiting.where('priority', '=', 1).orderBy('order_key', 'desc').limit(1).executeTakeFirst();
    if (lastPriority) return Number(lastPriority.order_key) + 1;
    const first = await waiting.orderBy('order_key').limit(1).executeTakeFirst();
    return (first ? Number(first.order_key) : now * ORDER_PER_MS) - PRIORITY_LEAD;
  }

  private async back(trx: Kysely<Database>, serviceId: string, now: number): Promise<number> {
    const last = await trx.selectFrom('tickets').select('order_key').where('service_id', '=', serviceId).where('status', '=', 'waiting').orderBy('order_key', 'desc').limit(1).executeTakeFirst();
    return Math.max(now * ORDER_PER_MS, last ? Number(last.order_key) + 1 : 0);
  }

  /** A transferred ticket's place in its new line: before every waiting ticket, or after. */
  private async orderIn(trx: Kysely<Database>, serviceId: string, ticketId: string, to: 'front' | 'back', now: number): Promise<number> {
    if (to === 'back') return this.back(trx, serviceId, now);
    const first = await trx
      .selectFrom('tickets')
      .select('order_key')
      .where('service_id', '=', serviceId)
      .where('status', '=', 'waiting')
      .where('id', '!=', ticketId)
      .orderBy('order_key')
      .limit(1)
      .executeTakeFirst();
    return first ? Number(first.order_key) - 1 : now * ORDER_PER_MS;
  }

  /** Changes nothing: takes the service row's lock (Postgres) by a no-op update, and reads it. */
  private async lockService(trx: Kysely<Database>, serviceId: string): Promise<(QueueService & { waiting: number }) | undefined> {
    const r = await trx.updateTable('queue_services').set((eb) => ({ line_version: eb.ref('line_version') })).where('id', '=', serviceId).returningAll().executeTakeFirst();
    return r && { ...toQueueService(r), waiting: Number(r.waiting) };
  }

  /** Records `changes` at the versions after `version` (the service is locked by this unit), and prunes old ones. */
  private async recordLine(trx: Kysely<Database>, serviceId: string, version: number, changes: [number, number][], at: number): Promise<void> {
    const last = version + changes.length;
    const moved = changes.reduce((n, [, delta]) => n + delta, 0);
    await trx.updateTable('queue_services').set((eb) => ({ line_version: last, waiting: eb('waiting', '+', moved) })).where('id', '=', serviceId).execute();
    await trx
      .insertInto('line_changes')
      .values(changes.map(([order, delta], i) => ({ service_id: serviceId, version: version + 1 + i, order_key: order, delta, at })))
      .execute();
    if (last % 16 === 0) await trx.deleteFrom('line_changes').where('service_id', '=', serviceId).where('version', '<=', last - LINE_CHANGES_KEPT).execute();
  }

  /** The place's row is shared by all its services: bumped last, so it is held only until the commit. */
  private async bumpBoard(trx: Kysely<Database>, queueId: string): Promise<void> {
    await trx.updateTable('queues').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', queueId).execute();
  }

  private async nextNumber(trx: Kysely<Database>, serviceId: string, day: string): Promise<number> {
    const r = await trx
      .insertInto('queue_numbers')
      .values({ service_id: serviceId, day, last: 1 })
      .onConflict((oc) => oc.columns(['service_id', 'day']).doUpdateSet((eb) => ({ last: eb('queue_numbers.last', '+', 1) })))
      .returning('last')
      .executeTakeFirstOrThrow();
    return Number(r.last);
  }

  /** The ticket as its holder sees it, read in one statement so `ahead` and `lineVersion` agree. */
  async state(ticketId: string): Promise<TicketState | undefined> {
    const r = await this.db
      .selectFrom('tickets as t')
      .innerJoin('queue_services as s', 's.id', 't.service_id')
      .leftJoin('queue_counters as c', 'c.id', 't.counter_id')
      .selectAll('t')
      .select(['s.name as service_name', 's.prefix as service_prefix', 's.near_ahead as service_near_ahead', 's.line_version as line_version_now', 'c.name as counter_name'])
      .select((eb) =>
        eb
          .selectFrom('tickets as w')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('w.service_id', '=', 't.service_id')
          .where('w.status', '=', 'waiting')
          .whereRef('w.order_key', '<', 't.order_key')
          .as('ahead'),
      )
      .where('t.id', '=', ticketId)
      .executeTakeFirst();
    if (!r) return undefined;
    const ticket = toTicket(r);
    return {
      ticket,
      service: { id: r.service_id, name: r.service_name, prefix: r.service_prefix, nearAhead: Number(r.service_near_ahead) },
      counter: r.counter_id && r.counter_name !== null ? { id: r.counter_id, name: r.counter_name } : null,
      ahead: ticket.status === 'waiting' ? Number(r.ahead ?? 0) : 0,
      lineVersion: Number(r.line_version_now),
    };
  }

  /** True when `tokenHash` is the ticket's. */
  async holds(ticketId: string, tokenHash: string): Promise<boolean> {
    const r = await this.db.selectFrom('tickets').select('id').where('id', '=', ticketId).where('token_hash', '=', tokenHash).executeTakeFirst();
    return r !== undefined;
  }

  /** Called tickets whose service's no-show time has passed since they were called (or last recalled), oldest first. */
  async overdueCalled(now: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tickets')
      .innerJoin('queue_services', 'queue_services.id', 'tickets.service_id')
      .select('tickets.id')
      .where('tickets.status', '=', 'called')
      .where(sql<number>`tickets.called_at + queue_services.no_show_seconds * 1000`, '<=', now)
      .orderBy('tickets.called_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** The waiting ticket with `ahead` others before it in the service's line (call order), if there is one. */
  async waitingAt(serviceId: string, ahead: number): Promise<Ticket | undefined> {
    const r = await this.db
      .selectFrom('tickets')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('status', '=', 'waiting')
      .orderBy('order_key')
      .orderBy('created_at')
      .offset(ahead)
      .limit(1)
      .executeTakeFirst();
    return r && toTicket(r);
  }

  async ticket(id: string): Promise<Ticket | undefined> {
    const r = await this.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toTicket(r);
  }

  /** The `line:` channel: the latest changes, and how many wait now. */
  async line(serviceId: string, changes = 32): Promise<LineState | undefined> {
    // One row: the count and the version it belongs to agree.
    const s = await this.db.selectFrom('queue_services').select(['line_version', 'waiting']).where('id', '=', serviceId).executeTakeFirst();
    if (!s) return undefined;
    const rows = await this.db.selectFrom('line_changes').select(['version', 'order_key', 'delta']).where('service_id', '=', serviceId).where('version', '<=', Number(s.line_version)).orderBy('version', 'desc').limit(changes).execute();
    return { serviceId, version: Number(s.line_version), waiting: Number(s.waiting), changes: rows.reverse().map((r) => [Number(r.version), Number(r.order_key), Number(r.delta)]) };
  }

  /** Waiting tickets per service of a queue, and since when the longest has waited. */
  async waiting(queueId: string): Promise<Map<string, { waiting: number; oldestAt: number | null }>> {
    const services = await this.db.selectFrom('queue_services').select(['id', 'waiting']).where('queue_id', '=', queueId).execute();
    // The oldest per service is one step into the board index (queue, status, service, created_at); counting is the stored column's job.
    const oldest = await Promise.all(
      services.map((s) =>
        Number(s.waiting) > 0
          ? this.db.selectFrom('tickets').select((eb) => eb.fn.min('created_at').as('oldest')).where('queue_id', '=', queueId).where('status', '=', 'waiting').where('service_id', '=', s.id).executeTakeFirst()
          : undefined,
      ),
    );
    return new Map(services.map((s, i) => [s.id, { waiting: Number(s.waiting), oldestAt: oldest[i]?.oldest == null ? null : Number(oldest[i]!.oldest) }]));
  }

  /** The `board:` channel: the last calls and each service's line. */
  async board(queueId: string, recent = 8): Promise<BoardState | undefined> {
    const q = await this.db.selectFrom('queues').select('version').where('id', '=', queueId).executeTakeFirst();
    if (!q) return undefined;
    const [calls, services, waiting] = await Promise.all([
      this.db
        .selectFrom('tickets as t')
        .leftJoin('queue_counters as c', 'c.id', 't.counter_id')
        .select(['t.id', 't.number', 't.counter_id', 'c.name as counter_name', 't.called_at', 't.recalls'])
        .where('t.queue_id', '=', queueId)
        .where('t.called_at', 'is not', null)
        .orderBy('t.called_at', 'desc')
        .limit(recent)
        .execute(),
      this.db.selectFrom('queue_services').select(['id', 'name', 'prefix', 'open']).where('queue_id', '=', queueId).orderBy('position').execute(),
      this.waiting(queueId),
    ]);
    return {
      version: Number(q.version),
      recent: calls.map((c) => ({ ticketId: c.id, number: c.number, counter: c.counter_id && c.counter_name !== null ? { id: c.counter_id, name: c.counter_name } : null, at: Number(c.called_at), recalls: Number(c.recalls) })),
      services: services.map((s) => ({ id: s.id, name: s.name, prefix: s.prefix, open: Number(s.open) === 1, waiting: waiting.get(s.id)?.waiting ?? 0, oldestWaitingAt: waiting.get(s.id)?.oldestAt ?? null })),
    };
  }

  /** What the wait estimate of a service rests on: its recent finishes, and its counters. */
  async facts(serviceId: string, since: number): Promise<ServiceFacts> {
    const [finished, counters] = await Promise.all([
      this.db
        .selectFrom('tickets')
        .select(['finished_at', 'called_at'])
        .where('service_id', '=', serviceId)
        .where('finished_at', '>=', since)
        .where('status', 'in', ['done', 'no_show'])
        .orderBy('finished_at', 'desc')
        .limit(40)
        .execute(),
      this.db
        .selectFrom('queue_counter_services as cs')
        .innerJoin('queue_counters as oc', 'oc.id', 'cs.counter_id')
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb
            .selectFrom('tickets as b')
            .select((e) => e.fn.count<number>('b.counter_id').distinct().as('busy'))
            .where('b.status', '=', 'called')
            .where(
              'b.counter_id',
              'in',
              eb.selectFrom('queue_counter_services as x').innerJoin('queue_counters as xc', 'xc.id', 'x.counter_id').select('x.counter_id').where('x.service_id', '=', serviceId).where('xc.open', '=', 1),
            )
            .as('busy'),
        ])
        .where('cs.service_id', '=', serviceId)
        .where('oc.open', '=', 1)
        .executeTakeFirstOrThrow(),
    ]);
    return {
      finishedAt: finished.map((r) => Number(r.finished_at)),
      serviceMs: finished.filter((r) => r.called_at !== null).map((r) => Number(r.finished_at) - Number(r.called_at)),
      countersOpen: Number(counters.n),
      countersBusy: Number(counters.busy ?? 0),
    };
  }
}

/** Whether an action may change a line's waiting set (then its lines are locked first). */
const TOUCHES_LINE: Record<Exclude<TicketAction, 'call'>, boolean> = { recall: false, done: false, no_show: false, cancel: true, more_time: true, transfer: true };

const ACTION_WORDS: Record<Exclude<TicketAction, 'call'>, string> = {
  recall: 'recalled',
  done: 'marked done',
  no_show: 'marked no-show',
  cancel: 'left',
  more_time: 'given more time',
  transfer: 'transferred',
};
