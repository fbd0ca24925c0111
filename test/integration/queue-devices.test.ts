import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, bearer, createAccount, dialects, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { openRawSocket } from '../support/raw-socket.js';
import { ADMIN, startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

/**
 * A place's display boards and kiosks, provisioned like check-in's scanners
 * (a token shown once, revocable), and its printed poster, on each database:
 * a board reads the board and the entrance code of its own place and nothing
 * else; a kiosk also issues tickets by hand; revoking one refuses its token
 * (401) and ends its board subscription at once; the poster code joins only
 * while the place's posters are enabled.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(dialects)('queue devices and posters on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let staff: Session;

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
  const place = async (name = 'Branch') => {
    const q = await ok(as(admin), 'POST', '/api/v1/queues', { name, services: [{ name: 'Deposits', prefix: 'A' }], counters: [{ name: 'Counter 1', services: ['A'] }] }, 201);
    await ok(as(admin), 'PUT', `/api/v1/queues/${q.id}/staff/${staff.id}`);
    return q;
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

  it('a board device reads the board and the entrance code of its place, nothing else; revoking it refuses its token and ends its board', async () => {
    const q = await place();
    const other = await place('Other branch');
    const board = await ok(as(admin), 'POST', `/api/v1/queues/${q.id}/devices`, { name: 'Hall TV', kind: 'board' }, 201);
    expect(board).toMatchObject({ name: 'Hall TV', kind: 'board', revoked: false, queue_id: q.id });
    expect(board.token).toMatch(/^sqd_/);
    // The token rides in the URL's fragment, which browsers never send to a server.
    const url = new URL(board.url as string);
    expect(url.pathname).toBe('/queue-board');
    expect(url.searchParams.get('q')).toBe(q.id);
    expect(new URLSearchParams(url.hash.slice(1)).get('device')).toBe(board.token);
    // Shown once: the list has no token.
    const list = await ok(as(admin), 'GET', `/api/v1/queues/${q.id}/devices`);
    expect(list.devices).toEqual([{ id: board.id, queue_id: q.id, name: 'Hall TV', kind: 'board', created_at: board.created_at, revoked: false }]);
    // Staff of the place may not provision (admins do).
    await refused(403, 'forbidden', as(staff), 'POST', `/api/v1/queues/${q.id}/devices`, { name: 'x', kind: 'board' });

    const dev = bearer(board.token);
    const view = await ok(dev, 'GET', `/api/v1/queues/${q.id}/board`);
    expect(view.queue).toEqual({ id: q.id, name: 'Branch' });
    const code = await ok(dev, 'GET', `/api/v1/queues/${q.id}/entrance-code`);
    expect(code.url).toContain(`q=${q.id}`);
    // Its own place only; no counter, no place, no ticket by hand.
    await refused(403, 'forbidden', dev, 'GET', `/api/v1/queues/${other.id}/board`);
    await refused(403, 'forbidden', dev, 'GET', `/api/v1/queues/${other.id}/entrance-code`);
    await refused(401, 'unauthorized', dev, 'POST', `/api/v1/counters/${q.counters[0].id}/call`);
    await refused(401, 'unauthorized', dev, 'POST', '/api/v1/queues', { name: 'Mine', services: [{ name: 'S', prefix: 'S' }], counters: [] });
    await refused(401, 'unauthorized', dev, 'GET', `/api/v1/queues/${q.id}`);
    await refused(403, 'invalid_entrance_code', dev, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: q.services[0].id });
    // A visitor's ticket with the code it shows works as ever.
    await ok(null, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: q.services[0].id, entrance_code: code.code }, 201);

    // Its board subscription, then a call it sees, then the revocation.
    const sock = await openRawSocket(node.url);
    try {
      sock.send({ op: 'sub', channel: view.live.channel, token: view.live.token });
      await until(() => sock.frames.some((f) => f.channel === view.live.channel && typeof f.version === 'number'), 'the board snapshot');
      const called = await ok(as(staff), 'POST', `/api/v1/counters/${q.counters[0].id}/call`);
      await until(() => sock.frames.some((f) => JSON.stringify(f).includes(called.ticket.id)), 'the call on the board');

      const revoked = await ok(as(admin), 'DELETE', `/api/v1/queues/${q.id}/devices/${board.id}`);
      expect(revoked).toMatchObject({ id: board.id, revoked: true });
      expect(revoked.token).toBeUndefined();
      const error = await until(() => sock.frames.find((f) => f.op === 'error' && f.channel === view.live.channel), 'access_revoked on the board socket');
      expect(error).toMatchObject({ code: 'access_revoked' });
      await refused(401, 'device_revoked', dev, 'GET', `/api/v1/queues/${q.id}/board`);
      await refused(401, 'device_revoked', dev, 'GET', `/api/v1/queues/${q.id}/entrance-code`);
      // Revoking twice, or another place's device, is not found.
      await refused(404, 'not_found', as(admin), 'DELETE', `/api/v1/queues/${q.id}/devices/${board.id}`);
      await refused(401, 'unauthorized', bearer('sqd_forged'), 'GET', `/api/v1/queues/${q.id}/board`);
    } finally {
      sock.ws.terminate();
    }
  });

  it('a kiosk issues a ticket by hand at its own place, never with priority', async () => {
    const q = await place('Kiosk branch');
    const other = await place('Elsewhere');
    const kiosk = await ok(as(admin), 'POST', `/api/v1/queues/${q.id}/devices`, { name: 'Lobby kiosk', kind: 'kiosk' }, 201);
    const dev = bearer(kiosk.token);
    const t = await ok(dev, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: q.services[0].id }, 201);
    expect(t).toMatchObject({ number: 'A001', status: 'waiting' });
    expect(t.token).toEqual(expect.any(String));
    await refused(403, 'forbidden', dev, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: q.services[0].id, priority: true });
    await refused(403, 'invalid_entrance_code', dev, 'POST', `/api/v1/queues/${other.id}/tickets`, { service_id: other.services[0].id });
    await refused(401, 'unauthorized', dev, 'POST', `/api/v1/counters/${q.counters[0].id}/call`);
    await ok(as(admin), 'DELETE', `/api/v1/queues/${q.id}/devices/${kiosk.id}`);
    await refused(401, 'device_revoked', dev, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: q.services[0].id });
  });

  it('the poster code joins only while posters are enabled', async () => {
    const q = await place('Poster branch');
    expect(q.poster_enabled).toBe(false);
    await refused(409, 'poster_disabled', as(admin), 'GET', `/api/v1/queues/${q.id}/poster-code`);
    await refused(403, 'forbidden', as(staff), 'PATCH', `/api/v1/queues/${q.id}`, { poster_enabled: true });
    expect(await ok(as(admin), 'PATCH', `/api/v1/queues/${q.id}`, { poster_enabled: true })).toMatchObject({ id: q.id, poster_enabled: true });
    const poster = await ok(as(admin), 'GET', `/api/v1/queues/${q.id}/poster-code`);
    expect(poster.url).toBe(`${new URL(poster.url as string).origin}/queue?q=${q.id}&c=${encodeURIComponent(poster.code as string)}`);
    // Static: the same code later.
    expect((await ok(as(admin), 'GET', `/api/v1/queues/${q.id}/poster-code`)).code).toBe(poster.code);
    const join = { service_id: q.services[0].id, entrance_code: poster.code };
    await ok(null, 'GET', `/api/v1/queues/${q.id}/join?entrance_code=${encodeURIComponent(poster.code as string)}`);
    await ok(null, 'POST', `/api/v1/queues/${q.id}/tickets`, join, 201);

    expect(await ok(as(admin), 'PATCH', `/api/v1/queues/${q.id}`, { poster_enabled: false })).toMatchObject({ poster_enabled: false });
    await refused(403, 'invalid_entrance_code', null, 'POST', `/api/v1/queues/${q.id}/tickets`, join);
    await refused(403, 'invalid_entrance_code', null, 'GET', `/api/v1/queues/${q.id}/join?entrance_code=${encodeURIComponent(poster.code as string)}`);
    await refused(409, 'poster_disabled', as(admin), 'GET', `/api/v1/queues/${q.id}/poster-code`);
    // Another place's poster never opens this one.
    const other = await place('Poster elsewhere');
    await ok(as(admin), 'PATCH', `/api/v1/queues/${other.id}`, { poster_enabled: true });
    await ok(as(admin), 'PATCH', `/api/v1/queues/${q.id}`, { poster_enabled: true });
    const otherCode = (await ok(as(admin), 'GET', `/api/v1/queues/${other.id}/poster-code`)).code as string;
    await refused(403, 'invalid_entrance_code', null, 'POST', `/api/v1/queues/${q.id}/tickets`, { ...join, entrance_code: otherCode });
  });
});
