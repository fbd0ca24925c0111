import type { InjectOptions } from 'fastify';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createAccount, dialects, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { TestClock } from '../support/test-clock.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * A place's statistics and its tickets as CSV, through the real HTTP API on
 * each database: tickets taken, called, served, no-showed and cancelled at
 * known local times across hours of a day in a zone that is not UTC, the day
 * before (across local midnight) kept apart, an empty day, a bad day, who may
 * read them, and the CSV's rows with formula-like cells defused.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const zeros = () => new Array<number>(24).fill(0);
const hours = (h: Record<number, number>) => zeros().map((_, i) => h[i] ?? 0);

describe.each(dialects)('queue statistics on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let staff: Session;
  let otherStaff: Session;
  const clock = new TestClock();

  const call = async (auth: Auth | null, method: InjectOptions['method'], url: string, payload?: unknown) => {
    const res = await node.app.inject({ method, url, ...(auth ?? {}), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: (res.body && res.headers['content-type']?.toString().startsWith('application/json') ? res.json() : null) as Json, res };
  };
  const ok = async (auth: Auth | null, method: InjectOptions['method'], url: string, payload?: unknown, status = 200) => {
    const r = await call(auth, method, url, payload);
    expect(r.status, r.res.body).toBe(status);
    return r.body;
  };
  const refused = async (status: number, error: string, auth: Auth | null, url: string) => {
    const r = await call(auth, 'GET', url);
    expect({ status: r.status, error: r.body?.error }, r.res.body).toEqual({ status, error });
  };

  // A zone whose local time is 22:xx now, and never UTC itself (then 21:xx): local = UTC + offset hours.
  const utcHour = new Date(clock.now()).getUTCHours();
  const target = utcHour === 22 ? 21 : 22;
  const offset = ((target - utcHour + 36) % 24) - 12;
  const zone = `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
  const suffix = `${offset < 0 ? '-' : '+'}${String(Math.abs(offset)).padStart(2, '0')}:00`;
  const localIso = (ms: number) => `${new Date(ms + offset * HOUR).toISOString().slice(0, 19)}${suffix}`;
  const localDay = (ms: number) => new Date(ms + offset * HOUR).toISOString().slice(0, 10);
  /** Moves the clock to local hh:mm of the day it is now, or of the next day when `nextDay`. */
  const advanceTo = (hh: number, mm: number, nextDay = false) => {
    const local = clock.now() + offset * HOUR;
    const dayStart = local - (((local % DAY) + DAY) % DAY);
    clock.advance(dayStart + (nextDay ? DAY : 0) + hh * HOUR + mm * MIN - local);
  };

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

  it('counts a day per service, keeps the day before apart, and exports its tickets as CSV', async () => {
    const q = await ok(
      as(admin),
      'POST',
      '/api/v1/queues',
      {
        name: 'Branch 东',
        timezone: zone,
        services: [
          { name: 'Deposits', prefix: 'A', ask: 'name', no_show_seconds: 86_400 },
          { name: 'Loans', prefix: 'B', ask: 'phone', no_show_seconds: 86_400 },
        ],
        counters: [
          { name: 'Counter 1', services: ['A'] },
          { name: '=Desk 2', services: ['A', 'B'] },
        ],
      },
      201,
    );
    await ok(as(admin), 'PUT', `/api/v1/queues/${q.id}/staff/${staff.id}`);
    const [A, B] = q.services;
    const [c1, c2] = q.counters;
    const code = async () => (await ok(as(staff), 'GET', `/api/v1/queues/${q.id}/entrance-code`)).code as string;
    const join = async (serviceId: string, extra: Json) => ok(null, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: serviceId, entrance_code: await code(), ...extra }, 201);
    const callAt = async (counterId: string) => (await ok(as(staff), 'POST', `/api/v1/counters/${counterId}/call`)).ticket as Json;
    const act = async (t: Json, what: 'done' | 'no-show') => (await ok(as(staff), 'POST', `/api/v1/tickets/${t.id}/${what}`)).ticket as Json;
    const stats = (day?: string, auth: Auth = as(staff)) => ok(auth, 'GET', `/api/v1/queues/${q.id}/stats${day ? `?day=${day}` : ''}`);

    // The day before, at 22:xx local: one ticket, which leaves.
    const x0 = await join(A.id, { name: 'Early' });
    const dayBefore = localDay(x0.created_at);
    await ok(null, 'DELETE', `/api/v1/tickets/${x0.id}?token=${x0.token}`);

    // The day: 00:10 three join; 00:15 A1 called, 00:17 served; A2 called at 00:17, no-show 00:18; B1 called 00:18.
    advanceTo(0, 10, true);
    const a1 = await join(A.id, { name: '=HYPERLINK("http://evil")' });
    const a2 = await join(A.id, { name: '张三' });
    const b1 = await join(B.id, { phone: '+86 138 0000 0000' });
    const day = localDay(a1.created_at);
    expect(day).not.toBe(dayBefore);
    expect([a1.number, a2.number, b1.number]).toEqual(['A001', 'A002', 'B001']);
    clock.advance(5 * MIN);
    expect((await callAt(c1.id)).id).toBe(a1.id);
    clock.advance(2 * MIN);
    const a1Done = await act(a1, 'done');
    expect((await callAt(c2.id)).id).toBe(a2.id);
    clock.advance(MIN);
    const a2Gone = await act(a2, 'no-show');
    const b1Called = await callAt(c2.id);
    expect(b1Called.id).toBe(b1.id);
    // 02:10: B1 served; two join; 02:20 A4 leaves, A3 called; 02:23 A3 served.
    // 112 min after B1's call as stored (not "02:10" on the clock: the calls since 00:18 took real time,
    // which under a loaded machine passed the half second that rounds the service time to 6,719 s).
    clock.advance(Number(b1Called.called_at) + 112 * MIN - clock.now());
    const b1Done = await act(b1, 'done');
    const a3 = await join(A.id, { name: '@SUM(1+1)' });
    const a4 = await join(A.id, { name: '-2' });
    clock.advance(10 * MIN);
    await ok(null, 'DELETE', `/api/v1/tickets/${a4.id}?token=${a4.token}`);
    expect((await callAt(c1.id)).id).toBe(a3.id);
    clock.advance(3 * MIN);
    const a3Done = await act(a3, 'done');
    // 05:10: one more joins and waits.
    advanceTo(5, 10);
    const a5 = await join(A.id, { name: 'Bob' });

    const today = await stats();
    expect(today).toEqual({
      queue_id: q.id,
      day,
      timezone: zone,
      services: [
        {
          id: A.id,
          name: 'Deposits',
          prefix: 'A',
          tickets: 5,
          served: 2,
          no_shows: 1,
          cancelled: 1,
          waiting_now: 1,
          wait_seconds: { p50: 420, p90: 600 }, // 300, 420, 600
          service_seconds: { p50: 120, p90: 180 }, // 120, 180
          by_hour: hours({ 0: 2, 2: 2, 5: 1 }),
        },
        {
          id: B.id,
          name: 'Loans',
          prefix: 'B',
          tickets: 1,
          served: 1,
          no_shows: 0,
          cancelled: 0,
          waiting_now: 0,
          wait_seconds: { p50: 480, p90: 480 },
          service_seconds: { p50: 112 * 60, p90: 112 * 60 },
          by_hour: hours({ 0: 1 }),
        },
      ],
    });
    expect(await stats(day)).toEqual(today);
    expect(await stats(day, as(admin))).toEqual(today);

    // The day before holds only the ticket taken at 22:xx local, not the ones after local midnight.
    const before = await stats(dayBefore);
    expect(before.services[0]).toMatchObject({ tickets: 1, served: 0, cancelled: 1, waiting_now: 0, wait_seconds: null, service_seconds: null, by_hour: hours({ [target]: 1 }) });
    expect(before.services[1]).toMatchObject({ tickets: 0, by_hour: zeros() });

    // The CSV of the day: a BOM, a header, one row per ticket in the order taken, local times with the zone's offset.
    const r = await call(as(staff), 'GET', `/api/v1/queues/${q.id}/tickets.csv?day=${day}`);
    expect(r.status).toBe(200);
    expect(r.res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.res.headers['content-disposition']).toBe(`attachment; filename="tickets-Branch-${day}.csv"; filename*=UTF-8''${encodeURIComponent(`tickets-Branch 东-${day}.csv`)}`);
    expect(r.res.body.startsWith('\uFEFFnumber,service,status,')).toBe(true);
    const rows = parse(r.res.body, { bom: true }) as string[][];
    expect(rows).toEqual([
      ['number', 'service', 'status', 'name', 'phone', 'created_at', 'called_at', 'finished_at', 'wait_seconds', 'service_seconds', 'counter'],
      ['A001', 'Deposits', 'done', `'=HYPERLINK("http://evil")`, '', localIso(a1.created_at), localIso(a1Done.called_at), expect.stringMatching(/T00:17:\d\d/), '300', '120', 'Counter 1'],
      ['A002', 'Deposits', 'no_show', '张三', '', localIso(a2.created_at), localIso(a2Gone.called_at), expect.stringMatching(/T00:18:\d\d/), '420', '', "'=Desk 2"],
      ['B001', 'Loans', 'done', '', "'+86 138 0000 0000", localIso(b1.created_at), localIso(b1Called.called_at), expect.stringMatching(/T02:10:\d\d/), '480', String(112 * 60), "'=Desk 2"],
      ['A003', 'Deposits', 'done', "'@SUM(1+1)", '', localIso(a3.created_at), localIso(a3Done.called_at), expect.stringMatching(/T02:23:\d\d/), '600', '180', 'Counter 1'],
      ['A004', 'Deposits', 'cancelled', "'-2", '', localIso(a4.created_at), '', expect.stringMatching(/T02:20:\d\d/), '', '', ''],
      ['A005', 'Deposits', 'waiting', 'Bob', '', localIso(a5.created_at), '', '', '', '', ''],
    ]);
    expect(rows[1]![5]).toMatch(new RegExp(`^${day}T00:10:\\d\\d\\${suffix}$`));
    expect(b1Done.status).toBe('done');
  });

  it('answers an empty day with zeros, refuses a bad day, and shows a place to its staff and admins only', async () => {
    const q = await ok(as(admin), 'POST', '/api/v1/queues', { name: 'Quiet', timezone: 'Asia/Shanghai', services: [{ name: 'S', prefix: 'S' }], counters: [] }, 201);
    await ok(as(admin), 'PUT', `/api/v1/queues/${q.id}/staff/${staff.id}`);
    const empty = await ok(as(staff), 'GET', `/api/v1/queues/${q.id}/stats?day=2020-02-29`);
    expect(empty).toEqual({
      queue_id: q.id,
      day: '2020-02-29',
      timezone: 'Asia/Shanghai',
      services: [{ id: q.services[0].id, name: 'S', prefix: 'S', tickets: 0, served: 0, no_shows: 0, cancelled: 0, waiting_now: 0, wait_seconds: null, service_seconds: null, by_hour: zeros() }],
    });
    expect((await ok(as(staff), 'GET', `/api/v1/queues/${q.id}/stats`)).day).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(clock.now()));
    const csv = await call(as(staff), 'GET', `/api/v1/queues/${q.id}/tickets.csv?day=2020-02-29`);
    expect(csv.res.body).toBe('\uFEFFnumber,service,status,name,phone,created_at,called_at,finished_at,wait_seconds,service_seconds,counter\r\n');

    for (const bad of ['2021-02-29', '2020-13-01', '20200101', 'today', '2020-1-01']) {
      await refused(400, 'invalid_request', as(staff), `/api/v1/queues/${q.id}/stats?day=${bad}`);
      await refused(400, 'invalid_request', as(staff), `/api/v1/queues/${q.id}/tickets.csv?day=${bad}`);
    }
    for (const path of ['stats', 'tickets.csv']) {
      await refused(403, 'forbidden', as(otherStaff), `/api/v1/queues/${q.id}/${path}`);
      await refused(401, 'unauthorized', null, `/api/v1/queues/${q.id}/${path}`);
      await refused(404, 'not_found', as(admin), `/api/v1/queues/nope/${path}`);
    }
  });
});
