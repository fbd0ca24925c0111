/**
 * Several nodes, each in its own process, sharing one Postgres and one Redis
 * as a deployment behind a plain load balancer would: live state and accounts
 * must not care which node a request lands on, and a Redis restart must not
 * leave any screen stale.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { bumpCounter, createCounter } from '../support/counter-channel.js';
import { available, TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { post } from '../support/http.js';
import { createTestDatabase } from '../support/postgres.js';
import { spawnNode, type NodeProcess } from '../support/processes.js';
import { PrivateRedis } from '../support/redis-server.js';
import { ADMIN, signIn } from '../support/test-node.js';
import { until } from '../support/until.js';

const ENABLED = available('postgres', !!TEST_DATABASE_URL) && available('redis', !!TEST_REDIS_URL);

/** A raw WebSocket screen following one channel on one node. */
async function watch(node: string, channel: string, token: string) {
  const ws = new WebSocket(`${node.replace(/^http/, 'ws')}/v1/live`);
  const versions: number[] = [];
  const errors: unknown[] = [];
  let closed = false;
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { op?: string; channel?: string; version?: number };
    if (frame.op === 'error') errors.push(frame);
    else if (frame.channel === channel && typeof frame.version === 'number') versions.push(frame.version);
  });
  ws.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ op: 'sub', channel, token }));
  return {
    versions,
    errors,
    latest: () => versions.at(-1) ?? 0,
    isClosed: () => closed,
    close: () => ws.terminate(),
  };
}

const strictlyIncreasing = (xs: number[]) => xs.every((v, i) => i === 0 || v > xs[i - 1]!);

async function dbVersion(url: string, id: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ version: string }>('select version from test_counters where id = $1', [id]);
    return Number(r.rows[0]!.version);
  } finally {
    await c.end();
  }
}

/** Two node processes on one fresh Postgres database and the given Redis. */
async function startPair(redisUrl: string) {
  const db = await createTestDatabase(TEST_DATABASE_URL!);
  const dirs: string[] = [];
  const nodes: NodeProcess[] = [];
  const env = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-multi-'));
    dirs.push(dir);
    return { SCANPASS_DATABASE_URL: db.url, SCANPASS_REDIS_URL: redisUrl, SCANPASS_DATA_DIR: dir };
  };
  const cleanup = async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await db.drop().catch(() => {});
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  };
  try {
    // One after the other: the first creates the schema and the admin.
    nodes.push(await spawnNode(env()));
    nodes.push(await spawnNode(env()));
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { a: nodes[0]!, b: nodes[1]!, dbUrl: db.url, cleanup };
}

const uniqueId = (name: string) => `${name}-${randomBytes(5).toString('hex')}`;

