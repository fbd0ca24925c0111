import { AppError } from './errors.js';

/**
 * A QR login request's life, as pure functions. Each returns the next state
 * (version + 1) or throws a refusal with a stable code; the store applies the
 * result as a compare-and-set on the version, so two phones racing to approve
 * produce exactly one outcome.
 *
 *   pending --claim--> scanned --approve--> approved --redeem--> redeemed
 *                         \--deny / wrong number--> denied
 *   (any undecided) --time--> expired
 */
export type LoginStatus = 'pending' | 'scanned' | 'approved' | 'denied' | 'expired' | 'redeemed';

export interface Approval {
  /** The subject put into the id_token: our user id, or the application's own user id. */
  subject: string;
  /** Profile claims (name, email, ...) carried into the id_token. */
  claims: Record<string, unknown>;
  /** Who approved: a user id, or an API key's application. */
  approvedBy: string;
}

export interface LoginRequest {
  id: string;
  clientId: string;
  scopes: string[];
  status: LoginStatus;
  version: number;
  createdAt: number;
  expiresAt: number;
  /** Seconds a poller must wait between token requests; grows by 5 with every slow_down. */
  interval: number;
  lastPollAt: number | null;
  /** Opaque key of whoever scanned first (a sign-in or an API key); only they may decide. */
  claimedBy: string | null;
  claimedAt: number | null;
  /** True when the screen shows live state, so the phone must match the number it shows. */
  liveScreen: boolean;
  matchNumber: number | null;
  matchChoices: number[] | null;
  approval: Approval | null;
  decidedAt: number | null;
  denyReason: string | null;
}

/** A state that no longer accepts decisions, with the refusal a late caller gets. */
function refuseIfFinished(r: LoginRequest, now: number): void {
  if (r.status === 'approved' || r.status === 'denied' || r.status === 'redeemed') {
    throw new AppError('code_used', 'this code has already been used');
  }
  if (r.status === 'expired' || now >= r.expiresAt) throw new AppError('code_expired', 'this code has expired; ask the screen for a new one');
}

const bump = (r: LoginRequest, patch: Partial<LoginRequest>): LoginRequest => ({ ...r, ...patch, version: r.version + 1 });

/**
 * The first signed-in scanner claims the request; opening it again from the
 * same sign-in changes nothing; anyone else is refused.
 */
export function claim(r: LoginRequest, claimant: string, now: number, pickNumbers: () => { match: number; choices: number[] }): LoginRequest | null {
  refuseIfFinished(r, now);
  if (r.status === 'scanned') {
    if (r.claimedBy === claimant) return null;
    throw new AppError('claimed_elsewhere', 'someone else has already scanned this code');
  }
  const numbers = r.liveScreen ? pickNumbers() : null;
  return bump(r, {
    status: 'scanned',
    claimedBy: claimant,
    claimedAt: now,
    matchNumber: numbers?.match ?? null,
    matchChoices: numbers?.choices ?? null,
  });
}

function requireClaimant(r: LoginRequest, claimant: string): void {
  if (r.status !== 'scanned') throw new AppError('not_claimed', 'open the request before deciding it');
  if (r.claimedBy !== claimant) throw new AppError('claimed_elsewhere', 'someone else has already scanned this code');
}

/**
 * Approves for the claimant. With a live screen the phone must send the number
 * the screen shows; a wrong number denies the request, because it means the
 * phone is not looking at that screen.
 */
export function approve(r: LoginRequest, claimant: string, match: number | undefined, approval: Approval, now: number): LoginRequest {
  refuseIfFinished(r, now);
  requireClaimant(r, claimant);
  if (r.matchNumber !== null) {
    if (match === undefined) throw new AppError('match_required', 'pick the number shown on the screen');
    if (match !== r.matchNumber) return bump(r, { status: 'denied', decidedAt: now, denyReason: 'wrong_number' });
  }
  return bump(r, { status: 'approved', approval, decidedAt: now });
}

export function deny(r: LoginRequest, claimant: string, now: number): LoginRequest {
  refuseIfFinished(r, now);
  requireClaimant(r, claimant);
  return bump(r, { status: 'denied', decidedAt: now, denyReason: 'denied' });
}

/**
 * An approval in the last seconds of a request must still be redeemable: the
 * screen gets this long after the decision to fetch its tokens.
 */
export const REDEEM_GRACE_MS = 60_000;

const redeemableUntil = (r: LoginRequest) => Math.max(r.expiresAt, (r.decidedAt ?? 0) + REDEEM_GRACE_MS);

export function expire(r: LoginRequest, now: number): LoginRequest | null {
  if (r.status === 'expired' || r.status === 'denied' || r.status === 'redeemed') return null;
  if (now < (r.status === 'approved' ? redeemableUntil(r) : r.expiresAt)) return null;
  return bump(r, { status: 'expired' });
}

/** RFC 8628 section 3.5 outcomes of one token request. */
type PollOutcome =
  | { kind: 'tokens'; next: LoginRequest; approval: Approval }
  | { kind: 'error'; error: 'authorization_pending' | 'slow_down' | 'access_denied' | 'expired_token' | 'invalid_grant'; next: LoginRequest | null };

/** Small tolerance for clocks and networks: a poll this early is still on time. */
const POLL_SLACK_MS = 250;

export function poll(r: LoginRequest, clientId: string, now: number): PollOutcome {
  if (r.clientId !== clientId) return { kind: 'error', error: 'invalid_grant', next: null };
  if (r.status === 'redeemed') return { kind: 'error', error: 'invalid_grant', next: null };
  if (r.status === 'denied') return { kind: 'error', error: 'access_denied', next: null };
  if (r.status === 'approved' && now < redeemableUntil(r)) {
    return { kind: 'tokens', next: bump(r, { status: 'redeemed', lastPollAt: now }), approval: r.approval! };
  }
  if (r.status === 'expired' || r.status === 'approved' || now >= r.expiresAt) return { kind: 'error', error: 'expired_token', next: expire(r, now) };
  if (r.lastPollAt !== null && now - r.lastPollAt < r.interval * 1000 - POLL_SLACK_MS) {
    return { kind: 'error', error: 'slow_down', next: { ...r, interval: r.interval + 5, lastPollAt: now } };
  }
  // Recording the poll time is not a state change screens care about: no version bump.
  return { kind: 'error', error: 'authorization_pending', next: { ...r, lastPollAt: now } };
}

/** What the screen's channel shows: never the claimant, never the approval's claims. */
export function screenView(r: LoginRequest) {
  return {
    status: r.status,
    expires_at: r.expiresAt,
    match_number: r.status === 'scanned' ? r.matchNumber : null,
  };
}

/** A two-digit number and three distinct choices containing it, in random order. */
export function pickMatchNumbers(randomInt: (maxExclusive: number) => number): { match: number; choices: number[] } {
  const choices = new Set<number>();
  while (choices.size < 3) choices.add(10 + randomInt(90));
  const list = [...choices];
  return { match: list[randomInt(3)]!, choices: list };
}
