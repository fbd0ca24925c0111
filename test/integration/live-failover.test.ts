import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLiveClient, type LiveClient, type LiveStatus } from '../../client/index.js';
import { available, TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { startLoadBalancer } from '../support/load-balancer.js';
import { createTestDatabase } from '../support/postgres.js';
import { spawnNode, type NodeProcess } from '../support/processes.js';
import { until } from '../support/until.js';

const enabled = available('postgres', !!TEST_DATABASE_URL) && available('redis', !!TEST_REDIS_URL);

/** Open WebSockets on a node, from its /metrics. */
async function websocketsOn(node: NodeProcess): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const m = /^scanpass_live_websockets (\d+)/m.exec(text);
  if (!m) throw new Error('no scanpass_live_websockets gauge in /metrics');
  return Number(m[1]);
}

describe.skipIf(!enabled)('SDK failover between nodes', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const nodes: NodeProcess[] = [];
  let lb: Awaited<ReturnType<typeof startLoadBalancer>> | undefined;
  let client: LiveClient | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(TEST_DATABASE_URL!);
    const env = { SCANPASS_DATABASE_URL: db.url, SCANPASS_REDIS_URL: TEST_REDIS_URL! };
    // One after the other: the first creates the schema and the shared channel-token key.
    nodes.push(await spawnNode(env));
    nodes.push(await spawnNode(env));
    lb = await startLoadBalancer(nodes.map((n) => n.url));
  });

  afterAll(async () => {
    client?.close();
    await lb?.close();
    await Promise.all(nodes.map((n) => n.kill()));
    await db?.drop();
  });

  it('moves to the surviving node when the one holding the socket is killed, ending at the latest version with no duplicates', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const created = await fetch(`${b.url}/test/counters/failover`, { method: 'POST' });
    expect(created.status).toBe(200);
    const { channel, token } = (await created.json()) as { channel: string; token: string };

    client = createLiveClient({ url: lb!.url, WebSocket, backoff: { baseMs: 100, capMs: 1000 } });
    const versions: number[] = [];
    const statuses: LiveStatus[] = [];
    const sub = client.subscribe(channel, token, (s) => versions.push(s.version), { onStatus: (s) => statuses.push(s) });
    await until(() => versions.includes(1), 'the snapshot', 10_000);

    // Which node holds the socket? That one dies; the other one keeps taking writes.
    const counts = await Promise.all([websocketsOn(a), websocketsOn(b)]);
    expect([...counts].sort()).toEqual([0, 1]);
    const victim = counts[0] === 1 ? a : b;
    const survivor = victim === a ? b : a;

    let latest = 1;
    let writing = true;
    let writeError: unknown;
    const writer = (async () => {
      while (writing) {
        try {
          const res = await fetch(`${survivor.url}/test/counters/failover/bump`, { method: 'POST' });
          if (res.status !== 200) throw new Error(`bump answered ${res.status}: ${await res.text()}`);
          latest = ((await res.json()) as { version: number }).version;
        } catch (err) {
          writeError = err;
          return;
        }
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    // Events written on the survivor reach the socket on the victim through Redis.
    await until(() => versions.length >= 5 || writeError, 'versions through the first node', 10_000);
    await victim.kill();
    const atKill = latest;
    await until(() => versions.some((v) => v > atKill + 3) || writeError, `versions after the kill (have up to ${versions.at(-1)}, written ${latest})`, 15_000);
    writing = false;
    await writer;
    expect(writeError).toBeUndefined();
    await until(() => versions.at(-1) === latest, `the last written version ${latest} (have ${versions.at(-1)})`, 10_000);

    for (let i = 1; i < versions.length; i++) expect(versions[i], `versions ${versions.join(',')}`).toBeGreaterThan(versions[i - 1]!);
    expect(versions.at(-1)).toBe(latest);
    expect(statuses).toContain('reconnecting');
    expect(sub.status).toBe('open');
    expect(sub.transport).toBe('websocket');
    expect(await websocketsOn(survivor)).toBe(1);
  });
});
