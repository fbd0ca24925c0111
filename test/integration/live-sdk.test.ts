import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createLiveClient, subscribe, type LiveClient, type LiveErrorInfo, type LiveState, type LiveStatus, type TransportKind } from '../../client/index.js';
import { bumpCounter, createCounter } from '../support/counter-channel.js';
import { startLoadBalancer } from '../support/load-balancer.js';
import { startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

let node: Node;
let ids = 0;
const cleanup: Array<() => unknown> = [];
const FAST = { baseMs: 50, capMs: 500 };

beforeAll(async () => {
  node = await startTestNode();
});
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  // Each test starts with no client connected, so socket counts are its own.
  await until(() => node.services.live.stats().websockets === 0, 'sockets from the last test to close', 5000);
});
afterAll(async () => {
  await node?.close();
});

const counter = (base = node.url) => createCounter(base, `s${++ids}`);
const bump = (id: string, base = node.url) => bumpCounter(base, id);

function client(opts: Parameters<typeof createLiveClient>[0] = {}): LiveClient {
  const c = createLiveClient({ url: node.url, WebSocket, backoff: FAST, pollWaitSeconds: 2, ...opts });
  cleanup.push(() => c.close());
  return c;
}

/** Follows a channel, recording what the SDK delivers and reports. */
function follow(c: LiveClient, ch: { channel: string; token: string }, after?: number) {
  const states: LiveState[] = [];
  const errors: LiveErrorInfo[] = [];
  const statuses: LiveStatus[] = [];
  const sub = c.subscribe(ch.channel, ch.token, (s) => states.push(s), {
    onError: (e) => errors.push(e),
    onStatus: (s) => statuses.push(s),
    ...(after === undefined ? {} : { after }),
  });
  const versions = () => states.map((s) => s.version);
  return {
    sub,
    states,
    errors,
    statuses,
    versions,
    reached: (v: number) => until(() => versions().includes(v), `version ${v} (have ${versions().join(',')})`, 8000),
  };
}

const ALL: TransportKind[] = ['websocket', 'sse', 'poll'];

describe.each(ALL)('SDK over %s', (kind) => {
  it('delivers the snapshot, then every newer version, each once', async () => {
    const ch = await counter();
    const f = follow(client({ transports: [kind] }), ch);
    await f.reached(1);
    expect(f.states[0]).toEqual({ channel: ch.channel, version: 1, type: 'bumped', data: { value: 1 } });
    for (const v of [2, 3, 4]) {
      await bump(ch.id);
      await f.reached(v);
    }
    expect(f.versions()).toEqual([1, 2, 3, 4]);
    expect(f.sub.transport).toBe(kind);
    expect(f.sub.status).toBe('open');
    expect(f.statuses[0]).toBe('connecting');
    expect(f.errors).toEqual([]);
  });

  it('starts after the given version and delivers only newer ones', async () => {
    const ch = await counter();
    await bump(ch.id); // 2
    const f = follow(client({ transports: [kind] }), ch, 2);
    await until(() => f.sub.status === 'open', 'open', 8000);
    await bump(ch.id); // 3
    await f.reached(3);
    expect(f.versions()).toEqual([3]);
  });

  it('stops at a bad token: invalid_token is terminal, not retried', async () => {
    const ch = await counter();
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    class CountingWebSocket extends WebSocket {
      constructor(url: string) {
        requests++;
        super(url);
      }
    }
    const f = follow(client({ transports: [kind], fetch: counting, WebSocket: CountingWebSocket }), { channel: ch.channel, token: `${ch.token.split('.')[0]}.forged` });
    await until(() => f.errors.length > 0, 'an error', 8000);
    expect(f.errors).toEqual([expect.objectContaining({ code: 'invalid_token', channel: ch.channel, terminal: true })]);
    expect(f.sub.status).toBe('closed');
    expect(f.sub.transport).toBeNull();
    expect(requests).toBe(1);
    const after = requests;
    await new Promise((r) => setTimeout(r, 300)); // longer than the whole fast backoff range
    expect(requests).toBe(after);
    expect(f.errors).toHaveLength(1);
    expect(f.states).toEqual([]);
  });

  it('stops at an expired token with token_expired', async () => {
    const ch = await counter();
    const { token } = node.services.live.tokens.mint(ch.channel, -5);
    const f = follow(client({ transports: [kind] }), { channel: ch.channel, token });
    await until(() => f.sub.status === 'closed', 'closed', 8000);
    expect(f.errors.map((e) => [e.code, e.terminal])).toEqual([['token_expired', true]]);
  });

  it('stops at a channel that does not exist with unknown_channel', async () => {
    const { channel, token } = node.services.live.grant('counter:never-created');
    const f = follow(client({ transports: [kind] }), { channel, token });
    await until(() => f.sub.status === 'closed', 'closed', 8000);
    expect(f.errors.map((e) => [e.code, e.terminal])).toEqual([['unknown_channel', true]]);
  });

  it('resumes from the last version after the server restarts, with no duplicates', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-sdk-restart-'));
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    let current: Node | null = await startTestNode({ dataDir });
    cleanup.push(() => current?.close());
    // The client talks to a balancer, so the node behind it can be swapped while the client is cut off.
    const lb = await startLoadBalancer([current.url]);
    cleanup.push(() => lb.close());
    const restart = async (whileDown: (url: string) => Promise<void> = async () => {}) => {
      lb.setBackends([]);
      await current!.close(); // WebSockets get 1012, streams end, held polls answer
      current = null;
      await until(() => f.sub.status === 'reconnecting', 'reconnecting', 8000);
      current = await startTestNode({ dataDir });
      await whileDown(current.url);
      lb.setBackends([current.url]);
    };

    const ch = await counter(current.url);
    const c = createLiveClient({ url: lb.url, WebSocket, transports: [kind], backoff: FAST, pollWaitSeconds: 2 });
    cleanup.push(() => c.close());
    const f = follow(c, ch);
    await f.reached(1);
    await bump(ch.id, current.url);
    await f.reached(2);

    // Nothing changed while it was away: it must not hand version 2 over again.
    await restart();
    await until(() => f.sub.status === 'open', 'open again', 8000);
    await bump(ch.id, current.url);
    await f.reached(3);
    expect(f.versions()).toEqual([1, 2, 3]);

    // Versions 4 and 5 happened while it was away: it gets the latest as one snapshot, then goes on.
    await restart(async (url) => {
      await bump(ch.id, url);
      await bump(ch.id, url);
    });
    await f.reached(5);
    await until(() => f.sub.status === 'open', 'open again', 8000);
    await bump(ch.id, current.url);
    await f.reached(6);
    expect(f.versions()).toEqual([1, 2, 3, 5, 6]);
    expect(f.statuses.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(2);
    expect(f.sub.transport).toBe(kind);
  });
});

