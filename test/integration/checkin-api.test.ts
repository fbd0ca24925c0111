import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePassToken, windowAt } from '../../src/domain/pass-token.js';
import { EventKeyCache } from '../../src/flows/checkin/event-keys.js';
import { as, bearer, createAccount, dialects, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * QR check-in through the real HTTP API: passes and their codes, every
 * refusal reason, forged and random input, single check-in under concurrency,
 * idempotent retries, who may scan, undo, manual check-in, and the live
 * `pass:` and `session:` channels.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Live = { channel: string; token: string };
interface Answer {
  result: 'ok' | 'rejected';
  reason: string | null;
  action: string | null;
  attendee: { id: string; name: string } | null;
  checkin: { id: string; at: number; gate: string | null; exited_at: number | null } | null;
}

const MIN = 60_000;

describe.each(dialects)('check-in API on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let staff: Session;
  let otherStaff: Session;
  let member: Session;
  let staffKey: string;
  let device: string;
  let revokedDevice: string;
  let foreignDevice: string;
  const ids = {} as Record<'event' | 'event2' | 'session' | 'closed' | 'alice' | 'bob' | 'carol' | 'dave' | 'eve', string>;
  let bobLink: string;
  const keys = new EventKeyCache();

  const inject = (o: InjectOptions): Promise<LightMyRequestResponse> => node.app.inject(o);
  const call = async (auth: Auth | null, method: InjectOptions['method'], url: string, payload?: unknown) => {
    const res = await inject({ method, url, ...(auth ?? {}), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: res.body ? res.json() : null, headers: res.headers };
  };
  const ok = async (auth: Auth | null, method: InjectOptions['method'], url: string, payload?: unknown, status = 200) => {
    const r = await call(auth, method, url, payload);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const account = (name: string, role: string) => createAccount(node, admin, name, role);
  const nonce = () => randomBytes(12).toString('base64url');
  const scan = async (auth: Auth | null, code: string, extra: Record<string, unknown> = {}) =>
    call(auth, 'POST', '/api/v1/checkins', { code, session_id: ids.session, nonce: nonce(), ...extra });
  const answer = async (auth: Auth, code: string, extra: Record<string, unknown> = {}): Promise<Answer> => {
    const r = await scan(auth, code, extra);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as Answer;
  };
  /** A code signed with the event's key as the server would, for any window. */
  const codeFor = async (attendeeId: string, eventId = ids.event, window = windowAt(Date.now())) => {
    const ev = await node.services.store.db.selectFrom('events').select('private_key').where('id', '=', eventId).executeTakeFirstOrThrow();
    return encodePassToken({ eventId, attendeeId, window }, keys.signer(eventId, ev.private_key));
  };
  const poll = async (live: Live, after: number) => {
    const q = new URLSearchParams({ channel: live.channel, token: live.token, after: String(after), wait: '2' });
    const res = await inject({ method: 'GET', url: `/v1/live/poll?${q}` });
    expect(res.statusCode).toBe(200);
    return res.json() as { version: number; type: string; data: Record<string, unknown> };
  };
  /** A fresh attendee of the event registered for the open session, for a test that checks someone in. */
  const newcomer = async (name: string): Promise<string> =>
    (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name, session_ids: [ids.session] }, 201)).id;
  const checkinsOf = (attendeeId: string) =>
    node.services.store.db.selectFrom('checkins').select('id').where('attendee_id', '=', attendeeId).where('undone_at', 'is', null).execute();

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    // Signatures in the thread pool whenever scans overlap, whatever this machine's cores (`auto` decides by them): both ways are judged here.
    node = await startTestNode({ checkinSignaturePool: 'on', ...(db.url ? { databaseUrl: db.url } : {}) });
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    [staff, otherStaff, member] = await Promise.all([account('Sam Staff', 'staff'), account('Olga Other', 'staff'), account('Alice Attendee', 'member')]);
    staffKey = (await ok(as(staff), 'POST', '/api/v1/api-keys', { name: 'scanner app' }, 201)).key;

    const now = Date.now();
    ids.event = (await ok(as(admin), 'POST', '/api/v1/events', { name: 'Training', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    ids.event2 = (await ok(as(admin), 'POST', '/api/v1/events', { name: 'Conference', starts_at: now, ends_at: now + 60 * MIN }, 201)).id;
    ids.session = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Morning', place: 'Hall A', starts_at: now - 10 * MIN, ends_at: now + 60 * MIN }, 201)).id;
    ids.closed = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Yesterday', starts_at: now - 3 * 60 * MIN, ends_at: now - 2 * 60 * MIN }, 201)).id;
    await ok(as(admin), 'POST', `/api/v1/sessions/${ids.session}/staff`, { user_id: staff.id });
    await ok(as(admin), 'POST', `/api/v1/sessions/${ids.closed}/staff`, { user_id: staff.id });

    const attendee = async (body: Record<string, unknown>, event = ids.event) => ok(as(admin), 'POST', `/api/v1/events/${event}/attendees`, body, 201);
    ids.alice = (await attendee({ name: 'Alice Attendee', user_id: member.id, session_ids: [ids.session, ids.closed] })).id;
    const bob = await attendee({ name: 'Bob CSV', email: 'Bob@Example.com', session_ids: [ids.session] });
    [ids.bob, bobLink] = [bob.id, bob.link_token];
    ids.carol = (await attendee({ name: 'Carol Unregistered' })).id;
    ids.dave = (await attendee({ name: 'Dave Revoked', session_ids: [ids.session] })).id;
    ids.eve = (await attendee({ name: 'Eve Elsewhere' }, ids.event2)).id;
    await ok(as(admin), 'DELETE', `/api/v1/attendees/${ids.dave}`);

    device = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/devices`, { name: 'Gate 1' }, 201)).token;
    const revoked = await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/devices`, { name: 'Lost tablet' }, 201);
    revokedDevice = revoked.token;
    await ok(as(admin), 'DELETE', `/api/v1/devices/${revoked.id}`);
    foreignDevice = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event2}/devices`, { name: 'Other gate' }, 201)).token;
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it("gives the signed-in attendee their pass: upcoming codes, a live token, the event's key", async () => {
    const pass = await ok(as(member), 'GET', `/api/v1/passes/${ids.event}`);
    expect(pass.attendee).toMatchObject({ id: ids.alice, name: 'Alice Attendee', revoked: false });
    expect(pass.codes).toHaveLength(20);
    expect(pass.codes[0].window).toBe(windowAt(pass.server_time));
    expect(pass.codes[0].code).toMatch(/^sp1\.[A-Za-z0-9_-]{135}$/);
    expect(pass.live.channel).toBe(`pass:${ids.alice}`);
    expect(pass.sessions.map((s: { id: string }) => s.id).sort()).toEqual([ids.session, ids.closed].sort());
    const key = await ok(bearer(device), 'GET', `/api/v1/events/${ids.event}/public-key`);
    expect(key).toMatchObject({ alg: 'Ed25519', public_key: pass.event.public_key, window_seconds: 15, accept_seconds: 30 });
    expect((await call(as(member), 'GET', `/api/v1/passes/${ids.event2}`)).status).toBe(404);
    expect((await call(as(member), 'GET', `/api/v1/events/${ids.event}/public-key`)).status).toBe(403);
    const list = await ok(bearer(device), 'GET', `/api/v1/events/${ids.event}/attendees`);
    expect(list.attendees.find((a: { id: string }) => a.id === ids.bob)).toEqual({ id: ids.bob, name: 'Bob CSV', revoked: false, sessions: [ids.session] });
  });

  it("lists a person's passes, and finds the row an organiser added with their e-mail (any case) when it has no account", async () => {
    expect(await ok(as(member), 'GET', '/api/v1/passes')).toEqual({
      passes: [{ event: expect.objectContaining({ id: ids.event, name: 'Training' }), attendee: { id: ids.alice, name: 'Alice Attendee', revoked: false }, url: `/pass?event=${ids.event}` }],
    });
    // Bob's row (Bob@Example.com, no account) becomes his when an admin makes him an account with that e-mail.
    const created = await call(as(admin), 'POST', '/api/v1/users', { email: 'bob@example.com', password: 'a long enough password', role: 'member', name: 'Bob' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const bobAccount = await signInByInject(node, 'bob@example.com', 'a long enough password');
    const mine = await ok(as(bobAccount), 'GET', '/api/v1/passes');
    expect(mine.passes.map((p: { attendee: { id: string } }) => p.attendee.id)).toEqual([ids.bob]);
    const pass = await ok(as(bobAccount), 'GET', `/api/v1/passes/${ids.event}`);
    expect(pass.attendee).toMatchObject({ id: ids.bob, name: 'Bob CSV' });
    expect(pass.codes).toHaveLength(20);
    // Nobody else's: an account of another e-mail sees neither.
    expect((await ok(as(staff), 'GET', '/api/v1/passes')).passes).toEqual([]);
    expect((await call(as(staff), 'GET', `/api/v1/passes/${ids.event}`)).status).toBe(404);
    expect((await call(null, 'GET', '/api/v1/passes')).status).toBe(401);
  });

  it('opens a pass through the personal link, without an account', async () => {
    const pass = await ok(null, 'GET', `/api/v1/passes/by-link/${bobLink}`);
    expect(pass.attendee.id).toBe(ids.bob);
    expect(pass.codes).toHaveLength(20);
    expect((await call(null, 'GET', `/api/v1/passes/by-link/${'x'.repeat(40)}`)).status).toBe(404);
  });

  it('answers every refusal with one stable reason, as data, and records it', async () => {
    const expectReason = async (code: string, reason: string, extra: Record<string, unknown> = {}) => {
      const a = await answer(bearer(device), code, extra);
      expect(a, JSON.stringify(a)).toMatchObject({ result: 'rejected', reason });
      return a;
    };
    await expectReason('not a code', 'invalid_code');
    await expectReason(await codeFor(ids.carol, ids.event, windowAt(Date.now()) - 3), 'expired_code');
    await expectReason(await codeFor(ids.eve, ids.event2), 'wrong_event');
    await expectReason(await codeFor(ids.carol), 'not_registered');
    await expectReason(await codeFor(ids.dave), 'revoked');
    await expectReason(await codeFor(ids.alice), 'session_closed', { session_id: ids.closed });
    // Frank is checked in here and Nina never is: both this test's own, whatever other tests scanned.
    const frank = await newcomer('Frank');
    const first = await answer(bearer(device), await codeFor(frank));
    expect(first).toMatchObject({ result: 'ok', action: 'check_in', attendee: { id: frank, name: 'Frank' }, checkin: { gate: 'Gate 1' } });
    const again = await expectReason(await codeFor(frank), 'already_checked_in');
    expect(again.checkin).toMatchObject({ id: first.checkin!.id, at: first.checkin!.at, gate: 'Gate 1' });
    await expectReason(await codeFor(await newcomer('Never-in Nina')), 'not_checked_in', { direction: 'exit' });

    const reasons = await node.services.store.db.selectFrom('scans').select(['reason', 'result']).where('result', '=', 'rejected').execute();
    for (const r of ['invalid_code', 'expired_code', 'wrong_event', 'not_registered', 'revoked', 'session_closed', 'already_checked_in']) {
      expect(reasons.map((x) => x.reason)).toContain(r);
    }
  });

  it('refuses forged, truncated and random codes as invalid_code, never with a 500', async () => {
    const good = await codeFor(ids.carol);
    const forged = good.slice(0, 40) + (good[40] === 'A' ? 'B' : 'A') + good.slice(41);
    const bad = [forged, good.slice(0, -2), good + 'AA', good.replace('sp1.', 'sp9.'), '', '\u0000\u0001', 'sp1.', '🙂'.repeat(50), 'x'.repeat(1024)];
    for (let i = 0; i < 40; i++) bad.push(randomBytes(i * 3).toString(i % 2 ? 'latin1' : 'base64url'), `sp1.${randomBytes(101).toString('base64url')}`);
    for (const code of bad) {
      const r = await scan(bearer(device), code);
      expect(r.status, code).toBe(200);
      expect(r.body).toMatchObject({ result: 'rejected', reason: 'invalid_code', attendee: null });
    }
    expect((await scan(bearer(device), 'x'.repeat(1025))).status).toBe(400);
    expect((await call(bearer(device), 'POST', '/api/v1/checkins', { code: { x: 1 }, session_id: ids.session, nonce: nonce() })).status).toBe(400);
    expect((await call(bearer(device), 'POST', '/api/v1/checkins', { code: 'x', session_id: ids.session, nonce: 'short' })).status).toBe(400);
  });

  it('makes exactly one check-in from 20 concurrent scans of one attendee', async () => {
    const target = await newcomer('Crowded Cora');
    const code = await codeFor(target);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => answer(i % 2 ? bearer(device) : bearer(staffKey), code)));
    expect(answers.filter((a) => a.result === 'ok')).toHaveLength(1);
    expect(answers.filter((a) => a.reason === 'already_checked_in')).toHaveLength(19);
    expect(await checkinsOf(target)).toHaveLength(1);
  });

  it('judges codes alike whether a scan comes alone or among many (checked here, or in the thread pool)', async () => {
    const forge = (code: string) => code.slice(0, 40) + (code[40] === 'A' ? 'B' : 'A') + code.slice(41);
    const people = await Promise.all(['Ada', 'Ben', 'Cy', 'Di', 'Ed', 'Flo'].map((n) => newcomer(`Busy ${n}`)));
    const codes = await Promise.all(people.map((p) => codeFor(p)));
    const together = await Promise.all(codes.flatMap((c) => [answer(bearer(device), forge(c)), answer(bearer(device), c)]));
    expect(together.map((a) => a.reason ?? a.action)).toEqual(codes.flatMap(() => ['invalid_code', 'check_in']));
    const alone = await newcomer('Quiet Quinn');
    expect(await answer(bearer(device), forge(await codeFor(alone)))).toMatchObject({ result: 'rejected', reason: 'invalid_code', attendee: null });
    expect(await answer(bearer(device), await codeFor(alone))).toMatchObject({ result: 'ok', action: 'check_in', attendee: { id: alone } });
  });

  it('returns the same answer to a retried nonce and never checks in twice', async () => {
    const target = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Retry Rita', session_ids: [ids.session] }, 201)).id;
    const body = { code: await codeFor(target), session_id: ids.session, nonce: nonce() };
    const first = await call(bearer(device), 'POST', '/api/v1/checkins', body);
    const retries = await Promise.all(Array.from({ length: 5 }, () => call(bearer(device), 'POST', '/api/v1/checkins', body)));
    expect(first.body).toMatchObject({ result: 'ok' });
    for (const r of retries) {
      expect(r.body).toEqual(first.body);
      expect(r.headers['x-idempotent-replay']).toBe('true');
    }
    expect(await checkinsOf(target)).toHaveLength(1);
    const scans = await node.services.store.db.selectFrom('scans').select('id').where('nonce', '=', body.nonce).execute();
    expect(scans).toHaveLength(1);
  });

  it('lets only staff of the session and provisioned devices scan', async () => {
    const code = await codeFor(ids.carol);
    expect((await scan(null, code)).status).toBe(401);
    expect((await scan(as(member), code)).status).toBe(403);
    expect((await scan(as(otherStaff), code)).status).toBe(403);
    expect((await scan(bearer(foreignDevice), code)).status).toBe(403);
    const revoked = await scan(bearer(revokedDevice), code);
    expect(revoked).toMatchObject({ status: 401, body: { error: 'device_revoked' } });
    expect((await scan(bearer('spd_unknown'), code)).body).toMatchObject({ error: 'unauthorized' });
    expect((await scan({ headers: { cookie: staff.cookie } }, code)).body).toMatchObject({ error: 'csrf_failed' });
    for (const who of [as(staff), bearer(staffKey), as(admin), bearer(device)]) expect((await scan(who, code)).status).toBe(200);
    expect((await call(as(otherStaff), 'GET', `/api/v1/sessions/${ids.session}/counts`)).status).toBe(403);
    expect((await call(as(staff), 'POST', '/api/v1/events', { name: 'x', starts_at: 1, ends_at: 2 })).status).toBe(403);
  });

  it("refuses a device at another event's session or an unknown one before anything is written, and the person's next scan still checks them in", async () => {
    const target = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Door Dora', session_ids: [ids.session] }, 201)).id;
    const code = await codeFor(target);
    expect(await scan(bearer(foreignDevice), code)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(await scan(bearer(device), code, { session_id: 'no-such-session' })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await checkinsOf(target)).toHaveLength(0);
    expect(await answer(bearer(device), code)).toMatchObject({ result: 'ok', action: 'check_in', attendee: { id: target } });
    expect(await checkinsOf(target)).toHaveLength(1);
  });

  it("offers each scanner the sessions it may scan at, with their event's name and who may come", async () => {
    const now = Date.now();
    const fair = (await ok(as(admin), 'POST', '/api/v1/events', { name: 'Picker Fair', starts_at: now, ends_at: now + 8 * 60 * MIN }, 201)).id;
    const session = async (body: Record<string, unknown>): Promise<string> => (await ok(as(admin), 'POST', `/api/v1/events/${fair}/sessions`, body, 201)).id;
    // Check-in opens 30 min before the start: Workshop and Lounge open together (then by name), Closing later.
    const workshop = await session({ name: 'Workshop', starts_at: now + 30 * MIN, ends_at: now + 90 * MIN });
    const closing = await session({ name: 'Closing', starts_at: now + 60 * MIN, ends_at: now + 120 * MIN, all_attendees: false });
    const lounge = await session({ name: 'Lounge', starts_at: now + 30 * MIN, ends_at: now + 240 * MIN, all_attendees: true });
    // Check-in closed six days ago: left out for everyone.
    const lastWeek = await session({ name: 'Last week', starts_at: now - 7 * 24 * 60 * MIN, ends_at: now - 6 * 24 * 60 * MIN, all_attendees: true });
    const pia = await account('Pia Picker', 'staff');
    for (const s of [closing, workshop, lastWeek]) await ok(as(admin), 'POST', `/api/v1/sessions/${s}/staff`, { user_id: pia.id });
    const fairDevice = (await ok(as(admin), 'POST', `/api/v1/events/${fair}/devices`, { name: 'Fair gate' }, 201)).token;
    const loungeDevice = (await ok(as(admin), 'POST', `/api/v1/events/${fair}/devices`, { name: 'Lounge door', session_id: lounge }, 201)).token;

    const list = async (auth: Auth) => (await ok(auth, 'GET', '/api/v1/scanner/sessions')).sessions as { id: string; all_attendees: boolean; opens_at: number; name: string }[];
    const idsOf = async (auth: Auth) => (await list(auth)).map((s) => s.id);

    // A device: its event's sessions, or its one session.
    const asFairDevice = await ok(bearer(fairDevice), 'GET', '/api/v1/scanner/sessions');
    expect(asFairDevice.scanner).toEqual({ kind: 'device', name: 'Fair gate' });
    expect(asFairDevice.sessions).toEqual([
      { id: lounge, event_id: fair, event_name: 'Picker Fair', name: 'Lounge', place: null, starts_at: now + 30 * MIN, ends_at: now + 240 * MIN, opens_at: now, closes_at: now + 240 * MIN, closed: false, all_attendees: true },
      expect.objectContaining({ id: workshop, name: 'Workshop', all_attendees: false }),
      expect.objectContaining({ id: closing, name: 'Closing', all_attendees: false }),
    ]);
    expect(await idsOf(bearer(loungeDevice))).toEqual([lounge]);
    expect(await idsOf(bearer(device))).toEqual([ids.closed, ids.session]);
    expect(await idsOf(bearer(foreignDevice))).toEqual([]);

    // A staff account: the sessions it staffs, by session cookie or API key; a member staffs none.
    expect(await ok(as(pia), 'GET', '/api/v1/scanner/sessions')).toMatchObject({ scanner: { kind: 'user', name: 'Pia Picker' } });
    expect((await list(as(pia))).map((s) => [s.id, s.all_attendees])).toEqual([
      [workshop, false],
      [closing, false],
    ]);
    expect(await idsOf(as(staff))).toEqual([ids.closed, ids.session]);
    expect(await idsOf(bearer(staffKey))).toEqual([ids.closed, ids.session]);
    expect(await idsOf(as(otherStaff))).toEqual([]);
    expect(await idsOf(as(member))).toEqual([]);

    // An admin: every event's sessions, by opening time then name.
    const all = await list(as(admin));
    expect(all.map((s) => s.id)).toEqual(expect.arrayContaining([ids.closed, ids.session, workshop, closing, lounge]));
    expect(all.map((s) => s.id)).not.toContain(lastWeek);
    expect(all.find((s) => s.id === lounge)?.all_attendees).toBe(true);
    const byOpening = [...all].sort((a, b) => a.opens_at - b.opens_at || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    expect(all.map((s) => s.id)).toEqual(byOpening.map((s) => s.id));

    expect((await call(null, 'GET', '/api/v1/scanner/sessions')).status).toBe(401);
    expect((await call(bearer(revokedDevice), 'GET', '/api/v1/scanner/sessions')).body).toMatchObject({ error: 'device_revoked' });
  });

  it("pushes each scan result to the attendee's pass channel and counts to the session channel, in order", async () => {
    const pass = await ok(as(member), 'GET', `/api/v1/passes/${ids.event}`);
    const counts = await ok(as(staff), 'GET', `/api/v1/sessions/${ids.session}/counts`);
    expect(counts.counts.expected).toBeGreaterThanOrEqual(4);
    const before = counts.counts.checked_in;

    const stale = await codeFor(ids.alice, ids.event, windowAt(Date.now()) - 4);
    expect((await answer(as(staff), stale, { gate: 'South' })).reason).toBe('expired_code');
    let seen = await poll(pass.live, pass.version);
    expect(seen).toMatchObject({ type: 'rejected', data: { last_scan: { result: 'rejected', reason: 'expired_code', gate: 'South', session: { id: ids.session, name: 'Morning' } } } });

    const okScan = await answer(as(staff), pass.codes[0].code, { gate: 'South' });
    expect(okScan).toMatchObject({ result: 'ok', attendee: { id: ids.alice } });
    seen = await poll(pass.live, seen.version);
    expect(seen).toMatchObject({ type: 'ok', data: { last_scan: { result: 'ok' }, checkins: [{ session: { id: ids.session }, gate: 'South' }] } });

    let s = await poll(counts.live, counts.version);
    while (s.data.counts && (s.data.counts as { checked_in: number }).checked_in < before + 1) s = await poll(counts.live, s.version);
    expect(s.version).toBeGreaterThan(counts.version);
    expect(s.data).toMatchObject({ counts: { checked_in: before + 1 } });
    expect((s.data.latest as { attendee: { id: string } | null; by: string }[])[0]).toMatchObject({ attendee: { id: ids.alice }, by: 'Sam Staff', result: 'ok' });
  });

  it('undoes a wrong check-in, then checks the attendee in by hand', async () => {
    const target = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Undo Uma', session_ids: [ids.session] }, 201)).id;
    const first = await answer(bearer(device), await codeFor(target));
    expect(first.result).toBe('ok');
    expect((await call(bearer(staffKey), 'DELETE', `/api/v1/checkins/${first.checkin!.id}`)).body).toEqual({ id: first.checkin!.id, undone: true });
    expect((await call(as(otherStaff), 'DELETE', `/api/v1/checkins/${first.checkin!.id}`)).status).toBe(403);
    expect((await call(as(staff), 'DELETE', `/api/v1/checkins/${first.checkin!.id}`)).status).toBe(409);
    expect(await checkinsOf(target)).toHaveLength(0);

    const manual = { session_id: ids.session, attendee_id: target, nonce: nonce() };
    const m = await ok(as(staff), 'POST', '/api/v1/checkins/manual', manual);
    expect(m).toMatchObject({ result: 'ok', action: 'check_in', attendee: { id: target } });
    expect(await ok(as(staff), 'POST', '/api/v1/checkins/manual', manual)).toEqual(m);
    expect(await ok(as(staff), 'POST', '/api/v1/checkins/manual', { ...manual, nonce: nonce() })).toMatchObject({ reason: 'already_checked_in' });
    expect(await checkinsOf(target)).toHaveLength(1);
  });

  it("answers a manual check-in of another event's attendee like an unknown id, and writes nothing on their pass", async () => {
    // Eve belongs to event2; Alice to event. A scanner of another event knows Alice's id (any photo of her code shows it).
    // That other event is this test's own, so event2 keeps no session for the tests that list what its device may scan.
    const now = Date.now();
    const other = (await ok(as(admin), 'POST', '/api/v1/events', { name: 'Expo', starts_at: now, ends_at: now + 60 * MIN }, 201)).id;
    const hall = (await ok(as(admin), 'POST', `/api/v1/events/${other}/sessions`, { name: 'Expo hall', starts_at: now - 10 * MIN, ends_at: now + 60 * MIN, all_attendees: true }, 201)).id;
    const expoDevice = (await ok(as(admin), 'POST', `/api/v1/events/${other}/devices`, { name: 'Expo gate' }, 201)).token;
    const versionOf = async (id: string) => Number((await node.services.store.db.selectFrom('attendees').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version);
    const passBefore = await ok(as(member), 'GET', `/api/v1/passes/${ids.event}`);
    const aliceVersion = await versionOf(ids.alice);
    const scansBefore = await node.services.store.db.selectFrom('scans').select('id').where('session_id', '=', hall).execute();

    const foreign = await call(bearer(expoDevice), 'POST', '/api/v1/checkins/manual', { session_id: hall, attendee_id: ids.alice, nonce: nonce() });
    const unknown = await call(bearer(expoDevice), 'POST', '/api/v1/checkins/manual', { session_id: hall, attendee_id: 'no-such-attendee', nonce: nonce() });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    expect(foreign.body).toMatchObject({ error: 'not_found' });
    // Staff of this event get the same for Eve, of event2.
    expect(await call(as(staff), 'POST', '/api/v1/checkins/manual', { session_id: ids.session, attendee_id: ids.eve, nonce: nonce() })).toMatchObject({ status: 404, body: unknown.body });

    // Alice's genuine code scanned at event2 is refused as wrong_event, still without touching her pass.
    const code = await codeFor(ids.alice);
    expect(await answer(bearer(expoDevice), code, { session_id: hall })).toMatchObject({ result: 'rejected', reason: 'wrong_event', attendee: null });

    expect(await versionOf(ids.alice)).toBe(aliceVersion);
    expect((await ok(as(member), 'GET', `/api/v1/passes/${ids.event}`)).last_scan).toEqual(passBefore.last_scan);
    const scans = await node.services.store.db.selectFrom('scans').select(['attendee_id', 'reason']).where('session_id', '=', hall).execute();
    expect(scans).toHaveLength(scansBefore.length + 1);
    expect(scans.every((r) => r.attendee_id === null)).toBe(true);
    const counts = await ok(bearer(expoDevice), 'GET', `/api/v1/sessions/${hall}/counts`);
    expect(JSON.stringify(counts.latest)).not.toContain('Alice');
    expect(counts.latest.map((l: { attendee: unknown }) => l.attendee)).toEqual([null]);
  });

  it('tells the dashboard of a session open to everyone that an attendee added by hand is expected', async () => {
    const now = Date.now();
    const expo = (await ok(as(admin), 'POST', '/api/v1/events', { name: 'Open Expo', starts_at: now, ends_at: now + 60 * MIN }, 201)).id;
    const hall = (await ok(as(admin), 'POST', `/api/v1/events/${expo}/sessions`, { name: 'Hall', starts_at: now, ends_at: now + 60 * MIN, all_attendees: true }, 201)).id;
    const before = await ok(as(admin), 'GET', `/api/v1/sessions/${hall}/counts`);
    expect(before.counts.expected).toBe(0);
    await ok(as(admin), 'POST', `/api/v1/events/${expo}/attendees`, { name: 'Walk-in Wanda' }, 201);
    const pushed = await poll(before.live, before.version);
    expect(pushed.data).toMatchObject({ counts: { expected: 1, not_yet: 1 } });
  });

  it('takes a back-dated scanned_at only from an offline upload; an online scan happens now', async () => {
    const [online = '', upload = ''] = await Promise.all(
      ['Online Olive', 'Offline Otto'].map(async (name) => (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name, session_ids: [ids.session] }, 201)).id as string),
    );
    const fiveMinutesAgo = Date.now() - 5 * MIN;
    const before = Date.now();
    const a = await answer(bearer(device), await codeFor(online), { scanned_at: fiveMinutesAgo });
    expect(a).toMatchObject({ result: 'ok' });
    expect((a as unknown as { scanned_at: number }).scanned_at).toBeGreaterThanOrEqual(before);
    expect(a.checkin!.at).toBeGreaterThanOrEqual(before);
    const m = await ok(as(staff), 'POST', '/api/v1/checkins/manual', { session_id: ids.session, attendee_id: upload, nonce: nonce(), scanned_at: fiveMinutesAgo, offline: false });
    expect(m.scanned_at).toBeGreaterThanOrEqual(before);
    await ok(as(admin), 'DELETE', `/api/v1/checkins/${m.checkin.id}`);

    const late = await answer(bearer(device), await codeFor(upload, ids.event, windowAt(fiveMinutesAgo)), { scanned_at: fiveMinutesAgo, offline: true });
    expect(late).toMatchObject({ result: 'ok', checkin: { at: fiveMinutesAgo } });
    expect((await scan(bearer(device), await codeFor(upload), { scanned_at: Date.now() - 2 * 60 * MIN, offline: true })).body).toMatchObject({ error: 'invalid_request' });
  });

  it('checks out and back in, and the counts follow: checked in once, inside only while in', async () => {
    const target = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Exit Ed', session_ids: [ids.session] }, 201)).id;
    const code = await codeFor(target);
    const counts = async () => {
      const c = (await ok(bearer(device), 'GET', `/api/v1/sessions/${ids.session}/counts`)).counts;
      return { checkedIn: c.checked_in as number, inside: c.inside as number };
    };
    const start = await counts();
    const a = await answer(bearer(device), code);
    expect(a.action).toBe('check_in');
    expect(await counts()).toEqual({ checkedIn: start.checkedIn + 1, inside: start.inside + 1 });
    expect((await answer(bearer(device), code, { direction: 'exit' })).action).toBe('check_out');
    expect(await counts()).toEqual({ checkedIn: start.checkedIn + 1, inside: start.inside });
    expect((await answer(bearer(device), code, { direction: 'exit' })).reason).toBe('not_checked_in');
    expect((await answer(bearer(device), code)).action).toBe('re_enter');
    expect(await counts()).toEqual({ checkedIn: start.checkedIn + 1, inside: start.inside + 1 });
    await ok(as(admin), 'DELETE', `/api/v1/checkins/${a.checkin!.id}`);
    expect(await counts()).toEqual(start);
  });

  it('refuses a closed session and a revoked registration', async () => {
    const target = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Reg Rex', session_ids: [ids.session] }, 201)).id;
    await ok(as(admin), 'DELETE', `/api/v1/sessions/${ids.session}/registrations/${target}`);
    expect((await answer(bearer(device), await codeFor(target))).reason).toBe('revoked');
    await ok(as(admin), 'PATCH', `/api/v1/sessions/${ids.session}`, { closed: true });
    try {
      expect((await answer(bearer(device), await codeFor(ids.carol))).reason).toBe('session_closed');
    } finally {
      await ok(as(admin), 'PATCH', `/api/v1/sessions/${ids.session}`, { closed: false });
    }
  });
});
