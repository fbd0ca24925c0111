import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkEntranceCode,
  ENTRANCE_ACCEPT_SECONDS,
  ENTRANCE_EARLY_SECONDS,
  ENTRANCE_KEY_BYTES,
  ENTRANCE_WINDOW_SECONDS,
  entranceCode,
  entranceWindowAt,
  newEntranceKey,
  posterCode,
  verifyEntranceCode,
} from '../../src/domain/entrance-code.js';

const KEY = randomBytes(32);
const QUEUE = randomUUID();
const T0 = Date.UTC(2026, 10, 30, 9, 30, 17, 250);
const W = ENTRANCE_WINDOW_SECONDS * 1000;
const start = (t: number) => entranceWindowAt(t) * W;

describe('entrance codes', () => {
  it('are short and URL-safe, carry their window, and say when they expire and rotate', () => {
    const c = entranceCode(KEY, QUEUE, T0);
    expect(c.code).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{16}$/);
    expect(c.code.length).toBeLessThan(30);
    expect(encodeURIComponent(c.code)).toBe(c.code);
    expect(parseInt(c.code.split('.')[0]!, 36)).toBe(entranceWindowAt(T0));
    expect(c.rotatesAt).toBe(start(T0) + ENTRANCE_WINDOW_SECONDS * 1000);
    expect(c.expiresAt).toBe(start(T0) + ENTRANCE_ACCEPT_SECONDS * 1000);
    // The same window gives the same code; the next window another.
    expect(entranceCode(KEY, QUEUE, start(T0)).code).toBe(c.code);
    expect(entranceCode(KEY, QUEUE, c.rotatesAt).code).not.toBe(c.code);
  });

  it('are accepted for 120 s from their window start (current and previous window), and 5 s early', () => {
    const { code, expiresAt } = entranceCode(KEY, QUEUE, T0);
    const s = start(T0);
    expect(checkEntranceCode(KEY, QUEUE, code, s)).toBe(true);
    expect(checkEntranceCode(KEY, QUEUE, code, s + W)).toBe(true); // the next window: previous code still good
    expect(checkEntranceCode(KEY, QUEUE, code, expiresAt - 1)).toBe(true);
    expect(checkEntranceCode(KEY, QUEUE, code, expiresAt)).toBe(false);
    expect(checkEntranceCode(KEY, QUEUE, code, s - ENTRANCE_EARLY_SECONDS * 1000)).toBe(true);
    expect(checkEntranceCode(KEY, QUEUE, code, s - ENTRANCE_EARLY_SECONDS * 1000 - 1)).toBe(false);
  });

  it('tell a stale or future genuine code (expired) from a forged one (invalid)', () => {
    const { code } = entranceCode(KEY, QUEUE, T0);
    expect(verifyEntranceCode(KEY, QUEUE, code, T0)).toBe('ok');
    expect(verifyEntranceCode(KEY, QUEUE, code, T0 + 10 * W)).toBe('expired');
    // A code of a window more than the skew allowance ahead of this node's clock.
    const future = entranceCode(KEY, QUEUE, T0 + W).code;
    expect(verifyEntranceCode(KEY, QUEUE, future, start(T0))).toBe('expired');
    expect(verifyEntranceCode(KEY, QUEUE, future, start(T0) + W - ENTRANCE_EARLY_SECONDS * 1000)).toBe('ok');
    expect(verifyEntranceCode(randomBytes(32), QUEUE, code, T0)).toBe('invalid');
    expect(verifyEntranceCode(KEY, randomUUID(), code, T0)).toBe('invalid');
  });

  it('stay valid for at least one minute after they are fetched, and never for two', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.integer({ min: 0, max: 60_000 }), (t, d) => {
        const { code, expiresAt } = entranceCode(KEY, QUEUE, t);
        expect(checkEntranceCode(KEY, QUEUE, code, t + d)).toBe(true);
        expect(checkEntranceCode(KEY, QUEUE, code, t + 120_000 + d)).toBe(false);
        expect(expiresAt - t).toBeGreaterThan(60_000);
        expect(expiresAt - t).toBeLessThanOrEqual(120_000);
      }),
    );
  });

  it('verify only for their own queue, key and window', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: -1000, max: 1000 }), (a, b, w, shift) => {
        const at = w * W + 1000;
        const { code } = entranceCode(KEY, a, at);
        expect(checkEntranceCode(KEY, a, code, at)).toBe(true);
        if (a !== b) expect(checkEntranceCode(KEY, b, code, at)).toBe(false);
        // Relabel the code with another window: the MAC no longer matches.
        if (shift !== 0 && w + shift >= 1) {
          const relabelled = `${(w + shift).toString(36)}.${code.split('.')[1]}`;
          expect(verifyEntranceCode(KEY, a, relabelled, (w + shift) * W)).toBe('invalid');
        }
      }),
    );
  });

  it('refuse any single-character change', () => {
    const { code } = entranceCode(KEY, QUEUE, T0);
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';
    for (let i = 0; i < code.length; i++) {
      for (const ch of alphabet) {
        if (ch === code[i]) continue;
        const changed = code.slice(0, i) + ch + code.slice(i + 1);
        expect(checkEntranceCode(KEY, QUEUE, changed, T0), changed).toBe(false);
      }
    }
  });

  it('refuse truncated, padded, re-spelled and foreign input', () => {
    const { code } = entranceCode(KEY, QUEUE, T0);
    const [w, mac] = code.split('.') as [string, string];
    for (const bad of [code.slice(0, -1), code + 'A', ` ${code}`, `${code}\n`, code.toUpperCase(), `0${w}.${mac}`, `${w}..${mac}`, `${w}.${mac}=`, mac, w, '', '.', 'P.', `P.${mac}`, 'sp1.' + mac]) {
      expect(checkEntranceCode(KEY, QUEUE, bad, T0), bad).toBe(false);
    }
  });

  it('refuse any random input without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 64 }), fc.stringMatching(/^[0-9a-z]{1,12}\.[A-Za-z0-9_-]{14,18}$/), fc.anything()), fc.oneof(fc.integer(), fc.double()), (input, now) => {
        expect(checkEntranceCode(KEY, QUEUE, input, now)).toBe(false);
        expect(checkEntranceCode(KEY, QUEUE, input, now, { poster: true })).toBe(false);
      }),
    );
  });

  it('refuse a genuine code when the time is not a time, without throwing', () => {
    const { code } = entranceCode(KEY, QUEUE, T0);
    for (const now of [Number.NaN, Infinity, -Infinity]) expect(checkEntranceCode(KEY, QUEUE, code, now)).toBe(false);
  });

  it('throw on a key too short to be one (a bug, not input)', () => {
    expect(() => entranceCode(new Uint8Array(0), QUEUE, T0)).toThrow(TypeError);
    expect(() => checkEntranceCode(new Uint8Array(8), QUEUE, 'x', T0)).toThrow(TypeError);
    expect(newEntranceKey({ bytes: (n) => randomBytes(n) })).toHaveLength(ENTRANCE_KEY_BYTES);
  });
});

