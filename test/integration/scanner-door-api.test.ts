import { randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePassToken, windowAt } from '../../src/domain/pass-token.js';
import { EventKeyCache } from '../../src/flows/checkin/event-keys.js';
import { as, bearer, createAccount, dialects, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * What the scanner at the door gets from the API: a session not open yet is
 * refused as `not_yet_open` with `opens_at` (closed by hand stays
 * `session_closed`); every answer naming an attendee carries the organiser's
 * note and the sessions they may come to, replays too; the note is set on
 * create and PATCH /attendees/:id (admins only), and the name search shows it
 * to the session's staff and devices.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
const MIN = 60_000;

describe.each(dialects)('the scanner at the door, API, on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let staff: Session;
  let device: string;
  const ids = {} as Record<'event' | 'hall' | 'later' | 'everyone' | 'ada' | 'bob', string>;
  let opensAt: number;
  const keys = new EventKeyCache();

  const call = async (auth: Auth, method: InjectOptions['method'], url: string, payload?: unknown) => {
    const res = await node.app.inject({ method, url, ...auth, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: res.body ? res.json() : null };
  };
  const ok = async (auth: Auth, method: InjectOptions['method'], url: string, payload?: unknown, status = 200) => {
    const r = await call(auth, method, url, payload);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const codeFor = async (attendeeId: string) => {
    const ev = await node.services.store.db.selectFrom('events').select('private_key').where('id', '=', ids.event).executeTakeFirstOrThrow();
    return encodePassToken({ eventId: ids.event, attendeeId, window: windowAt(Date.now()) }, keys.signer(ids.event, ev.private_key));
  };
  const nonce = () => randomBytes(12).toString('base64url');

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode(db.url ? { databaseUrl: db.url } : {});
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    staff = await createAccount(node, admin, 'Sam Staff', 'staff');
    const now = Date.now();
    opensAt = now + 45 * MIN;
    ids.event = (await ok(as(admin), 'POST', '/api/v1/events', { name: 'Door day', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    ids.hall = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Hall', starts_at: now - 10 * MIN, ends_at: now + 60 * MIN }, 201)).id;
    ids.later = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Later talk', starts_at: opensAt + 15 * MIN, ends_at: opensAt + 75 * MIN, opens_at: opensAt }, 201)).id;
    ids.everyone = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Lunch', starts_at: now + 120 * MIN, ends_at: now + 180 * MIN, all_attendees: true }, 201)).id;
    const ada = await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Ada Lovelace', session_ids: [ids.hall, ids.later], note: ' VIP: walk her to row 1 ' }, 201);
    expect(ada.note).toBe('VIP: walk her to row 1');
    ids.ada = ada.id;
    const bob = await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Bob Builder', session_ids: [ids.hall] }, 201);
    expect(bob.note).toBeNull();
    ids.bob = bob.id;
    await ok(as(admin), 'POST', `/api/v1/sessions/${ids.hall}/staff`, { user_id: staff.id });
    device = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/devices`, { name: 'Door 1' }, 201)).token;
  });

  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it('refuses a scan before the window as not_yet_open, with opens_at; closed by hand it is session_closed', async () => {
    const a = await ok(bearer(device), 'POST', '/api/v1/checkins', { code: await codeFor(ids.ada), session_id: ids.later, nonce: nonce() });
    expect(a).toMatchObject({ result: 'rejected', reason: 'not_yet_open', opens_at: opensAt, attendee: { id: ids.ada, name: 'Ada Lovelace' } });
    expect(a.message).not.toMatch(/closed/);
    await ok(as(admin), 'PATCH', `/api/v1/sessions/${ids.later}`, { closed: true });
    try {
      const b = await ok(bearer(device), 'POST', '/api/v1/checkins', { code: await codeFor(ids.ada), session_id: ids.later, nonce: nonce() });
      expect(b).toMatchObject({ result: 'rejected', reason: 'session_closed' });
      expect(b.opens_at).toBeUndefined();
    } finally {
      await ok(as(admin), 'PATCH', `/api/v1/sessions/${ids.later}`, { closed: false });
    }
  });

  it("carries the attendee's note and sessions (registered, and open to all) on every answer, a replay too", async () => {
    const body = { code: await codeFor(ids.ada), session_id: ids.hall, nonce: nonce() };
    const first = await ok(bearer(device), 'POST', '/api/v1/checkins', body);
    const sessions = [
      { id: ids.hall, name: 'Hall' },
      { id: ids.later, name: 'Later talk' },
      { id: ids.everyone, name: 'Lunch' },
    ];
    expect(first).toMatchObject({ result: 'ok', attendee: { id: ids.ada, name: 'Ada Lovelace', note: 'VIP: walk her to row 1', sessions } });
    // The note changes: a replay of the same scan shows the person as they are now.
    await ok(as(admin), 'PATCH', `/api/v1/attendees/${ids.ada}`, { note: 'VIP: row 2 now' });
    const replay = await node.app.inject({ method: 'POST', url: '/api/v1/checkins', ...bearer(device), payload: body });
    expect(replay.headers['x-idempotent-replay']).toBe('true');
    expect(replay.json()).toMatchObject({ result: 'ok', attendee: { note: 'VIP: row 2 now', sessions } });
    const again = await ok(bearer(device), 'POST', '/api/v1/checkins', { ...body, nonce: nonce() });
    expect(again).toMatchObject({ result: 'rejected', reason: 'already_checked_in', attendee: { note: 'VIP: row 2 now' } });
    // Manual check-in answers alike.
    const manual = await ok(bearer(device), 'POST', '/api/v1/checkins/manual', { attendee_id: ids.bob, session_id: ids.hall, nonce: nonce() });
    expect(manual).toMatchObject({ result: 'ok', attendee: { name: 'Bob Builder', note: null, sessions: [{ id: ids.hall, name: 'Hall' }, { id: ids.everyone, name: 'Lunch' }] } });
    // No attendee named: no details.
    const junk = await ok(bearer(device), 'POST', '/api/v1/checkins', { code: 'not a code', session_id: ids.hall, nonce: nonce() });
    expect(junk.attendee).toBeNull();
  });

  it('sets and clears the note (admins only) and shows it in the name search to staff and devices', async () => {
    expect((await call(as(staff), 'PATCH', `/api/v1/attendees/${ids.bob}`, { note: 'nope' })).status).toBe(403);
    expect((await call(as(admin), 'PATCH', `/api/v1/attendees/${ids.bob}`, { note: 'x'.repeat(501) })).status).toBe(400);
    expect((await call(as(admin), 'PATCH', '/api/v1/attendees/00000000-0000-4000-8000-000000000000', { note: 'who' })).status).toBe(404);
    expect((await ok(as(admin), 'PATCH', `/api/v1/attendees/${ids.bob}`, { note: 'Pays at the desk' })).note).toBe('Pays at the desk');
    for (const who of [as(staff), bearer(device)]) {
      const found = await ok(who, 'GET', `/api/v1/sessions/${ids.hall}/attendees?q=bob`);
      expect(found.attendees).toMatchObject([{ id: ids.bob, name: 'Bob Builder', note: 'Pays at the desk', status: 'checked_in' }]);
    }
    expect((await ok(as(admin), 'PATCH', `/api/v1/attendees/${ids.bob}`, { note: null })).note).toBeNull();
    expect((await ok(bearer(device), 'GET', `/api/v1/sessions/${ids.hall}/attendees?q=bob`)).attendees[0].note).toBeUndefined();
  });

  it('takes the note from a CSV import (column `note` or 备注): set on create, changed or cleared by an upsert, kept when the file has no note column', async () => {
    const importCsv = async (csv: string, query = '') => {
      const res = await node.app.inject({ method: 'POST', url: `/api/v1/events/${ids.event}/attendees/import${query}`, headers: { ...as(admin).headers, 'content-type': 'text/csv' }, payload: csv });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { created: number; updated: number; unchanged: number; skipped: number; errors: { line: number; column?: string; code: string }[]; attendees: { id: string; email: string }[] };
    };
    const noteOf = async (email: string) => (await node.services.store.db.selectFrom('attendees').select('note').where('email', '=', email).executeTakeFirstOrThrow()).note;
    const first = await importCsv(`name,email,sessions,note\nCora Csv,cora@example.com,Hall,"Needs a   hearing loop"\nDan Csv,dan@example.com,Hall,\nEve Csv,eve@example.com,Hall,${'y'.repeat(501)}\n`);
    expect(first).toMatchObject({ created: 2, skipped: 1, errors: [{ line: 4, column: 'note', code: 'too_long' }] });
    expect(await noteOf('cora@example.com')).toBe('Needs a hearing loop');
    expect(await noteOf('dan@example.com')).toBeNull();
    // The scanner sees it.
    const cora = first.attendees.find((a) => a.email === 'cora@example.com')!.id;
    const found = await ok(bearer(device), 'GET', `/api/v1/sessions/${ids.hall}/attendees?q=cora`);
    expect(found.attendees[0].note).toBe('Needs a hearing loop');
    expect(cora).toBe(found.attendees[0].id);
    // Upsert in Chinese headers: Dan gets one, Cora's is cleared; both count as updated.
    const up = await importCsv('姓名,邮箱,备注\nCora Csv,cora@example.com,\nDan Csv,dan@example.com,VIP\n', '?mode=upsert');
    expect(up).toMatchObject({ created: 0, updated: 2, unchanged: 0 });
    expect(await noteOf('cora@example.com')).toBeNull();
    expect(await noteOf('dan@example.com')).toBe('VIP');
    // No note column: the notes stay as they are, and nothing else changed.
    expect(await importCsv('name,email\nDan Csv,dan@example.com\n', '?mode=upsert')).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await noteOf('dan@example.com')).toBe('VIP');
  });
});
