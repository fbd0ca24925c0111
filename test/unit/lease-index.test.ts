import { describe, expect, it } from 'vitest';
import { LeaseIndex, type Lease } from '../../src/live/lease-index.js';

const T0 = 1_800_000_000_000;
const lease = (channel: string, grants: string[], exp = T0 + 60_000): Lease => ({ channel, sub: { send: () => {} }, has: 0, exp, grants, ended: null, second: 0 });

describe('lease index', () => {
  it('finds the leases of a grant whether it carries one, several or none, as they come and go', () => {
    const idx = new LeaseIndex(T0);
    const a = lease('pass:1', ['link:a']);
    const b = lease('pass:1', ['link:a', 'user:u']);
    const c = lease('pass:2', ['user:u']);
    idx.add(a);
    expect(idx.under('link:a')).toEqual([a]);
    idx.add(a); // the same lease again changes nothing
    expect(idx.under('link:a')).toEqual([a]);
    idx.add(b);
    idx.add(c);
    expect(new Set(idx.under('link:a'))).toEqual(new Set([a, b]));
    expect(new Set(idx.under('user:u'))).toEqual(new Set([b, c]));
    expect(idx.under('user:u', 'pass:2')).toEqual([c]);
    idx.remove(a);
    expect(idx.under('link:a')).toEqual([b]);
    idx.remove(b);
    expect(idx.under('link:a')).toEqual([]);
    expect(idx.under('user:u')).toEqual([c]);
    idx.remove(c);
    idx.remove(c); // twice is harmless
    expect(idx.under('user:u')).toEqual([]);
    expect(idx.under('never')).toEqual([]);
  });

  it('hands out expired leases by second, and a removed one never', () => {
    const idx = new LeaseIndex(T0);
    const soon = lease('a:1', [], T0 + 1500);
    const gone = lease('a:2', [], T0 + 1500);
    const later = lease('a:3', [], T0 + 10_000);
    for (const l of [soon, gone, later]) idx.add(l);
    idx.remove(gone);
    expect(idx.due(T0 + 1000, 10)).toEqual([]);
    expect(idx.due(T0 + 2000, 10)).toEqual([soon]);
    expect(idx.due(T0 + 20_000, 10)).toEqual([later]);
  });
});
