import { describe, expect, it } from 'vitest';
import {
  approve,
  claim,
  deny,
  expire,
  pickMatchNumbers,
  poll,
  REDEEM_GRACE_MS,
  screenView,
  type Approval,
  type LoginRequest,
} from '../../src/domain/login-request.js';
import { refusal } from '../support/refusal.js';

const T0 = 1_700_000_000_000;
const TTL = 300_000;
const APPROVAL: Approval = { subject: 'user-1', claims: { name: 'Ada' }, approvedBy: 'user-1' };
const NUMBERS = { match: 42, choices: [17, 42, 88] };
const pick = () => NUMBERS;

function request(patch: Partial<LoginRequest> = {}): LoginRequest {
  return {
    id: 'r1',
    clientId: 'app',
    scopes: ['openid', 'profile'],
    status: 'pending',
    version: 1,
    createdAt: T0,
    expiresAt: T0 + TTL,
    interval: 5,
    lastPollAt: null,
    claimedBy: null,
    claimedAt: null,
    liveScreen: false,
    matchNumber: null,
    matchChoices: null,
    approval: null,
    decidedAt: null,
    denyReason: null,
    ...patch,
  };
}

const scanned = (patch: Partial<LoginRequest> = {}) => claim(request(patch), 'session:a', T0 + 1000, pick)!;

describe('login request: claim on scan', () => {
  it('the first claimant wins and the request becomes scanned, one version up', () => {
    const r = claim(request(), 'session:a', T0 + 1000, pick)!;
    expect(r).toMatchObject({ status: 'scanned', claimedBy: 'session:a', claimedAt: T0 + 1000, version: 2, matchNumber: null, matchChoices: null });
  });

  it('the same claimant opening again changes nothing (no new version)', () => {
    expect(claim(scanned(), 'session:a', T0 + 2000, pick)).toBeNull();
  });

  it('anyone else is refused with claimed_elsewhere', () => {
    expect(refusal(() => claim(scanned(), 'session:b', T0 + 2000, pick))).toBe('claimed_elsewhere');
    expect(refusal(() => claim(scanned(), 'apikey:k', T0 + 2000, pick))).toBe('claimed_elsewhere');
  });

  it('a live screen gets a match number and choices at claim time; a plain one does not', () => {
    let called = 0;
    const counting = () => (called++, NUMBERS);
    expect(claim(request(), 'session:a', T0, counting)!.matchNumber).toBeNull();
    expect(called).toBe(0);
    const live = claim(request({ liveScreen: true }), 'session:a', T0, counting)!;
    expect(called).toBe(1);
    expect(live).toMatchObject({ matchNumber: 42, matchChoices: [17, 42, 88] });
  });

  it('a finished request cannot be claimed: used or expired', () => {
    for (const status of ['approved', 'denied', 'redeemed'] as const) {
      expect(refusal(() => claim(request({ status }), 'session:a', T0, pick))).toBe('code_used');
    }
    expect(refusal(() => claim(request({ status: 'expired' }), 'session:a', T0, pick))).toBe('code_expired');
    // Past its time even before the sweep marks it.
    expect(refusal(() => claim(request(), 'session:a', T0 + TTL, pick))).toBe('code_expired');
  });
});