describe('SDK transport choice', () => {
  it('carries all channels of a client on one shared WebSocket', async () => {
    const chs = await Promise.all([counter(), counter(), counter(), counter(), counter()]);
    const c = client();
    const fs5 = chs.map((ch) => follow(c, ch));
    for (const f of fs5) await f.reached(1);
    expect(node.services.live.stats().websockets).toBe(1);
    await Promise.all(chs.map((ch) => bump(ch.id)));
    for (const f of fs5) await f.reached(2);
    for (const f of fs5) {
      expect(f.versions()).toEqual([1, 2]);
      expect(f.sub.transport).toBe('websocket');
    }
  });

  it('stops delivering after unsubscribe and closes the idle socket', async () => {
    const [a, b] = await Promise.all([counter(), counter()]);
    const c = client();
    const fa = follow(c, a);
    const fb = follow(c, b);
    await fa.reached(1);
    await fb.reached(1);
    fa.sub.unsubscribe();
    expect(fa.sub.status).toBe('closed');
    await bump(a.id);
    await bump(b.id);
    await fb.reached(2);
    expect(fa.versions()).toEqual([1]);
    fb.sub.unsubscribe();
    await until(() => node.services.live.stats().websockets === 0, 'the socket to close', 8000);
  });

  it('gives two subscribers of one channel on one client each the full sequence', async () => {
    const ch = await counter();
    await bump(ch.id); // 2
    const c = client();
    const f1 = follow(c, ch);
    await f1.reached(2);
    const f2 = follow(c, ch);
    await f2.reached(2);
    await bump(ch.id);
    await f1.reached(3);
    await f2.reached(3);
    expect(f1.versions()).toEqual([2, 3]);
    expect(f2.versions()).toEqual([2, 3]);
  });

  it('falls back to SSE when no WebSocket class is available', async () => {
    // Node 22 and later have a global WebSocket; this is a runtime without one (Node 20, an old browser).
    vi.stubGlobal('WebSocket', undefined);
    cleanup.push(() => vi.unstubAllGlobals());
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
    const ch = await counter();
    const c = createLiveClient({ url: node.url, backoff: FAST });
    cleanup.push(() => c.close());
    const f = follow(c, ch);
    await f.reached(1);
    expect(f.sub.transport).toBe('sse');
    await bump(ch.id);
    await f.reached(2);
    expect(f.versions()).toEqual([1, 2]);
  });

  it('falls back to SSE when the WebSocket handshake keeps failing', async () => {
    let handshakes = 0;
    // A real socket to a path the server refuses (404), as a proxy that drops upgrades would.
    class RefusedWebSocket extends WebSocket {
      constructor(url: string) {
        handshakes++;
        super(url.replace('/v1/live', '/v1/not-live'));
      }
    }
    const ch = await counter();
    const f = follow(client({ WebSocket: RefusedWebSocket }), ch);
    await f.reached(1);
    expect(handshakes).toBeGreaterThanOrEqual(1);
    expect(f.sub.transport).toBe('sse');
    await bump(ch.id);
    await f.reached(2);
    expect(f.versions()).toEqual([1, 2]);
  });

  it('top-level subscribe follows a channel and unsubscribe ends it', async () => {
    const ch = await counter();
    const states: number[] = [];
    const sub = subscribe(ch.channel, ch.token, (s) => states.push(s.version), { url: node.url, WebSocket, backoff: FAST });
    cleanup.push(() => sub.unsubscribe());
    await until(() => states.includes(1), 'version 1', 8000);
    expect(sub.transport).toBe('websocket');
    await bump(ch.id);
    await until(() => states.includes(2), 'version 2', 8000);
    sub.unsubscribe();
    expect(sub.transport).toBeNull();
    expect(states).toEqual([1, 2]);
  });
});
