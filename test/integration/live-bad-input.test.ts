import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bumpCounter, createCounter } from '../support/counter-channel.js';
import { openRawSocket, type Frame } from '../support/raw-socket.js';
import { spawnNode } from '../support/processes.js';
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

  it('answers {"op":{"toString":1}} (which once threw out of the frame handler) with unknown_op and keeps the socket', async () => {
    await expectRefused((s) => s.ws.send('{"op":{"toString":1}}'), 'unknown_op');
  });

  it.each([
    ['op null', '{"op":null}'],
    ['op a number', '{"op":7}'],
    ['op an array', '{"op":["sub"]}'],
    ['op an object with valueOf', '{"op":{"valueOf":1,"toString":null}}'],
    ['no op', '{"channel":"counter:x"}'],
    ['a __proto__ key', '{"__proto__":{"op":"sub"},"op":{"toString":1}}'],
  ])('answers a frame with %s with unknown_op and keeps the socket', async (_what, text) => {
    await expectRefused((s) => s.ws.send(text), 'unknown_op');
  });

  it.each([
    ['an object', { toString: 1 }],
    ['a number', 42],
    ['an array', ['counter:x']],
    ['too long a string', 'counter:' + 'x'.repeat(300)],
    ['an empty string', ''],
  ])('answers a sub whose channel is %s with invalid_request, naming no channel', async (_what, channel) => {
    const c = await counter();
    const s = await openSocket();
    const pending = s.error();
    s.send({ op: 'sub', channel, token: c.token });
    const err = await pending;
    expect(err).toMatchObject({ op: 'error', code: 'invalid_request' });
    expect(err).not.toHaveProperty('channel');
    await s.stillWorks();
    s.ws.close();
  });

  it.each([
    ['an object', { toString: 1 }],
    ['a string', '3'],
    ['a fraction', 1.5],
    ['past 2^53', 1e300],
  ])('answers a sub whose after is %s with invalid_request and keeps the socket', async (_what, after) => {
    const c = await counter();
    await expectRefused((s) => s.send({ op: 'sub', channel: c.channel, token: c.token, after }), 'invalid_request', c.channel);
  });

  it.each([
    ['an object', { toString: 1 }],
    ['a number', 12],
    ['too long', 'x'.repeat(500)],
  ])('answers a sub whose token is %s with invalid_token and keeps the socket', async (_what, token) => {
    const c = await counter();
    await expectRefused((s) => s.send({ op: 'sub', channel: c.channel, token }), 'invalid_token', c.channel);
  });

  it('answers an unsub whose channel is not a string with invalid_request and keeps the socket', async () => {
    await expectRefused((s) => s.send({ op: 'unsub', channel: { toString: 1 } }), 'invalid_request');
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

  it('answers an unregistered channel kind with unknown_channel before looking at the token', async () => {
    await expectRefused((s) => s.send({ op: 'sub', channel: 'nosuchkind:1', token: 'zz.forged' }), 'unknown_channel', 'nosuchkind:1');
    await expectRefused((s) => s.send({ op: 'sub', channel: 'nosuchkind:2' }), 'unknown_channel', 'nosuchkind:2');
    await expectRefused((s) => s.send({ op: 'sub', channel: 'nosuchkind:3', token: 'x', after: -1 }), 'unknown_channel', 'nosuchkind:3');
  });

  it.each([['no-colon'], ['Counter:1'], ['counter:'], ['counter:a b'], [':x']])('answers the malformed channel name %j with unknown_channel', async (channel) => {
    await expectRefused((s) => s.send({ op: 'sub', channel, token: 'zz.forged' }), 'unknown_channel', channel);
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

describe('re-subscribing to a channel the socket already follows', () => {
  const states = (s: Awaited<ReturnType<typeof openSocket>>, channel: string) => s.frames.filter((f) => f.channel === channel && f.op === undefined);

  it('sends the current state again when it is newer than the new after, and goes on delivering once', async () => {
    const c = await counter();
    const s = await openSocket();
    s.send({ op: 'sub', channel: c.channel, token: c.token });
    await until(() => states(s, c.channel).length === 1, 'the snapshot', 5000);
    s.send({ op: 'sub', channel: c.channel, token: c.token });
    await until(() => states(s, c.channel).length === 2, 'the snapshot again', 5000);
    expect(states(s, c.channel).map((f) => f.version)).toEqual([1, 1]);
    await bumpCounter(node.url, c.id);
    await until(() => states(s, c.channel).length === 3, 'the bump', 5000);
    expect(states(s, c.channel).map((f) => f.version)).toEqual([1, 1, 2]);
    expect(s.frames.filter((f) => f.op === 'error')).toEqual([]);
    s.ws.close();
  });

  it('sends nothing when the socket already has the current version (after = it)', async () => {
    const c = await counter();
    const s = await openSocket();
    s.send({ op: 'sub', channel: c.channel, token: c.token });
    await until(() => states(s, c.channel).length === 1, 'the snapshot', 5000);
    s.send({ op: 'sub', channel: c.channel, token: c.token, after: 1 });
    // Frames are handled in order: the marker's snapshot means the re-sub was handled.
    const marker = await counter();
    s.send({ op: 'sub', channel: marker.channel, token: marker.token });
    await until(() => states(s, marker.channel).length === 1, 'the marker', 5000);
    await bumpCounter(node.url, c.id);
    await until(() => states(s, c.channel).some((f) => f.version === 2), 'the bump', 5000);
    expect(states(s, c.channel).map((f) => f.version)).toEqual([1, 2]);
    s.ws.close();
  });

  it('ends the subscription when the new sub is refused: an error naming the channel, then nothing more from it', async () => {
    const c = await counter();
    const s = await openSocket();
    s.send({ op: 'sub', channel: c.channel, token: c.token });
    await until(() => states(s, c.channel).length === 1, 'the snapshot', 5000);
    const pending = s.error();
    s.send({ op: 'sub', channel: c.channel, token: node.services.live.tokens.mint(c.channel, -1).token });
    expect(await pending).toMatchObject({ op: 'error', channel: c.channel, code: 'token_expired' });
    await bumpCounter(node.url, c.id);
    // A marker channel's snapshot proves the bump had time to arrive, had it been sent.
    const marker = await counter();
    await bumpCounter(node.url, marker.id);
    s.send({ op: 'sub', channel: marker.channel, token: marker.token });
    await until(() => states(s, marker.channel).length === 1, 'the marker', 5000);
    expect(states(s, c.channel).map((f) => f.version)).toEqual([1]);
    s.ws.close();
  });

  it('does not count a re-subscription against the per-socket channel limit', async () => {
    const cs = await Promise.all(Array.from({ length: MAX_CHANNELS }, () => counter()));
    const s = await openSocket();
    for (const c of cs) s.send({ op: 'sub', channel: c.channel, token: c.token });
    await until(() => s.frames.filter((f) => f.version === 1).length === MAX_CHANNELS, 'the snapshots', 5000);
    s.send({ op: 'sub', channel: cs[0]!.channel, token: cs[0]!.token });
    await until(() => states(s, cs[0]!.channel).length === 2, 'the snapshot again', 5000);
    expect(s.frames.filter((f) => f.op === 'error')).toEqual([]);
    s.ws.close();
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

    it.each([['nosuchkind:1'], ['no-colon']])('answers 404 unknown_channel for %j before looking at the (forged) token', async (channel) => {
      const res = await get(path, { channel, token: 'zz.forged', wait: '0' });
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

describe('a node in its own process', () => {
  it('survives {"op":{"toString":1}} from an unauthenticated socket and keeps serving others', async () => {
    const proc = await spawnNode({});
    try {
      const attacker = await openRawSocket(proc.url);
      for (let i = 0; i < 3; i++) attacker.ws.send('{"op":{"toString":1}}');
      await until(() => attacker.frames.filter((f) => f.op === 'error').length === 3, 'three error frames', 10_000);
      expect(attacker.frames.every((f) => f.code === 'unknown_op')).toBe(true);
      // Another client subscribes and sees a change, over HTTP and WebSocket alike.
      const c = await createCounter(proc.url, 'survivor');
      const other = await openRawSocket(proc.url);
      other.send({ op: 'sub', channel: c.channel, token: c.token });
      await until(() => other.frames.find((f) => f.version === 1), 'the snapshot', 10_000);
      await bumpCounter(proc.url, c.id);
      await until(() => other.frames.find((f) => f.version === 2), 'the bump', 10_000);
      expect((await fetch(`${proc.url}/healthz`)).status).toBe(200);
      expect(proc.child.exitCode).toBeNull();
      expect(proc.stderr()).not.toMatch(/TypeError|uncaught/i);
      attacker.ws.terminate();
      other.ws.terminate();
    } finally {
      await proc.stop();
    }
  }, 60_000);
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
