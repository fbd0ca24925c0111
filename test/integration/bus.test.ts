/**
 * The buses that carry "channel X is now at version N" between nodes: one
 * conformance suite over MemoryBus and RedisBus, plus what RedisBus must do
 * when Redis itself restarts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/live-event.js';
import type { Revocation } from '../../src/domain/live-grant.js';
import type { Bus } from '../../src/live/bus.js';
import { MemoryBus } from '../../src/live/memory-bus.js';
import { RedisBus } from '../../src/live/redis-bus.js';
import { available, TEST_REDIS_URL } from '../support/env.js';
import { PrivateRedis } from '../support/redis-server.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';

const REDIS = available('redis', !!TEST_REDIS_URL);

/** Records every event a bus hands back. */
function recorder(bus: Bus) {
  const events: LiveEvent[] = [];
  bus.onEvent((e) => events.push(e));
  return {
    events,
    of: (channel: string) => events.filter((e) => e.channel === channel),
    has: (channel: string, version: number) => events.some((e) => e.channel === channel && e.version === version),
  };
}

const ev = (channel: string, version: number): LiveEvent => ({ channel, version, type: 'bumped', data: { value: version, note: 'ünïcode ✓' } });

interface BusKind {
  name: string;
  enabled: boolean;
  /**
   * Two nodes' buses. For the memory bus there is only one node, so both
   * ends are the same bus.
   */
  pair(): Promise<{ a: Bus; b: Bus }>;
}

const opened: Bus[] = [];
afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((b) => b.close()));
});

async function redisBus(url: string, prefix: string): Promise<RedisBus> {
  const bus = new RedisBus({ url, prefix });
  opened.push(bus);
  await bus.ready();
  return bus;
}

const kinds: BusKind[] = [
  {
    name: 'MemoryBus',
    enabled: true,
    async pair() {
      const bus = new MemoryBus();
      opened.push(bus);
      return { a: bus, b: bus };
    },
  },
  {
    name: 'RedisBus',
    enabled: REDIS,
    async pair() {
      // A prefix of our own: other suites may share this Redis.
      const prefix = `scanpass-test:${randomBytes(6).toString('hex')}:`;
      const [a, b] = await Promise.all([redisBus(TEST_REDIS_URL!, prefix), redisBus(TEST_REDIS_URL!, prefix)]);
      return { a, b };
    },
  },
];

