import { createECDH, randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import * as ece from 'http_ece';
import { importJWK, jwtVerify } from 'jose';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { PushService } from '../../src/notifications/push-service.js';
import { PushSubscriptionsRepo } from '../../src/store/push-subscriptions.js';
import { as, dialects, signInByInject, type Session } from '../support/api-suite.js';
import { startPushReceiver } from '../support/push-receiver.js';
import { until } from '../support/until.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * Web Push end to end on each database: a ticket holder subscribes through
 * the API with keys the test made (as a browser would: an ECDH P-256 pair and
 * a 16-byte auth secret), the server notifies, and a receiver started by the
 * test stands in for the push service. It checks the VAPID header (RFC 8292:
 * an ES256 JWT for the receiver's origin, signed with the server's key) and
 * decrypts the body with the subscription's keys (RFC 8291, aes128gcm).
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SUBJECT = 'mailto:ops@example.org';

/** A browser's side of a subscription: its key pair and auth secret, and the JSON `PushSubscription.toJSON()` gives. */
function browserKeys(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, json: { endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } } };
}

/** The public key (a 65-byte uncompressed P-256 point, base64url) as a key jose verifies with. */
const verifyingKey = (point: string) => {
  const b = Buffer.from(point, 'base64url');
  return importJWK({ kty: 'EC', crv: 'P-256', x: b.subarray(1, 33).toString('base64url'), y: b.subarray(33, 65).toString('base64url') }, 'ES256');
};

