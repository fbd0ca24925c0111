/**
 * Per-address bounds on live WebSockets: open sockets and new upgrades per
 * minute, counted by the client address Fastify's `req.ip` would give (the
 * trust-proxy rule), refused with 429 `rate_limited` and Retry-After.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCounter } from '../support/counter-channel.js';
import { startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const nodes: Node[] = [];
const sockets: WebSocket[] = [];
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

async function start(overrides: Parameters<typeof startTestNode>[0]): Promise<Node> {
  const node = await startTestNode(overrides);
  nodes.push(node);
  return node;
}

type Upgrade = { status: 101; ws: WebSocket } | { status: number; body: unknown; retryAfter: string | undefined };

/** Opens a WebSocket on /v1/live and says how the upgrade was answered. */
function upgrade(node: Node, headers: Record<string, string> = {}): Promise<Upgrade> {
  const ws = new WebSocket(`${node.url.replace(/^http/, 'ws')}/v1/live`, { headers });
  return new Promise((resolve, reject) => {
    ws.on('open', () => {
      sockets.push(ws);
      resolve({ status: 101, ws });
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), retryAfter: res.headers['retry-after'] }));
    });
    ws.on('error', (err) => reject(err));
  });
}

async function opened(node: Node, headers?: Record<string, string>): Promise<WebSocket> {
  const u = await upgrade(node, headers);
  if (u.status !== 101) throw new Error(`upgrade answered ${u.status}: ${JSON.stringify((u as { body: unknown }).body)}`);
  return (u as { ws: WebSocket }).ws;
}

/** Subscribes `ws` to a fresh counter and resolves with its snapshot's version: the socket works. */
async function works(node: Node, ws: WebSocket, id: string): Promise<number> {
  const c = await createCounter(node.url, id);
  const frames: { version?: number; channel?: string }[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as { version?: number }));
  ws.send(JSON.stringify({ op: 'sub', channel: c.channel, token: c.token }));
  return (await until(() => frames.find((f) => f.channel === c.channel), `the snapshot of ${id}`, 5000)).version!;
}

describe('live WebSocket limits per client address', () => {
  it('refuses sockets past SCANPASS_LIVE_MAX_SOCKETS_PER_ADDRESS with 429 rate_limited and Retry-After, and admits again once one closes', async () => {
    const node = await start({ liveMaxSocketsPerAddress: 4, liveUpgradesPerMinute: 1000 });
    const open = await Promise.all(Array.from({ length: 4 }, () => opened(node)));
    const refused = await upgrade(node);
    expect(refused.status).toBe(429);
    expect(refused).toMatchObject({ body: { error: 'rate_limited', message: expect.stringContaining('4 open live sockets') } });
    expect(Number((refused as { retryAfter: string }).retryAfter)).toBeGreaterThan(0);
    // The ones already open keep working.
    expect(await works(node, open[0]!, 'limit-a')).toBe(1);
    open[1]!.close();
    await until(async () => (await upgrade(node)).status === 101, 'a socket admitted after one closed', 5000);
    expect(node.services.live.stats().websockets).toBe(4);
  });

  it('refuses upgrades past SCANPASS_LIVE_UPGRADES_PER_MINUTE even when the earlier sockets closed', async () => {
    const node = await start({ liveMaxSocketsPerAddress: 100, liveUpgradesPerMinute: 3 });
    for (let i = 0; i < 3; i++) (await opened(node)).close();
    const refused = await upgrade(node);
    expect(refused.status).toBe(429);
    expect(refused).toMatchObject({ body: { error: 'rate_limited', message: expect.stringContaining('3 new live sockets per minute') } });
    expect(Number((refused as { retryAfter: string }).retryAfter)).toBeGreaterThanOrEqual(1);
    // Plain HTTP from the same address is not affected.
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  });

  it('counts by the forwarded client address when the proxy in front is trusted', async () => {
    const node = await start({ liveMaxSocketsPerAddress: 2, liveUpgradesPerMinute: 1000, trustProxy: '127.0.0.1' });
    const a = { 'x-forwarded-for': '203.0.113.7' };
    const b = { 'x-forwarded-for': '203.0.113.8' };
    await opened(node, a);
    await opened(node, a);
    expect((await upgrade(node, a)).status).toBe(429);
    // Another client behind the same proxy has its own allowance.
    const other = await opened(node, b);
    expect(await works(node, other, 'limit-b')).toBe(1);
    // A client cannot escape by prepending made-up hops: the proxy appends the real one last.
    expect((await upgrade(node, { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' })).status).toBe(429);
  });

  it('ignores X-Forwarded-For when no proxy is trusted: every socket here counts as 127.0.0.1', async () => {
    const node = await start({ liveMaxSocketsPerAddress: 2, liveUpgradesPerMinute: 1000 });
    await opened(node, { 'x-forwarded-for': '203.0.113.1' });
    await opened(node, { 'x-forwarded-for': '203.0.113.2' });
    const refused = await upgrade(node, { 'x-forwarded-for': '203.0.113.3' });
    expect(refused.status).toBe(429);
  });
});
