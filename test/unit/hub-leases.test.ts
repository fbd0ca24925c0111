/**
 * A subscription lasts no longer than the token it was opened with: the hub
 * ends it when the token expires or when a right it was minted under is
 * revoked, and refuses such tokens afterwards.
 */
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/live-event.js';
import { deviceGrant, userGrant } from '../../src/domain/live-grant.js';
import { ChannelRegistry } from '../../src/live/channel-registry.js';
import { ChannelTokens } from '../../src/live/channel-token.js';
import { LiveHub, type Subscriber } from '../../src/live/hub.js';
import { MemoryBus } from '../../src/live/memory-bus.js';

const DEVICE = deviceGrant('7f1c2a4e-0d1b-4c8e-9a55-2f3b6c7d8e9f');
const USER = userGrant('0b8f3d6e-1111-4a2b-8c3d-4e5f60718293');

function setup() {
  let now = 1_700_000_000_000;
  const registry = new ChannelRegistry();
  registry.register('doc', async (id) => ({ version: 1, type: 'changed', data: { id } }));
  const hub = new LiveHub(new MemoryBus(), registry, { now: () => now });
  const tokens = new ChannelTokens(Buffer.alloc(32, 3), () => now, 60);
  const claims = (channel: string, grants: string[], ttl = 60) => tokens.verify(channel, tokens.mint(channel, ttl, { grants }).token);
  return { hub, claims, advance: (ms: number) => (now += ms), now: () => now };
}

function watcher() {
  const got: LiveEvent[] = [];
  const ended: { channel: string; code: string }[] = [];
  const sub: Subscriber = { send: (_version, frame) => got.push(JSON.parse(frame) as LiveEvent), end: (channel, code) => ended.push({ channel, code }) };
  return { sub, got, ended };
}

describe('live hub leases', () => {
  it('ends a subscription when its token expires, and no sooner', async () => {
    const t = setup();
    const w = watcher();
    await t.hub.subscribe('doc:a', w.sub, 0, t.claims('doc:a', [], 30));
    t.advance(29_000);
    t.hub.sweep();
    expect(w.ended).toEqual([]);
    t.advance(1_000);
    t.hub.sweep();
    expect(w.ended).toEqual([{ channel: 'doc:a', code: 'token_expired' }]);
    expect(t.hub.stats()).toEqual({ channels: 0, subscriptions: 0 });
  });

  it('ends every subscription opened under a revoked grant and refuses its tokens afterwards', async () => {
    const t = setup();
    const device = watcher();
    const other = watcher();
    const deviceClaims = t.claims('doc:a', [DEVICE]);
    await t.hub.subscribe('doc:a', device.sub, 0, deviceClaims);
    await t.hub.subscribe('doc:b', device.sub, 0, t.claims('doc:b', [DEVICE]));
    await t.hub.subscribe('doc:a', other.sub, 0, t.claims('doc:a', [USER]));
    t.advance(5_000);
    await t.hub.revoke({ grant: DEVICE, at: t.now() });
    expect(device.ended).toEqual([
      { channel: 'doc:a', code: 'access_revoked' },
      { channel: 'doc:b', code: 'access_revoked' },
    ]);
    expect(other.ended).toEqual([]);
    expect(t.hub.stats().subscriptions).toBe(1);
    await expect(t.hub.subscribe('doc:a', watcher().sub, 0, deviceClaims)).rejects.toMatchObject({ code: 'access_revoked' });
  });

  it('scopes a revocation to one channel when it names one, and accepts tokens minted after it', async () => {
    const t = setup();
    const staff = watcher();
    await t.hub.subscribe('doc:a', staff.sub, 0, t.claims('doc:a', [USER]));
    await t.hub.subscribe('doc:b', staff.sub, 0, t.claims('doc:b', [USER]));
    await t.hub.revoke({ grant: USER, channel: 'doc:a', at: t.now() });
    expect(staff.ended).toEqual([{ channel: 'doc:a', code: 'access_revoked' }]);
    expect(t.hub.has('doc:b', staff.sub)).toBe(true);
    // Assigned again later: a fresh token works.
    t.advance(2_000);
    await expect(t.hub.subscribe('doc:a', watcher().sub, 0, t.claims('doc:a', [USER]))).resolves.toBeUndefined();
  });

  it('refuses every token of a grant revoked for good, even one minted on a node whose clock runs ahead', async () => {
    const t = setup();
    const ahead = t.claims('doc:a', [DEVICE]);
    await t.hub.revoke({ grant: DEVICE, at: t.now() - 5_000 });
    await expect(t.hub.subscribe('doc:a', watcher().sub, 0, ahead)).rejects.toMatchObject({ code: 'access_revoked' });
  });

  it('refuses a subscription revoked while its snapshot was loading, saying so once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const registry = new ChannelRegistry();
    registry.register('doc', async () => {
      await gate;
      return { version: 1, type: 'changed', data: {} };
    });
    const hub = new LiveHub(new MemoryBus(), registry);
    const tokens = new ChannelTokens(Buffer.alloc(32, 3), Date.now, 60);
    const w = watcher();
    const opening = hub.subscribe('doc:slow', w.sub, 0, tokens.verify('doc:slow', tokens.mint('doc:slow', 60, { grants: [DEVICE] }).token));
    await hub.revoke({ grant: DEVICE, at: Date.now() });
    release();
    await expect(opening).rejects.toMatchObject({ code: 'access_revoked' });
    expect(w.ended).toEqual([]);
    expect(w.got).toEqual([]);
    expect(hub.stats()).toEqual({ channels: 0, subscriptions: 0 });
  });

  it('hears revocations from other nodes over the bus', async () => {
    const t = setup();
    const w = watcher();
    const bus = (t.hub as unknown as { bus: MemoryBus }).bus;
    await t.hub.subscribe('doc:a', w.sub, 0, t.claims('doc:a', [DEVICE]));
    await bus.publishRevocation({ grant: DEVICE, at: t.now() });
    expect(w.ended).toEqual([{ channel: 'doc:a', code: 'access_revoked' }]);
  });
});