describe.each(dialects)('Web Push on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;

  const call = async (n: Node, method: InjectOptions['method'], url: string, payload?: unknown, auth = {}) => {
    const res = await n.app.inject({ method, url, ...auth, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: (res.body ? res.json() : null) as Json };
  };

  /** A ticket of a fresh place on `n`, taken with the entrance code, as a visitor does. */
  async function ticket(n: Node, who: Session) {
    const q = (await call(n, 'POST', '/api/v1/queues', { name: 'Branch', services: [{ name: 'Deposits', prefix: 'A' }], counters: [{ name: 'Counter 1', services: ['A'] }] }, as(who))).body;
    const { code } = (await call(n, 'GET', `/api/v1/queues/${q.id}/entrance-code`, undefined, as(who))).body;
    const t = await call(n, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: q.services[0].id, entrance_code: code });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    return { id: t.body.id as string, token: t.body.token as string, push: `/api/v1/tickets/${t.body.id}/push?token=${encodeURIComponent(t.body.token)}` };
  }

  const stored = (owner: string) => node.services.store.db.selectFrom('push_subscriptions').selectAll().where('owner', '=', owner).executeTakeFirst();

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    receiver = await startPushReceiver();
    // The receiver listens on 127.0.0.1: the lab setting webhooks use lets push endpoints be loopback (and http) too.
    node = await startTestNode({ ...(db.url ? { databaseUrl: db.url } : {}), webhookAllowPrivate: true, pushSubject: SUBJECT });
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await node?.close();
    await receiver?.close();
    await drop();
  });

  it('serves one VAPID key, made once and kept in the shared store', async () => {
    const a = await call(node, 'GET', '/api/v1/push/key');
    expect(a.status).toBe(200);
    const key = Buffer.from(a.body.public_key, 'base64url');
    expect(key).toHaveLength(65);
    expect(key[0]).toBe(0x04);
    expect((await call(node, 'GET', '/api/v1/push/key')).body).toEqual(a.body);
    const row = await node.services.store.db.selectFrom('server_secrets').select('value').where('name', '=', 'push_vapid_keys').executeTakeFirstOrThrow();
    expect(JSON.parse(row.value).publicKey).toBe(a.body.public_key);
  });

  it('sends a notification the push service accepts: VAPID-signed for its origin (RFC 8292), encrypted to the subscription (RFC 8291)', async () => {
    const t = await ticket(node, admin);
    const browser = browserKeys(receiver.url(`/push/${t.id}`));
    expect((await call(node, 'PUT', t.push, browser.json)).status).toBe(204);

    const message = { title: 'Your turn — Counter 3', body: 'A001: please go to Counter 3', tag: `ticket-${t.id}`, url: `${node.url}/queue?ticket=${t.id}&token=${t.token}` };
    const before = Math.floor(Date.now() / 1000);
    expect(await node.services.notifications.push.notify(`ticket:${t.id}`, message)).toBe('sent');
    const [got, ...more] = receiver.at(`/push/${t.id}`);
    expect(more).toHaveLength(0);

    expect(got!.headers).toMatchObject({ 'content-encoding': 'aes128gcm', 'content-type': 'application/octet-stream', urgency: 'high' });
    expect(Number(got!.headers.ttl)).toBeGreaterThan(0);
    const auth = /^vapid t=([A-Za-z0-9_.-]+), k=([A-Za-z0-9_-]+)$/.exec(String(got!.headers.authorization));
    expect(auth, String(got!.headers.authorization)).not.toBeNull();
    const [, jwt, k] = auth!;
    const { public_key } = (await call(node, 'GET', '/api/v1/push/key')).body;
    expect(k).toBe(public_key);
    const { payload, protectedHeader } = await jwtVerify(jwt!, await verifyingKey(public_key), { algorithms: ['ES256'] });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.aud).toBe(receiver.origin);
    expect(payload.sub).toBe(SUBJECT);
    expect(payload.exp).toBeGreaterThan(before);
    expect(payload.exp).toBeLessThanOrEqual(before + 24 * 3600 + 5);
    // Signed by another key, it does not verify.
    await expect(jwtVerify(jwt!, await verifyingKey(webpush.generateVAPIDKeys().publicKey), { algorithms: ['ES256'] })).rejects.toThrow();

    const plain = ece.decrypt(got!.body, { version: 'aes128gcm', privateKey: browser.ecdh, authSecret: browser.auth });
    expect(JSON.parse(plain.toString('utf8'))).toEqual(message);
    // Another browser's keys cannot read it.
    const other = browserKeys('https://push.example/x');
    expect(() => ece.decrypt(got!.body, { version: 'aes128gcm', privateKey: other.ecdh, authSecret: other.auth })).toThrow();
  });

  it('tells a ticket its turn with the counter, and the ticket that reaches the threshold that it is near', async () => {
    const q = (await call(node, 'POST', '/api/v1/queues', { name: 'Clinic', services: [{ name: 'Nurse', prefix: 'N' }], counters: [{ name: 'Room 3', services: ['N'] }] }, as(admin))).body;
    const { code } = (await call(node, 'GET', `/api/v1/queues/${q.id}/entrance-code`, undefined, as(admin))).body;
    const tickets: Json[] = [];
    for (let i = 0; i < 5; i++) tickets.push((await call(node, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: q.services[0].id, entrance_code: code })).body);
    const phones = new Map<string, ReturnType<typeof browserKeys>>();
    for (const t of [tickets[0]!, tickets[3]!, tickets[4]!]) {
      const phone = browserKeys(receiver.url(`/queue/${t.id}`));
      phones.set(t.id as string, phone);
      expect((await call(node, 'PUT', `/api/v1/tickets/${t.id}/push?token=${encodeURIComponent(t.token as string)}`, phone.json)).status).toBe(204);
    }
    const read = (t: Json) => {
      const got = receiver.at(`/queue/${t.id}`);
      const phone = phones.get(t.id as string)!;
      return got.map((g) => JSON.parse(ece.decrypt(g.body, { version: 'aes128gcm', privateKey: phone.ecdh, authSecret: phone.auth }).toString('utf8')) as Json);
    };

    expect((await call(node, 'POST', `/api/v1/counters/${q.counters[0].id}/call`, undefined, as(admin))).body.ticket.number).toBe('N001');
    // The first is called to Room 3; the fifth now has exactly 3 ahead (the default threshold); the fourth, 2 ahead, was told nothing.
    const [called] = await until(() => read(tickets[0]!).length > 0 && read(tickets[0]!), 'the called ticket\'s push');
    expect(called).toMatchObject({ title: expect.stringContaining('N001'), body: expect.stringContaining('Room 3'), tag: `ticket-${tickets[0]!.id}-called` });
    const [near] = await until(() => read(tickets[4]!).length > 0 && read(tickets[4]!), 'the near push');
    expect(near).toMatchObject({ title: expect.stringContaining('N005'), tag: `ticket-${tickets[4]!.id}-near` });
    expect(near!.title).toContain('3');
    expect(read(tickets[3]!)).toEqual([]);
  });

  it('drops a subscription the push service answers 410 Gone (or 404) for, and keeps it on other failures', async () => {
    for (const status of [410, 404]) {
      const t = await ticket(node, admin);
      const path = `/gone/${t.id}`;
      receiver.on(path, status);
      expect((await call(node, 'PUT', t.push, browserKeys(receiver.url(path)).json)).status).toBe(204);
      expect(await stored(`ticket:${t.id}`)).toBeDefined();
      expect(await node.services.notifications.push.notify(`ticket:${t.id}`, { title: 't', body: 'b', tag: 'x', url: '/queue' })).toBe('gone');
      expect(receiver.at(path)).toHaveLength(1);
      expect(await stored(`ticket:${t.id}`)).toBeUndefined();
      expect(await node.services.notifications.push.notify(`ticket:${t.id}`, { title: 't', body: 'b', tag: 'x', url: '/queue' })).toBe('none');
    }
    const t = await ticket(node, admin);
    receiver.on(`/busy/${t.id}`, 500);
    expect((await call(node, 'PUT', t.push, browserKeys(receiver.url(`/busy/${t.id}`)).json)).status).toBe(204);
    expect(await node.services.notifications.push.notify(`ticket:${t.id}`, { title: 't', body: 'b', tag: 'x', url: '/queue' })).toBe('failed');
    expect(await stored(`ticket:${t.id}`)).toBeDefined();
  });

  it('never throws into the caller: an unreachable or silent push service, a refused target', async () => {
    const t = await ticket(node, admin);
    const errors: string[] = [];
    const push = (allowPrivate: boolean) =>
      new PushService({
        subscriptions: new PushSubscriptionsRepo(node.services.store.db),
        clock: systemClock,
        vapid: webpush.generateVAPIDKeys(),
        subject: SUBJECT,
        target: { allowPrivate },
        onError: (_err, context) => errors.push(context),
        timeoutMs: 300,
      });
    const m = { title: 't', body: 'b', tag: 'x', url: '/queue' };
    receiver.on(`/hang/${t.id}`, 'hang');
    await push(true).subscribe(`ticket:${t.id}`, browserKeys(receiver.url(`/hang/${t.id}`)).json);
    const start = Date.now();
    expect(await push(true).notify(`ticket:${t.id}`, m)).toBe('failed');
    expect(Date.now() - start).toBeLessThan(5000);
    expect(receiver.at(`/hang/${t.id}`)).toHaveLength(1);
    // Stored while the lab setting was on, sent after it was turned off: refused before connecting.
    expect(await push(false).notify(`ticket:${t.id}`, m)).toBe('failed');
    expect(receiver.at(`/hang/${t.id}`)).toHaveLength(1);
    // Nobody listens there.
    await push(true).subscribe(`ticket:${t.id}`, browserKeys('http://127.0.0.1:9/push').json);
    expect(await push(true).notify(`ticket:${t.id}`, m)).toBe('failed');
    expect(errors).toEqual([`web push to ticket:${t.id}`, `web push to ticket:${t.id}`, `web push to ticket:${t.id}`]);
  });

  it('subscribes and unsubscribes only with the ticket token; DELETE is harmless twice', async () => {
    const t = await ticket(node, admin);
    const sub = browserKeys(receiver.url(`/del/${t.id}`)).json;
    const wrong = `/api/v1/tickets/${t.id}/push?token=not-the-token`;
    expect(await call(node, 'PUT', wrong, sub)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await call(node, 'PUT', `/api/v1/tickets/no-such-ticket/push?token=${t.token}`, sub)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await call(node, 'PUT', `/api/v1/tickets/${t.id}/push`, sub)).status).toBe(400);
    expect(await stored(`ticket:${t.id}`)).toBeUndefined();

    expect((await call(node, 'PUT', t.push, sub)).status).toBe(204);
    expect(await call(node, 'DELETE', wrong)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await stored(`ticket:${t.id}`)).toMatchObject({ endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth });
    expect((await call(node, 'DELETE', t.push)).status).toBe(204);
    expect(await stored(`ticket:${t.id}`)).toBeUndefined();
    expect((await call(node, 'DELETE', t.push)).status).toBe(204);
    expect(await node.services.notifications.push.notify(`ticket:${t.id}`, { title: 't', body: 'b', tag: 'x', url: '/queue' })).toBe('none');
  });

  it('refuses a malformed subscription with 400 invalid_request', async () => {
    const t = await ticket(node, admin);
    const good = browserKeys(receiver.url('/bad')).json;
    const offCurve = Buffer.alloc(65, 7);
    offCurve[0] = 4;
    const bad: [string, unknown][] = [
      ['no body', undefined],
      ['no keys', { endpoint: good.endpoint }],
      ['no endpoint', { keys: good.keys }],
      ['extra field', { ...good, extra: 1 }],
      ['extra key', { ...good, keys: { ...good.keys, x: 'a' } }],
      ['endpoint not a URL', { ...good, endpoint: 'not a url' }],
      ['endpoint not http(s)', { ...good, endpoint: 'ftp://127.0.0.1/x' }],
      ['javascript endpoint', { ...good, endpoint: 'javascript:alert(1)' }],
      ['endpoint with credentials', { ...good, endpoint: 'https://user:pw@push.example/x' }],
      ['endpoint too long', { ...good, endpoint: `https://push.example/${'a'.repeat(2100)}` }],
      ['p256dh not base64url', { ...good, keys: { ...good.keys, p256dh: 'not base64!' } }],
      ['p256dh too short', { ...good, keys: { ...good.keys, p256dh: Buffer.alloc(33, 4).toString('base64url') } }],
      ['p256dh compressed', { ...good, keys: { ...good.keys, p256dh: Buffer.concat([Buffer.from([2]), Buffer.alloc(64, 1)]).toString('base64url') } }],
      ['p256dh off the curve', { ...good, keys: { ...good.keys, p256dh: offCurve.toString('base64url') } }],
      ['auth too short', { ...good, keys: { ...good.keys, auth: randomBytes(8).toString('base64url') } }],
      ['auth a number', { ...good, keys: { ...good.keys, auth: 12 } }],
      ['endpoint a number', { ...good, endpoint: 7 }],
    ];
    for (const [what, body] of bad) {
      const r = await call(node, 'PUT', t.push, body);
      expect({ what, status: r.status, error: r.body?.error }).toEqual({ what, status: 400, error: 'invalid_request' });
    }
    expect(await stored(`ticket:${t.id}`)).toBeUndefined();
  });

  it('without the lab setting, accepts only https endpoints on public hosts', async () => {
    const strict = await startTestNode({ ...(node.services.config.databaseUrl ? { databaseUrl: node.services.config.databaseUrl } : {}), pushSubject: SUBJECT });
    try {
      const who = await signInByInject(strict, ADMIN.email, ADMIN.password);
      const t = await ticket(strict, who);
      const keys = browserKeys('').json.keys;
      for (const endpoint of ['http://push.example/x', 'https://127.0.0.1/x', 'https://localhost/x', 'https://[::1]/x', 'https://10.1.2.3/x', 'https://169.254.169.254/latest', 'https://2130706433/x', 'https://[::ffff:127.0.0.1]/x']) {
        const r = await call(strict, 'PUT', t.push, { endpoint, keys });
        expect({ endpoint, status: r.status, error: r.body?.error }).toEqual({ endpoint, status: 400, error: 'invalid_request' });
      }
      expect((await call(strict, 'PUT', t.push, { endpoint: 'https://fcm.googleapis.com/fcm/send/abc', keys })).status).toBe(204);
    } finally {
      await strict.close();
    }
  });
});
