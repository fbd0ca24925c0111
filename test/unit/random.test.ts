import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomInt, randomUuid, timeOrderedUuid, type Random } from '../../src/domain/random.js';

const system: Random = { bytes: (n) => randomBytes(n) };

/** Hands out the given bytes in order: what a test passes in to make a node's ids and numbers repeatable. */
function scripted(bytes: number[]): Random & { used(): number } {
  let at = 0;
  return {
    bytes(n) {
      if (at + n > bytes.length) throw new Error('script ran out of bytes');
      const out = Uint8Array.from(bytes.slice(at, at + n));
      at += n;
      return out;
    },
    used: () => at,
  };
}

describe('randomInt', () => {
  it('stays in [0, n) and reaches every value', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = randomInt(system, 7);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(7);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
  });

  it('draws again above the last whole multiple of n, so no value is favoured', () => {
    // 2^32 % 3 = 1: 0xFFFFFFFF is the one value past the last multiple of 3 and must be redrawn.
    const r = scripted([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 5]);
    expect(randomInt(r, 3)).toBe(5 % 3);
    expect(r.used()).toBe(8);
  });

  it('is repeatable from the same bytes', () => {
    const bytes = [...randomBytes(64)];
    const a = scripted(bytes);
    const b = scripted(bytes);
    expect(Array.from({ length: 10 }, () => randomInt(a, 90))).toEqual(Array.from({ length: 10 }, () => randomInt(b, 90)));
  });

  it.each([0, -1, 1.5, 2 ** 32 + 1])('refuses the bound %s', (n) => {
    expect(() => randomInt(system, n)).toThrow(RangeError);
  });
});

describe('randomUuid', () => {
  it('is a version 4, variant 1 UUID', () => {
    for (let i = 0; i < 100; i++) expect(randomUuid(system)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('comes from the injected bytes alone', () => {
    expect(randomUuid(scripted(Array.from({ length: 16 }, () => 0xff)))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(randomUuid(scripted(Array.from({ length: 16 }, () => 0)))).toBe('00000000-0000-4000-8000-000000000000');
  });
});

describe('timeOrderedUuid', () => {
  it('is a version 7, variant 1 UUID whose first 48 bits are the time in ms', () => {
    const t = Date.UTC(2026, 11, 1, 6, 30);
    const id = timeOrderedUuid(system, t);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(t);
  });

  it('sorts by time as text, and ids of one millisecond differ', () => {
    const t = 1_800_000_000_000;
    const times = [t + 86_400_000, t + 1000, t + 1, t, 256, 255, 0];
    const ids = times.map((ms) => timeOrderedUuid(system, ms));
    expect([...ids].sort()).toEqual([...ids].reverse());
    expect(timeOrderedUuid(system, t)).not.toBe(timeOrderedUuid(system, t));
  });

  it('comes from the time and the injected bytes alone, and refuses a time it cannot hold', () => {
    expect(timeOrderedUuid(scripted(Array.from({ length: 16 }, () => 0xff)), 0)).toBe('00000000-0000-7fff-bfff-ffffffffffff');
    expect(timeOrderedUuid(scripted(Array.from({ length: 16 }, () => 0)), 2 ** 48 - 1)).toBe('ffffffff-ffff-7000-8000-000000000000');
    for (const bad of [-1, 1.5, 2 ** 48, Number.NaN]) expect(() => timeOrderedUuid(system, bad)).toThrow(RangeError);
  });
});