for (const kind of kinds) {
  describe.skipIf(!kind.enabled)(`${kind.name} conformance`, () => {
    it('delivers an event published to a subscribed channel to onEvent, intact', async () => {
      const { a, b } = await kind.pair();
      const got = recorder(a);
      await a.subscribe('counter:one');
      const event = ev('counter:one', 7);
      await b.publish(event);
      await until(() => got.has('counter:one', 7), 'the event');
      expect(got.of('counter:one')).toEqual([event]);
    });

    it('delivers events of one channel in the order they were published', async () => {
      const { a, b } = await kind.pair();
      const got = recorder(a);
      await a.subscribe('counter:order');
      for (let v = 1; v <= 50; v++) await b.publish(ev('counter:order', v));
      await until(() => got.has('counter:order', 50), 'the last event');
      expect(got.of('counter:order').map((e) => e.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('hands each event to every onEvent handler', async () => {
      const { a, b } = await kind.pair();
      const first = recorder(a);
      const second = recorder(a);
      await a.subscribe('counter:two');
      await b.publish(ev('counter:two', 1));
      await until(() => first.has('counter:two', 1) && second.has('counter:two', 1), 'both handlers');
    });

    it('delivers a revocation to every node, whatever channels it serves', async () => {
      const { a, b } = await kind.pair();
      const got: Revocation[] = [];
      a.onRevocation((r) => got.push(r));
      const revocation: Revocation = { grant: 'd:AbC_-9', channel: 'session:one', at: 1_700_000_000_123 };
      await b.publishRevocation(revocation);
      await b.publishRevocation({ grant: 'k:xyz', at: 5 });
      await until(() => got.length === 2, 'both revocations');
      expect(got).toEqual([revocation, { grant: 'k:xyz', at: 5 }]);
      // Not a channel event.
      expect(recorder(a).events).toEqual([]);
    });

    it('reports itself healthy while connected', async () => {
      const { a, b } = await kind.pair();
      expect(a.healthy()).toBe(true);
      expect(b.healthy()).toBe(true);
    });

    it('closes cleanly, and a closed bus delivers nothing more', async () => {
      const { a } = await kind.pair();
      const got = recorder(a);
      await a.subscribe('counter:closed');
      await a.close();
      await a.publish(ev('counter:closed', 1)).catch(() => {});
      await new Promise((r) => setImmediate(r));
      expect(got.events).toEqual([]);
    });
  });
}

describe.skipIf(!REDIS)('RedisBus between nodes', () => {
  let prefix: string;
  beforeAll(() => {
    prefix = `scanpass-test:${randomBytes(6).toString('hex')}:`;
  });

  it('does not deliver channels this node never subscribed or has unsubscribed', async () => {
    const a = await redisBus(TEST_REDIS_URL!, prefix);
    const b = await redisBus(TEST_REDIS_URL!, prefix);
    const got = recorder(a);
    await a.subscribe('counter:served');
    await a.subscribe('counter:dropped');
    await a.unsubscribe('counter:dropped');
    await b.publish(ev('counter:never', 1));
    await b.publish(ev('counter:dropped', 1));
    // Redis keeps one publisher's order on a subscriber connection: once the
    // last event is in, the earlier ones would have been too.
    await b.publish(ev('counter:served', 1));
    await until(() => got.has('counter:served', 1), 'the served event');
    expect(got.events.map((e) => e.channel)).toEqual(['counter:served']);
  });

  it('lets two nodes see each other’s events', async () => {
    const a = await redisBus(TEST_REDIS_URL!, prefix);
    const b = await redisBus(TEST_REDIS_URL!, prefix);
    const atA = recorder(a);
    const atB = recorder(b);
    await Promise.all([a.subscribe('counter:shared'), b.subscribe('counter:shared')]);
    await a.publish(ev('counter:shared', 1));
    await b.publish(ev('counter:shared', 2));
    await until(() => atA.has('counter:shared', 2) && atB.has('counter:shared', 2), 'both events on both nodes');
    for (const got of [atA, atB]) expect(got.of('counter:shared').map((e) => e.version)).toEqual([1, 2]);
  });

  it('keeps deployments with different prefixes apart', async () => {
    const a = await redisBus(TEST_REDIS_URL!, prefix);
    const stranger = await redisBus(TEST_REDIS_URL!, `${prefix}other:`);
    const got = recorder(a);
    await a.subscribe('counter:p');
    await stranger.publish(ev('counter:p', 99));
    await a.publish(ev('counter:p', 1));
    await until(() => got.has('counter:p', 1), 'our own event');
    expect(got.of('counter:p').map((e) => e.version)).toEqual([1]);
  });

  it('ignores messages on its channels that are not live events', async () => {
    const a = await redisBus(TEST_REDIS_URL!, prefix);
    const got = recorder(a);
    await a.subscribe('counter:junk');
    const { Redis } = await import('ioredis');
    const raw = new Redis(TEST_REDIS_URL!);
    try {
      await raw.publish(`${prefix}counter:junk`, 'not json');
      await raw.publish(`${prefix}counter:junk`, JSON.stringify({ channel: 'counter:junk', version: 'x' }));
      await raw.publish(`${prefix}counter:junk`, JSON.stringify(ev('counter:junk', 3)));
    } finally {
      raw.disconnect();
    }
    await until(() => got.has('counter:junk', 3), 'the valid event');
    expect(got.events).toHaveLength(1);
  });
});

describe.skipIf(!REDIS)('RedisBus when Redis restarts', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    await Promise.allSettled(opened.splice(0).map((b) => b.close()));
    await redis?.kill();
  });

  it('asks for a resync after reconnecting and delivers events published after the restart', async () => {
    const a = await redisBus(redis.url, 'scanpass:live:');
    const b = await redisBus(redis.url, 'scanpass:live:');
    const got = recorder(a);
    let resyncs = 0;
    a.onResync(() => resyncs++);
    await a.subscribe('counter:r');
    await a.subscribe('counter:s');
    await b.publish(ev('counter:r', 1));
    await until(() => got.has('counter:r', 1), 'the event before the restart');
    expect(resyncs).toBe(0);

    await redis.kill();
    await until(() => !a.healthy(), 'the bus to notice Redis is gone');
    // A channel first served while Redis is down is subscribed on reconnect too.
    await a.subscribe('counter:t');
    await redis.start();

    await until(() => resyncs > 0, 'onResync after the reconnect', 15_000);
    expect(a.healthy()).toBe(true);
    await b.publish(ev('counter:r', 2));
    await b.publish(ev('counter:s', 1));
    await b.publish(ev('counter:t', 1));
    await until(() => got.has('counter:r', 2) && got.has('counter:s', 1) && got.has('counter:t', 1), 'events after the restart', 15_000);
    expect(got.of('counter:r').map((e) => e.version)).toEqual([1, 2]);
  });

  it('holds a revocation made while this node cannot reach Redis and sends it once Redis is back', async () => {
    // Only A loses Redis (through a proxy it alone uses); B stays connected and must hear A's revocation.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
    try {
      const a = await redisBus(`redis://127.0.0.1:${proxy.port}`, 'scanpass:live:');
      const b = await redisBus(redis.url, 'scanpass:live:');
      const heard: Revocation[] = [];
      b.onRevocation((r) => heard.push(r));

      await proxy.cut();
      await until(() => !a.healthy(), 'A to notice Redis is gone');
      const revocation: Revocation = { grant: 'd:held-while-down', at: 1_700_000_000_000 };
      await a.publishRevocation(revocation); // neither throws nor is lost
      expect(heard).toEqual([]);

      await proxy.restore();
      await until(() => heard.length === 1, 'the held revocation on B', 15_000);
      expect(heard).toEqual([revocation]);
    } finally {
      await proxy.close();
    }
  });

  it("holds the newest event of each channel published while this node's publisher is away, and sends it once it is back", async () => {
    // B already resynced (it never lost Redis): a change A makes meanwhile must still reach it.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
    try {
      const a = await redisBus(`redis://127.0.0.1:${proxy.port}`, 'scanpass:live:');
      const b = await redisBus(redis.url, 'scanpass:live:');
      const got = recorder(b);
      await b.subscribe('counter:h');
      await b.subscribe('counter:i');

      await proxy.cut();
      await until(() => !a.healthy(), 'A to notice Redis is gone');
      await a.publish(ev('counter:h', 1)); // neither throws nor is lost
      await a.publish(ev('counter:h', 3));
      await a.publish(ev('counter:h', 2)); // older than what is held: never sent
      await a.publish(ev('counter:i', 7));
      expect(got.of('counter:h')).toEqual([]);

      await proxy.restore();
      await until(() => got.has('counter:h', 3) && got.has('counter:i', 7), 'the held events on B', 15_000);
      expect(got.of('counter:h').map((e) => e.version)).toEqual([3]);
      expect(got.of('counter:i').map((e) => e.version)).toEqual([7]);
    } finally {
      await proxy.close();
    }
  });
});
