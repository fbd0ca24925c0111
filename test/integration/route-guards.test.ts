import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsers, type TestUser } from '../support/share-users.js';
import { startTestNode } from '../support/test-node.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** The /api/v1 operations that anyone may call; every other one sits in a guarded scope. */
const PUBLIC = new Set([
  'POST /api/v1/session',
  'GET /api/v1/passes/by-link/{token}',
  // The queue's visitors: the entrance code or the ticket's token is the credential.
  'GET /api/v1/queues/{id}/join',
  'POST /api/v1/queues/{id}/tickets',
  'GET /api/v1/tickets/{id}',
  'DELETE /api/v1/tickets/{id}',
  'POST /api/v1/tickets/{id}/more-time',
  // Web Push: the server's public key, and a ticket holder's subscription (by the ticket's token).
  'GET /api/v1/push/key',
  'PUT /api/v1/tickets/{id}/push',
  'DELETE /api/v1/tickets/{id}/push',
]);

/** Admin-only operations a member or staff account must be refused (403), one per admin scope's file. */
const ADMIN_ONLY = [
  'GET /api/v1/users',
  'PATCH /api/v1/users/{id}',
  'GET /api/v1/clients',
  'GET /api/v1/events',
  'POST /api/v1/events/{id}/attendees',
  'GET /api/v1/events/{id}/devices',
  'GET /api/v1/events/{id}/webhook',
  'POST /api/v1/events/{id}/attendees/import',
  'GET /api/v1/events/{id}/attendance.csv',
  'POST /api/v1/queues',
  'PUT /api/v1/queues/{id}/staff/{user_id}',
];
/** Staff operations a member must be refused (403). */
const STAFF_ONLY = ['GET /api/v1/api-keys', 'DELETE /api/v1/checkins/{id}', 'GET /api/v1/sessions/{id}/attendance.csv', 'GET /api/v1/queues', 'POST /api/v1/counters/{id}/call'];

const fill = (path: string) => path.replace(/\{[^}]+\}/g, 'x1');

/**
 * Guards are declared once per scope (an onRequest hook), so a route cannot be
 * left without one, and a refused caller is refused before its body is read:
 * an anonymous request with a malformed body is 401, not 400.
 */
describe('route guards', () => {
  let node: Node;
  let operations: string[];
  let member: TestUser;
  beforeAll(async () => {
    node = await startTestNode();
    const doc = (await node.app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    member = (await createUsers(node.url, ['Mia']))[0]!;
  });
  afterAll(async () => node?.close());

  it('refuses an anonymous caller on every /api/v1 operation but sign-in and pass links, before reading the body', async () => {
    const guarded = operations.filter((op) => !PUBLIC.has(op));
    expect(guarded.length).toBeGreaterThan(40);
    for (const op of guarded) {
      const [method, path] = op.split(' ') as [string, string];
      const res = await node.app.inject({ method: method as 'GET', url: fill(path), headers: { 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { payload: '{"half":' }) });
      expect(res.statusCode, op).toBe(401);
      expect(res.json().error, op).toBe('unauthorized');
    }
  });

  it('refuses a member on admin and staff operations with forbidden', async () => {
    for (const op of [...ADMIN_ONLY, ...STAFF_ONLY]) {
      expect(operations, op).toContain(op);
      const [method, path] = op.split(' ') as [string, string];
      const res = await member.call(method, fill(path), method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(res.status, op).toBe(403);
      expect(res.body.error, op).toBe('forbidden');
    }
  });

  it('takes a device token on scanner routes only: an unknown one is refused as unknown there, as a missing sign-in elsewhere', async () => {
    const device = { authorization: 'Bearer spd_unknown' };
    const scan = await node.app.inject({ url: '/api/v1/scanner/sessions', headers: device });
    expect(scan.statusCode).toBe(401);
    expect(scan.json()).toEqual({ error: 'unauthorized', message: 'the device token is unknown' });
    const undo = await node.app.inject({ method: 'DELETE', url: '/api/v1/checkins/x1', headers: device });
    expect(undo.statusCode).toBe(401);
    expect(undo.json()).toEqual({ error: 'unauthorized', message: 'sign in first' });
  });
});
