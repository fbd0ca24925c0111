import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/domain/webhook-signature.js';
import { checkinWebhooks } from '../../src/flows/checkin/checkin-webhooks.js';
import { hmacSha256Hex } from '../../src/webhooks/webhook-sender.js';
import { systemRandom } from '../../src/services.js';
import { CheckinsRepo } from '../../src/store/checkins.js';
import { EventsRepo } from '../../src/store/events.js';
import { CheckinReportsRepo } from '../../src/store/checkin-reports.js';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { freePort } from '../support/free-port.js';
import { createTestDatabase } from '../support/postgres.js';
import { ADMIN, startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Check-in webhooks end to end: a real node, a real HTTP receiver on a free
 * port, real check-ins through the API. Retries use a short schedule.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Auth = { headers: Record<string, string> };
interface Delivery {
  id: string;
  type: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  data: Record<string, unknown>;
}

/** The README's verification snippet, verbatim: what an integrator would run. */
function verifyScanpass(rawBody: string, header: string, secret: string, toleranceSeconds = 300) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const dialects = [
  { name: 'sqlite', database: async () => ({ url: undefined as string | undefined, drop: async () => {} }) },
  ...(available('postgres', !!TEST_DATABASE_URL) ? [{ name: 'postgres', database: () => createTestDatabase(TEST_DATABASE_URL!) }] : []),
];

const MIN = 60_000;
const nonce = () => randomBytes(12).toString('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signs in through `node` and returns a helper that calls its API as the admin. */
async function adminClient(node: Node) {
  const res = await node.app.inject({ method: 'POST', url: '/api/v1/session', payload: ADMIN });
  const c = res.cookies.find((x) => x.name === 'scanpass_session')!;
  const auth: Auth = { headers: { cookie: `scanpass_session=${c.value}`, 'x-csrf-token': res.json().csrf_token } };
  const call = async (method: InjectOptions['method'], url: string, payload?: unknown, who: Auth | null = auth) => {
    const r = await node.app.inject({ method, url, ...(who ?? {}), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: r.statusCode, body: r.body ? r.json() : null };
  };
  const ok = async (method: InjectOptions['method'], url: string, payload?: unknown, status = 200) => {
    const r = await call(method, url, payload);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  return { auth, call, ok };
}
type Client = Awaited<ReturnType<typeof adminClient>>;

/** An event with one open session, `people` registered attendees, and (unless `url` is null) a webhook. */
async function eventWithWebhook(api: Client, url: string | null, people = 2) {
  const now = Date.now();
  const event = (await api.ok('POST', '/api/v1/events', { name: 'Webhook day', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id as string;
  const session = (await api.ok('POST', `/api/v1/events/${event}/sessions`, { name: 'Keynote', place: 'Hall B', starts_at: now - 10 * MIN, ends_at: now + 60 * MIN }, 201)).id as string;
  const attendees: string[] = [];
  for (let i = 0; i < people; i++) attendees.push((await api.ok('POST', `/api/v1/events/${event}/attendees`, { name: `Person ${i}`, email: `p${i}@example.org`, session_ids: [session] }, 201)).id);
  const webhook = url ? await api.ok('PUT', `/api/v1/events/${event}/webhook`, { url }, 201) : null;
  const checkIn = (attendee_id: string) => api.ok('POST', '/api/v1/checkins/manual', { session_id: session, attendee_id, nonce: nonce() });
  const deliveries = async (status?: string): Promise<Delivery[]> => (await api.ok('GET', `/api/v1/events/${event}/webhook/deliveries${status ? `?status=${status}` : ''}`)).deliveries;
  return { event, session, attendees, secret: webhook?.secret as string, checkIn, deliveries };
}

describe.each(dialects)('check-in webhooks on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let receiver: WebhookReceiver;
  let api: Client;

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    receiver = await startWebhookReceiver();
    // The receiver listens on 127.0.0.1: a lab setting (see "webhook targets" below for the default).
    node = await startTestNode({ ...(db.url ? { databaseUrl: db.url } : {}), webhookTickMs: 20, webhookRetrySchedule: '300ms,300ms,300ms', webhookAllowPrivate: true });
    api = await adminClient(node);
  });
  afterAll(async () => {
    await node?.close();
    await receiver?.close();
    await drop();
  });

  it('lets only admins set an http(s) webhook, and returns, keeps and rotates its whsec_ secret', async () => {
    const ev = await eventWithWebhook(api, null, 0);
    const path = `/api/v1/events/${ev.event}/webhook`;
    expect(await api.call('GET', path)).toMatchObject({ status: 404, body: { error: 'webhook_not_configured' } });
    for (const url of ['ftp://example.org/x', 'not a url', '/relative', 'javascript:alert(1)']) {
      expect(await api.call('PUT', path, { url }), url).toMatchObject({ status: 400, body: { error: 'invalid_webhook_url' } });
    }
    expect((await api.call('PUT', path, { url: 'https://example.org/h', extra: 1 })).status).toBe(400);
    expect(await api.call('PUT', '/api/v1/events/no-such-event/webhook', { url: 'https://example.org/h' })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await api.call('PUT', path, { url: 'https://example.org/h' }, null)).status).toBe(401);

    const created = await api.ok('PUT', path, { url: 'https://example.org/h#frag' }, 201);
    expect(created).toMatchObject({ event_id: ev.event, url: 'https://example.org/h', enabled: true });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(await api.ok('GET', path)).toEqual(created);
    const updated = await api.ok('PUT', path, { url: 'http://example.org/other', enabled: false });
    expect(updated).toMatchObject({ url: 'http://example.org/other', enabled: false, secret: created.secret });
    const rotated = await api.ok('PUT', path, { url: 'http://example.org/other', rotate_secret: true });
    expect(rotated).toMatchObject({ enabled: false });
    expect(rotated.secret).not.toBe(created.secret);
    expect(await api.call('POST', `${path}/test`)).toMatchObject({ status: 409, body: { error: 'webhook_disabled' } });
    expect((await api.call('GET', `${path}/deliveries?status=lost`)).status).toBe(400);

    expect(await api.ok('DELETE', path)).toEqual({ event_id: ev.event, deleted: true });
    expect(await api.call('DELETE', path)).toMatchObject({ status: 404, body: { error: 'webhook_not_configured' } });
  });

  it('sends exactly one signed checkin.created per check-in, naming the attendee and the session', async () => {
    const ev = await eventWithWebhook(api, receiver.url('/one'));
    const answer = await ev.checkIn(ev.attendees[0]!);
    expect(answer.result).toBe('ok');
    const [got] = await until(() => receiver.at('/one').length > 0 && receiver.at('/one'), 'the webhook');
    await sleep(300);
    expect(receiver.at('/one')).toHaveLength(1);

    expect(got!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'scanpass-webhooks', 'x-scanpass-event': 'checkin.created', 'x-scanpass-delivery': got!.json.id });
    const signature = String(got!.headers['x-scanpass-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyScanpass(got!.body, signature, ev.secret)).toBe(true);
    expect(verifyWebhook(hmacSha256Hex, ev.secret, got!.body, signature, Math.floor(Date.now() / 1000)).ok).toBe(true);
    expect(verifyScanpass(got!.body.replace('Person 0', 'Person 9'), signature, ev.secret)).toBe(false);
    expect(verifyScanpass(got!.body, signature, `${ev.secret}x`)).toBe(false);

    expect(got!.json).toMatchObject({
      id: expect.stringMatching(/^whd_/),
      type: 'checkin.created',
      created_at: expect.any(Number),
      data: {
        event_id: ev.event,
        checkin: { id: answer.checkin.id, session_id: ev.session, attendee_id: ev.attendees[0], method: 'manual', undone_at: null },
        attendee: { id: ev.attendees[0], name: 'Person 0', email: 'p0@example.org' },
        session: { id: ev.session, name: 'Keynote' },
      },
    });
    const [d] = await until(async () => {
      const list = await ev.deliveries('delivered');
      return list.length > 0 && list;
    }, 'delivered status');
    expect(d).toMatchObject({ id: got!.json.id, type: 'checkin.created', status: 'delivered', attempts: 1, last_status: 200, last_error: null });
  });

  it('retries a failing receiver with the same delivery id and body until it answers 2xx', async () => {
    receiver.on('/flaky', (_w, n) => (n <= 2 ? 500 : 200));
    const ev = await eventWithWebhook(api, receiver.url('/flaky'));
    await ev.checkIn(ev.attendees[0]!);
    await until(() => receiver.at('/flaky').length >= 3, 'three attempts');
    const [d] = await until(async () => {
      const list = await ev.deliveries('delivered');
      return list.length > 0 && list;
    }, 'delivered after retries');
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, last_status: 200 });
    await sleep(300);
    const attempts = receiver.at('/flaky');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers['x-scanpass-delivery']))).toEqual(new Set([d!.id]));
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    for (const a of attempts) expect(verifyScanpass(a.body, String(a.headers['x-scanpass-signature']), ev.secret)).toBe(true);
    // The waits between attempts follow the schedule (300 ms +- 20 %), not the tick.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(230);
  });

  it('keeps a delivery to a receiver that is down pending, then marks it failed after the last attempt', async () => {
    const ev = await eventWithWebhook(api, `http://127.0.0.1:${await freePort()}/down`);
    await ev.checkIn(ev.attendees[0]!);
    const [pending] = await until(async () => {
      const list = await ev.deliveries('pending');
      return list.some((d) => d.attempts >= 1) && list;
    }, 'a failed first attempt');
    expect(pending).toMatchObject({ status: 'pending', last_status: null, last_error: expect.stringMatching(/ECONNREFUSED|fetch failed/) });
    const [failed] = await until(async () => {
      const list = await ev.deliveries('failed');
      return list.length > 0 && list;
    }, 'failed', 10_000);
    expect(failed).toMatchObject({ id: pending!.id, status: 'failed', attempts: 4 });

    // An organiser can send it once more by hand, once the receiver is back.
    const redone = await api.call('POST', `/api/v1/events/${ev.event}/webhook/deliveries/${failed!.id}/redeliver`);
    expect(redone).toMatchObject({ status: 202, body: { id: failed!.id, status: 'pending' } });
    expect(await api.call('POST', `/api/v1/events/${ev.event}/webhook/deliveries/whd_nope/redeliver`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('sends checkin.undone when a check-in is undone', async () => {
    const ev = await eventWithWebhook(api, receiver.url('/undo'));
    const answer = await ev.checkIn(ev.attendees[0]!);
    await until(() => receiver.at('/undo').length === 1, 'the check-in');
    expect(await api.ok('DELETE', `/api/v1/checkins/${answer.checkin.id}`)).toEqual({ id: answer.checkin.id, undone: true });
    const undone = await until(() => receiver.at('/undo').find((w) => w.json.type === 'checkin.undone'), 'the undo');
    expect(undone.headers['x-scanpass-event']).toBe('checkin.undone');
    expect(undone.json.data).toMatchObject({ checkin: { id: answer.checkin.id, undone_at: expect.any(Number) }, attendee: { id: ev.attendees[0] }, by: expect.stringMatching(/^user:/) });
    expect(verifyScanpass(undone.body, String(undone.headers['x-scanpass-signature']), ev.secret)).toBe(true);
    expect(receiver.at('/undo').map((w) => w.json.type)).toEqual(['checkin.created', 'checkin.undone']);
  });

  it('sends nothing for refused scans, replayed nonces or a disabled webhook', async () => {
    const ev = await eventWithWebhook(api, receiver.url('/quiet'));
    const outsider = (await api.ok('POST', `/api/v1/events/${ev.event}/attendees`, { name: 'Not Registered' }, 201)).id;
    const refused = await ev.checkIn(outsider);
    expect(refused).toMatchObject({ result: 'rejected', reason: 'not_registered' });
    const code = await api.ok('POST', '/api/v1/checkins', { code: 'not a code', session_id: ev.session, nonce: nonce() });
    expect(code).toMatchObject({ result: 'rejected', reason: 'invalid_code' });

    const body = { session_id: ev.session, attendee_id: ev.attendees[0], nonce: nonce() };
    expect((await api.ok('POST', '/api/v1/checkins/manual', body)).result).toBe('ok');
    expect((await api.call('POST', '/api/v1/checkins/manual', body)).body.result).toBe('ok');
    expect((await ev.checkIn(ev.attendees[0]!)).reason).toBe('already_checked_in');

    // Once the one check-in is delivered (a disabled webhook holds what is pending), disable it.
    await until(() => receiver.at('/quiet').length === 1, 'the one check-in');
    const url = receiver.url('/quiet');
    await api.ok('PUT', `/api/v1/events/${ev.event}/webhook`, { url, enabled: false });
    expect((await ev.checkIn(ev.attendees[1]!)).result).toBe('ok');
    await sleep(400);
    expect(receiver.at('/quiet').map((w) => w.json.type)).toEqual(['checkin.created']);
    expect(await ev.deliveries()).toHaveLength(1);

    await api.ok('PUT', `/api/v1/events/${ev.event}/webhook`, { url, enabled: true });
    const ping = await api.call('POST', `/api/v1/events/${ev.event}/webhook/test`);
    expect(ping).toMatchObject({ status: 202, body: { type: 'ping', status: 'pending', attempts: 0 } });
    const got = await until(() => receiver.at('/quiet').find((w) => w.json.type === 'ping'), 'the ping');
    expect(got.json).toMatchObject({ id: ping.body.id, data: { event_id: ev.event, url } });
  });

  it('writes the delivery inside the check-in transaction: a rolled-back check-in leaves none', async () => {
    const ev = await eventWithWebhook(api, receiver.url('/rollback'));
    const { db, units, reads } = node.services.store;
    const outbox = checkinWebhooks(node.services.webhooks.outbox, new CheckinReportsRepo());
    const failing = new CheckinsRepo(db, units, reads, systemRandom, async (unit, change) => {
      await outbox(unit, change);
      throw new Error('fails after the outbox row was written');
    });
    const session = (await new EventsRepo(db).session(ev.session))!;
    const record = () =>
      failing.record(
        { session, actor: { key: 'user:test', name: 'Test', userId: null, deviceId: null }, nonce: nonce(), method: 'manual', direction: 'entry', scannedAt: Date.now(), now: Date.now(), gate: null, attendeeId: ev.attendees[0]! },
        () => ({ result: 'ok', action: 'check_in' }),
        () => null,
      );
    await expect(record()).rejects.toThrow('fails after the outbox row was written');
    expect(await db.selectFrom('webhook_deliveries').select('id').where('owner', '=', `event:${ev.event}`).execute()).toHaveLength(0);
    expect(await db.selectFrom('checkins').select('id').where('attendee_id', '=', ev.attendees[0]!).execute()).toHaveLength(0);
  });
});

describe.runIf(available('postgres', !!TEST_DATABASE_URL))('check-in webhooks on two nodes sharing Postgres', () => {
  let nodes: Node[] = [];
  let drop = async () => {};
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    const db = await createTestDatabase(TEST_DATABASE_URL!);
    drop = db.drop;
    receiver = await startWebhookReceiver();
    const options = { databaseUrl: db.url, webhookTickMs: 10, webhookRetrySchedule: '100ms,100ms', webhookAllowPrivate: true };
    nodes.push(await startTestNode(options));
    nodes.push(await startTestNode(options));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [];
    await receiver?.close();
    await drop();
  });

  it('never sends one delivery twice, though both nodes claim from the same outbox', async () => {
    // A receiver slow enough that both nodes see the same due rows while others are in flight.
    receiver.on('/shared', async () => {
      await sleep(15);
      return 200;
    });
    const [a, b] = await Promise.all(nodes.map(adminClient));
    const ev = await eventWithWebhook(a!, receiver.url('/shared'), 40);
    await Promise.all(
      ev.attendees.map((attendee_id, i) => (i % 2 ? b! : a!).ok('POST', '/api/v1/checkins/manual', { session_id: ev.session, attendee_id, nonce: nonce() })),
    );
    await until(async () => (await ev.deliveries('delivered')).length === 40, 'all 40 delivered', 20_000);
    await sleep(300);
    const ids = receiver.at('/shared').map((w) => w.json.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    for (const d of await ev.deliveries()) expect(d).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});

describe('check-in webhooks at shutdown', () => {
  let node: Node;
  let receiver: WebhookReceiver;
  let hang: () => void = () => {};

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    node = await startTestNode({ webhookTickMs: 20, webhookAllowPrivate: true });
  });
  afterAll(async () => {
    hang();
    await node?.close();
    await receiver?.close();
  });

  it('gives back the claim of an attempt cut short, without counting it, so another node sends it', async () => {
    const answered = new Promise<number>((resolve) => (hang = () => resolve(200)));
    receiver.on('/slow', () => answered);
    const api = await adminClient(node);
    const ev = await eventWithWebhook(api, receiver.url('/slow'));
    await ev.checkIn(ev.attendees[0]!);
    await until(() => receiver.at('/slow').length === 1, 'the attempt in flight');
    await node.services.webhooks.dispatcher.close(50);
    const [d] = await ev.deliveries();
    expect(d).toMatchObject({ status: 'pending', attempts: 0, last_error: null });
    const row = await node.services.store.db.selectFrom('webhook_deliveries').select(['claimed_until', 'claim_token']).where('id', '=', d!.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ claimed_until: null, claim_token: null });
  });
});

describe('webhook targets by default (no lab setting)', () => {
  let node: Node;
  let receiver: WebhookReceiver;
  let api: Client;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    node = await startTestNode({ webhookTickMs: 20, webhookRetrySchedule: '100ms' });
    api = await adminClient(node);
  });
  afterAll(async () => {
    await node?.close();
    await receiver?.close();
  });

  it('refuses loopback, private, link-local and reserved hosts in every spelling, and localhost, when saved', async () => {
    const ev = await eventWithWebhook(api, null, 0);
    const path = `/api/v1/events/${ev.event}/webhook`;
    const refused = [
      'http://127.0.0.1/hook', 'http://127.1:8080/', 'http://[::1]/', 'http://0.0.0.0/', 'http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/',
      'http://0x7f.1/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/', 'http://[::127.0.0.1]/', 'http://[64:ff9b::a00:1]/', 'http://[2002:a00:1::]/',
      'http://10.1.2.3/', 'http://172.16.0.1/', 'http://192.168.1.1/', 'http://100.64.0.1/', 'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/', 'http://[fd00::1]/', 'http://224.0.0.1/', 'http://255.255.255.255/', 'http://localhost:8080/', 'http://LOCALHOST./', 'http://api.localhost/',
    ];
    for (const url of refused) {
      const r = await api.call('PUT', path, { url });
      expect(r, url).toMatchObject({ status: 400, body: { error: 'invalid_webhook_url', message: expect.stringContaining('SCANPASS_WEBHOOK_ALLOW_PRIVATE') } });
    }
    expect(await api.call('GET', path)).toMatchObject({ status: 404, body: { error: 'webhook_not_configured' } });
    // Public addresses and names are fine.
    for (const url of ['https://93.184.215.14/hook', 'https://[2606:4700::1111]/hook', 'https://hooks.example.org/x']) expect((await api.call('PUT', path, { url })).status, url).toBeLessThan(300);
  });

  it('refuses at connect time a saved host that resolves to loopback, and the delivery log says why', async () => {
    const ev = await eventWithWebhook(api, 'https://hooks.example.org/x');
    // As if saved while the lab setting was on, or by a name whose DNS answer later changed: localhost resolves to 127.0.0.1 / ::1.
    const url = receiver.url('/rebound').replace('127.0.0.1', 'localhost');
    await node.services.store.db.updateTable('webhook_endpoints').set({ url }).where('owner', '=', `event:${ev.event}`).execute();
    await ev.checkIn(ev.attendees[0]!);
    const [d] = await until(async () => {
      const list = await ev.deliveries();
      return list.some((x) => x.attempts >= 1) && list;
    }, 'a refused attempt');
    expect(d).toMatchObject({ last_status: null, last_error: expect.stringMatching(/^refused: localhost is this machine; webhooks may not reach loopback/) });
    expect(receiver.at('/rebound')).toHaveLength(0);
  });

  it('refuses at connect time a name whose DNS answer is a private address (rebinding)', async () => {
    const { sendWebhook } = await import('../../src/webhooks/webhook-sender.js');
    const port = new URL(receiver.url('/')).port;
    // A resolver that answers like a rebinding DNS server: a public-looking name, a loopback address.
    const rebinding = ((_host: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) => cb(null, [{ address: '127.0.0.1', family: 4 }])) as never;
    const req = { id: 'd1', type: 'ping', createdAt: 1, payload: '{}', url: `http://rebind.example.org:${port}/dns`, secret: 'whsec_x' };
    const stop = new AbortController().signal;
    expect(await sendWebhook(req, 1, 2000, stop, { allowPrivate: false, resolve: rebinding })).toEqual({
      ok: false,
      status: null,
      error: 'refused: rebind.example.org resolves to 127.0.0.1; webhooks may not reach loopback, private, link-local or reserved addresses (SCANPASS_WEBHOOK_ALLOW_PRIVATE=true allows them in a lab)',
    });
    expect(receiver.at('/dns')).toHaveLength(0);
    // The same resolver with the lab setting on: the receiver is reached.
    expect(await sendWebhook(req, 1, 2000, stop, { allowPrivate: true, resolve: rebinding })).toEqual({ ok: true, status: 200 });
    expect(receiver.at('/dns')).toHaveLength(1);
  });
});
