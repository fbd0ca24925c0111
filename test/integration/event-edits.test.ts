import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createAccount, dialects, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * Organisers changing events and sessions, on SQLite and Postgres: edit
 * (wrong-type and out-of-order input refused, changing nothing; two edits at
 * once never leave an event that ends before it starts), delete what nobody
 * checked in to, archive what they did (hidden from the list and the
 * scanners' picker, brought back); and the dashboard's list of who has not
 * arrived yet, searchable, paged, exported as CSV.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
const MIN = 60_000;

describe.each(dialects)('event edits and the not-arrived list on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let staff: Session;
  let otherStaff: Session;

  const call = async (who: Auth | undefined, method: string, url: string, payload?: unknown) => {
    const res = await node.app.inject({ method: method as InjectOptions['method'], url, ...(who ?? {}), ...(payload !== undefined ? { payload: payload as InjectOptions['payload'] } : {}) });
    return { status: res.statusCode, body: res.headers['content-type']?.toString().startsWith('application/json') ? res.json() : res.body, headers: res.headers };
  };
  const ok = async (who: Auth, method: string, url: string, payload?: unknown, status = 200) => {
    const r = await call(who, method, url, payload);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const newEvent = async (name: string) => {
    const now = Date.now();
    return (await ok(as(admin), 'POST', '/api/v1/events', { name, starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id as string;
  };
  const newSession = async (eventId: string, name: string, extra: Record<string, unknown> = {}) => {
    const now = Date.now();
    return (await ok(as(admin), 'POST', `/api/v1/events/${eventId}/sessions`, { name, starts_at: now - 10 * MIN, ends_at: now + 60 * MIN, ...extra }, 201)).id as string;
  };
  const newAttendee = async (eventId: string, name: string, sessionIds: string[], email?: string) =>
    (await ok(as(admin), 'POST', `/api/v1/events/${eventId}/attendees`, { name, session_ids: sessionIds, ...(email ? { email } : {}) }, 201)).id as string;
  const checkIn = async (sessionId: string, attendeeId: string) => {
    const a = await ok(as(admin), 'POST', '/api/v1/checkins/manual', { session_id: sessionId, attendee_id: attendeeId, nonce: randomUUID() });
    expect(a.result).toBe('ok');
    return a.checkin.id as string;
  };
  const pickable = async () => ((await ok(as(admin), 'GET', '/api/v1/scanner/sessions')).sessions as { id: string }[]).map((s) => s.id);
  const listed = async (q = '') => ((await ok(as(admin), 'GET', `/api/v1/events?limit=1000${q}`)).events as { id: string; archived: boolean }[]);

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    // A webhook to a loopback address, so deleting the event can be seen to remove it.
    node = await startTestNode({ webhookAllowPrivate: true, ...(db.url ? { databaseUrl: db.url } : {}) });
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    [staff, otherStaff] = await Promise.all([createAccount(node, admin, 'Sam Staff', 'staff'), createAccount(node, admin, 'Olga Other', 'staff')]);
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it("edits an event's name and times; a field left out keeps its value", async () => {
    const id = await newEvent('Summit');
    const before = await ok(as(admin), 'GET', `/api/v1/events/${id}`);
    const renamed = await ok(as(admin), 'PATCH', `/api/v1/events/${id}`, { name: '  Summit 2031  ' });
    expect(renamed).toMatchObject({ id, name: 'Summit 2031', starts_at: before.starts_at, ends_at: before.ends_at, archived: false });
    const moved = await ok(as(admin), 'PATCH', `/api/v1/events/${id}`, { starts_at: 1_900_000_000_000, ends_at: 1_900_000_360_000 });
    expect(moved).toMatchObject({ name: 'Summit 2031', starts_at: 1_900_000_000_000, ends_at: 1_900_000_360_000 });
    expect(await ok(as(admin), 'GET', `/api/v1/events/${id}`)).toMatchObject({ name: 'Summit 2031', starts_at: 1_900_000_000_000, ends_at: 1_900_000_360_000 });
  });

  it('refuses wrong-type, negative and out-of-order input with invalid_request, changing nothing', async () => {
    const id = await newEvent('Typed');
    const sid = await newSession(id, 'Typed talk');
    const event = await ok(as(admin), 'GET', `/api/v1/events/${id}`);
    const bad: [string, unknown][] = [
      [`/api/v1/events/${id}`, { name: { first: 'x' } }],
      [`/api/v1/events/${id}`, { name: ['a', 'b'] }],
      [`/api/v1/events/${id}`, { name: null }],
      [`/api/v1/events/${id}`, { name: '' }],
      [`/api/v1/events/${id}`, { name: '   ' }],
      [`/api/v1/events/${id}`, { starts_at: -1 }],
      [`/api/v1/events/${id}`, { starts_at: { at: 1 } }],
      [`/api/v1/events/${id}`, { ends_at: 'tomorrow' }],
      [`/api/v1/events/${id}`, { ends_at: event.starts_at }],
      [`/api/v1/events/${id}`, { starts_at: event.ends_at + 1 }],
      [`/api/v1/events/${id}`, { starts_at: 2_000, ends_at: 1_000 }],
      [`/api/v1/events/${id}`, {}],
      [`/api/v1/events/${id}`, { name: 'x', public_key: 'mine' }],
      [`/api/v1/events/${id}`, ['name']],
      [`/api/v1/sessions/${sid}`, { name: { x: 1 } }],
      [`/api/v1/sessions/${sid}`, { place: { hall: 'A' } }],
      [`/api/v1/sessions/${sid}`, { starts_at: -60_000 }],
      [`/api/v1/sessions/${sid}`, { ends_at: 1 }],
      [`/api/v1/sessions/${sid}`, { opens_at: Date.now() + 365 * 24 * 60 * MIN }],
      [`/api/v1/sessions/${sid}`, { closes_at: 0 }],
      [`/api/v1/sessions/${sid}`, { all_attendees: { yes: true } }],
      [`/api/v1/sessions/${sid}`, { closed: [] }],
      [`/api/v1/sessions/${sid}`, { version: 3 }],
      [`/api/v1/sessions/${sid}`, {}],
    ];
    const sessionBefore = (await ok(as(admin), 'GET', `/api/v1/events/${id}`)).sessions[0];
    for (const [url, body] of bad) {
      const r = await call(as(admin), 'PATCH', url, body);
      expect(r.status, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error, `${url} ${JSON.stringify(body)}`).toBe('invalid_request');
    }
    const after = await ok(as(admin), 'GET', `/api/v1/events/${id}`);
    expect({ ...after, sessions: undefined }).toEqual({ ...event, sessions: undefined });
    expect(after.sessions[0]).toEqual(sessionBefore);
    // Unknown ids, and ids of the wrong shape.
    for (const url of [`/api/v1/events/${randomUUID()}`, `/api/v1/sessions/${randomUUID()}`]) {
      expect((await call(as(admin), 'PATCH', url, { name: 'x' })).body.error).toBe('not_found');
      expect((await call(as(admin), 'DELETE', url)).body.error).toBe('not_found');
      expect((await call(as(admin), 'POST', `${url}/archive`, { archived: true })).body.error).toBe('not_found');
    }
    expect((await call(as(admin), 'PATCH', `/api/v1/events/${'x'.repeat(65)}`, { name: 'x' })).status).toBe(400);
    expect((await call(as(admin), 'POST', `/api/v1/events/${id}/archive`, { archived: 'maybe' })).status).toBe(400);
    expect((await call(as(admin), 'POST', `/api/v1/events/${id}/archive`, {})).status).toBe(400);
    // Staff may not change events; nobody signed out may.
    expect((await call(as(staff), 'PATCH', `/api/v1/events/${id}`, { name: 'Mine' })).status).toBe(403);
    expect((await call(as(staff), 'DELETE', `/api/v1/sessions/${sid}`)).status).toBe(403);
    expect((await call(undefined, 'DELETE', `/api/v1/events/${id}`)).status).toBe(401);
  });

  it('edits a session: name, place, times, window, open to all, closed; its dashboard shows the new name, pushed', async () => {
    const id = await newEvent('Live rename');
    const sid = await newSession(id, 'Keynote', { place: 'Hall A' });
    await ok(as(admin), 'POST', `/api/v1/sessions/${sid}/staff`, { user_id: staff.id });
    const counts = await ok(as(staff), 'GET', `/api/v1/sessions/${sid}/counts`);
    expect(counts.session.name).toBe('Keynote');

    const edited = await ok(as(admin), 'PATCH', `/api/v1/sessions/${sid}`, { name: 'Opening keynote', place: null, all_attendees: true });
    expect(edited).toMatchObject({ id: sid, name: 'Opening keynote', place: null, all_attendees: true, closed: false, archived: false });
    // The watchers of the session channel get the new name without asking.
    const q = new URLSearchParams({ channel: counts.live.channel, token: counts.live.token, after: String(counts.version), wait: '5' });
    let pushed = (await call(undefined, 'GET', `/v1/live/poll?${q}`)).body;
    for (let i = 0; i < 5 && pushed.data.session.name !== 'Opening keynote'; i++) {
      q.set('after', String(pushed.version));
      pushed = (await call(undefined, 'GET', `/v1/live/poll?${q}`)).body;
    }
    expect(pushed.data.session.name).toBe('Opening keynote');
    expect((await ok(as(staff), 'GET', '/api/v1/scanner/sessions')).sessions.find((s: { id: string }) => s.id === sid).name).toBe('Opening keynote');

    const closed = await ok(as(admin), 'PATCH', `/api/v1/sessions/${sid}`, { closed: true });
    expect(closed).toMatchObject({ closed: true, name: 'Opening keynote' });
    expect(await ok(as(admin), 'PATCH', `/api/v1/sessions/${sid}`, { closed: false })).toMatchObject({ closed: false });
    const t = Date.now();
    const retimed = await ok(as(admin), 'PATCH', `/api/v1/sessions/${sid}`, { starts_at: t, ends_at: t + 30 * MIN, opens_at: t - 5 * MIN, closes_at: t + 30 * MIN });
    expect(retimed).toMatchObject({ starts_at: t, ends_at: t + 30 * MIN, opens_at: t - 5 * MIN, closes_at: t + 30 * MIN });
    // Each end alone past the other: refused.
    expect((await call(as(admin), 'PATCH', `/api/v1/sessions/${sid}`, { ends_at: t - MIN })).body.error).toBe('invalid_request');
    expect((await call(as(admin), 'PATCH', `/api/v1/sessions/${sid}`, { closes_at: t - 10 * MIN })).body.error).toBe('invalid_request');
  });

  it('two edits at once, each fine alone, never leave an event that ends before it starts', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await newEvent(`Race ${round}`);
      const e = await ok(as(admin), 'GET', `/api/v1/events/${id}`);
      // Alone, each is fine; together the event would end before it starts.
      const [a, b] = await Promise.all([
        call(as(admin), 'PATCH', `/api/v1/events/${id}`, { starts_at: e.ends_at - MIN }),
        call(as(admin), 'PATCH', `/api/v1/events/${id}`, { ends_at: e.starts_at + MIN }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 400]);
      const now = await ok(as(admin), 'GET', `/api/v1/events/${id}`);
      expect(now.ends_at).toBeGreaterThan(now.starts_at);
    }
  });

  it('deletes an empty session and an empty event; refuses one with check-ins (archive instead)', async () => {
    const id = await newEvent('Deletions');
    const empty = await newSession(id, 'Nobody came');
    const busy = await newSession(id, 'Packed');
    const ada = await newAttendee(id, 'Ada Lovelace', [empty, busy]);
    await ok(as(admin), 'POST', `/api/v1/sessions/${empty}/staff`, { user_id: staff.id });

    expect(await ok(as(admin), 'DELETE', `/api/v1/sessions/${empty}`)).toEqual({ id: empty, deleted: true });
    expect((await ok(as(admin), 'GET', `/api/v1/events/${id}`)).sessions.map((s: { id: string }) => s.id)).toEqual([busy]);
    expect((await call(as(admin), 'DELETE', `/api/v1/sessions/${empty}`)).body.error).toBe('not_found');
    expect(await pickable()).not.toContain(empty);

    // A check-in, even undone, is history: the session and its event stay.
    const c = await checkIn(busy, ada);
    await ok(as(admin), 'DELETE', `/api/v1/checkins/${c}`);
    const refused = await call(as(admin), 'DELETE', `/api/v1/sessions/${busy}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('session_has_checkins');
    const refusedEvent = await call(as(admin), 'DELETE', `/api/v1/events/${id}`);
    expect(refusedEvent.status).toBe(409);
    expect(refusedEvent.body.error).toBe('event_has_checkins');
    const still = await ok(as(admin), 'GET', `/api/v1/events/${id}`);
    expect(still.sessions.map((s: { id: string }) => s.id)).toEqual([busy]);
    expect((await ok(as(admin), 'GET', `/api/v1/events/${id}/attendees`)).attendees).toHaveLength(1);
    expect((await node.services.store.db.selectFrom('checkins').select('id').where('session_id', '=', busy).execute()).length).toBe(1);

    // An event nobody checked in to goes with its sessions, attendees, scanners and webhook.
    const gone = await newEvent('Cancelled');
    const gs = await newSession(gone, 'Never held');
    await newAttendee(gone, 'Grace Hopper', [gs]);
    const device = await ok(as(admin), 'POST', `/api/v1/events/${gone}/devices`, { name: 'Gate' }, 201);
    await ok(as(admin), 'PUT', `/api/v1/events/${gone}/webhook`, { url: 'http://127.0.0.1:9/hook' }, 201);
    expect(await ok(as(admin), 'DELETE', `/api/v1/events/${gone}`)).toEqual({ id: gone, deleted: true });
    expect((await call(as(admin), 'GET', `/api/v1/events/${gone}`)).status).toBe(404);
    expect((await listed()).map((e) => e.id)).not.toContain(gone);
    const db = node.services.store.db;
    expect(await db.selectFrom('attendees').select('id').where('event_id', '=', gone).execute()).toEqual([]);
    expect(await db.selectFrom('event_sessions').select('id').where('event_id', '=', gone).execute()).toEqual([]);
    expect(await db.selectFrom('webhook_endpoints').select('owner').where('owner', '=', `event:${gone}`).execute()).toEqual([]);
    const scanner = await node.app.inject({ method: 'GET', url: '/api/v1/scanner/sessions', headers: { authorization: `Bearer ${device.token}` } });
    expect(scanner.statusCode).toBe(401);
    const audit = await db.selectFrom('audit_log').select(['action', 'subject']).where('action', 'in', ['event_delete', 'session_delete']).execute();
    expect(audit).toEqual(expect.arrayContaining([{ action: 'event_delete', subject: `event:${gone}` }, { action: 'session_delete', subject: `event:${id}` }]));
  });

  it('a delete racing check-ins at the session never loses a check-in: either the delete is refused or no scan was let in', async () => {
    for (let round = 0; round < 4; round++) {
      const id = await newEvent(`Race delete ${round}`);
      const sid = await newSession(id, 'Door', { all_attendees: true });
      const people = await Promise.all(Array.from({ length: 8 }, (_, i) => newAttendee(id, `Person ${i}`, [])));
      const scans = people.map((a) => call(as(admin), 'POST', '/api/v1/checkins/manual', { session_id: sid, attendee_id: a, nonce: randomUUID() }));
      const [del, ...answers] = await Promise.all([call(as(admin), 'DELETE', `/api/v1/sessions/${sid}`), ...scans]);
      const letIn = answers.filter((a) => a.status === 200 && a.body.result === 'ok').length;
      for (const a of answers) expect([200, 404], JSON.stringify(a.body)).toContain(a.status);
      const stored = await node.services.store.db.selectFrom('checkins').select('id').where('session_id', '=', sid).execute();
      if (del.status === 200) expect(letIn).toBe(0);
      else {
        expect(del.body.error).toBe('session_has_checkins');
        expect(stored.length).toBe(letIn);
      }
    }
  });

  it('archives a session and an event with check-ins: hidden from the list and the scanners, kept, brought back', async () => {
    const id = await newEvent('Last year');
    const s1 = await newSession(id, 'Day one');
    const s2 = await newSession(id, 'Day two');
    const ada = await newAttendee(id, 'Ada Lovelace', [s1, s2]);
    await checkIn(s1, ada);
    expect(await pickable()).toEqual(expect.arrayContaining([s1, s2]));

    expect(await ok(as(admin), 'POST', `/api/v1/sessions/${s1}/archive`, { archived: true })).toMatchObject({ id: s1, archived: true });
    expect(await pickable()).not.toContain(s1);
    expect(await pickable()).toContain(s2);
    // Still part of the event, marked; its dashboard and attendance remain.
    expect((await ok(as(admin), 'GET', `/api/v1/events/${id}`)).sessions.find((s: { id: string }) => s.id === s1).archived).toBe(true);
    expect((await ok(as(admin), 'GET', `/api/v1/sessions/${s1}/counts`)).counts.checked_in).toBe(1);
    expect(await ok(as(admin), 'POST', `/api/v1/sessions/${s1}/archive`, { archived: false })).toMatchObject({ archived: false });
    expect(await pickable()).toContain(s1);

    const archived = await ok(as(admin), 'POST', `/api/v1/events/${id}/archive`, { archived: true });
    expect(archived).toMatchObject({ id, archived: true, name: 'Last year' });
    expect((await listed()).map((e) => e.id)).not.toContain(id);
    const inArchive = await listed('&archived=true');
    expect(inArchive.map((e) => e.id)).toContain(id);
    expect(inArchive.every((e) => e.archived)).toBe(true);
    expect(await pickable()).not.toContain(s1);
    expect(await pickable()).not.toContain(s2);
    expect((await ok(as(admin), 'GET', `/api/v1/events/${id}`)).archived).toBe(true);
    // Archiving twice keeps it archived.
    expect(await ok(as(admin), 'POST', `/api/v1/events/${id}/archive`, { archived: true })).toMatchObject({ archived: true });
    expect((await node.services.store.db.selectFrom('checkins').select('id').where('session_id', '=', s1).execute()).length).toBe(1);

    await ok(as(admin), 'POST', `/api/v1/events/${id}/archive`, { archived: false });
    expect((await listed()).map((e) => e.id)).toContain(id);
    expect((await listed('&archived=true')).map((e) => e.id)).not.toContain(id);
    expect(await pickable()).toEqual(expect.arrayContaining([s1, s2]));
  });

  it('lists who has not arrived: searchable, paged, with the total; emails for admins only; staff of the session only', async () => {
    const id = await newEvent('Arrivals');
    const sid = await newSession(id, 'Workshop');
    const open = await newSession(id, 'Open hall', { all_attendees: true });
    await ok(as(admin), 'POST', `/api/v1/sessions/${sid}/staff`, { user_id: staff.id });
    const ada = await newAttendee(id, 'Ada Lovelace', [sid], 'ada@example.com');
    await newAttendee(id, 'Alan Turing', [sid], 'alan@example.com');
    await newAttendee(id, 'Grace Hopper', [sid], 'grace@navy.example');
    await newAttendee(id, '=cmd|calc', [sid]);
    const dave = await newAttendee(id, 'Dave Revoked', [sid]);
    await ok(as(admin), 'DELETE', `/api/v1/attendees/${dave}`);
    await newAttendee(id, 'Nora Notregistered', []);
    await checkIn(sid, ada);

    const all = await ok(as(admin), 'GET', `/api/v1/sessions/${sid}/not-arrived`);
    expect(all.total).toBe(3);
    expect(all.attendees.map((a: { name: string }) => a.name)).toEqual(['=cmd|calc', 'Alan Turing', 'Grace Hopper']);
    expect(all.attendees[1]).toEqual({ id: expect.any(String), name: 'Alan Turing', email: 'alan@example.com' });
    // The dashboard's count says the same.
    expect((await ok(as(staff), 'GET', `/api/v1/sessions/${sid}/counts`)).counts.not_yet).toBe(3);

    const found = await ok(as(admin), 'GET', `/api/v1/sessions/${sid}/not-arrived?q=NAVY`);
    expect(found).toMatchObject({ total: 1, attendees: [{ name: 'Grace Hopper' }] });
    expect((await ok(as(admin), 'GET', `/api/v1/sessions/${sid}/not-arrived?q=ada`)).total).toBe(0); // came already
    expect((await ok(as(admin), 'GET', `/api/v1/sessions/${sid}/not-arrived?q=%25`)).total).toBe(0); // % only itself
    const page = await ok(as(admin), 'GET', `/api/v1/sessions/${sid}/not-arrived?limit=2&offset=1`);
    expect(page.total).toBe(3);
    expect(page.attendees.map((a: { name: string }) => a.name)).toEqual(['Alan Turing', 'Grace Hopper']);
    // Open to all: everyone not revoked is expected.
    expect((await ok(as(admin), 'GET', `/api/v1/sessions/${open}/not-arrived`)).total).toBe(5);

    const mine = await ok(as(staff), 'GET', `/api/v1/sessions/${sid}/not-arrived`);
    expect(mine.attendees[1]).toEqual({ id: expect.any(String), name: 'Alan Turing' });
    expect((await call(as(otherStaff), 'GET', `/api/v1/sessions/${sid}/not-arrived`)).status).toBe(403);
    expect((await call(as(otherStaff), 'GET', `/api/v1/sessions/${sid}/not-arrived.csv`)).status).toBe(403);
    expect((await call(undefined, 'GET', `/api/v1/sessions/${sid}/not-arrived`)).status).toBe(401);
    expect((await call(as(admin), 'GET', `/api/v1/sessions/${randomUUID()}/not-arrived`)).status).toBe(404);
    for (const bad of ['limit=0', 'limit=501', 'offset=-1', 'limit=abc', `q=${'x'.repeat(101)}`]) {
      const r = await call(as(admin), 'GET', `/api/v1/sessions/${sid}/not-arrived?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error, bad).toBe('invalid_request');
    }

    const csv = await call(as(admin), 'GET', `/api/v1/sessions/${sid}/not-arrived.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toContain('not-arrived-Arrivals-Workshop.csv');
    expect(csv.body).toBe("\uFEFFname,email,session\r\n'=cmd|calc,,Workshop\r\nAlan Turing,alan@example.com,Workshop\r\nGrace Hopper,grace@navy.example,Workshop\r\n");
    expect((await call(as(admin), 'GET', `/api/v1/sessions/${sid}/not-arrived.csv?q=turing`)).body).toBe('\uFEFFname,email,session\r\nAlan Turing,alan@example.com,Workshop\r\n');
    expect((await call(as(staff), 'GET', `/api/v1/sessions/${sid}/not-arrived.csv?q=turing`)).body).toBe('\uFEFFname,email,session\r\nAlan Turing,,Workshop\r\n');
  });
});
