import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createAccount, signInByInject, type Session } from '../support/api-suite.js';
import { available, TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * Call-next is exactly once: counters calling at the same moment, on one node
 * or on two nodes sharing Postgres and Redis, never get the same ticket and
 * never skip one.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TWO_NODES = available('postgres', !!TEST_DATABASE_URL) && available('redis', !!TEST_REDIS_URL);

const setups = [
  { name: 'one node on SQLite', start: async () => ({ nodes: [await startTestNode()], drop: async () => {} }) },
  ...(TWO_NODES
    ? [
        {
          name: 'two nodes on Postgres and Redis',
          start: async () => {
            const db = await createTestDatabase(TEST_DATABASE_URL!);
            // One after the other: the first creates the schema and the admin.
            const a = await startTestNode({ databaseUrl: db.url, redisUrl: TEST_REDIS_URL });
            const b = await startTestNode({ databaseUrl: db.url, redisUrl: TEST_REDIS_URL });
            return { nodes: [a, b], drop: db.drop };
          },
        },
      ]
    : []),
];

describe.each(setups)('call next exactly once: $name', ({ start }) => {
  let nodes: Node[] = [];
  let drop = async () => {};
  let staff: Session[] = [];
  let q: Json;

  const on = (i: number) => nodes[i % nodes.length]!;
  const inject = async (i: number, auth: ReturnType<typeof as> | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: Json) => {
    const res = await on(i).app.inject({ method, url, ...(auth ?? {}), ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.json() as Json };
  };

  beforeAll(async () => {
    ({ nodes, drop } = await start());
    const admin = await signInByInject(nodes[0]!, ADMIN.email, ADMIN.password);
    const member = await createAccount(nodes[0]!, admin, 'Sam Staff', 'staff');
    // The same account signed in on each node: a sign-in made on one is good on the other.
    staff = [member, ...(nodes.length > 1 ? [member] : [])];
    const counters = Array.from({ length: 5 }, (_, i) => ({ name: `Counter ${i + 1}`, services: ['A'] }));
    q = (await inject(0, as(admin), 'POST', '/api/v1/queues', { name: 'Hall', services: [{ name: 'Desk', prefix: 'A' }], counters })).body;
    expect((await inject(0, as(admin), 'PUT', `/api/v1/queues/${q.id}/staff/${member.id}`)).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await drop();
  });

  it('20 concurrent calls from 5 counters hand out 20 distinct tickets, the first 20 in order', async () => {
    const A = q.services[0].id;
    const joined: Json[] = [];
    for (let i = 0; i < 25; i++) {
      const { body: code } = await inject(i, as(staff[0]!), 'GET', `/api/v1/queues/${q.id}/entrance-code`);
      const r = await inject(i, null, 'POST', `/api/v1/queues/${q.id}/tickets`, { service_id: A, entrance_code: code.code });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      joined.push(r.body);
    }
    expect(joined.map((t) => t.number)).toEqual(Array.from({ length: 25 }, (_, i) => `A${String(i + 1).padStart(3, '0')}`));

    const calls = await Promise.all(Array.from({ length: 20 }, (_, i) => inject(i, as(staff[0]!), 'POST', `/api/v1/counters/${q.counters[i % 5].id}/call`)));
    for (const c of calls) expect(c.status, JSON.stringify(c.body)).toBe(200);
    const numbers = calls.map((c) => c.body.ticket.number as string);
    expect(new Set(numbers).size).toBe(20);
    expect([...numbers].sort()).toEqual(joined.slice(0, 20).map((t) => t.number));
    // In the order the calls committed (their line versions), the tickets come in line order: nobody was overtaken.
    const db = nodes[0]!.services.store.db;
    const changes = await db.selectFrom('line_changes').select(['version', 'order_key']).where('service_id', '=', A).where('delta', '=', -1).orderBy('version').execute();
    const orders = changes.map((c) => Number(c.order_key));
    expect(orders).toHaveLength(20);
    expect(orders).toEqual([...orders].sort((x, y) => x - y));
    expect(new Set(orders).size).toBe(20);
    const waiting = await db.selectFrom('tickets').select('number').where('status', '=', 'waiting').orderBy('number').execute();
    expect(waiting.map((r) => r.number)).toEqual(['A021', 'A022', 'A023', 'A024', 'A025']);
  });
});
