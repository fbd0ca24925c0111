import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/live-event.js';
import { ChannelRegistry } from '../../src/live/channel-registry.js';
import { LiveHub, type Subscriber } from '../../src/live/hub.js';
import { MemoryBus } from '../../src/live/memory-bus.js';

/** A store of channel states the test controls. */
function setup() {
  const state = new Map<string, number>();
  let loads = 0;
  let failNext = false;
  const registry = new ChannelRegistry();
  registry.register('doc', async (id) => {
    loads++;
    if (failNext) {
      failNext = false;
      throw new Error('store down');
    }
    const v = state.get(id);
    return v === undefined ? null : { version: v, type: 'changed', data: { v } };
  });
  const bus = new MemoryBus();
  const hub = new LiveHub(bus, registry);
  const publish = (id: string, v: number) => {
    state.set(id, v);
    return hub.publish({ channel: `doc:${id}`, version: v, type: 'changed', data: { v } });
  };
  return { hub, state, publish, loads: () => loads, failNextLoad: () => (failNext = true) };
}

const collector = () => {
  const got: LiveEvent[] = [];
  const sub: Subscriber = { send: (_version, frame) => got.push(JSON.parse(frame) as LiveEvent) };
  return { sub, versions: () => got.map((e) => e.version), got };
};

describe('live hub', () => {
  it('sends the snapshot first, then every newer version', async () => {
    const t = setup();
    t.state.set('a', 3);
    const c = collector();
    await t.hub.subscribe('doc:a', c.sub);
    await t.publish('a', 4);
    await t.publish('a', 5);
    expect(c.versions()).toEqual([3, 4, 5]);
    expect(c.got[0]).toEqual({ channel: 'doc:a', version: 3, type: 'changed', data: { v: 3 } });
  });

  it('skips what the subscriber already has and never goes back', async () => {
    const t = setup();
    t.state.set('a', 5);
    const c = collector();
    await t.hub.subscribe('doc:a', c.sub, 5);
    await t.hub.publish({ channel: 'doc:a', version: 4, type: 'old', data: {} });
    await t.hub.publish({ channel: 'doc:a', version: 5, type: 'dup', data: {} });
    expect(c.versions()).toEqual([]);
    await t.publish('a', 6);
    expect(c.versions()).toEqual([6]);
  });

  it('reads the store once for many subscribers of one channel', async () => {
    const t = setup();
    t.state.set('a', 1);
    const subs = Array.from({ length: 50 }, collector);
    await Promise.all(subs.map((c) => t.hub.subscribe('doc:a', c.sub)));
    expect(t.loads()).toBe(1);
    expect(subs.every((c) => c.versions().join() === '1')).toBe(true);
  });

  it('refuses unknown kinds, malformed names and missing channels', async () => {
    const t = setup();
    const c = collector();
    await expect(t.hub.subscribe('nope:a', c.sub)).rejects.toMatchObject({ code: 'unknown_channel' });
    await expect(t.hub.subscribe('doc', c.sub)).rejects.toMatchObject({ code: 'unknown_channel' });
    await expect(t.hub.subscribe('doc:missing', c.sub)).rejects.toMatchObject({ code: 'unknown_channel' });
    expect(t.hub.stats()).toEqual({ channels: 0, subscriptions: 0 });
  });

  it('reports a store failure as unavailable and lets the next subscriber try again', async () => {
    const t = setup();
    t.state.set('a', 1);
    t.failNextLoad();
    await expect(t.hub.subscribe('doc:a', collector().sub)).rejects.toMatchObject({ code: 'unavailable' });
    const c = collector();
    await t.hub.subscribe('doc:a', c.sub);
    expect(c.versions()).toEqual([1]);
  });

  it('forgets a channel when its last subscriber leaves', async () => {
    const t = setup();
    t.state.set('a', 1);
    const c1 = collector();
    const c2 = collector();
    await t.hub.subscribe('doc:a', c1.sub);
    await t.hub.subscribe('doc:a', c2.sub);
    t.hub.unsubscribe('doc:a', c1.sub);
    await t.publish('a', 2);
    expect(c1.versions()).toEqual([1]);
    expect(c2.versions()).toEqual([1, 2]);
    t.hub.unsubscribe('doc:a', c2.sub);
    expect(t.hub.stats()).toEqual({ channels: 0, subscriptions: 0 });
  });

  it('heals from the store on resync when the bus lost an event', async () => {
    const t = setup();
    t.state.set('a', 1);
    const c = collector();
    await t.hub.subscribe('doc:a', c.sub);
    t.state.set('a', 7); // committed, but its event never arrived
    await t.hub.resync();
    expect(c.versions()).toEqual([1, 7]);
  });

  it('keeps delivering to others when one subscriber throws', async () => {
    const t = setup();
    t.state.set('a', 1);
    const bad: Subscriber = { send: () => { throw new Error('broken pipe'); } };
    const c = collector();
    await t.hub.subscribe('doc:a', bad).catch(() => {});
    await t.hub.subscribe('doc:a', c.sub);
    await t.publish('a', 2);
    expect(c.versions()).toEqual([1, 2]);
  });
});
