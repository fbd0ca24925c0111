import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, dialects, signInByInject, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/**
 * Values a caller may send that the database cannot hold (numbers past 64
 * bits or not finite, the NUL character): each is refused as
 * `invalid_request` before it reaches SQLite or Postgres (they answered 500).
 */
describe.each(dialects)('input bounds on $name', ({ database }) => {
  let node: Node;
  let admin: Session;
  let eventId: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode(db.url ? { databaseUrl: db.url } : {});
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    const now = Date.now();
    const ev = await node.app.inject({ method: 'POST', url: '/api/v1/events', ...as(admin), payload: { name: 'Bounds', starts_at: now, ends_at: now + 3600_000 } });
    expect(ev.statusCode, ev.body).toBe(201);
    eventId = ev.json().id;
  });
  afterAll(async () => {
    await node?.close();
    await drop?.();
  });

  const lists = () => ['/api/v1/users', '/api/v1/events', `/api/v1/events/${eventId}/attendees`];
  const outOfRange = ['offset=1e30', 'limit=Infinity', 'offset=Infinity', 'limit=1e400', 'limit=-Infinity', 'offset=9223372036854775808', 'offset=NaN'];

  it.each(outOfRange)('refuses %s on every list with invalid_request', async (query) => {
    for (const list of lists()) {
      const res = await node.app.inject({ url: `${list}?${query}`, ...as(admin) });
      expect(res.statusCode, `${list}?${query}: ${res.body}`).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
  });

  it('still pages with ordinary limits and offsets', async () => {
    for (const list of lists()) {
      const res = await node.app.inject({ url: `${list}?limit=1&offset=1000000`, ...as(admin) });
      expect(res.statusCode, res.body).toBe(200);
    }
  });

  it('refuses a string "Infinity" in a number field of a JSON body', async () => {
    const res = await node.app.inject({ method: 'POST', url: '/api/v1/events', ...as(admin), payload: { name: 'Never', starts_at: 'Infinity', ends_at: Date.now() } });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request', message: 'body/starts_at must be a finite number' });
  });

  it('refuses the NUL character, which Postgres text cannot hold, in paths, queries, bodies and CSV files', async () => {
    const path = await node.app.inject({ url: '/api/v1/passes/%00', ...as(admin) });
    expect(path.statusCode, path.body).toBe(400);
    expect(path.json()).toMatchObject({ error: 'invalid_request', message: 'params/event_id must not contain the NUL character' });
    const body = await node.app.inject({ method: 'POST', url: '/api/v1/events', ...as(admin), payload: { name: 'a\u0000b', starts_at: Date.now(), ends_at: Date.now() + 1 } });
    expect(body.statusCode, body.body).toBe(400);
    expect(body.json().error).toBe('invalid_request');
    const query = await node.app.inject({ url: `/api/v1/sessions/x/attendees?q=%00`, ...as(admin) });
    expect(query.statusCode, query.body).toBe(400);
    const csv = await node.app.inject({
      method: 'POST',
      url: `/api/v1/events/${eventId}/attendees/import`,
      headers: { ...as(admin).headers, 'content-type': 'text/csv' },
      payload: 'name,email\nNul\u0000Person,nul@test.local\n',
    });
    expect(csv.statusCode, csv.body).toBe(400);
    expect(csv.json().error).toBe('invalid_csv');
    const attendees = await node.app.inject({ url: `/api/v1/events/${eventId}/attendees`, ...as(admin) });
    expect(attendees.json().attendees).toEqual([]);
  });

  it('answers unknown_user for an application whose owner does not exist, and registers nothing', async () => {
    const res = await node.app.inject({ method: 'POST', url: '/api/v1/clients', ...as(admin), payload: { name: 'Orphan', client_id: 'orphan-app', owner_id: 'no-such-user' } });
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json().error).toBe('unknown_user');
    const list = await node.app.inject({ url: '/api/v1/clients', ...as(admin) });
    expect(list.json().clients.map((c: { client_id: string }) => c.client_id)).not.toContain('orphan-app');
    const owned = await node.app.inject({ method: 'POST', url: '/api/v1/clients', ...as(admin), payload: { name: 'Owned', owner_id: admin.id } });
    expect(owned.statusCode, owned.body).toBe(201);
  });
});
