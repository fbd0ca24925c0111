import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodePassToken, PASS_TOKEN_PREFIX, windowAt } from '../../src/domain/pass-token.js';
import { EventKeyCache, generateEventKeys } from '../../src/flows/checkin/event-keys.js';
import { decideLocally, decodeCode, fromBase64url, importPublicKey, verifyCode, type LocalFacts, type OfflineAttendee } from '../../web/lib/offline/verify.js';

/** The scanner's offline check (web/lib/offline/verify.ts) against the server's own code format and keys. */
describe('offline verify', () => {
  const eventId = randomUUID();
  const keys = generateEventKeys();
  const signer = new EventKeyCache().signer(eventId, keys.privateKey);
  const other = new EventKeyCache().signer(eventId, generateEventKeys().privateKey);
  const ada: OfflineAttendee = { id: randomUUID(), name: 'Ada', revoked: false, sessions: ['s1'] };
  const now = Date.now();
  const code = (attendeeId: string, window = windowAt(now), s = signer) => encodePassToken({ eventId, attendeeId, window }, s);

  it('reads base64url as Node does, one spelling per value', () => {
    for (const n of [0, 1, 2, 3, 31, 32, 101]) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      expect(Buffer.from(fromBase64url(bytes.toString('base64url'))!)).toEqual(bytes);
    }
    expect(fromBase64url('AB')).toBeNull(); // stray low bits: 'AA' is the spelling
    expect(fromBase64url('A+')).toBeNull();
    expect(fromBase64url('A')).toBeNull();
  });

  it('decodes what the server encodes, and nothing malformed', () => {
    const c = code(ada.id, 123);
    expect(decodeCode(c)?.claims).toEqual({ eventId, attendeeId: ada.id, window: 123 });
    expect(decodeCode(c.slice(1))).toBeNull();
    expect(decodeCode(c + 'A')).toBeNull();
    expect(decodeCode(`${PASS_TOKEN_PREFIX}${'A'.repeat(135)}`)).toBeNull(); // version 0
    expect(decodeCode('HELLO')).toBeNull();
  });

  it('checks the Ed25519 signature with WebCrypto and the freshness window', async () => {
    const key = await importPublicKey(keys.publicKey);
    expect(key).not.toBeNull();
    const keyFor = (id: string) => (id === eventId ? key : null);
    expect(await verifyCode(code(ada.id), keyFor, now)).toMatchObject({ ok: true, claims: { attendeeId: ada.id } });
    expect(await verifyCode(code(ada.id, windowAt(now), other), keyFor, now)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await verifyCode(code(ada.id), () => null, now)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await verifyCode(code(ada.id, windowAt(now) - 4), keyFor, now)).toMatchObject({ ok: false, reason: 'expired_code' });
    expect(await importPublicKey('not-a-key')).toBeNull();
  });

  it('decides with what the device knows, in the server order', async () => {
    const key = await importPublicKey(keys.publicKey);
    const people = new Map([[ada.id, ada]]);
    let inside: number | null = null;
    const facts = (over: Partial<LocalFacts['session']> = {}): LocalFacts => ({
      session: { id: 's1', eventId, opensAt: now - 60_000, closesAt: now + 60_000, closedAt: null, allAttendees: false, ...over },
      attendee: (id) => people.get(id),
      checkin: () => (inside === null ? null : { id: 'local', at: inside, gate: 'Gate A', exitedAt: null }),
    });
    const decide = async (c: string, f = facts()) => decideLocally(await verifyCode(c, () => key, now), f, now);
    expect((await decide(code(ada.id))).decision).toEqual({ result: 'ok', action: 'check_in' });
    expect((await decide(code(ada.id))).attendee?.name).toBe('Ada');
    expect((await decide(code(randomUUID()))).decision).toMatchObject({ reason: 'not_registered' });
    expect((await decide(code(ada.id), facts({ id: 's2' }))).decision).toMatchObject({ reason: 'not_registered' });
    expect((await decide(code(ada.id), facts({ id: 's2', allAttendees: true }))).decision).toMatchObject({ result: 'ok' });
    expect((await decide(code(ada.id), facts({ closedAt: now }))).decision).toMatchObject({ reason: 'session_closed' });
    expect((await decide(code(ada.id), facts({ eventId: randomUUID() }))).decision).toMatchObject({ reason: 'wrong_event' });
    inside = now - 1000;
    expect((await decide(code(ada.id))).decision).toMatchObject({ reason: 'already_checked_in', previous: { gate: 'Gate A' } });
    people.set(ada.id, { ...ada, revoked: true });
    expect((await decide(code(ada.id))).decision).toMatchObject({ reason: 'revoked' });
  });
});
