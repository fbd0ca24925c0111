import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport as Report } from '../../web/lib/admin-events-api.js';
import { as, bearer, createAccount, dialects, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * Attendee lists through the real HTTP API: CSV import with a report of every
 * bad row (and nothing written for them, or for a dry run), attendance export
 * that says who came, when, where and who scanned them (with formulas
 * defused), and the name search behind manual check-in.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
/** One test's own event: its id, its Morning and Afternoon sessions, and the token of its device "Gate B". */
type Summit = Record<'event' | 'morning' | 'afternoon' | 'device', string>;

const MIN = 60_000;
const BOM = '\uFEFF';

describe.each(dialects)('attendee CSV import, attendance export and search on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let staff: Session;
  let otherStaff: Session;

  const inject = (o: InjectOptions): Promise<LightMyRequestResponse> => node.app.inject(o);
  const ok = async (auth: Auth, method: InjectOptions['method'], url: string, payload?: unknown, status = 200) => {
    const res = await inject({ method, url, ...auth, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };
  const account = (name: string, role: string) => createAccount(node, admin, name, role);
  const upload = (ids: Summit, auth: Auth, body: string | Buffer, query = '', contentType = 'text/csv; charset=utf-8') =>
    inject({ method: 'POST', url: `/api/v1/events/${ids.event}/attendees/import${query}`, headers: { ...auth.headers, 'content-type': contentType }, payload: body });
  const imported = async (ids: Summit, body: string | Buffer, query = ''): Promise<Report> => {
    const res = await upload(ids, as(admin), body, query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Report;
  };
  const attendeeCount = async (ids: Summit) => Number((await node.services.store.db.selectFrom('attendees').select((eb) => eb.fn.countAll().as('n')).where('event_id', '=', ids.event).executeTakeFirstOrThrow()).n);
  const sessionsOf = async (attendeeId: string) =>
    (await node.services.store.db.selectFrom('session_registrations').select('session_id').where('attendee_id', '=', attendeeId).where('revoked_at', 'is', null).execute()).map((r) => r.session_id).sort();
  const byEmail = (ids: Summit, email: string) => node.services.store.db.selectFrom('attendees').select(['id', 'name']).where('event_id', '=', ids.event).where('email', '=', email).executeTakeFirstOrThrow();
  const csvOf = (res: LightMyRequestResponse) => parse(res.body, { bom: true, columns: true }) as Record<string, string>[];

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode(db.url ? { databaseUrl: db.url } : {});
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    [staff, otherStaff] = await Promise.all([account('Sam Staff', 'staff'), account('Olga Other', 'staff')]);
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  /**
   * A new "Summit 2026" with a Morning session (Sam staffs it, the device "Gate B" scans at it) and an
   * Afternoon one: each test imports into and checks in at its own, so none depends on another having run.
   */
  const summit = async (): Promise<Summit> => {
    const now = Date.now();
    const event = (await ok(as(admin), 'POST', '/api/v1/events', { name: 'Summit 2026', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    const morning = (await ok(as(admin), 'POST', `/api/v1/events/${event}/sessions`, { name: 'Morning', starts_at: now - 10 * MIN, ends_at: now + 60 * MIN }, 201)).id;
    const afternoon = (await ok(as(admin), 'POST', `/api/v1/events/${event}/sessions`, { name: 'Afternoon', starts_at: now + 60 * MIN, ends_at: now + 120 * MIN }, 201)).id;
    await ok(as(admin), 'POST', `/api/v1/sessions/${morning}/staff`, { user_id: staff.id });
    const device = (await ok(as(admin), 'POST', `/api/v1/events/${event}/devices`, { name: 'Gate B', session_id: morning }, 201)).token;
    return { event, morning, afternoon, device };
  };

  const mixed =
    BOM +
    'name,email,sessions,company\r\n' +
    'Ada Lovelace,ada@example.com,Morning,Analytical Engines\r\n' +
    ',nobody@example.com,Morning,\r\n' +
    'Bad Email,not-an-email,,\r\n' +
    'Lost Soul,lost@example.com,Nowhere,\r\n' +
    'Ada Again,ADA@example.com,,\r\n' +
    '"Hopper, Grace\nRear Admiral",grace@example.com,"Morning;Afternoon",Navy\r\n' +
    'Linus,linus@example.com,Afternoon,\r\n' +
    '\r\n' +
    '"=HYPERLINK(""http://evil.example"")",evil@example.com,Morning,\r\n';
  const semicolons = 'name;email;sessions\nZoe Zhang;zoe@example.com;"Morning;Afternoon"\n张伟;zhang.wei@example.com;Afternoon\n';

  /** A summit with the good rows of `mixed` and of `semicolons` imported: Ada, Grace, Linus, the formula, Zoe and 张伟. */
  const peopled = async (): Promise<Summit> => {
    const ids = await summit();
    expect(await imported(ids, mixed)).toMatchObject({ created: 4 });
    expect(await imported(ids, semicolons)).toMatchObject({ created: 2 });
    return ids;
  };
  /** At Morning: Sam checks Ada in at the desk by hand, Gate B the formula, and Zoe in and out again. Sam's answer for Ada. */
  const attend = async (ids: Summit) => {
    const ada = await byEmail(ids, 'ada@example.com');
    const evil = await byEmail(ids, 'evil@example.com');
    const zoe = await byEmail(ids, 'zoe@example.com');
    const manual = await ok(as(staff), 'POST', '/api/v1/checkins/manual', { session_id: ids.morning, attendee_id: ada.id, nonce: randomUUID(), gate: 'Desk' });
    await ok(bearer(ids.device), 'POST', '/api/v1/checkins/manual', { session_id: ids.morning, attendee_id: evil.id, nonce: randomUUID() });
    await ok(bearer(ids.device), 'POST', '/api/v1/checkins/manual', { session_id: ids.morning, attendee_id: zoe.id, nonce: randomUUID() });
    await ok(bearer(ids.device), 'POST', '/api/v1/checkins/manual', { session_id: ids.morning, attendee_id: zoe.id, nonce: randomUUID(), direction: 'exit' });
    return manual;
  };

  it('checks a file without writing anything on a dry run', async () => {
    const ids = await summit();
    const before = await attendeeCount(ids);
    const r = await imported(ids, mixed, '?dry_run=true');
    expect(r).toMatchObject({ dry_run: true, created: 4, updated: 0, skipped: 4, delimiter: ',', ignored_columns: ['company'] });
    expect(r.attendees.every((a) => a.id === null && a.link_url === undefined)).toBe(true);
    expect(await attendeeCount(ids)).toBe(before);
  });

  it('imports the good rows and reports each bad one with its line, column, value and code', async () => {
    const ids = await summit();
    const r = await imported(ids, mixed);
    expect(r).toMatchObject({ dry_run: false, created: 4, updated: 0, unchanged: 0, skipped: 4 });
    expect(r.errors.map((e) => [e.line, e.column, e.code, e.value])).toEqual([
      [3, 'name', 'missing_name', undefined],
      [4, 'email', 'invalid_email', 'not-an-email'],
      [5, 'sessions', 'unknown_session', 'Nowhere'],
      [6, 'email', 'duplicate_email', 'ada@example.com'],
    ]);
    expect(r.attendees.map((a) => [a.line, a.name])).toEqual([
      [2, 'Ada Lovelace'],
      [7, 'Hopper, Grace Rear Admiral'],
      [9, 'Linus'],
      [11, '=HYPERLINK("http://evil.example")'],
    ]);
    expect(r.attendees[0]!.link_url).toMatch(/\/pass\?link=/);
    // The link works: the pass opens without an account.
    const link = new URL(r.attendees[0]!.link_url!).searchParams.get('link')!;
    expect((await ok({ headers: {} }, 'GET', `/api/v1/passes/by-link/${link}`)).attendee.name).toBe('Ada Lovelace');

    const grace = await byEmail(ids, 'grace@example.com');
    expect(grace.name).toBe('Hopper, Grace Rear Admiral');
    expect(await sessionsOf(grace.id)).toEqual([ids.morning, ids.afternoon].sort());
    expect(await sessionsOf((await byEmail(ids, 'linus@example.com')).id)).toEqual([ids.afternoon]);
    for (const missing of ['nobody@example.com', 'not-an-email', 'lost@example.com']) {
      expect(await node.services.store.db.selectFrom('attendees').select('id').where('email', '=', missing).executeTakeFirst()).toBeUndefined();
    }
    const counts = await ok(as(staff), 'GET', `/api/v1/sessions/${ids.morning}/counts`);
    expect(counts.counts.expected).toBe(3);
  });

  it('reads semicolon-delimited files and upserts by email', async () => {
    // Ada (Morning) and Linus (Afternoon) are there from `mixed`, imported first.
    const ids = await summit();
    expect(await imported(ids, mixed)).toMatchObject({ created: 4 });
    const semi = await imported(ids, semicolons);
    expect(semi).toMatchObject({ created: 2, skipped: 0, delimiter: ';' });
    expect(await sessionsOf((await byEmail(ids, 'zoe@example.com')).id)).toEqual([ids.morning, ids.afternoon].sort());
    expect((await byEmail(ids, 'zhang.wei@example.com')).name).toBe('张伟');

    const again = 'name,email,sessions\nAda King,ada@example.com,Afternoon\nLinus,linus@example.com,Afternoon\n';
    const refused = await imported(ids, again);
    expect(refused).toMatchObject({ created: 0, skipped: 2, errors: [{ line: 2, code: 'duplicate_email' }, { line: 3, code: 'duplicate_email' }] });
    const up = await imported(ids, again, '?mode=upsert');
    expect(up).toMatchObject({ created: 0, updated: 1, unchanged: 1, skipped: 0 });
    const ada = await byEmail(ids, 'ada@example.com');
    expect(ada.name).toBe('Ada King');
    expect(await sessionsOf(ada.id)).toEqual([ids.morning, ids.afternoon].sort());
  });

  it('adds each person once when two organisers import the same file at the same moment', async () => {
    const now = Date.now();
    const fair = (await ok(as(admin), 'POST', '/api/v1/events', { name: 'Twin Fair', starts_at: now, ends_at: now + 60 * MIN }, 201)).id as string;
    const file = 'name,email\n' + Array.from({ length: 40 }, (_, i) => `Twin ${i},twin${i}@example.com`).join('\n') + '\n';
    const importInto = async (query: string) => {
      const res = await inject({ method: 'POST', url: `/api/v1/events/${fair}/attendees/import${query}`, headers: { ...as(admin).headers, 'content-type': 'text/csv' }, payload: file });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as Report;
    };
    const reports = await Promise.all([importInto(''), importInto(''), importInto('?mode=upsert')]);
    const people = await node.services.store.db.selectFrom('attendees').select('email').where('event_id', '=', fair).execute();
    expect(people).toHaveLength(40);
    expect(new Set(people.map((p) => p.email)).size).toBe(40);
    // Whichever ran first created them; the others found them there (refused as duplicates, or unchanged on upsert).
    expect(reports.map((r) => r.created).sort((a, b) => a - b)).toEqual([0, 0, 40]);
    for (const r of reports.filter((r) => r.created === 0)) expect(r.skipped + r.unchanged).toBe(40);
  });

  it('also registers every row for the session given, and moves its live counts', async () => {
    const ids = await summit();
    const before = (await ok(as(staff), 'GET', `/api/v1/sessions/${ids.morning}/counts`)).counts.expected;
    const r = await imported(ids, 'name\nWalk-in Wendy\n', `?session_id=${ids.morning}`);
    expect(r.created).toBe(1);
    expect((await ok(as(staff), 'GET', `/api/v1/sessions/${ids.morning}/counts`)).counts.expected).toBe(before + 1);
    expect((await upload(ids, as(admin), 'name\nX\n', `?session_id=${randomUUID()}`)).statusCode).toBe(400);
  });

  it('writes nothing at all when the import fails half-way, and audits the ones that land', async () => {
    const ids = await summit();
    for (const file of [mixed, semicolons, 'name\nWalk-in Wendy\n']) await imported(ids, file);
    const audit = node.services.audit;
    const entries = await audit.recent(50, `event:${ids.event}`);
    expect(entries.filter((e) => e.action === 'attendee_import').length).toBeGreaterThanOrEqual(3);
    const before = await attendeeCount(ids);
    const version = async () => Number((await node.services.store.db.selectFrom('event_sessions').select('version').where('id', '=', ids.morning).executeTakeFirstOrThrow()).version);
    const v = await version();
    // The audit entry is the transaction's last write: failing there is a crash after every row went in.
    const record = audit.record.bind(audit);
    audit.record = async (e, trx) => (e.action === 'attendee_import' ? Promise.reject(new Error('disk full')) : record(e, trx));
    try {
      const res = await upload(ids, as(admin), 'name,sessions\nHalf One,Morning\nHalf Two,Morning\n');
      expect(res.statusCode).toBe(500);
      expect(res.json().error).toBe('internal_error');
    } finally {
      audit.record = record;
    }
    expect(await attendeeCount(ids)).toBe(before);
    expect(await version()).toBe(v);
  });

  it('refuses a file it cannot read as a whole, with a stable code, and lets only admins import', async () => {
    const ids = await summit();
    const code = async (res: LightMyRequestResponse) => [res.statusCode, res.json().error];
    expect(await code(await upload(ids, as(admin), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xc4, 0xe3, 0xba, 0xc3, 0x0a])))).toEqual([400, 'invalid_csv']);
    expect(await code(await upload(ids, as(admin), 'email,sessions\na@b.co,\n'))).toEqual([400, 'invalid_csv']);
    expect(await code(await upload(ids, as(admin), ''))).toEqual([400, 'invalid_csv']);
    expect(await code(await upload(ids, as(admin), 'name\n"never closed\n'))).toEqual([400, 'invalid_csv']);
    expect(await code(await upload(ids, as(admin), 'x'.repeat(2 * 1024 * 1024 + 1)))).toEqual([413, 'payload_too_large']);
    expect(await code(await upload(ids, as(admin), JSON.stringify({ name: 'x' }), '', 'application/json'))).toEqual([415, 'unsupported_media_type']);
    expect(await code(await upload(ids, as(staff), 'name\nX\n'))).toEqual([403, 'forbidden']);
    expect(await code(await upload(ids, { headers: { cookie: admin.cookie } }, 'name\nX\n'))).toEqual([403, 'csrf_failed']);
    expect((await upload(ids, as(admin), 'name\nX\n', '', 'text/plain')).statusCode).toBe(415);
    const missing = await inject({ method: 'POST', url: `/api/v1/events/${randomUUID()}/attendees/import`, headers: { ...as(admin).headers, 'content-type': 'text/csv' }, payload: 'name\nX\n' });
    expect(missing.statusCode).toBe(404);
  });

  it('exports who came to a session, when, where and who scanned them; formulas defused', async () => {
    const ids = await peopled();
    const manual = await attend(ids);
    expect(manual.result).toBe('ok');

    const res = await inject({ method: 'GET', url: `/api/v1/sessions/${ids.morning}/attendance.csv`, ...as(admin) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="attendance-Summit-2026-Morning.csv"; filename*=UTF-8''attendance-Summit%202026-Morning.csv`);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = csvOf(res);
    expect(Object.keys(rows[0]!)).toEqual(['name', 'email', 'session', 'status', 'checked_in_at', 'checked_out_at', 'gate', 'scanned_by']);
    const row = (name: string) => rows.find((r) => r.name === name)!;
    expect(row('Ada Lovelace')).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      session: 'Morning',
      status: 'checked_in',
      checked_in_at: new Date(manual.checkin.at).toISOString(),
      checked_out_at: '',
      gate: 'Desk',
      scanned_by: 'Sam Staff',
    });
    expect(row(`'=HYPERLINK("http://evil.example")`)).toMatchObject({ status: 'checked_in', gate: 'Gate B', scanned_by: 'Gate B' });
    expect(row('Zoe Zhang')).toMatchObject({ status: 'checked_out', checked_out_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(row('Hopper, Grace Rear Admiral')).toMatchObject({ status: 'not_yet', checked_in_at: '', scanned_by: '' });
    expect(rows.find((r) => r.name === 'Linus')).toBeUndefined();
    // Round trip: exactly who the store says came.
    const came = await node.services.store.db.selectFrom('checkins').select('attendee_id').where('session_id', '=', ids.morning).where('undone_at', 'is', null).execute();
    expect(rows.filter((r) => r.status !== 'not_yet')).toHaveLength(came.length);

    // Staff of the session get it without emails; other staff and members do not get it.
    const asStaff = csvOf(await inject({ method: 'GET', url: `/api/v1/sessions/${ids.morning}/attendance.csv`, ...as(staff) }));
    expect(asStaff.map((r) => r.email).every((e) => e === '')).toBe(true);
    expect(asStaff).toHaveLength(rows.length);
    expect((await inject({ method: 'GET', url: `/api/v1/sessions/${ids.morning}/attendance.csv`, ...as(otherStaff) })).statusCode).toBe(403);
    expect((await inject({ method: 'GET', url: `/api/v1/events/${ids.event}/attendance.csv`, ...as(staff) })).statusCode).toBe(403);

    // The whole event: one row per attendee per session.
    const all = csvOf(await inject({ method: 'GET', url: `/api/v1/events/${ids.event}/attendance.csv`, ...as(admin) }));
    expect(all.filter((r) => r.name === 'Hopper, Grace Rear Admiral').map((r) => r.session).sort()).toEqual(['Afternoon', 'Morning']);
    expect(all.find((r) => r.name === 'Linus')).toMatchObject({ session: 'Afternoon', status: 'not_yet' });
  });

  it('finds attendees by any part of their name or email, with their status in the session', async () => {
    const ids = await peopled();
    await attend(ids);
    const search = async (auth: Auth, q: string, session = ids.morning) => {
      const res = await inject({ method: 'GET', url: `/api/v1/sessions/${session}/attendees?q=${encodeURIComponent(q)}`, ...auth });
      return { status: res.statusCode, body: res.json() as { attendees: { id: string; name: string; email?: string | null; status: string; checkin: { by: string | null } | null }[] } };
    };
    const ada = (await search(as(staff), 'LOVELACE')).body.attendees;
    expect(ada).toEqual([{ id: (await byEmail(ids, 'ada@example.com')).id, name: 'Ada Lovelace', status: 'checked_in', checkin: expect.objectContaining({ by: 'Sam Staff', gate: 'Desk' }) }]);
    expect((await search(as(admin), 'ADA@EXAMPLE')).body.attendees[0]).toMatchObject({ email: 'ada@example.com' });
    const statuses = Object.fromEntries((await search(as(admin), 'example.com')).body.attendees.map((a) => [a.name, a.status]));
    expect(statuses).toMatchObject({ 'Hopper, Grace Rear Admiral': 'not_yet', Linus: 'not_registered', 'Zoe Zhang': 'checked_out' });
    expect((await search(as(staff), '张')).body.attendees.map((a) => a.name)).toEqual(['张伟']);
    expect((await search(as(staff), '%')).body.attendees).toEqual([]);
    expect((await search(as(staff), '_')).body.attendees).toEqual([]);
    expect((await search(bearer(ids.device), 'grace')).status).toBe(200);
    expect((await search(as(otherStaff), 'grace')).status).toBe(403);
    expect((await search(as(staff), '')).status).toBe(400);
    expect((await search(as(staff), 'x'.repeat(101))).status).toBe(400);

    for (let i = 0; i < 25; i++) await imported(ids, `name\nMany ${String(i).padStart(2, '0')}\n`);
    expect((await search(as(staff), 'many')).body.attendees).toHaveLength(20);
  });

  it('tells the dashboard which check-in each of the latest scans made, and whether it still stands', async () => {
    const ids = await peopled();
    await attend(ids);
    const counts = await ok(as(staff), 'GET', `/api/v1/sessions/${ids.morning}/counts`);
    const latest = counts.latest as { result: string; checkin_id: string | null; checkin_live: boolean; attendee: { name: string } | null }[];
    const ada = latest.find((s) => s.attendee?.name === 'Ada Lovelace')!;
    expect(ada).toMatchObject({ result: 'ok', checkin_live: true, checkin_id: expect.any(String) });
    await ok(as(staff), 'DELETE', `/api/v1/checkins/${ada.checkin_id}`);
    const after = (await ok(as(staff), 'GET', `/api/v1/sessions/${ids.morning}/counts`)).latest as { checkin_id: string | null; checkin_live: boolean }[];
    expect(after.find((s) => s.checkin_id === ada.checkin_id)).toMatchObject({ checkin_live: false });
  });
});
