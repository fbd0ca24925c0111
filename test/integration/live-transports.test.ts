import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bumpCounter, createCounter } from '../support/counter-channel.js';
import { openRawSocket } from '../support/raw-socket.js';
import { startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

let node: Node;
let ids = 0;

beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node?.close();
});

const counter = () => createCounter(node.url, `t${++ids}`);
const bump = (id: string) => bumpCounter(node.url, id);

async function openSocket() {
  const raw = await openRawSocket(node.url);
  const { frames } = raw;
  return {
    ...raw,
    versions: (channel: string) => frames.filter((f) => f.channel === channel && f.op === undefined).map((f) => f.version),
    waitVersion: (channel: string, version: number) =>
      until(() => frames.find((f) => f.channel === channel && f.version === version), `${channel} v${version}`, 5000),
  };
}

/** Reads an SSE response into messages as they arrive. */
function readSse(res: Response): { messages: EventSourceMessage[]; done: Promise<void> } {
  const messages: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (m) => messages.push(m) });
  const done = (async () => {
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      /* aborted */
    }
  })();
  return { messages, done };
}

describe('WebSocket transport', () => {
  it('sends the snapshot first, then every newer version in order', async () => {
    const c = await counter();
    const s = await openSocket();
    s.send({ op: 'sub', channel: c.channel, token: c.token });
    const first = await s.waitVersion(c.channel, 1);
    expect(first).toEqual({ channel: c.channel, version: 1, type: 'bumped', data: { value: 1 } });
    for (const v of [2, 3, 4]) {
      expect(await bump(c.id)).toBe(v);
      await s.waitVersion(c.channel, v);
    }
    expect(s.versions(c.channel)).toEqual([1, 2, 3, 4]);
    s.ws.close();
  });

  it('resumes after the given version: only newer state is sent', async () => {
    const c = await counter();
    await bump(c.id);
    await bump(c.id); // now at 3
    const s = await openSocket();
    s.send({ op: 'sub', channel: c.channel, token: c.token, after: 3 });
    await bump(c.id);
    await s.waitVersion(c.channel, 4);
    // A second socket that has seen version 1 gets the latest state, not the ones in between.
    const t = await openSocket();
    t.send({ op: 'sub', channel: c.channel, token: c.token, after: 1 });
    await t.waitVersion(c.channel, 4);
    expect(s.versions(c.channel)).toEqual([4]);
    expect(t.versions(c.channel)).toEqual([4]);
    s.ws.close();
    t.ws.close();
  });

  it('carries many channels on one socket', async () => {
    const cs = await Promise.all([counter(), counter(), counter(), counter()]);
    const s = await openSocket();
    for (const c of cs) s.send({ op: 'sub', channel: c.channel, token: c.token });
    for (const c of cs) await s.waitVersion(c.channel, 1);
    for (const c of cs) await bump(c.id);
    for (const c of cs) await s.waitVersion(c.channel, 2);
    for (const c of cs) expect(s.versions(c.channel)).toEqual([1, 2]);
    expect(node.services.live.stats().websockets).toBeGreaterThanOrEqual(1);
    s.ws.close();
  });

  it('stops sending a channel after unsub, and keeps sending the others', async () => {
    const [a, b] = await Promise.all([counter(), counter()]);
    const s = await openSocket();
    s.send({ op: 'sub', channel: a.channel, token: a.token });
    s.send({ op: 'sub', channel: b.channel, token: b.token });
    await s.waitVersion(a.channel, 1);
    await s.waitVersion(b.channel, 1);
    s.send({ op: 'unsub', channel: a.channel });
    await bump(a.id);
    await bump(b.id);
    // Frames on one socket are ordered: had a's version 2 been sent, it would be here before b's.
    await s.waitVersion(b.channel, 2);
    expect(s.versions(a.channel)).toEqual([1]);
    s.ws.close();
  });
});

describe('SSE transport', () => {
  it('streams the snapshot, then each newer version with id = version', async () => {
    const c = await counter();
    const abort = new AbortController();
    const res = await fetch(`${node.url}/v1/live/sse?channel=${encodeURIComponent(c.channel)}&token=${encodeURIComponent(c.token)}`, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { messages, done } = readSse(res);
    await until(() => messages.length >= 1, 'the first message', 5000);
    await bump(c.id);
    await until(() => messages.length >= 2, 'the second message', 5000);
    await bump(c.id);
    await until(() => messages.length >= 3, 'the third message', 5000);
    expect(messages.map((m) => m.id)).toEqual(['1', '2', '3']);
    expect(messages.map((m) => JSON.parse(m.data))).toEqual([1, 2, 3].map((v) => ({ channel: c.channel, version: v, type: 'bumped', data: { value: v } })));
    abort.abort();
    await done;
  });

  it('resumes from Last-Event-ID, which wins over after', async () => {
    const c = await counter();
    await bump(c.id); // 2
    const abort = new AbortController();
    const res = await fetch(`${node.url}/v1/live/sse?channel=${encodeURIComponent(c.channel)}&token=${encodeURIComponent(c.token)}&after=0`, {
      headers: { 'last-event-id': '2' },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const { messages, done } = readSse(res);
    await bump(c.id); // 3
    await until(() => messages.length >= 1, 'the first message', 5000);
    expect(messages.map((m) => m.id)).toEqual(['3']);
    abort.abort();
    await done;
  });

  it('resumes from the after parameter', async () => {
    const c = await counter();
    await bump(c.id);
    await bump(c.id); // 3
    const abort = new AbortController();
    const res = await fetch(`${node.url}/v1/live/sse?channel=${encodeURIComponent(c.channel)}&token=${encodeURIComponent(c.token)}&after=2`, { signal: abort.signal });
    const { messages, done } = readSse(res);
    await until(() => messages.length >= 1, 'the first message', 5000);
    await bump(c.id); // 4
    await until(() => messages.length >= 2, 'the second message', 5000);
    expect(messages.map((m) => m.id)).toEqual(['3', '4']);
    abort.abort();
    await done;
  });
});

describe('long-poll transport', () => {
  const poll = (c: { channel: string; token: string }, after: number, wait: number) =>
    fetch(`${node.url}/v1/live/poll?channel=${encodeURIComponent(c.channel)}&token=${encodeURIComponent(c.token)}&after=${after}&wait=${wait}`);

  it('answers at once with the state when it is newer than after', async () => {
    const c = await counter();
    const res = await poll(c, 0, 10);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ channel: c.channel, version: 1, type: 'bumped', data: { value: 1 } });
  });

  it('answers 204 when nothing changes within wait', async () => {
    const c = await counter();
    const res = await poll(c, 1, 1);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('holds the request and answers with the next version when it changes', async () => {
    const c = await counter();
    const pending = poll(c, 1, 20);
    await until(() => node.services.live.stats().polls > 0, 'the poll to be held', 5000);
    await bump(c.id);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { version: number }).version).toBe(2);
  });

  it('resumes with after = last version seen, never answering an older one', async () => {
    const c = await counter();
    await bump(c.id);
    await bump(c.id); // 3
    const seen: number[] = [];
    let after = 0;
    for (let i = 0; i < 2; i++) {
      if (i === 1) void bump(c.id);
      const res = await poll(c, after, 5);
      expect(res.status).toBe(200);
      after = ((await res.json()) as { version: number }).version;
      seen.push(after);
    }
    expect(seen).toEqual([3, 4]);
  });
});
