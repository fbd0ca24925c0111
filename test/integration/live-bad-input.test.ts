import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bumpCounter, createCounter } from '../support/counter-channel.js';
import { openRawSocket, type Frame } from '../support/raw-socket.js';
import { startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const MAX_CHANNELS = 3;
const MAX_FRAME = 1024;

let node: Node;
let ids = 0;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  node = await startTestNode({ liveMaxChannelsPerSocket: MAX_CHANNELS, liveMaxFrameBytes: MAX_FRAME });
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await node?.close();
});

const counter = () => createCounter(node.url, `b${++ids}`);

async function openSocket() {
  const raw = await openRawSocket(node.url);
  const { ws, frames } = raw;
  sockets.push(ws);
  const s = {
    ...raw,
    /** The next error frame after the ones already seen. */
    async error(): Promise<Frame> {
      const seen = frames.filter((f) => f.op === 'error').length;
      return until(() => frames.filter((f) => f.op === 'error')[seen], 'an error frame', 5000);
    },
    /** Subscribes to a fresh counter and expects its snapshot: the socket still works. */
    async stillWorks(): Promise<void> {
      const c = await counter();
      s.send({ op: 'sub', channel: c.channel, token: c.token });
      const snap = await until(() => frames.find((f) => f.channel === c.channel && f.op === undefined), 'a snapshot after the bad frame', 5000);
      expect(snap).toMatchObject({ channel: c.channel, version: 1 });
      expect(ws.readyState).toBe(WebSocket.OPEN);
    },
  };
  return s;
}

/** Sends `frame` and expects a single error frame with `code` (and `channel` when given), then a working socket. */
async function expectRefused(send: (s: Awaited<ReturnType<typeof openSocket>>) => void, code: string, channel?: string): Promise<void> {
  const s = await openSocket();
  const pending = s.error();
  send(s);
  const err = await pending;
  expect(err).toMatchObject({ op: 'error', code, message: expect.any(String) });
  if (channel) expect(err.channel).toBe(channel);
  await s.stillWorks();
  expect(s.frames.filter((f) => f.op === 'error')).toHaveLength(1);
  s.ws.close();
}

