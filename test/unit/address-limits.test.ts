import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/http/client-address.js';
import { AddressLimits } from '../../src/live/address-limits.js';

describe('addressKey', () => {
  it('keeps IPv4 addresses and unwraps IPv4-mapped IPv6', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('counts an IPv6 host by its /64, however the address is written', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('AddressLimits', () => {
  it('admits up to the open-socket bound per key and again after one closes', () => {
    const limits = new AddressLimits(2, 1000, () => 0);
    for (let i = 0; i < 2; i++) {
      expect(limits.admit('a')).toEqual({ ok: true });
      limits.opened('a');
    }
    expect(limits.admit('a')).toMatchObject({ ok: false, reason: 'sockets' });
    expect(limits.admit('b')).toEqual({ ok: true });
    limits.closed('a');
    expect(limits.admit('a')).toEqual({ ok: true });
    limits.stop();
  });

  it('allows a burst of upgradesPerMinute, then refills evenly over the minute', () => {
    let now = 0;
    const limits = new AddressLimits(1000, 60, () => now);
    for (let i = 0; i < 60; i++) expect(limits.admit('a').ok).toBe(true);
    expect(limits.admit('a')).toEqual({ ok: false, reason: 'rate', retryAfterSeconds: 1 });
    now += 1000; // one upgrade per second comes back
    expect(limits.admit('a').ok).toBe(true);
    expect(limits.admit('a').ok).toBe(false);
    limits.stop();
  });
});
