import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createAccount, dialects, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { TestClock } from '../support/test-clock.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * The QR queue through the real HTTP API on each database: creating a place,
 * the entrance code, joining, people ahead and the wait, calling, the
 * counter a called visitor is sent to, done, no-show, recall, transfer,
 * leaving and more time; every refusal with its code; numbers restarting at
 * local midnight in the place's zone; wrong-typed input.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MIN = 60_000;

describe.each(dialects)('queue API on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let staff: Session;
  let otherStaff: Session;
  const clock = new TestClock();

  const call = async (auth: Auth | null, method: InjectOptions['method'], url: string, payload?: unknown) => {
    const res = await node.app.inject({ method, url, ...(auth ?? {}), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: (res.body ? res.json() : null) as Json };
  };
  const ok = async (auth: Auth | null, method: InjectOptions['method'], url: string, payload?: unknown, status = 200) => {
    const r = await call(auth, method, url, payload);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const refused = async (status: number, error: string, auth: Auth | null, method: InjectOptions['method'], url: string, payload?: unknown) => {
    const r = await call(auth, method, url, payload);
    expect({ status: r.status, error: r.body?.error }, JSON.stringify(r.body)).toEqual({ status, error });
    return r.body;
  };

  /**
   * An Etc/GMT zone where it is 12:xx now: tests that move the clock by minutes stay within one day
   * there, whenever they run (numbers restart at local midnight).
   */
  const middayZone = () => {
    const offset = ((12 - new Date(clock.now()).getUTCHours() + 36) % 24) - 12; // local = UTC + offset
    return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
  };

  /** A place with services A (Deposits) and B (Loans) and counters serving them, staffed by `staff`; midday in its zone unless `extra` says otherwise. */
  const place = async (extra: Json = {}, services?: Json[]) => {
    const q = await ok(
      as(admin),
      'POST',
      '/api/v1/queues',
      {
        name: 'Branch',
        timezone: middayZone(),
        services: services ?? [
          { name: 'Deposits', prefix: 'A' },
          { name: 'Loans', prefix: 'B' },
        ],
        counters: [
          { name: 'Counter 1', services: ['A'] },
          { name: 'Counter 2', services: ['A', 'B'] },
        ].filter((c) => c.services.every((p) => (services ?? [{ prefix: 'A' }, { prefix: 'B' }]).some((s) => s.prefix === p))),
        ...extra,
      },
      201,
    );
    await ok(as(admin), 'PUT', `/api/v1/queues/${q.id}/staff/${staff.id}`);
    return q;
  };
  const code = async (queueId: string) => (await ok(as(staff), 'GET', `/api/v1/queues/${queueId}/entrance-code`)).code as string;
  const join = async (queueId: string, serviceId: string, extra: Json = {}) =>
    ok(null, 'POST', `/api/v1/queues/${queueId}/tickets`, { service_id: serviceId, entrance_code: await code(queueId), ...extra }, 201);
  const ticket = (t: Json) => ok(null, 'GET', `/api/v1/tickets/${t.id}?token=${t.token}`);

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode({ ...(db.url ? { databaseUrl: db.url } : {}), webhookAllowPrivate: true, webhookTickMs: 60_000 }, { clock });
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    [staff, otherStaff] = await Promise.all([createAccount(node, admin, 'Sam Staff', 'staff'), createAccount(node, admin, 'Olga Other', 'staff')]);
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it('creates a place with services and counters, with defaults, and lists it to its staff only', async () => {
    const q = await place({ timezone: 'Asia/Shanghai' });
    expect(q).toMatchObject({ name: 'Branch', timezone: 'Asia/Shanghai' });
    expect(q.services).toEqual([
      { id: expect.any(String), name: 'Deposits', prefix: 'A', ask: 'none', max_waiting: 500, near_ahead: 3, no_show_seconds: 180, more_time_places: 3, open: true },
      expect.objectContaining({ name: 'Loans', prefix: 'B' }),
    ]);
    expect(q.counters.map((c: Json) => c.service_ids)).toEqual([[q.services[0].id], [q.services[0].id, q.services[1].id]]);
    expect((await ok(as(staff), 'GET', '/api/v1/queues')).queues.map((x: Json) => x.id)).toContain(q.id);
    expect((await ok(as(otherStaff), 'GET', '/api/v1/queues')).queues.map((x: Json) => x.id)).not.toContain(q.id);
    expect(await ok(as(staff), 'GET', `/api/v1/queues/${q.id}`)).toEqual(q);
    await refused(403, 'forbidden', as(otherStaff), 'GET', `/api/v1/queues/${q.id}/entrance-code`);
    await refused(403, 'forbidden', as(otherStaff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`);
    await refused(403, 'forbidden', as(staff), 'POST', '/api/v1/queues', { name: 'x', services: [{ name: 'A', prefix: 'A' }], counters: [] });
  });

  it('refuses an unknown time zone, a prefix used twice and a counter naming no service', async () => {
    const body = { name: 'Bad', services: [{ name: 'A', prefix: 'A' }], counters: [] };
    await refused(400, 'invalid_request', as(admin), 'POST', '/api/v1/queues', { ...body, timezone: 'Mars/Olympus' });
    await refused(400, 'invalid_request', as(admin), 'POST', '/api/v1/queues', { ...body, services: [{ name: 'A', prefix: 'A' }, { name: 'B', prefix: 'A' }] });
    await refused(400, 'invalid_request', as(admin), 'POST', '/api/v1/queues', { ...body, counters: [{ name: 'C', services: ['Z'] }] });
    await refused(400, 'invalid_request', as(admin), 'POST', '/api/v1/queues', { ...body, services: [{ name: 'A', prefix: 'a1' }] });
  });

  it('joins, counts people ahead and the wait, calls, shows the counter to the called ticket, and serves it', async () => {
    const q = await place();
    const [A] = q.services;
    const c = await code(q.id);
    const info = await ok(null, 'GET', `/api/v1/queues/${q.id}/join?entrance_code=${encodeURIComponent(c)}`);
    expect(info.queue).toEqual({ id: q.id, name: 'Branch' });
    expect(info.services[0]).toMatchObject({ id: A.id, name: 'Deposits', prefix: 'A', ask: 'none', open: true, waiting: 0 });

    const t1 = await join(q.id, A.id);
    const t2 = await join(q.id, A.id);
    const t3 = await join(q.id, A.id);
    expect([t1.number, t2.number, t3.number]).toEqual(['A001', 'A002', 'A003']);
    expect(t1).toMatchObject({ status: 'waiting', ahead: 0, counter: null, service: { id: A.id, name: 'Deposits', prefix: 'A' }, live: { channel: `ticket:${t1.id}` }, line: { channel: `line:${A.id}` } });
    expect(t1.token).toEqual(expect.any(String));
    expect(t3.ahead).toBe(2);
    expect(t3.eta_seconds).toBeGreaterThan(t1.eta_seconds);
    expect(t3.eta_range[1]).toBeGreaterThan(t3.eta_range[0]);
    // The token is stored only as its hash.
    const stored = await node.services.store.db.selectFrom('tickets').select('token_hash').where('id', '=', t1.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(t1.token);

    const called = (await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[1].id}/call`)).ticket;
    expect(called).toMatchObject({ id: t1.id, number: 'A001', status: 'called', counter: { id: q.counters[1].id, name: 'Counter 2' } });
    const seen = await ticket(t1);
    expect(seen).toMatchObject({ status: 'called', ahead: 0, counter: { id: q.counters[1].id, name: 'Counter 2' } });
    expect(seen.called_at).toEqual(expect.any(Number));
    expect((await ticket(t3)).ahead).toBe(1);

    const recalled = (await ok(as(staff), 'POST', `/api/v1/tickets/${t1.id}/recall`)).ticket;
    expect(recalled.recalls).toBe(1);
    const board = await ok(as(staff), 'GET', `/api/v1/queues/${q.id}/board`);
    expect(board.now).toMatchObject({ ticket_id: t1.id, number: 'A001', counter: { name: 'Counter 2' }, recalls: 1 });
    expect(board.services[0]).toMatchObject({ id: A.id, waiting: 2 });
    expect(board.live.channel).toBe(`board:${q.id}`);

    expect((await ok(as(staff), 'POST', `/api/v1/tickets/${t1.id}/done`)).ticket.status).toBe('done');
    expect(await ticket(t1)).toMatchObject({ status: 'done', ahead: 0 });
    await refused(409, 'invalid_ticket_state', as(staff), 'POST', `/api/v1/tickets/${t1.id}/done`);
    await refused(409, 'invalid_ticket_state', as(staff), 'POST', `/api/v1/tickets/${t2.id}/done`);
    await refused(409, 'invalid_ticket_state', as(staff), 'POST', `/api/v1/tickets/${t2.id}/no-show`);

    // Counter 1 serves A only; the next is A002, then no-show.
    expect((await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`)).ticket.id).toBe(t2.id);
    expect((await ok(as(staff), 'POST', `/api/v1/tickets/${t2.id}/no-show`)).ticket.status).toBe('no_show');
    expect((await ok(as(admin), 'POST', `/api/v1/counters/${q.counters[0].id}/call`)).ticket.id).toBe(t3.id);
    await refused(404, 'queue_empty', as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`);
  });

  it('refuses a stale or forged entrance code, and a number without one unless staff issue it by hand', async () => {
    const q = await place();
    const A = q.services[0].id;
    const stale = await code(q.id);
    const url = `/api/v1/queues/${q.id}/tickets`;
    // A code from another queue, a made-up one, and this queue's own code once more than two minutes old.
    const other = await place();
    const foreign = await code(other.id);
    for (const bad of [foreign, 'abc.AAAAAAAAAAAAAAAAAAAAAA', 'nonsense']) {
      const r = await refused(403, 'invalid_entrance_code', null, 'POST', url, { service_id: A, entrance_code: bad });
      expect(r.message).toMatch(/scan the code at the entrance again/);
      await refused(403, 'invalid_entrance_code', null, 'GET', `/api/v1/queues/${q.id}/join?entrance_code=${encodeURIComponent(bad)}`);
    }
    await ok(null, 'POST', url, { service_id: A, entrance_code: stale }, 201);
    clock.advance(2 * MIN + 1000);
    await refused(403, 'invalid_entrance_code', null, 'POST', url, { service_id: A, entrance_code: stale });
    await refused(403, 'invalid_entrance_code', null, 'GET', `/api/v1/queues/${q.id}/join?entrance_code=${encodeURIComponent(stale)}`);
    // Without a code: anonymous and other places' staff are refused; the place's staff issue a ticket by hand.
    await refused(403, 'invalid_entrance_code', null, 'POST', url, { service_id: A });
    await refused(403, 'invalid_entrance_code', as(otherStaff), 'POST', url, { service_id: A });
    await refused(403, 'csrf_failed', { headers: { cookie: staff.cookie } }, 'POST', url, { service_id: A });
    expect((await ok(as(staff), 'POST', url, { service_id: A }, 201)).number).toBe('A002');
  });

  it('refuses a closed service (409 service_closed) and a full one (409 queue_full), and asks what the service asks', async () => {
    const q = await place({}, [
      { name: 'Deposits', prefix: 'A', max_waiting: 2 },
      { name: 'Loans', prefix: 'B', ask: 'name' },
    ]);
    const [A, B] = q.services;
    await ok(as(staff), 'PATCH', `/api/v1/queues/${q.id}/services/${A.id}`, { open: false });
    await refused(409, 'service_closed', null, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: A.id, entrance_code: await code(q.id) });
    expect((await ok(as(staff), 'PATCH', `/api/v1/queues/${q.id}/services/${A.id}`, { open: true })).open).toBe(true);
    await join(q.id, A.id);
    await join(q.id, A.id);
    await refused(409, 'queue_full', null, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: A.id, entrance_code: await code(q.id) });
    await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`);
    await join(q.id, A.id);
    await refused(400, 'invalid_request', null, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: B.id, entrance_code: await code(q.id) });
    expect((await join(q.id, B.id, { name: 'Li Lei' })).number).toBe('B001');
    await refused(404, 'not_found', null, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: (await place()).services[0].id, entrance_code: await code(q.id) });
  });

  it("lets the holder read, leave (twice harmlessly) and ask for more time once; a wrong token is not found", async () => {
    const q = await place();
    const A = q.services[0].id;
    const ts: Json[] = [];
    for (let i = 0; i < 6; i++) ts.push(await join(q.id, A));
    await refused(404, 'not_found', null, 'GET', `/api/v1/tickets/${ts[0]!.id}?token=${ts[1]!.token}`);
    await refused(404, 'not_found', null, 'DELETE', `/api/v1/tickets/${ts[0]!.id}?token=wrong`);
    const left = await ok(null, 'DELETE', `/api/v1/tickets/${ts[1]!.id}?token=${ts[1]!.token}`);
    expect(left.status).toBe('cancelled');
    expect(await ok(null, 'DELETE', `/api/v1/tickets/${ts[1]!.id}?token=${ts[1]!.token}`)).toMatchObject({ status: 'cancelled', ahead: 0 });
    expect((await ticket(ts[5]!)).ahead).toBe(4);

    const later = await ok(null, 'POST', `/api/v1/tickets/${ts[0]!.id}/more-time?token=${ts[0]!.token}`);
    expect(later).toMatchObject({ status: 'waiting', ahead: 3, more_time_used: true });
    expect((await ticket(ts[2]!)).ahead).toBe(0);
    expect((await ticket(ts[5]!)).ahead).toBe(4);
    await refused(409, 'more_time_used', null, 'POST', `/api/v1/tickets/${ts[0]!.id}/more-time?token=${ts[0]!.token}`);
    // Calls follow the new order.
    const order: string[] = [];
    for (let i = 0; i < 5; i++) order.push((await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`)).ticket.number);
    expect(order).toEqual(['A003', 'A004', 'A005', 'A001', 'A006']);
  });

  it('transfers a ticket to another service, to the front or the back of its line', async () => {
    const q = await place();
    const [A, B] = q.services;
    const a1 = await join(q.id, A.id);
    const b1 = await join(q.id, B.id);
    const b2 = await join(q.id, B.id);
    const front = (await ok(as(staff), 'POST', `/api/v1/tickets/${a1.id}/transfer`, { service_id: B.id, to: 'front' })).ticket;
    expect(front).toMatchObject({ status: 'waiting', ahead: 0, service: { id: B.id, prefix: 'B' }, number: 'A001' });
    expect((await ticket(b2)).ahead).toBe(2);
    const called = (await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[1].id}/call`)).ticket;
    expect(called.id).toBe(a1.id);
    // A called ticket sent on to the back of another line.
    const back = (await ok(as(staff), 'POST', `/api/v1/tickets/${a1.id}/transfer`, { service_id: A.id, to: 'back' })).ticket;
    expect(back).toMatchObject({ status: 'waiting', counter: null, service: { id: A.id } });
    const b1back = (await ok(as(staff), 'POST', `/api/v1/tickets/${b1.id}/transfer`, { service_id: B.id, to: 'back' })).ticket;
    expect(b1back.ahead).toBe(1);
    expect((await ticket(b2)).ahead).toBe(0);
    await refused(404, 'not_found', as(staff), 'POST', `/api/v1/tickets/${b1.id}/transfer`, { service_id: (await place()).services[0].id, to: 'back' });
    await refused(403, 'forbidden', as(otherStaff), 'POST', `/api/v1/tickets/${b1.id}/transfer`, { service_id: A.id, to: 'back' });
  });

  it("writes a ticket.* webhook for each change through the place's webhook outbox, and audits what staff do", async () => {
    const q = await place();
    const [A, B] = q.services;
    await ok(as(admin), 'PUT', `/api/v1/queues/${q.id}/webhook`, { url: 'http://127.0.0.1:9/hook' }, 201);
    const t1 = await join(q.id, A.id);
    const t2 = await join(q.id, A.id);
    const t3 = await join(q.id, A.id);
    await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`);
    await ok(as(staff), 'POST', `/api/v1/tickets/${t1.id}/done`);
    await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`);
    await ok(as(staff), 'POST', `/api/v1/tickets/${t2.id}/no-show`);
    await ok(as(staff), 'POST', `/api/v1/tickets/${t3.id}/transfer`, { service_id: B.id, to: 'back' });
    await ok(null, 'DELETE', `/api/v1/tickets/${t3.id}?token=${t3.token}`);
    await refused(409, 'invalid_ticket_state', as(staff), 'POST', `/api/v1/tickets/${t3.id}/done`);
    const rows = await node.services.store.db.selectFrom('webhook_deliveries').select(['kind', 'payload']).where('owner', '=', `queue:${q.id}`).orderBy('created_at').orderBy('id').execute();
    expect(rows.map((r) => r.kind).sort()).toEqual(
      ['ticket.created', 'ticket.created', 'ticket.created', 'ticket.called', 'ticket.served', 'ticket.called', 'ticket.no_show', 'ticket.transferred', 'ticket.cancelled'].sort(),
    );
    const served = JSON.parse(rows.find((r) => r.kind === 'ticket.served')!.payload);
    expect(served).toMatchObject({ queue_id: q.id, ticket: { id: t1.id, number: 'A001', status: 'done' }, by: `user:${staff.id}` });
    expect(JSON.parse(rows.find((r) => r.kind === 'ticket.transferred')!.payload)).toMatchObject({ from_service_id: A.id, ticket: { service_id: B.id } });
    const audit = await node.services.audit.recent(50, `ticket:${t1.id}`);
    expect(audit.map((e) => e.action).sort()).toEqual(['queue.called', 'queue.served']);
  });

  it('lists the place\'s staff to admins', async () => {
    const q = await place();
    expect(await ok(as(admin), 'GET', `/api/v1/queues/${q.id}/staff`)).toEqual({ staff: [{ id: staff.id, name: 'Sam Staff', email: expect.any(String), created_at: expect.any(Number) }] });
    await ok(as(admin), 'DELETE', `/api/v1/queues/${q.id}/staff/${staff.id}`);
    expect(await ok(as(admin), 'GET', `/api/v1/queues/${q.id}/staff`)).toEqual({ staff: [] });
    await refused(403, 'forbidden', as(staff), 'GET', `/api/v1/queues/${q.id}/staff`);
    await refused(404, 'not_found', as(admin), 'GET', '/api/v1/queues/no-such-place/staff');
  });

  it('marks a called visitor who did not come within the no-show time as a no-show; a recall restarts the time', async () => {
    const q = await place({}, [{ name: 'Deposits', prefix: 'A', no_show_seconds: 60 }]);
    const t = await join(q.id, q.services[0].id);
    expect((await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`)).ticket.id).toBe(t.id);
    const sweep = () => node.services.queue.tickets.noShowDue();
    clock.advance(50_000);
    await sweep();
    expect((await ticket(t)).status).toBe('called');
    await ok(as(staff), 'POST', `/api/v1/tickets/${t.id}/recall`);
    clock.advance(50_000);
    await sweep();
    expect((await ticket(t)).status).toBe('called');
    clock.advance(11_000);
    await sweep();
    expect((await ticket(t)).status).toBe('no_show');
    // A second sweep changes nothing; staff can no longer finish it.
    await sweep();
    expect((await ticket(t)).status).toBe('no_show');
    await refused(409, 'invalid_ticket_state', as(staff), 'POST', `/api/v1/tickets/${t.id}/done`);
  });

  it('serves a priority ticket issued by staff before everyone without priority, after earlier priority ones; visitors cannot claim it', async () => {
    const q = await place({}, [{ name: 'Deposits', prefix: 'A' }]);
    const A = q.services[0].id;
    const url = `/api/v1/queues/${q.id}/tickets`;
    const a1 = await join(q.id, A);
    const a2 = await join(q.id, A);
    await refused(403, 'forbidden', null, 'POST', url, { service_id: A, entrance_code: await code(q.id), priority: true });
    const p1 = await ok(as(staff), 'POST', url, { service_id: A, priority: true }, 201);
    const p2 = await ok(as(staff), 'POST', url, { service_id: A, priority: true }, 201);
    expect([p1.priority, p2.priority, a1.priority]).toEqual([true, true, false]);
    expect([p1.ahead, p2.ahead]).toEqual([0, 1]);
    expect([(await ticket(a1)).ahead, (await ticket(a2)).ahead]).toEqual([2, 3]);
    const calls: string[] = [];
    for (let i = 0; i < 4; i++) calls.push((await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`)).ticket.number);
    expect(calls).toEqual([p1.number, p2.number, a1.number, a2.number]);
  });

  it('counts only open counters in the wait: closing one of two serving counters lengthens the expected wait', async () => {
    const both = await ok(as(admin), 'POST', '/api/v1/queues', { name: 'Two desks', services: [{ name: 'Deposits', prefix: 'A' }], counters: [{ name: 'Desk 1', services: ['A'] }, { name: 'Desk 2', services: ['A'] }] }, 201);
    await ok(as(admin), 'PUT', `/api/v1/queues/${both.id}/staff/${staff.id}`);
    expect(both.counters.map((c: Json) => c.open)).toEqual([true, true]);
    let last: Json = {};
    for (let i = 0; i < 4; i++) last = await join(both.id, both.services[0].id);
    const before = (await ticket(last)).eta_seconds as number;
    expect(await ok(as(staff), 'PATCH', `/api/v1/counters/${both.counters[1].id}`, { open: false })).toMatchObject({ id: both.counters[1].id, open: false });
    const after = (await ticket(last)).eta_seconds as number;
    expect(after).toBeGreaterThan(before);
    expect((await ok(as(staff), 'GET', `/api/v1/queues/${both.id}`)).counters.map((c: Json) => c.open)).toEqual([true, false]);
    await ok(as(staff), 'PATCH', `/api/v1/counters/${both.counters[1].id}`, { open: true });
    expect((await ticket(last)).eta_seconds).toBe(before);
    await refused(403, 'forbidden', as(otherStaff), 'PATCH', `/api/v1/counters/${both.counters[1].id}`, { open: false });
    await refused(404, 'not_found', as(staff), 'PATCH', '/api/v1/counters/no-such-counter', { open: false });
    await refused(400, 'invalid_request', as(staff), 'PATCH', `/api/v1/counters/${both.counters[1].id}`, { open: 'no' });
  });

  it('answers 400, never 500, to wrong-typed input in every body field', async () => {
    const q = await place();
    const A = q.services[0].id;
    const t = await join(q.id, A);
    const wrong = [null, 12, 'x', true, [], {}, [1], [1, 2], -1, 1.5, 'A'.repeat(5000)];
    const queueBody = { name: 'Typed', timezone: 'UTC', services: [{ name: 'S', prefix: 'S', ask: 'none', max_waiting: 5, near_ahead: 1, no_show_seconds: 60, more_time_places: 2 }], counters: [{ name: 'C', services: ['S'] }] };
    const cases: [Auth | null, InjectOptions['method'], string, Json][] = [
      [as(admin), 'POST', '/api/v1/queues', queueBody],
      [as(staff), 'PATCH', `/api/v1/queues/${q.id}/services/${A}`, { open: true }],
      [null, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: A, entrance_code: 'x', name: 'N', phone: '1' }],
      [as(staff), 'POST', `/api/v1/tickets/${t.id}/transfer`, { service_id: A, to: 'back' }],
    ];
    const paths = (body: Json, prefix: string[] = []): string[][] =>
      Object.entries(body).flatMap(([k, v]) => {
        const p = [...prefix, k];
        if (Array.isArray(v) && v.length && typeof v[0] === 'object') return [p, ...paths(v[0] as Json, [...p, '0'])];
        return [p];
      });
    const withValue = (body: Json, path: string[], value: unknown): Json => {
      const copy = structuredClone(body);
      let at: Json = copy;
      for (const k of path.slice(0, -1)) at = at[k];
      at[path.at(-1)!] = value;
      return copy;
    };
    /** Values of another type that no coercion turns into the type of `original`. */
    const mismatched = (original: unknown): unknown[] => {
      if (typeof original === 'string') return [{}, [], [1, 2]];
      if (typeof original === 'number') return ['x', {}, [], [1, 2], 1.5];
      if (typeof original === 'boolean') return ['x', 12, {}, [], [1, 2]];
      return ['x', 12, true];
    };
    for (const [auth, method, url, body] of cases) {
      for (const path of paths(body)) {
        const original = path.reduce<unknown>((o, k) => (o as Json)[k], body);
        for (const value of [...wrong, ...mismatched(original)]) {
          if (JSON.stringify(value) === JSON.stringify(original)) continue;
          // Never a 5xx. The app coerces scalars as Ajv's coerceTypes does (12 -> "12", [x] -> x), so only values no coercion turns into the field's type must be 400.
          const r = await call(auth, method, url, withValue(body, path, value));
          expect(r.status, `${method} ${url} ${path.join('.')}=${JSON.stringify(value).slice(0, 40)}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
          if (mismatched(original).some((m) => JSON.stringify(m) === JSON.stringify(value))) expect(r.status, `${method} ${url} ${path.join('.')}=${JSON.stringify(value).slice(0, 40)}`).toBe(400);
        }
      }
    }
  });

  it('restarts numbers at 001 at midnight in the place\'s time zone, not the server\'s', async () => {
    // The Etc/GMT zone whose local time is 23:xx now: its midnight is under an hour away.
    const utcHour = new Date(clock.now()).getUTCHours();
    const offset = ((23 - utcHour + 36) % 24) - 12; // local = UTC + offset, in -12..+11
    const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const q = await place({ timezone: zone });
    const A = q.services[0].id;
    expect((await join(q.id, A)).number).toBe('A001');
    expect((await join(q.id, A)).number).toBe('A002');
    const local = new Date(clock.now() + offset * 3600_000);
    const toMidnight = (60 - local.getUTCMinutes()) * MIN - local.getUTCSeconds() * 1000 - local.getUTCMilliseconds();
    clock.advance(toMidnight + 1000);
    const next = await join(q.id, A);
    expect(next.number).toBe('A001');
    expect(next.ahead).toBe(2);
  });
});
