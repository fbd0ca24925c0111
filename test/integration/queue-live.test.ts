import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createAccount, dialects, signInByInject, type Session } from '../support/api-suite.js';
import { openRawSocket, type Frame } from '../support/raw-socket.js';
import { ADMIN, startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

/**
 * The queue's live channels over a real WebSocket: a phone that holds its
 * ticket's `order`, `ahead` and `line_version` and applies the `line:`
 * frames as the design says keeps the same `ahead` as a fresh read, through
 * calls, leaves, transfers and more time; and a call publishes a constant
 * number of frames however many wait.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type LineData = { waiting: number; per_ticket_seconds: number; changes: [number, number, number][] };

/** A phone following its ticket as the ticket page does: the ticket snapshot, then the line's changes. */
class Phone {
  order = 0;
  ahead = 0;
  version = 0;
  status = 'waiting';
  ticketVersion = 0;
  resyncs = 0;

  constructor(
    readonly ticket: Json,
    private readonly read: () => Promise<Json>,
  ) {
    this.take(ticket);
  }

  take(state: Json): void {
    this.order = state.order;
    this.ahead = state.ahead;
    this.version = state.line_version;
    this.status = state.status;
  }

  /** The last `line:` frame: a pushed snapshot may be older than changes already applied, and this brings it up to date. */
  private lastLine: Frame | undefined;

  /** A `ticket:` frame: the ticket itself changed (called, moved back, transferred): its data is a snapshot. */
  async onTicket(f: Frame): Promise<void> {
    if ((f.version as number) <= this.ticketVersion) return;
    this.ticketVersion = f.version as number;
    this.take(f.data as Json);
    if (this.lastLine) await this.onLine(this.lastLine);
  }

  /** A `line:` frame: apply the changes newer than what `ahead` was counted at. */
  async onLine(f: Frame): Promise<void> {
    this.lastLine = f;
    const { changes } = f.data as LineData;
    const newer = changes.filter(([v]) => v > this.version);
    if (!newer.length || this.status !== 'waiting') return;
    if (newer[0]![0] > this.version + 1) {
      this.resyncs++;
      this.take(await this.read());
      return;
    }
    for (const [v, order, delta] of newer) {
      if (order < this.order) this.ahead += delta;
      this.version = v;
    }
  }
}

describe.each(dialects)('queue live channels on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let staff: Session;

  const ok = async (auth: ReturnType<typeof as> | null, method: 'GET' | 'POST' | 'DELETE' | 'PUT', url: string, payload?: Json, status = 200) => {
    const res = await node.app.inject({ method, url, ...(auth ?? {}), ...(payload ? { payload } : {}) });
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as Json;
  };

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode(db.url ? { databaseUrl: db.url } : {});
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    staff = await createAccount(node, admin, 'Sam Staff', 'staff');
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  const place = async () => {
    const q = await ok(
      as(admin),
      'POST',
      '/api/v1/queues',
      { name: 'Clinic', services: [{ name: 'General', prefix: 'A', more_time_places: 2 }, { name: 'Dental', prefix: 'B' }], counters: [{ name: 'Room 1', services: ['A'] }, { name: 'Room 2', services: ['B'] }] },
      201,
    );
    await ok(as(admin), 'PUT', `/api/v1/queues/${q.id}/staff/${staff.id}`);
    return q;
  };
  const join = async (q: Json, serviceId: string) => {
    const { code } = await ok(as(staff), 'GET', `/api/v1/queues/${q.id}/entrance-code`);
    return ok(null, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: serviceId, entrance_code: code }, 201);
  };
  const fresh = (t: Json) => ok(null, 'GET', `/api/v1/tickets/${t.id}?token=${t.token}`);

  it("keeps a phone's ahead equal to a fresh read through calls, leaves, transfers and more time", async () => {
    const q = await place();
    const [A, B] = q.services;
    const tickets: Json[] = [];
    for (let i = 0; i < 10; i++) tickets.push(await join(q, A.id));
    const b1 = await join(q, B.id);
    const b2 = await join(q, B.id);

    const sock = await openRawSocket(node.url);
    const phones = new Map<string, Phone>();
    for (const t of tickets) {
      phones.set(t.id, new Phone(t, () => fresh(t)));
      sock.send({ op: 'sub', channel: t.live.channel, token: t.live.token });
    }
    sock.send({ op: 'sub', channel: tickets[0]!.line.channel, token: tickets[0]!.line.token });
    let seen = 0;
    const pump = async () => {
      while (seen < sock.frames.length) {
        const f = sock.frames[seen++]!;
        expect(f.op, JSON.stringify(f)).not.toBe('error');
        if (f.channel?.startsWith('ticket:')) await phones.get(f.channel.slice(7))?.onTicket(f);
        else if (f.channel?.startsWith('line:')) for (const p of phones.values()) await p.onLine(f);
      }
    };
    const lineVersion = async () => (await node.services.store.db.selectFrom('queue_services').select('line_version').where('id', '=', A.id).executeTakeFirstOrThrow()).line_version;
    const settled = async () => {
      const v = Number(await lineVersion());
      await until(async () => {
        await pump();
        return sock.frames.some((f) => f.channel === `line:${A.id}` && f.version === v);
      }, `line version ${v}`);
      await pump();
      // Each service's stored count moves with its line's changes: it always equals a count of its waiting tickets.
      const db = node.services.store.db;
      for (const s of [A, B]) {
        const stored = await db.selectFrom('queue_services').select('waiting').where('id', '=', s.id).executeTakeFirstOrThrow();
        const counted = await db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('service_id', '=', s.id).where('status', '=', 'waiting').executeTakeFirstOrThrow();
        expect(Number(stored.waiting), `waiting of ${s.prefix}`).toBe(Number(counted.n));
      }
      for (const [, p] of phones) {
        const now = await fresh(p.ticket);
        if (now.status !== 'waiting' || now.service.id !== A.id) continue;
        expect({ number: p.ticket.number, ahead: p.ahead }).toEqual({ number: p.ticket.number, ahead: now.ahead });
      }
    };
    await until(() => sock.frames.filter((f) => f.channel?.startsWith('ticket:')).length >= tickets.length, 'ticket snapshots');
    await settled();

    const room1 = q.counters[0].id;
    await ok(as(staff), 'POST', `/api/v1/counters/${room1}/call`);
    await settled();
    await ok(null, 'DELETE', `/api/v1/tickets/${tickets[3]!.id}?token=${tickets[3]!.token}`);
    await settled();
    await ok(null, 'POST', `/api/v1/tickets/${tickets[1]!.id}/more-time?token=${tickets[1]!.token}`);
    await settled();
    await ok(as(staff), 'POST', `/api/v1/tickets/${b1.id}/transfer`, { service_id: A.id, to: 'front' });
    await settled();
    await ok(as(staff), 'POST', `/api/v1/tickets/${tickets[6]!.id}/transfer`, { service_id: B.id, to: 'back' });
    await settled();
    await ok(as(staff), 'POST', `/api/v1/tickets/${b2.id}/transfer`, { service_id: A.id, to: 'back' });
    await join(q, A.id);
    await ok(as(staff), 'POST', `/api/v1/counters/${room1}/call`);
    await ok(as(staff), 'POST', `/api/v1/counters/${room1}/call`);
    await ok(null, 'POST', `/api/v1/tickets/${tickets[8]!.id}/more-time?token=${tickets[8]!.token}`);
    await settled();
    // Two priority tickets issued at the desk go before everyone waiting: each phone's ahead grows by one, twice.
    await ok(as(staff), 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: A.id, priority: true }, 201);
    await ok(as(staff), 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: A.id, priority: true }, 201);
    await settled();
    // Forty more changes while the phones are not listening: the frame's changes no longer reach back, so they re-read.
    for (let i = 0; i < 40; i++) await join(q, A.id);
    const last = Number(await lineVersion());
    await until(() => sock.frames.some((f) => f.channel === `line:${A.id}` && f.version === last), `line version ${last}`);
    seen = sock.frames.findIndex((f) => f.channel === `line:${A.id}` && f.version === last); // the frames before it were lost
    await settled();
    expect([...phones.values()].some((p) => p.resyncs > 0)).toBe(true);
    sock.ws.close();
  });

  it('publishes a constant number of frames per call, whatever the length of the line', async () => {
    const q = await place();
    const A = q.services[0].id;
    // Every frame a node publishes goes through LiveService.publish: count them (the real publish still runs).
    const live = node.services.live;
    let published = 0;
    const publish = live.publish.bind(live);
    live.publish = (event) => {
      published++;
      publish(event);
    };
    const framesPerCall = async (waiting: number) => {
      for (let i = 0; i < waiting; i++) await join(q, A);
      // Let the joins' frames go out before counting.
      await new Promise((r) => setTimeout(r, 200));
      const before = published;
      await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`);
      await new Promise((r) => setTimeout(r, 300));
      return published - before;
    };
    const small = await framesPerCall(2);
    const large = await framesPerCall(60);
    expect(small).toBeLessThanOrEqual(3);
    expect(large).toBe(small);
    live.publish = publish;
  });
});
