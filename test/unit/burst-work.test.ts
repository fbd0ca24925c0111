/**
 * The pieces that keep a burst of subscribes and drops from holding the
 * event loop: the sliced work queue, the limit on channel opens, and the hub
 * using it without leaving the bus subscribed for nobody.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Bus } from '../../src/live/bus.js';
import { ChannelRegistry } from '../../src/live/channel-registry.js';
import { ConcurrencyLimit } from '../../src/live/concurrency-limit.js';
import { LiveHub } from '../../src/live/hub.js';
import { MemoryBus } from '../../src/live/memory-bus.js';
import { SlicedQueue } from '../../src/live/sliced-queue.js';

describe('SlicedQueue', () => {
  it('runs an item at once when nothing waits, and in order behind the rest when something does', async () => {
    const done: number[] = [];
    const q = new SlicedQueue<number>((n) => done.push(n), () => {});
    q.runOrPush(1);
    expect(done).toEqual([1]);
    q.push(2);
    q.runOrPush(3); // must not overtake 2
    expect(done).toEqual([1]);
    await nextTurn();
    await nextTurn();
    expect(done).toEqual([1, 2, 3]);
  });

  it('yields to the event loop between slices, and keeps going after an item throws', async () => {
    const done: number[] = [];
    const errors: unknown[] = [];
    const q = new SlicedQueue<number>(
      (n) => {
        if (n === 2) throw new Error('boom');
        done.push(n);
      },
      (err) => errors.push(err),
      4,
      3,
    );
    for (let i = 0; i < 10; i++) q.push(i);
    await nextTurn();
    expect(done).toEqual([0, 1]); // three items per slice at most, one of them threw
    expect(q.length).toBe(7);
    while (q.length > 0) await nextTurn();
    expect(done).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 9]);
    expect(errors).toHaveLength(1);
  });
});

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once, the rest in the order they came', async () => {
    const limit = new ConcurrencyLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await nextTurn();
      running--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => limit.run(task(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(2);
    expect(limit.queued).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await limit.run(async () => 'next')).toBe('next');
  });
});

describe('hub channel opens under a burst', () => {
  it('never subscribes the bus for a channel everyone left before its open began', async () => {
    const subscribed = new Set<string>();
    const memory = new MemoryBus();
    const bus: Bus = Object.assign(Object.create(memory) as Bus, {
      subscribe: async (c: string) => void subscribed.add(c),
      unsubscribe: async (c: string) => void subscribed.delete(c),
    });
    const registry = new ChannelRegistry();
    registry.register('doc', async () => ({ version: 1, type: 'init', data: {} }));
    const hub = new LiveHub(bus, registry);
    const sub = { send: () => {} };
    // Far more new channels than may open at once; all but the first few wait their turn.
    const pending = Array.from({ length: 50 }, (_, i) => hub.subscribe(`doc:${i}`, sub));
    for (let i = 10; i < 50; i++) hub.unsubscribe(`doc:${i}`, sub);
    // Those that left are not told the channel does not exist: their subscribe just ends.
    await Promise.all(pending);
    expect([...subscribed].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `doc:${i}`).sort());
    expect(hub.stats()).toMatchObject({ channels: 10, subscriptions: 10 });
    hub.close();
  });
});