describe('WebSocket bad input', () => {
  it('answers a malformed JSON frame with invalid_frame and keeps the socket', async () => {
    await expectRefused((s) => s.ws.send('{"op":"sub",'), 'invalid_frame');
  });

  it('answers a binary frame with invalid_frame and keeps the socket', async () => {
    await expectRefused((s) => s.ws.send(Buffer.from(JSON.stringify({ op: 'sub', channel: 'counter:x', token: 'x' }))), 'invalid_frame');
  });

  it.each([['[1,2]'], ['"sub"'], ['null'], ['42']])('answers the non-object JSON %s with invalid_frame and keeps the socket', async (text) => {
    await expectRefused((s) => s.ws.send(text), 'invalid_frame');
  });

  it('answers an unknown op with unknown_op and keeps the socket', async () => {
    await expectRefused((s) => s.send({ op: 'subscribe', channel: 'counter:x' }), 'unknown_op');
  });

  it('answers a sub without a channel with invalid_request and keeps the socket', async () => {
    const c = await counter();
    await expectRefused((s) => s.send({ op: 'sub', token: c.token }), 'invalid_request');
  });

  it('answers a negative after with invalid_request and keeps the socket', async () => {
    const c = await counter();
    await expectRefused((s) => s.send({ op: 'sub', channel: c.channel, token: c.token, after: -1 }), 'invalid_request', c.channel);
  });

  it('answers an unknown channel kind with unknown_channel and keeps the socket', async () => {
    const { channel, token } = node.services.live.grant('nosuchkind:1');
    await expectRefused((s) => s.send({ op: 'sub', channel, token }), 'unknown_channel', channel);
  });

  it('answers an unknown counter id with unknown_channel and keeps the socket', async () => {
    const { channel, token } = node.services.live.grant('counter:does-not-exist');
    await expectRefused((s) => s.send({ op: 'sub', channel, token }), 'unknown_channel', channel);
  });

  it('answers a forged token with invalid_token and keeps the socket', async () => {
    const c = await counter();
    const forged = `${c.token.split('.')[0]}.${'A'.repeat(43)}`;
    await expectRefused((s) => s.send({ op: 'sub', channel: c.channel, token: forged }), 'invalid_token', c.channel);
  });

  it('answers a missing token with invalid_token and keeps the socket', async () => {
    const c = await counter();
    await expectRefused((s) => s.send({ op: 'sub', channel: c.channel }), 'invalid_token', c.channel);
  });

  it("answers another channel's token with invalid_token and keeps the socket", async () => {
    const [a, b] = await Promise.all([counter(), counter()]);
    await expectRefused((s) => s.send({ op: 'sub', channel: a.channel, token: b.token }), 'invalid_token', a.channel);
  });

  it('answers an expired token with token_expired and keeps the socket', async () => {
    const c = await counter();
    const { token } = node.services.live.tokens.mint(c.channel, -1);
    await expectRefused((s) => s.send({ op: 'sub', channel: c.channel, token }), 'token_expired', c.channel);
  });

  it('refuses channels past the per-socket limit with too_many_channels and keeps the others', async () => {
    const cs = await Promise.all(Array.from({ length: MAX_CHANNELS + 1 }, () => counter()));
    const s = await openSocket();
    for (const c of cs.slice(0, MAX_CHANNELS)) s.send({ op: 'sub', channel: c.channel, token: c.token });
    await until(() => s.frames.filter((f) => f.version === 1).length === MAX_CHANNELS, 'the first snapshots', 5000);
    const extra = cs[MAX_CHANNELS]!;
    const pending = s.error();
    s.send({ op: 'sub', channel: extra.channel, token: extra.token });
    expect(await pending).toMatchObject({ op: 'error', code: 'too_many_channels', channel: extra.channel });
    // The channels it has keep flowing, and freeing a slot lets a new one in.
    await bumpCounter(node.url, cs[0]!.id);
    await until(() => s.frames.find((f) => f.channel === cs[0]!.channel && f.version === 2), 'the bump', 5000);
    s.send({ op: 'unsub', channel: cs[1]!.channel });
    s.send({ op: 'sub', channel: extra.channel, token: extra.token });
    await until(() => s.frames.find((f) => f.channel === extra.channel && f.version === 1), 'the freed slot', 5000);
    s.ws.close();
  });

  it('closes the socket with 1009 when a frame is larger than the limit', async () => {
    const s = await openSocket();
    s.ws.send(JSON.stringify({ op: 'sub', channel: 'counter:x', token: 'x'.repeat(MAX_FRAME) }));
    expect(await s.closed).toBe(1009);
    expect(s.frames).toEqual([]);
  });

  it('refuses WebSocket upgrades on other paths with 404', async () => {
    const ws = new WebSocket(`${node.url.replace(/^http/, 'ws')}/v1/elsewhere`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(404);
  });
});

describe('SSE and long-poll bad queries', () => {
  const get = (path: string, query: Record<string, string>) => fetch(`${node.url}${path}?${new URLSearchParams(query).toString()}`);

  describe.each([['/v1/live/sse'], ['/v1/live/poll']])('%s', (path) => {
    it('answers 401 invalid_token for a forged token', async () => {
      const c = await counter();
      const res = await get(path, { channel: c.channel, token: 'zz.forged', after: '0', wait: '0' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    });

    it("answers 401 invalid_token for another channel's token", async () => {
      const [a, b] = await Promise.all([counter(), counter()]);
      const res = await get(path, { channel: a.channel, token: b.token, wait: '0' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    });

    it('answers 401 token_expired for an expired token', async () => {
      const c = await counter();
      const res = await get(path, { channel: c.channel, token: node.services.live.tokens.mint(c.channel, -1).token, wait: '0' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'token_expired' });
    });

    it('answers 404 unknown_channel for a channel that does not exist', async () => {
      const { channel, token } = node.services.live.grant('counter:never');
      const res = await get(path, { channel, token, wait: '0' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'unknown_channel' });
    });

    it('answers 400 invalid_request without a channel', async () => {
      const c = await counter();
      const res = await get(path, { token: c.token });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    });

    it('answers 400 invalid_request for a negative after', async () => {
      const c = await counter();
      const res = await get(path, { channel: c.channel, token: c.token, after: '-1' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    });
  });

  it('answers 400 invalid_request for a long-poll wait over 30 s', async () => {
    const c = await counter();
    const res = await get('/v1/live/poll', { channel: c.channel, token: c.token, after: '1', wait: '31' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('after all the bad input', () => {
  it('the node still answers /healthz and serves a valid subscription', async () => {
    const res = await fetch(`${node.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    const s = await openSocket();
    await s.stillWorks();
    s.ws.close();
  });
});
