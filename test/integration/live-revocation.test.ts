/**
 * A live subscription must not outlive the right it came from. On a real node
 * (SQLite), over every transport: revoking a device, an API key, a sign-in, a
 * staff assignment or a pass link ends what it opened (`access_revoked`), the
 * token it held is refused from then on, and fetching a fresh one fails; a
 * subscription also ends when its token expires (`token_expired`).
 */
import { randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { as, bearer, createAccount, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { available, TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { ADMIN, startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Live = { channel: string; token: string };
type Frame = { op?: string; channel?: string; code?: string; version?: number; data?: unknown };

const MIN = 60_000;

/** A raw WebSocket screen: every frame it gets, in order. */
async function screen(url: string, live: Live) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/live`);
  const frames: Frame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Frame));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const sub = (l: Live) => ws.send(JSON.stringify({ op: 'sub', channel: l.channel, token: l.token }));
  sub(live);
  await until(() => frames.some((f) => f.channel === live.channel && typeof f.version === 'number'), `the snapshot of ${live.channel}`);
  return {
    frames,
    sub,
    errorOf: (channel: string) => frames.find((f) => f.op === 'error' && f.channel === channel),
    /** Frames after the first error about `channel`. */
    afterError: (channel: string) => frames.slice(frames.findIndex((f) => f.op === 'error' && f.channel === channel) + 1),
    mentions: (text: string) => frames.some((f) => JSON.stringify(f).includes(text)),
    close: () => ws.terminate(),
  };
}

/** Reads an SSE stream to its end (the server ends it), returning the raw text. */
async function sseUntilEnd(url: string, live: Live, onOpen: () => Promise<void>): Promise<{ status: number; text: string }> {
  const q = new URLSearchParams({ channel: live.channel, token: live.token });
  const res = await fetch(`${url}/v1/live/sse?${q}`, { signal: AbortSignal.timeout(15_000) });
  if (res.status !== 200) return { status: res.status, text: await res.text() };
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let opened = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (!opened && text.includes('data:')) {
      opened = true;
      await onOpen();
    }
  }
  return { status: 200, text };
}

describe('live subscriptions end with the right they came from (SQLite)', () => {
  let node: Node;
  let admin: Session;
  const ids = {} as Record<'event' | 'session' | 'session2', string>;

  const call = async (auth: Auth | null, method: InjectOptions['method'], url: string, payload?: unknown) => {
    const res = await node.app.inject({ method, url, ...(auth ?? {}), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: res.body ? res.json() : null };
  };
  const ok = async (auth: Auth | null, method: InjectOptions['method'], url: string, payload?: unknown, status = 200) => {
    const r = await call(auth, method, url, payload);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const counts = async (auth: Auth, session = ids.session): Promise<{ version: number; live: Live }> => ok(auth, 'GET', `/api/v1/sessions/${session}/counts`);
  /** A new attendee of the session, checked in by the admin: every dashboard of the session shows the name. */
  const newcomer = async (name: string, session = ids.session) => {
    const a = await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/attendees`, { name, session_ids: [session] }, 201);
    await ok(as(admin), 'POST', '/api/v1/checkins/manual', { attendee_id: a.id, session_id: session, nonce: randomBytes(12).toString('base64url') });
    return a as { id: string; link_token: string };
  };

  beforeAll(async () => {
    node = await startTestNode();
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    const now = Date.now();
    ids.event = (await ok(as(admin), 'POST', '/api/v1/events', { name: 'Revocation fair', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    ids.session = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Hall', starts_at: now - 10 * MIN, ends_at: now + 60 * MIN }, 201)).id;
    ids.session2 = (await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Annex', starts_at: now - 10 * MIN, ends_at: now + 60 * MIN }, 201)).id;
  });
  afterAll(async () => {
    await node?.close();
  });

  it("ends a revoked device's WebSocket subscription at once; its token and a fresh grant are refused", async () => {
    const device = await ok(as(admin), 'POST', `/api/v1/events/${ids.event}/devices`, { name: 'Lost tablet' }, 201);
    const mine = await counts(bearer(device.token));
    const organiser = await screen(node.url, (await counts(as(admin))).live);
    const tablet = await screen(node.url, mine.live);
    try {
      await newcomer('Before Bea');
      await until(() => tablet.mentions('Before Bea'), 'the device to see the first newcomer');

      await ok(as(admin), 'DELETE', `/api/v1/devices/${device.id}`);
      const error = await until(() => tablet.errorOf(mine.live.channel), 'access_revoked on the device socket');
      expect(error).toMatchObject({ op: 'error', channel: mine.live.channel, code: 'access_revoked' });

      await newcomer('After Ada');
      await until(() => organiser.mentions('After Ada'), 'the organiser to see the second newcomer');
      expect(tablet.mentions('After Ada')).toBe(false);
      expect(tablet.afterError(mine.live.channel)).toEqual([]);

      // The token it still holds opens nothing, on any transport.
      tablet.sub(mine.live);
      await until(() => tablet.frames.filter((f) => f.code === 'access_revoked').length === 2, 'the re-subscription refused');
      const q = new URLSearchParams({ channel: mine.live.channel, token: mine.live.token, wait: '0' });
      expect((await fetch(`${node.url}/v1/live/poll?${q}`)).status).toBe(403);
      expect(await (await fetch(`${node.url}/v1/live/sse?${q}`)).json()).toMatchObject({ error: 'access_revoked' });
      // And the renewal a page would try is refused by the API.
      expect((await call(bearer(device.token), 'GET', `/api/v1/sessions/${ids.session}/counts`)).status).toBe(401);
      expect(tablet.mentions('After Ada')).toBe(false);
    } finally {
      tablet.close();
      organiser.close();
    }
  });

  it('ends the SSE stream opened with a revoked API key, with an access_revoked event', async () => {
    const staff = await createAccount(node, admin, 'Kim Key', 'staff');
    await ok(as(admin), 'POST', `/api/v1/sessions/${ids.session}/staff`, { user_id: staff.id });
    const { key, api_key } = await ok(as(staff), 'POST', '/api/v1/api-keys', { name: 'kiosk' }, 201);
    const mine = await counts(bearer(key));
    const stream = await sseUntilEnd(node.url, mine.live, async () => {
      await ok(as(staff), 'DELETE', `/api/v1/api-keys/${api_key.id}`, undefined, 204);
    });
    expect(stream.status).toBe(200);
    expect(stream.text).toMatch(/event: error\ndata: \{[^\n]*"code":"access_revoked"/);
    await newcomer('Key Kelly');
    const again = new URLSearchParams({ channel: mine.live.channel, token: mine.live.token, wait: '0' });
    const res = await fetch(`${node.url}/v1/live/poll?${again}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'access_revoked' });
    expect((await call(bearer(key), 'GET', `/api/v1/sessions/${ids.session}/counts`)).status).toBe(401);
  });

  it('answers a held long-poll with access_revoked when its sign-in signs out', async () => {
    const staff = await createAccount(node, admin, 'Sol Signout', 'staff');
    await ok(as(admin), 'POST', `/api/v1/sessions/${ids.session}/staff`, { user_id: staff.id });
    const mine = await counts(as(staff));
    // Hold a poll after the current version; sign out while it waits.
    const q = new URLSearchParams({ channel: mine.live.channel, token: mine.live.token, after: String(Number.MAX_SAFE_INTEGER), wait: '25' });
    const held = fetch(`${node.url}/v1/live/poll?${q}`);
    await until(() => node.services.live.stats().polls === 1, 'the poll to be held');
    await ok(as(staff), 'DELETE', '/api/v1/session', undefined, 204);
    const res = await held;
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'access_revoked' });
    expect((await call(as(staff), 'GET', `/api/v1/sessions/${ids.session}/counts`)).status).toBe(401);
  });

  it("ends a removed staff member's dashboard of that session only", async () => {
    const staff = await createAccount(node, admin, 'Rory Removed', 'staff');
    await ok(as(admin), 'POST', `/api/v1/sessions/${ids.session}/staff`, { user_id: staff.id });
    await ok(as(admin), 'POST', `/api/v1/sessions/${ids.session2}/staff`, { user_id: staff.id });
    const hall = await counts(as(staff));
    const annex = await counts(as(staff), ids.session2);
    const dash = await screen(node.url, hall.live);
    try {
      dash.sub(annex.live);
      await until(() => dash.frames.some((f) => f.channel === annex.live.channel), 'the annex snapshot');
      await ok(as(admin), 'DELETE', `/api/v1/sessions/${ids.session}/staff/${staff.id}`);
      expect(await until(() => dash.errorOf(hall.live.channel), 'access_revoked for the hall')).toMatchObject({ code: 'access_revoked' });

      await newcomer('Hall Hana');
      await newcomer('Annex Abe', ids.session2);
      await until(() => dash.mentions('Annex Abe'), 'the annex to go on');
      expect(dash.mentions('Hall Hana')).toBe(false);
      expect(dash.errorOf(annex.live.channel)).toBeUndefined();
      expect((await call(as(staff), 'GET', `/api/v1/sessions/${ids.session}/counts`)).status).toBe(403);
    } finally {
      dash.close();
    }
  });

  it('ends what an old pass link opened when the organiser replaces the link', async () => {
    const a = await newcomer('Lina Link');
    const viaLink = await ok(null, 'GET', `/api/v1/passes/by-link/${a.link_token}`);
    const phone = await screen(node.url, viaLink.live);
    try {
      await ok(as(admin), 'POST', `/api/v1/attendees/${a.id}/link`);
      expect(await until(() => phone.errorOf(viaLink.live.channel), 'access_revoked on the old link')).toMatchObject({ code: 'access_revoked' });
      expect((await call(null, 'GET', `/api/v1/passes/by-link/${a.link_token}`)).status).toBe(404);
    } finally {
      phone.close();
    }
  });
});

describe('live subscriptions end when their token expires', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode({ liveTokenTtlSeconds: 2 });
  });
  afterAll(async () => {
    await node?.close();
  });

  it('sends token_expired on the WebSocket and ends an SSE stream', async () => {
    const admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    const now = Date.now();
    const event = (await node.app.inject({ method: 'POST', url: '/api/v1/events', ...as(admin), payload: { name: 'Short', starts_at: now, ends_at: now + 60 * MIN } })).json();
    const session = (await node.app.inject({ method: 'POST', url: `/api/v1/events/${event.id}/sessions`, ...as(admin), payload: { name: 'S', starts_at: now, ends_at: now + 60 * MIN } })).json();
    const c = (await node.app.inject({ method: 'GET', url: `/api/v1/sessions/${session.id}/counts`, ...as(admin) })).json() as { live: Live };
    const ws = await screen(node.url, c.live);
    try {
      expect(await until(() => ws.errorOf(c.live.channel), 'token_expired')).toMatchObject({ code: 'token_expired' });
      expect(node.services.live.stats().subscriptions).toBe(0);
    } finally {
      ws.close();
    }
    const fresh = (await node.app.inject({ method: 'GET', url: `/api/v1/sessions/${session.id}/counts`, ...as(admin) })).json() as { live: Live };
    const stream = await sseUntilEnd(node.url, fresh.live, async () => {});
    expect(stream.text).toMatch(/event: error\ndata: \{[^\n]*"code":"token_expired"/);
  });
});

const CLUSTER = available('postgres', !!TEST_DATABASE_URL) && available('redis', !!TEST_REDIS_URL);

describe.skipIf(!CLUSTER)('revocations reach every node (Postgres + Redis)', () => {
  let a: Node;
  let b: Node;
  let drop = async () => {};
  beforeAll(async () => {
    const db = await createTestDatabase(TEST_DATABASE_URL!);
    drop = db.drop;
    // Its own Redis prefix is not needed: grants and channels are unique to this database.
    a = await startTestNode({ databaseUrl: db.url, redisUrl: TEST_REDIS_URL });
    b = await startTestNode({ databaseUrl: db.url, redisUrl: TEST_REDIS_URL });
  });
  afterAll(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
    await drop();
  });

  it('a device revoked through node A loses its socket on node B, and B refuses its token', async () => {
    const admin = await signInByInject(a, ADMIN.email, ADMIN.password);
    const inject = async (n: Node, auth: Auth, method: InjectOptions['method'], url: string, payload?: Record<string, unknown>) => {
      const res = await n.app.inject({ method, url, ...auth, ...(payload ? { payload } : {}) });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json();
    };
    const now = Date.now();
    const event = await inject(a, as(admin), 'POST', '/api/v1/events', { name: 'Two nodes', starts_at: now - MIN, ends_at: now + 60 * MIN });
    const session = await inject(a, as(admin), 'POST', `/api/v1/events/${event.id}/sessions`, { name: 'Gate', starts_at: now - MIN, ends_at: now + 60 * MIN });
    const device = await inject(a, as(admin), 'POST', `/api/v1/events/${event.id}/devices`, { name: 'Tablet on B' });
    const mine = (await inject(b, bearer(device.token), 'GET', `/api/v1/sessions/${session.id}/counts`)) as { live: Live };
    const organiser = await screen(b.url, ((await inject(a, as(admin), 'GET', `/api/v1/sessions/${session.id}/counts`)) as { live: Live }).live);
    const tablet = await screen(b.url, mine.live);
    const newcomer = async (name: string) => {
      const att = await inject(a, as(admin), 'POST', `/api/v1/events/${event.id}/attendees`, { name, session_ids: [session.id] });
      await inject(a, as(admin), 'POST', '/api/v1/checkins/manual', { attendee_id: att.id, session_id: session.id, nonce: randomBytes(12).toString('base64url') });
    };
    try {
      await inject(a, as(admin), 'DELETE', `/api/v1/devices/${device.id}`);
      expect(await until(() => tablet.errorOf(mine.live.channel), 'access_revoked on node B')).toMatchObject({ code: 'access_revoked' });
      await newcomer('Cross Cara');
      await until(() => organiser.mentions('Cross Cara'), 'the organiser on B to see the newcomer');
      expect(tablet.mentions('Cross Cara')).toBe(false);
      const q = new URLSearchParams({ channel: mine.live.channel, token: mine.live.token, wait: '0' });
      expect((await fetch(`${b.url}/v1/live/poll?${q}`)).status).toBe(403);
    } finally {
      tablet.close();
      organiser.close();
    }
  });

  it('a sign-out on node B ends the same sign-in\'s subscription on node A', async () => {
    const admin = await signInByInject(a, ADMIN.email, ADMIN.password);
    const now = Date.now();
    const event = (await a.app.inject({ method: 'POST', url: '/api/v1/events', ...as(admin), payload: { name: 'Sign-out', starts_at: now, ends_at: now + 60 * MIN } })).json();
    const session = (await a.app.inject({ method: 'POST', url: `/api/v1/events/${event.id}/sessions`, ...as(admin), payload: { name: 'S', starts_at: now, ends_at: now + 60 * MIN } })).json();
    const c = (await a.app.inject({ method: 'GET', url: `/api/v1/sessions/${session.id}/counts`, ...as(admin) })).json() as { live: Live };
    const dash = await screen(a.url, c.live);
    try {
      expect((await b.app.inject({ method: 'DELETE', url: '/api/v1/session', ...as(admin) })).statusCode).toBe(204);
      expect(await until(() => dash.errorOf(c.live.channel), 'access_revoked on node A')).toMatchObject({ code: 'access_revoked' });
    } finally {
      dash.close();
    }
  });
});
