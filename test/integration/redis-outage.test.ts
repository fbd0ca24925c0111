/**
 * Nodes whose Redis is down degrade instead of failing: they start, stay
 * ready (the database is the truth; /readyz reports the bus as down without
 * failing), take check-ins, log the outage once rather than per publish, and
 * when Redis comes a screen on another node catches up on what it missed.
 * Redis here is a private redis-server, never the shared one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { checkinFixture, scan } from '../support/checkin-fixture.js';
import { bumpCounter, createCounter } from '../support/counter-channel.js';
import { available, TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { logCollector } from '../support/log-lines.js';
import { createTestDatabase } from '../support/postgres.js';
import { spawnNode, type NodeProcess } from '../support/processes.js';
import { PrivateRedis } from '../support/redis-server.js';
import { until } from '../support/until.js';

const ENABLED = available('postgres', !!TEST_DATABASE_URL) && available('redis', !!TEST_REDIS_URL);

interface Ready {
  status: string;
  checks: { store: string; bus: string };
}

/** A WebSocket screen following one channel on one node, for as long as the test runs (one hub subscription throughout). */
async function watch(node: string, channel: string, token: string) {
  const ws = new WebSocket(`${node.replace(/^http/, 'ws')}/v1/live`);
  const versions: number[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { channel?: string; version?: number };
    if (frame.channel === channel && typeof frame.version === 'number') versions.push(frame.version);
  });
  await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ op: 'sub', channel, token }));
  return { versions, latest: () => versions.at(-1) ?? 0, close: () => ws.terminate() };
}

describe.skipIf(!ENABLED)('nodes started while Redis is down', () => {
  let redis: PrivateRedis;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const dirs: string[] = [];
  const nodes: NodeProcess[] = [];
  const logs = new Map<NodeProcess, ReturnType<typeof logCollector>>();

  beforeAll(async () => {
    // A port with nothing listening on it yet: Redis comes later in the test.
    redis = await PrivateRedis.start();
    await redis.kill();
    db = await createTestDatabase(TEST_DATABASE_URL!);
    for (let i = 0; i < 2; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-noredis-'));
      dirs.push(dir);
      const log = logCollector();
      // One after the other: the first creates the schema and the admin.
      const node = await spawnNode(
        { SCANPASS_DATABASE_URL: db.url, SCANPASS_REDIS_URL: redis.url, SCANPASS_DATA_DIR: dir, SCANPASS_LOG_LEVEL: 'warn', SCANPASS_USER_CODE_ATTEMPTS_PER_MINUTE: '10000' },
        { onStdoutLine: log.collect },
      );
      nodes.push(node);
      logs.set(node, log);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(nodes.map((n) => n.kill()));
    await redis?.kill();
    await db?.drop().catch(() => {});
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('start, stay ready with the bus down, take check-ins, log the outage once, and catch up when Redis comes', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];

    for (const node of nodes) {
      const ready = await fetch(`${node.url}/readyz`);
      expect(ready.status).toBe(200);
      expect((await ready.json()) as Ready).toMatchObject({ status: 'degraded', checks: { store: 'ok', bus: 'down' } });
    }

    // Check-ins work without Redis.
    const fixture = await checkinFixture(a.url, 1);
    const scanned = await scan(a.url, fixture, 0, 'no-redis-scan-1');
    expect(scanned.status).toBe(200);
    expect(await scanned.json()).toMatchObject({ result: 'ok' });

    // A screen on B follows a counter that changes through A; A's events have nowhere to go.
    const id = `noredis-${Date.now()}`;
    const { channel, token } = await createCounter(a.url, id);
    const screen = await watch(b.url, channel, token);
    try {
      await until(() => screen.latest() === 1, 'the snapshot on B');
      let latest = 1;
      for (let i = 0; i < 50; i++) latest = await bumpCounter(a.url, id);

      // Redis comes: B re-reads what it serves and the screen reaches A's latest without another change.
      await redis.start();
      await until(() => screen.latest() === latest, `version ${latest} on B after Redis came`, 20_000);

      // And live delivery between the nodes is back.
      await until(async () => {
        const body = (await (await fetch(`${a.url}/readyz`)).json()) as Ready;
        return body.checks.bus === 'ok' && body.status === 'ok';
      }, 'A to report the bus up');
      const next = await bumpCounter(a.url, id);
      await until(() => screen.latest() === next, `version ${next} on B through Redis`);
    } finally {
      screen.close();
    }

    // Each node logged the outage as one line per connection kind, not one per failed publish or retry.
    for (const node of nodes) {
      const loud = logs.get(node)!.loud();
      expect(loud.filter((m) => m.startsWith('redis bus down'))).toHaveLength(1);
      expect(loud.filter((m) => m.startsWith('redis rate-limit store down'))).toHaveLength(1);
      expect(loud.filter((m) => !m.startsWith('redis '))).toEqual([]);
    }
  }, 90_000);
});