describe('login request: approve and deny', () => {
  it('only the claimant approves, and only once scanned', () => {
    expect(refusal(() => approve(request(), 'session:a', undefined, APPROVAL, T0))).toBe('not_claimed');
    expect(refusal(() => approve(scanned(), 'session:b', undefined, APPROVAL, T0 + 2000))).toBe('claimed_elsewhere');
    const r = approve(scanned(), 'session:a', undefined, APPROVAL, T0 + 2000);
    expect(r).toMatchObject({ status: 'approved', approval: APPROVAL, decidedAt: T0 + 2000, version: 3 });
  });

  it('only the claimant denies, and only once scanned', () => {
    expect(refusal(() => deny(request(), 'session:a', T0))).toBe('not_claimed');
    expect(refusal(() => deny(scanned(), 'session:b', T0 + 2000))).toBe('claimed_elsewhere');
    expect(deny(scanned(), 'session:a', T0 + 2000)).toMatchObject({ status: 'denied', denyReason: 'denied', decidedAt: T0 + 2000, version: 3, approval: null });
  });

  it('a decided request refuses further decisions with code_used', () => {
    const approved = approve(scanned(), 'session:a', undefined, APPROVAL, T0 + 2000);
    expect(refusal(() => approve(approved, 'session:a', undefined, APPROVAL, T0 + 3000))).toBe('code_used');
    expect(refusal(() => deny(approved, 'session:a', T0 + 3000))).toBe('code_used');
    const denied = deny(scanned(), 'session:a', T0 + 2000);
    expect(refusal(() => approve(denied, 'session:a', undefined, APPROVAL, T0 + 3000))).toBe('code_used');
  });

  it('a scanned request past its time cannot be decided', () => {
    expect(refusal(() => approve(scanned(), 'session:a', undefined, APPROVAL, T0 + TTL))).toBe('code_expired');
    expect(refusal(() => deny(scanned(), 'session:a', T0 + TTL))).toBe('code_expired');
  });

  it('number matching: a live screen needs the number; the right one approves', () => {
    const r = scanned({ liveScreen: true });
    expect(refusal(() => approve(r, 'session:a', undefined, APPROVAL, T0 + 2000))).toBe('match_required');
    expect(approve(r, 'session:a', 42, APPROVAL, T0 + 2000)).toMatchObject({ status: 'approved', version: 3 });
  });

  it('number matching: a wrong number denies the request with reason wrong_number', () => {
    const r = approve(scanned({ liveScreen: true }), 'session:a', 17, APPROVAL, T0 + 2000);
    expect(r).toMatchObject({ status: 'denied', denyReason: 'wrong_number', approval: null, version: 3 });
    expect(poll(r, 'app', T0 + 3000)).toMatchObject({ kind: 'error', error: 'access_denied' });
  });
});

describe('login request: token polls (RFC 8628 3.5)', () => {
  it('answers authorization_pending while undecided, recording the poll without a new version', () => {
    const o = poll(request(), 'app', T0 + 1000);
    expect(o).toMatchObject({ kind: 'error', error: 'authorization_pending' });
    expect(o.next).toMatchObject({ lastPollAt: T0 + 1000, version: 1, interval: 5 });
    const later = poll(o.next!, 'app', T0 + 6000);
    expect(later).toMatchObject({ kind: 'error', error: 'authorization_pending' });
    expect(later.next!.version).toBe(1);
  });

  it('answers slow_down to a poll inside the interval and raises the interval by 5 s', () => {
    const first = poll(request(), 'app', T0).next!;
    const fast = poll(first, 'app', T0 + 1000);
    expect(fast).toMatchObject({ kind: 'error', error: 'slow_down' });
    expect(fast.next).toMatchObject({ interval: 10, version: 1 });
    // The raised interval holds for later polls too.
    expect(poll(fast.next!, 'app', T0 + 1000 + 6000)).toMatchObject({ error: 'slow_down', next: { interval: 15 } });
    expect(poll(fast.next!, 'app', T0 + 1000 + 10_000)).toMatchObject({ error: 'authorization_pending' });
  });

  it('answers access_denied after a deny', () => {
    expect(poll(deny(scanned(), 'session:a', T0 + 2000), 'app', T0 + 3000)).toEqual({ kind: 'error', error: 'access_denied', next: null });
  });

  it('answers expired_token past the time and marks the request expired', () => {
    const o = poll(request(), 'app', T0 + TTL);
    expect(o).toMatchObject({ kind: 'error', error: 'expired_token', next: { status: 'expired', version: 2 } });
    expect(poll(o.next!, 'app', T0 + TTL + 1)).toEqual({ kind: 'error', error: 'expired_token', next: null });
  });

  it('gives tokens once after approval; the redeemed request then answers invalid_grant', () => {
    const approved = approve(scanned(), 'session:a', undefined, APPROVAL, T0 + 2000);
    const o = poll(approved, 'app', T0 + 3000);
    expect(o.kind).toBe('tokens');
    if (o.kind !== 'tokens') return;
    expect(o.approval).toEqual(APPROVAL);
    expect(o.next).toMatchObject({ status: 'redeemed', version: 4 });
    expect(poll(o.next, 'app', T0 + 10_000)).toEqual({ kind: 'error', error: 'invalid_grant', next: null });
  });

  it('approval beats a fast poll: tokens even inside the interval', () => {
    const polled = poll(scanned(), 'app', T0 + 1500).next!;
    const approved = approve(polled, 'session:a', undefined, APPROVAL, T0 + 2000);
    expect(poll(approved, 'app', T0 + 2100).kind).toBe('tokens');
  });

  it("answers invalid_grant to another client's poll, whatever the state", () => {
    const approved = approve(scanned(), 'session:a', undefined, APPROVAL, T0 + 2000);
    for (const r of [request(), scanned(), approved]) expect(poll(r, 'other-app', T0 + 3000)).toEqual({ kind: 'error', error: 'invalid_grant', next: null });
  });
});