describe.skipIf(!ENABLED)('two nodes sharing Postgres and Redis', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair(TEST_REDIS_URL!);
  });
  afterAll(async () => {
    await pair?.cleanup();
  });

  it('a WebSocket subscriber on node A sees bumps made through node B, in version order', async () => {
    const { a, b } = pair;
    const id = uniqueId('x'); // other suites may share this Redis
    const { token } = await createCounter(a.url, id);
    const screen = await watch(a.url, `counter:${id}`, token);
    try {
      await until(() => screen.latest() === 1, 'the snapshot on A');
      let last = 0;
      for (let i = 0; i < 20; i++) last = await bumpCounter(b.url, id);
      expect(last).toBe(21);
      await until(() => screen.latest() === last, `version ${last} on A`);
      expect(screen.errors).toEqual([]);
      expect(screen.versions[0]).toBe(1);
      expect(strictlyIncreasing(screen.versions)).toBe(true);
    } finally {
      screen.close();
    }
  });

  it('a token minted by one node is accepted by the other', async () => {
    const { a, b } = pair;
    const id = uniqueId('tok');
    const { token } = await createCounter(b.url, id);
    const res = await fetch(`${a.url}/v1/live/poll?channel=counter:${id}&token=${encodeURIComponent(token)}&after=0&wait=5`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ channel: `counter:${id}`, version: 1 });
  });

  it('a user created on node A can sign in on node B, and a session from A works on B', async () => {
    const { a, b } = pair;
    const admin = await signIn(a.url, ADMIN.email, ADMIN.password);
    const email = `${uniqueId('member')}@example.test`;
    const password = 'a perfectly long passphrase';
    const created = await post(`${a.url}/api/v1/users`, { email, password, role: 'member' }, { cookie: admin.cookie, 'x-csrf-token': admin.csrf });
    expect(created.status).toBe(201);

    const res = await post(`${b.url}/api/v1/session`, { email, password });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { email: string } }).user.email).toBe(email);

    const me = await fetch(`${b.url}/api/v1/me`, { headers: { cookie: admin.cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: ADMIN.email }, csrf_token: admin.csrf, via: 'session' });
  });

  it('a QR login started on node A is approved through node B and the screen on A is told at once', async () => {
    const { a, b } = pair;
    const admin = await signIn(b.url, ADMIN.email, ADMIN.password);
    const phone = { cookie: admin.cookie, 'x-csrf-token': admin.csrf };
    const created = await post(`${b.url}/api/v1/clients`, { name: 'Lobby screen', scopes: ['openid', 'profile'] }, phone);
    const clientId = ((await created.json()) as { client: { client_id: string } }).client.client_id;

    // The screen talks to node A only.
    const auth = await fetch(`${a.url}/oauth/device_authorization`, { method: 'POST', body: new URLSearchParams({ client_id: clientId, live: 'true' }) });
    const grant = (await auth.json()) as { device_code: string; user_code: string; live: { channel: string; token: string } };
    const states: { type: string; data: { match_number: number | null } }[] = [];
    const ws = new WebSocket(`${a.url.replace(/^http/, 'ws')}/v1/live`);
    ws.on('message', (raw) => states.push(JSON.parse(raw.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ op: 'sub', channel: grant.live.channel, token: grant.live.token }));
    try {
      await until(() => states.some((s) => s.type === 'pending'), 'pending on A');

      // The phone talks to node B only.
      const opened = await fetch(`${b.url}/api/v1/login-requests/${grant.user_code}`, { headers: { cookie: admin.cookie } });
      expect(opened.status).toBe(200);
      await until(() => states.find((s) => s.type === 'scanned'), 'scanned on A');
      const match = states.find((s) => s.type === 'scanned')!.data.match_number;
      const approved = await post(`${b.url}/api/v1/login-requests/${grant.user_code}/approve`, { match }, phone);
      expect(approved.status).toBe(200);
      await until(() => states.some((s) => s.type === 'approved'), 'approved on A');
      expect(states.map((s) => s.type)).toEqual(['pending', 'scanned', 'approved']);

      const token = await fetch(`${a.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: grant.device_code, client_id: clientId }),
      });
      expect(token.status).toBe(200);
      expect(await token.json()).toHaveProperty('id_token');
    } finally {
      ws.terminate();
    }
  });
});

describe.skipIf(!ENABLED)('two nodes when Redis restarts', () => {
  let redis: PrivateRedis;
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    pair = await startPair(redis.url);
  });
  afterAll(async () => {
    await pair?.cleanup();
    await redis?.kill();
  });

  it('restarting Redis loses no final state', async () => {
    const { a, b, dbUrl } = pair;
    const id = uniqueId('r');
    const { token } = await createCounter(a.url, id);
    const screen = await watch(a.url, `counter:${id}`, token);
    try {
      await until(() => screen.latest() === 1, 'the snapshot on A');

      // Bumps through B, back to back, until told to stop. During the outage
      // some may fail; every one that answers 200 has committed.
      let stop = false;
      let attempts = 0;
      const acknowledged: number[] = [];
      const bumper = (async () => {
        while (!stop) {
          attempts++;
          try {
            acknowledged.push(await bumpCounter(b.url, id));
          } catch {
            /* B may refuse while Redis is down; the database stays the truth */
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();

      await until(() => screen.latest() >= 6, 'live bumps on A before the outage');
      await redis.kill();
      // B stays ready (the database is the truth; a balancer must not pull every node) and reports the bus down.
      await until(async () => {
        const ready = await fetch(`${b.url}/readyz`);
        return ready.status === 200 && ((await ready.json()) as { checks: { bus: string } }).checks.bus === 'down';
      }, 'B to report the bus down while staying ready');
      const attemptsAtKill = attempts;
      const ackedAtKill = acknowledged.length;
      await until(() => attempts >= attemptsAtKill + 5, 'bumps during the outage');
      stop = true;
      await bumper;
      // Writes do not need Redis: the bump commits, only its event waits.
      expect(acknowledged.length).toBeGreaterThan(ackedAtKill);

      // A commit whose event was lost entirely (as if its node had died
      // between commit and publish): only a resync can deliver it.
      const c = new pg.Client({ connectionString: dbUrl });
      await c.connect();
      const lost = Number((await c.query<{ version: string }>('update test_counters set version = version + 1 where id = $1 returning version', [id])).rows[0]!.version);
      await c.end();

      await redis.start();
      await until(() => screen.latest() === lost, `the lost version ${lost} on A after the reconnect`, 20_000);

      // Live delivery resumes: B's next bump reaches A's screen.
      let final = 0;
      await until(async () => {
        try {
          final = await bumpCounter(b.url, id);
          return true;
        } catch {
          return false;
        }
      }, 'a bump through B once Redis is back', 20_000);
      expect(final).toBe(lost + 1);
      await until(() => screen.latest() === final, `the final version ${final} on A`);

      expect(await dbVersion(dbUrl, id)).toBe(final);
      expect(Math.max(...acknowledged)).toBeLessThan(final);
      expect(strictlyIncreasing(screen.versions)).toBe(true);
      expect(screen.errors).toEqual([]);
      expect(screen.isClosed()).toBe(false);
    } finally {
      screen.close();
    }
  }, 60_000);
});
