import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519Verifier, EventKeyCache, generateEventKeys, publicKeyObject } from '../../src/flows/checkin/event-keys.js';
import {
  ACCEPT_SECONDS,
  checkDecodedAsync,
  decodePassToken,
  EARLY_SECONDS,
  encodePassToken,
  isFresh,
  PASS_TOKEN_PREFIX,
  upcomingCodes,
  verifyPassToken,
  windowAt,
  WINDOW_SECONDS,
  type PassVerifier,
} from '../../src/domain/pass-token.js';

const keys = generateEventKeys();
const cache = new EventKeyCache();
const EVENT = randomUUID();
const ATTENDEE = randomUUID();
const signer = cache.signer(EVENT, keys.privateKey);
const verifier = cache.verifier(EVENT, keys.privateKey);
const verifierFor = (id: string): PassVerifier | undefined => (id === EVENT ? verifier : undefined);

const T0 = 1_800_000_000_000;
const W0 = windowAt(T0);
const codeAt = (window = W0, attendeeId = ATTENDEE, eventId = EVENT) => encodePassToken({ eventId, attendeeId, window }, signer);

describe('pass token', () => {
  it('round-trips event, attendee and window in a compact code', () => {
    const code = codeAt();
    expect(code.startsWith(PASS_TOKEN_PREFIX)).toBe(true);
    expect(code.length).toBeLessThan(150);
    expect(code).toMatch(/^sp1\.[A-Za-z0-9_-]+$/);
    expect(verifyPassToken(code, verifierFor, T0)).toEqual({ ok: true, claims: { eventId: EVENT, attendeeId: ATTENDEE, window: W0 } });
  });

  it('accepts a code for at most 30 s after its window starts, and a few seconds early', () => {
    const start = W0 * WINDOW_SECONDS * 1000;
    expect(isFresh(W0, start)).toBe(true);
    expect(isFresh(W0, start + ACCEPT_SECONDS * 1000 - 1)).toBe(true);
    expect(isFresh(W0, start + ACCEPT_SECONDS * 1000)).toBe(false);
    expect(isFresh(W0, start - EARLY_SECONDS * 1000)).toBe(true);
    expect(isFresh(W0, start - EARLY_SECONDS * 1000 - 1)).toBe(false);
  });

  it('refuses a genuine code scanned after its window as expired_code, with its claims', () => {
    const stale = verifyPassToken(codeAt(W0 - 2), verifierFor, T0);
    expect(stale).toMatchObject({ ok: false, reason: 'expired_code', claims: { attendeeId: ATTENDEE } });
    expect(verifyPassToken(codeAt(W0 + 100), verifierFor, T0)).toMatchObject({ ok: false, reason: 'expired_code' });
  });

  it('refuses a code signed with another key, or naming an unknown event, as invalid_code', () => {
    const other = generateEventKeys();
    const forged = encodePassToken({ eventId: EVENT, attendeeId: ATTENDEE, window: W0 }, new EventKeyCache().signer(EVENT, other.privateKey));
    expect(verifyPassToken(forged, verifierFor, T0)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(verifyPassToken(codeAt(W0, ATTENDEE, randomUUID()), verifierFor, T0)).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('refuses any change to a signed code as invalid_code', () => {
    const code = codeAt();
    const body = Buffer.from(code.slice(PASS_TOKEN_PREFIX.length), 'base64url');
    for (const at of [0, 1, 20, 33, 36, 37, 100]) {
      const b = Buffer.from(body);
      b[at] = b[at]! ^ 0x01;
      expect(verifyPassToken(PASS_TOKEN_PREFIX + b.toString('base64url'), verifierFor, T0)).toEqual({ ok: false, reason: 'invalid_code' });
    }
    // Another attendee's id under this signature.
    const swapped = Buffer.from(body);
    Buffer.from(randomUUID().replace(/-/g, ''), 'hex').copy(swapped, 17);
    expect(verifyPassToken(PASS_TOKEN_PREFIX + swapped.toString('base64url'), verifierFor, T0).ok).toBe(false);
  });

  it('refuses truncated, padded, re-spelled and foreign codes as invalid_code', () => {
    const code = codeAt();
    const bad = [
      code.slice(0, -1),
      code.slice(0, 20),
      code + 'A',
      code + '=',
      code.replace(PASS_TOKEN_PREFIX, 'sp2.'),
      code.slice(PASS_TOKEN_PREFIX.length),
      code.toUpperCase(),
      ` ${code}`,
      '',
      'https://example.com/ticket/123',
      PASS_TOKEN_PREFIX,
    ];
    for (const b of bad) expect(decodePassToken(b)).toEqual({ ok: false, reason: 'invalid_code' });
    // The last character carries 4 spare bits: another spelling of the same bytes is not our code.
    const last = code.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[(alphabet.indexOf(last) & ~0xf) | ((alphabet.indexOf(last) + 1) & 0xf)]!;
    expect(decodePassToken(code.slice(0, -1) + sibling)).toEqual({ ok: false, reason: 'invalid_code' });
    for (const v of [null, undefined, 42, {}, [], Symbol('x')]) expect(decodePassToken(v)).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('never throws on random strings and bytes (fuzz)', () => {
    for (let i = 0; i < 3000; i++) {
      const n = i % 200;
      const inputs = [
        randomBytes(n).toString('latin1'),
        PASS_TOKEN_PREFIX + randomBytes(n).toString('base64url'),
        PASS_TOKEN_PREFIX + randomBytes(101).toString('base64url'),
        randomBytes(n).toString('utf8'),
      ];
      for (const s of inputs) {
        const r = verifyPassToken(s, verifierFor, T0);
        expect(r).toEqual({ ok: false, reason: 'invalid_code' });
      }
    }
  });

  it('lists upcoming codes, one per window, in order', () => {
    const codes = upcomingCodes(EVENT, ATTENDEE, signer, T0, 20);
    expect(codes).toHaveLength(20);
    codes.forEach((c, i) => {
      expect(c.window).toBe(W0 + i);
      expect(c.shown_until - c.shown_from).toBe(WINDOW_SECONDS * 1000);
      expect(c.accepted_until - c.shown_from).toBe(ACCEPT_SECONDS * 1000);
      expect(verifyPassToken(c.code, verifierFor, c.shown_from).ok).toBe(true);
    });
    expect(new Set(codes.map((c) => c.code)).size).toBe(20);
  });

  it('takes its keys through the signer and verifier interfaces', () => {
    const fakeSig = new Uint8Array(64).fill(7);
    const code = encodePassToken({ eventId: EVENT, attendeeId: ATTENDEE, window: 5 }, { sign: () => fakeSig });
    const seen: Uint8Array[] = [];
    const accepting: PassVerifier = { verify: (m, s) => (seen.push(m), s.every((x) => x === 7)) };
    expect(verifyPassToken(code, () => accepting, 5 * WINDOW_SECONDS * 1000)).toMatchObject({ ok: true });
    expect(seen[0]).toHaveLength(37);
    expect(() => encodePassToken({ eventId: 'not-a-uuid', attendeeId: ATTENDEE, window: 1 }, { sign: () => fakeSig })).toThrow(TypeError);
    // The production pair, built from raw key objects.
    const k = generateEventKeys();
    const kc = new EventKeyCache();
    const pair = encodePassToken({ eventId: EVENT, attendeeId: ATTENDEE, window: W0 }, kc.signer(EVENT, k.privateKey));
    expect(verifyPassToken(pair, () => kc.verifier(EVENT, k.privateKey), T0).ok).toBe(true);
    expect(verifyPassToken(pair, () => verifier, T0).ok).toBe(false);
  });

  it("checks codes on the server by signing again, agreeing with a public-key verify on genuine and tampered codes", () => {
    const publicCheck = ed25519Verifier(publicKeyObject(keys.publicKey));
    for (let i = 0; i < 50; i++) {
      const d = decodePassToken(codeAt(W0 + i, randomUUID()));
      if (!d.ok) throw new Error('a fresh code did not decode');
      expect(verifier.verify(d.message, d.signature)).toBe(true);
      expect(publicCheck.verify(d.message, d.signature)).toBe(true);
      // One flipped bit in the signature or in the signed claims.
      const sig = Uint8Array.from(d.signature);
      sig[i % 64]! ^= 1 << (i % 8);
      const msg = Uint8Array.from(d.message);
      msg[1 + (i % 36)]! ^= 1 << (i % 8);
      for (const [m, s] of [[d.message, sig], [msg, d.signature]] as const) {
        expect(verifier.verify(m, s)).toBe(false);
        expect(publicCheck.verify(m, s)).toBe(false);
      }
    }
    // Wrong lengths are refused, not thrown on.
    const d = decodePassToken(codeAt());
    if (!d.ok) throw new Error('a fresh code did not decode');
    expect(verifier.verify(d.message, d.signature.subarray(0, 63))).toBe(false);
  });

  it('judges codes off the event loop exactly as on it: genuine, tampered, stale, unknown event', async () => {
    for (let i = 0; i < 20; i++) {
      const code = codeAt(W0, randomUUID());
      const d = decodePassToken(code);
      if (!d.ok) throw new Error('a fresh code did not decode');
      expect(await verifier.verifyAsync!(d.message, d.signature)).toBe(true);
      expect(await checkDecodedAsync(d, verifier, T0)).toEqual(verifyPassToken(code, verifierFor, T0));
      const sig = Uint8Array.from(d.signature);
      sig[i % 64]! ^= 1 << (i % 8);
      expect(await verifier.verifyAsync!(d.message, sig)).toBe(false);
      expect(await checkDecodedAsync({ ...d, signature: sig }, verifier, T0)).toEqual({ ok: false, reason: 'invalid_code' });
    }
    const d = decodePassToken(codeAt());
    if (!d.ok) throw new Error('a fresh code did not decode');
    expect(await verifier.verifyAsync!(d.message, d.signature.subarray(0, 63))).toBe(false);
    expect(await checkDecodedAsync(d, undefined, T0)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await checkDecodedAsync(d, verifier, T0 + (ACCEPT_SECONDS + WINDOW_SECONDS) * 1000)).toMatchObject({ ok: false, reason: 'expired_code' });
    expect(await checkDecodedAsync(decodePassToken('sp1.nonsense'), verifier, T0)).toEqual({ ok: false, reason: 'invalid_code' });
  });
});
