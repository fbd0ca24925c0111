import { describe, expect, it } from 'vitest';
import { decideCheckin, REFUSAL_REASONS, type ScanFacts } from '../../src/domain/checkin.js';

const EVENT = 'e1';
const T = 1_800_000_000_000;
const claims = { eventId: EVENT, attendeeId: 'a1', window: 1 };

const facts = (patch: Partial<ScanFacts> = {}): ScanFacts => ({
  id: { kind: 'code', token: { ok: true, claims } },
  direction: 'entry',
  at: T,
  session: { id: 's1', eventId: EVENT, opensAt: T - 1000, closesAt: T + 1000, closedAt: null, allAttendees: false },
  attendee: { id: 'a1', eventId: EVENT, revokedAt: null },
  registration: { revokedAt: null },
  checkin: null,
  ...patch,
});
const reason = (f: ScanFacts) => {
  const d = decideCheckin(f);
  return d.result === 'ok' ? `ok:${d.action}` : d.reason;
};
const earlier = { id: 'c1', at: T - 500, gate: 'North door', exitedAt: null };

describe('check-in decision', () => {
  it('checks in a registered attendee with a fresh code', () => {
    expect(reason(facts())).toBe('ok:check_in');
  });

  it('refuses an unreadable or forged code as invalid_code', () => {
    expect(reason(facts({ id: { kind: 'code', token: { ok: false, reason: 'invalid_code' } } }))).toBe('invalid_code');
  });

  it('refuses a code of another event as wrong_event, even when stale', () => {
    expect(reason(facts({ id: { kind: 'code', token: { ok: true, claims: { ...claims, eventId: 'e2' } } } }))).toBe('wrong_event');
    expect(reason(facts({ id: { kind: 'code', token: { ok: false, reason: 'expired_code', claims: { ...claims, eventId: 'e2' } } } }))).toBe('wrong_event');
  });

  it('refuses a stale code of this event as expired_code', () => {
    expect(reason(facts({ id: { kind: 'code', token: { ok: false, reason: 'expired_code', claims } } }))).toBe('expired_code');
  });

  it('refuses after the check-in window or when closed by hand as session_closed', () => {
    expect(reason(facts({ at: T + 1000 }))).toBe('session_closed');
    expect(reason(facts({ session: { ...facts().session, closedAt: T - 1 } }))).toBe('session_closed');
  });

  it('refuses before the check-in window as not_yet_open, saying when it opens', () => {
    expect(decideCheckin(facts({ at: T - 1001 }))).toEqual({ result: 'rejected', reason: 'not_yet_open', opensAt: T - 1000 });
    // Closed by hand before it ever opened: closed, not "opens at".
    expect(reason(facts({ at: T - 1001, session: { ...facts().session, closedAt: T - 5000 } }))).toBe('session_closed');
  });

  it('refuses a revoked attendee or a revoked session registration as revoked', () => {
    expect(reason(facts({ attendee: { id: 'a1', eventId: EVENT, revokedAt: T - 1 } }))).toBe('revoked');
    expect(reason(facts({ registration: { revokedAt: T - 1 } }))).toBe('revoked');
  });

  it('refuses someone not registered for the session, unless the session admits every attendee', () => {
    expect(reason(facts({ registration: null }))).toBe('not_registered');
    expect(reason(facts({ attendee: null, registration: null }))).toBe('not_registered');
    expect(reason(facts({ registration: null, session: { ...facts().session, allAttendees: true } }))).toBe('ok:check_in');
  });

  it('refuses a second entry as already_checked_in, with when and where', () => {
    expect(decideCheckin(facts({ checkin: earlier }))).toEqual({ result: 'rejected', reason: 'already_checked_in', previous: earlier });
  });

  it('checks out, then lets the attendee back in', () => {
    expect(reason(facts({ direction: 'exit', checkin: earlier }))).toBe('ok:check_out');
    expect(reason(facts({ direction: 'exit' }))).toBe('not_checked_in');
    expect(reason(facts({ direction: 'exit', checkin: { ...earlier, exitedAt: T - 10 } }))).toBe('not_checked_in');
    expect(reason(facts({ checkin: { ...earlier, exitedAt: T - 10 } }))).toBe('ok:re_enter');
  });

  it('decides manual check-ins by attendee id with the same rules', () => {
    expect(reason(facts({ id: { kind: 'manual', attendeeId: 'a1' } }))).toBe('ok:check_in');
    expect(reason(facts({ id: { kind: 'manual', attendeeId: 'a9' }, attendee: null, registration: null }))).toBe('not_registered');
    expect(reason(facts({ id: { kind: 'manual', attendeeId: 'a1' }, attendee: { id: 'a1', eventId: 'e2', revokedAt: null } }))).toBe('wrong_event');
  });

  it('applies the documented precedence when several reasons hold', () => {
    // Everything wrong at once: each step removes the first reason and the next one shows.
    let f = facts({
      id: { kind: 'code', token: { ok: false, reason: 'expired_code', claims: { ...claims, eventId: 'e2' } } },
      at: T + 5000,
      attendee: { id: 'a1', eventId: EVENT, revokedAt: T - 1 },
      registration: null,
      checkin: earlier,
    });
    const seen: string[] = [reason(f)];
    f = { ...f, id: { kind: 'code', token: { ok: false, reason: 'expired_code', claims } } };
    seen.push(reason(f));
    f = { ...f, id: { kind: 'code', token: { ok: true, claims } } };
    seen.push(reason(f));
    f = { ...f, at: T };
    seen.push(reason(f));
    f = { ...f, attendee: { id: 'a1', eventId: EVENT, revokedAt: null } };
    seen.push(reason(f));
    f = { ...f, registration: { revokedAt: null } };
    seen.push(reason(f));
    expect(seen).toEqual(['wrong_event', 'expired_code', 'session_closed', 'revoked', 'not_registered', 'already_checked_in']);
    expect(REFUSAL_REASONS.slice(1, 7)).toEqual(seen);
  });
});