describe('login request: expiry and versions', () => {
  it('expires undecided and approved-but-unredeemed requests once their time is up', () => {
    expect(expire(request(), T0 + TTL - 1)).toBeNull();
    expect(expire(request(), T0 + TTL)).toMatchObject({ status: 'expired', version: 2 });
    expect(expire(scanned(), T0 + TTL)).toMatchObject({ status: 'expired', version: 3 });
    const approved = approve(scanned(), 'session:a', undefined, APPROVAL, T0 + 2000);
    expect(expire(approved, T0 + TTL)).toMatchObject({ status: 'expired', version: 4 });
  });

  it('an approval in the last seconds stays redeemable for a grace period after the decision', () => {
    const late = approve(scanned(), 'session:a', undefined, APPROVAL, T0 + TTL - 1000);
    const until = T0 + TTL - 1000 + REDEEM_GRACE_MS;
    expect(expire(late, T0 + TTL)).toBeNull();
    expect(poll(late, 'app', until - 1).kind).toBe('tokens');
    expect(expire(late, until)).toMatchObject({ status: 'expired' });
    expect(poll(late, 'app', until)).toMatchObject({ kind: 'error', error: 'expired_token', next: { status: 'expired' } });
  });

  it('leaves finished requests alone (no new version)', () => {
    const expired = expire(request(), T0 + TTL)!;
    expect(expire(expired, T0 + TTL + 1000)).toBeNull();
    expect(expire(deny(scanned(), 'session:a', T0 + 2000), T0 + TTL)).toBeNull();
    const approved = approve(scanned(), 'session:a', undefined, APPROVAL, T0 + 2000);
    const o = poll(approved, 'app', T0 + 3000);
    expect(expire(o.next!, T0 + TTL)).toBeNull();
  });

  it('raises the version by exactly one on every real change and never otherwise', () => {
    let r = request({ liveScreen: true });
    const versions = [r.version];
    r = poll(r, 'app', T0 + 100).next!; // poll time only
    versions.push(r.version);
    r = claim(r, 'session:a', T0 + 200, pick)!;
    versions.push(r.version);
    expect(claim(r, 'session:a', T0 + 300, pick)).toBeNull();
    r = poll(r, 'app', T0 + 400).next!; // slow_down: interval only
    versions.push(r.version);
    r = approve(r, 'session:a', 42, APPROVAL, T0 + 500);
    versions.push(r.version);
    const o = poll(r, 'app', T0 + 600);
    versions.push(o.next!.version);
    expect(versions).toEqual([1, 1, 2, 2, 3, 4]);
  });

  it('shows the screen its status and, only while scanned, the match number; never who claimed it', () => {
    const live = claim(request({ liveScreen: true }), 'session:a', T0, pick)!;
    expect(screenView(live)).toEqual({ status: 'scanned', expires_at: T0 + TTL, match_number: 42 });
    const done = approve(live, 'session:a', 42, APPROVAL, T0 + 1000);
    expect(screenView(done)).toEqual({ status: 'approved', expires_at: T0 + TTL, match_number: null });
    expect(JSON.stringify(screenView(done))).not.toContain('session:a');
  });
});

describe('pickMatchNumbers', () => {
  it('gives three distinct two-digit choices that contain the match', () => {
    const rnd = (n: number) => Math.floor(Math.random() * n);
    for (let i = 0; i < 200; i++) {
      const { match, choices } = pickMatchNumbers(rnd);
      expect(choices).toHaveLength(3);
      expect(new Set(choices).size).toBe(3);
      for (const c of choices) {
        expect(Number.isInteger(c)).toBe(true);
        expect(c).toBeGreaterThanOrEqual(10);
        expect(c).toBeLessThanOrEqual(99);
      }
      expect(choices).toContain(match);
    }
  });

  it('draws again on a repeated number, and reaches both ends of the range', () => {
    const draws = [0, 0, 89, 5, 2]; // 10, 10 again, 99, 15, then index 2 for the match
    const scripted = () => draws.shift()!;
    expect(pickMatchNumbers(scripted)).toEqual({ match: 15, choices: [10, 99, 15] });
  });

  it('puts the match at any position', () => {
    const positions = new Set<number>();
    const rnd = (n: number) => Math.floor(Math.random() * n);
    for (let i = 0; i < 200 && positions.size < 3; i++) {
      const { match, choices } = pickMatchNumbers(rnd);
      positions.add(choices.indexOf(match));
    }
    expect([...positions].sort()).toEqual([0, 1, 2]);
  });
});
