import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatUserCode, generateUserCode, normaliseUserCode, USER_CODE_ALPHABET } from '../../src/domain/user-code.js';

const random = { bytes: (n: number) => randomBytes(n) };

describe('user codes', () => {
  it('are 8 letters of the consonant alphabet, shown as XXXX-XXXX', () => {
    const code = generateUserCode(random);
    expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    expect(formatUserCode(code)).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
  });

  it('use every letter about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) for (const ch of generateUserCode(random)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(USER_CODE_ALPHABET.length);
    const expected = (5000 * 8) / 20;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.15);
  });

  it('accept what people type: lower case, spaces and dashes', () => {
    expect(normaliseUserCode('bcdf-ghjk')).toBe('BCDFGHJK');
    expect(normaliseUserCode(' BCDF GHJK ')).toBe('BCDFGHJK');
  });

  it.each(['BCDF-GHJ', 'BCDF-GHJKL', 'ABCD-EFGH', '0000-0000', '', null, 42, 'x'.repeat(100)])('refuse %j', (input) => {
    expect(normaliseUserCode(input)).toBeNull();
  });
});