describe('poster codes', () => {
  it('are static and accepted only where posters are enabled', () => {
    const p = posterCode(KEY, QUEUE);
    expect(p).toMatch(/^P\.[A-Za-z0-9_-]{16}$/);
    expect(posterCode(KEY, QUEUE)).toBe(p);
    expect(checkEntranceCode(KEY, QUEUE, p, T0)).toBe(false);
    expect(checkEntranceCode(KEY, QUEUE, p, T0, { poster: false })).toBe(false);
    expect(checkEntranceCode(KEY, QUEUE, p, T0, { poster: true })).toBe(true);
    expect(checkEntranceCode(KEY, QUEUE, p, T0 + 365 * 86400_000, { poster: true })).toBe(true);
  });

  it('belong to one queue and key, and rotating codes still work beside them', () => {
    const p = posterCode(KEY, QUEUE);
    expect(checkEntranceCode(KEY, randomUUID(), p, T0, { poster: true })).toBe(false);
    expect(checkEntranceCode(randomBytes(32), QUEUE, p, T0, { poster: true })).toBe(false);
    expect(checkEntranceCode(KEY, QUEUE, entranceCode(KEY, QUEUE, T0).code, T0, { poster: true })).toBe(true);
    // A rotating code's MAC under the poster prefix is not a poster.
    expect(checkEntranceCode(KEY, QUEUE, `P.${entranceCode(KEY, QUEUE, T0).code.split('.')[1]}`, T0, { poster: true })).toBe(false);
  });
});
