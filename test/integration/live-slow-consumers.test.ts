/**
 * Sockets that stop reading are cut off as soon as their unsent data passes
 * SCANPASS_LIVE_MAX_BUFFERED_BYTES, all of them in the same moment, while a
 * healthy subscriber of the same channel keeps receiving every version. (What
 * dropping thousands at once costs the event loop is in `npm run bench:live`,
 * phase sp-slow.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openRawSocket } from '../support/raw-socket.js';
import { startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const SLOW = 40;
const CHANNEL = 'big:1';
const FRAME_BYTES = 256 * 1024;

let node: Node;
let version = 1;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  node = await startTestNode({ liveMaxBufferedBytes: 64 * 1024 });
  // A channel with large states, kept in memory: the store is not what this is about.
  node.services.live.registry.register('big', async () => ({ version, type: 'init', data: {} }));
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await node?.close();
});

describe('slow consumers', () => {
  it(`cuts off ${SLOW} sockets that stopped reading, together, and keeps delivering every version to a healthy one`, async () => {
    const token = node.services.live.grant(CHANNEL).token;
    const healthy = await openRawSocket(node.url);
    sockets.push(healthy.ws);
    healthy.send({ op: 'sub', channel: CHANNEL, token });
    await until(() => healthy.frames.find((f) => f.version === 1), 'the healthy snapshot', 5000);

    const slow = await Promise.all(
      Array.from({ length: SLOW }, async () => {
        const s = await openRawSocket(node.url);
        sockets.push(s.ws);
        s.send({ op: 'sub', channel: CHANNEL, token });
        await until(() => s.frames.find((f) => f.version === 1), 'a slow snapshot', 5000);
        s.ws.pause(); // reads nothing from here on
        return s;
      }),
    );
    expect(node.services.live.stats().websockets).toBe(SLOW + 1);

    const pad = 'x'.repeat(FRAME_BYTES);
    const published: number[] = [];
    // Publish until the node has let every slow socket go (kernel buffers take some frames first).
    await until(
      async () => {
        if (node.services.live.stats().websockets === 1) return true;
        version++;
        published.push(version);
        node.services.live.publish({ channel: CHANNEL, version, type: 'big', data: { pad } });
        await new Promise((r) => setTimeout(r, 20));
        return false;
      },
      'every slow socket cut off',
      20_000,
    );
    await until(() => node.services.live.stats().subscriptions === 1, 'their subscriptions let go', 5000);
    // Reading again, each slow client finds its connection cut (1006, no close frame): a close
    // frame would have waited behind the data it was not reading.
    for (const s of slow) s.ws.resume();
    expect(new Set(await Promise.all(slow.map((s) => s.closed)))).toEqual(new Set([1006]));

    // The healthy subscriber got every version, in order, and is still served.
    await until(() => healthy.frames.at(-1)?.version === version, 'the last version on the healthy socket', 10_000);
    expect(healthy.frames.map((f) => f.version)).toEqual([1, ...published]);
    version++;
    node.services.live.publish({ channel: CHANNEL, version, type: 'big', data: { small: true } });
    await until(() => healthy.frames.at(-1)?.version === version, 'a version after the drop', 5000);
  }, 60_000);

  it('cuts off a socket that floods bad frames and reads none of the error answers', async () => {
    const before = node.services.live.stats().websockets;
    const flooder = await openRawSocket(node.url);
    sockets.push(flooder.ws);
    flooder.ws.pause();
    await until(() => node.services.live.stats().websockets === before + 1, 'the flooder counted', 5000);
    // Each bad frame is answered with an error frame the flooder never reads; they pile up
    // until the buffer bound, then the socket is cut off instead of growing without end.
    const junk = JSON.stringify({ op: 'junk', pad: 'x'.repeat(200) });
    await until(
      async () => {
        if (node.services.live.stats().websockets === before) return true;
        if (flooder.ws.readyState !== WebSocket.OPEN) return false;
        for (let i = 0; i < 2000; i++) flooder.ws.send(junk);
        await new Promise((r) => setTimeout(r, 5));
        return false;
      },
      'the flooder cut off',
      30_000,
    );
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
