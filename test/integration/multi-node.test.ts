/**
 * Several nodes, each in its own process, sharing one Postgres and one Redis
 * as a deployment behind a plain load balancer would: live state and accounts
 * must not care which node a request lands on, and a Redis restart must not
 * leave any screen stale.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { available, TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { spawnNode, type NodeProcess } from '../support/processes.js';
import { ADMIN, signIn } from '../support/test-node.js';

const ENABLED = available('postgres', !!TEST_DATABASE_URL) && available('redis', !!TEST_REDIS_URL);

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Creates counter `id` through `node` and returns a channel token for it. */
async function createCounter(node: string, id: string): Promise<string> {
  const res = await post(`${node}/test/counters/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function bump(node: string, id: string): Promise<number> {
  const res = await post(`${node}/test/counters/${id}/bump`);
  if (res.status !== 200) throw new Error(`bump answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { version: number }).version;
}

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

/** A redis-server of our own on a free port, so killing it disturbs no other suite. */
class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    const redis = new PrivateRedis(port);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
          const s = net.connect(this.port, '127.0.0.1');
          s.once('connect', () => (s.destroy(), resolve(true)));
          s.once('error', () => resolve(false));
        }),
      `redis-server on port ${this.port}`,
    );
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
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
    const token = await createCounter(a.url, id);
    const screen = await watch(a.url, `counter:${id}`, token);
    try {
      await until(() => screen.latest() === 1, 'the snapshot on A');
      let last = 0;
      for (let i = 0; i < 20; i++) last = await bump(b.url, id);
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
    const token = await createCounter(b.url, id);
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
    const token = await createCounter(a.url, id);
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
            acknowledged.push(await bump(b.url, id));
          } catch {
            /* B may refuse while Redis is down; the database stays the truth */
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();

      await until(() => screen.latest() >= 6, 'live bumps on A before the outage');
      await redis.kill();
      await until(async () => (await fetch(`${b.url}/readyz`)).status === 503, 'B to notice Redis is gone');
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
          final = await bump(b.url, id);
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
