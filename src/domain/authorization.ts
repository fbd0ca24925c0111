import { createHash } from 'node:crypto';
import { AppError } from './errors.js';
import type { AuthorizeParams } from './authorize-request.js';
import type { Approval } from './login-request.js';

/**
 * One `/oauth/authorize` visit, as pure functions (OpenID Connect Core 3.1,
 * RFC 6749 4.1, RFC 7636). Each returns the next state (version + 1); the
 * store applies it as a compare-and-set, so a code is issued once and
 * exchanged once.
 *
 *   open --approved on a phone or on the spot--> code_issued --token request--> redeemed
 *   open --the person cancels, or a phone denies--> cancelled
 */
export type AuthorizationStatus = 'open' | 'code_issued' | 'redeemed' | 'cancelled';

/** An approval that became a code: who, what, and when they proved it (auth_time). */
export interface CodeApproval extends Approval {
  /** When the person last authenticated, ms (the id_token's auth_time). */
  authTime: number;
}

/** One visit: the request's checked parameters (authorize-request.ts), then its state. */
export interface Authorization extends AuthorizeParams {
  id: string;
  clientId: string;
  browserHash: string;
  redirectUri: string;
  status: AuthorizationStatus;
  version: number;
  createdAt: number;
  expiresAt: number;
  codeHash: string | null;
  codeExpiresAt: number | null;
  approval: CodeApproval | null;
  grantId: string | null;
  screenIp: string;
  screenUserAgent: string;
}

/** How long the page may wait for a phone (its QR renews meanwhile). */
export const AUTHORIZATION_TTL_MS = 15 * 60_000;
/** An authorization code lives this long (RFC 6749 4.1.2 recommends at most 10 minutes). */
export const CODE_TTL_MS = 60_000;

const bump = (a: Authorization, patch: Partial<Authorization>): Authorization => ({ ...a, ...patch, version: a.version + 1 });

/** The browser's visit earns its code: once, and only while it is open. */
export function issueCode(a: Authorization, approval: CodeApproval, codeHash: string, now: number): Authorization {
  if (a.status !== 'open') throw new AppError('code_used', 'this sign-in has already finished; start again from the application');
  if (now >= a.expiresAt) throw new AppError('code_expired', 'this sign-in page has expired; start again from the application');
  return bump(a, { status: 'code_issued', approval, codeHash, codeExpiresAt: now + CODE_TTL_MS });
}

export function cancel(a: Authorization): Authorization | null {
  return a.status === 'open' ? bump(a, { status: 'cancelled' }) : null;
}

/** RFC 7636 4.1: 43-128 characters of the unreserved set. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** base64url of a SHA-256: 43 characters. */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export type RedeemOutcome =
  | { kind: 'tokens'; next: Authorization; approval: CodeApproval }
  /** The code was used before: what the first use issued must be revoked (RFC 6749 4.1.2). */
  | { kind: 'replayed'; grantId: string | null }
  | { kind: 'refused'; description: string };

/** RFC 6749 4.1.3 and RFC 7636 4.6: the checks of a token request that brings a code. */
export function redeem(a: Authorization, input: { clientId: string; redirectUri: string | undefined; verifier: string | undefined }, now: number): RedeemOutcome {
  if (a.clientId !== input.clientId) return { kind: 'refused', description: 'the code was issued to another client' };
  if (a.status === 'redeemed') return { kind: 'replayed', grantId: a.grantId };
  if (a.status !== 'code_issued' || a.approval === null) return { kind: 'refused', description: 'the code is not valid' };
  if (now >= (a.codeExpiresAt ?? 0)) return { kind: 'refused', description: 'the code has expired' };
  if (input.redirectUri !== a.redirectUri) return { kind: 'refused', description: 'redirect_uri does not match the one of the authorization request' };
  if (a.codeChallenge !== null) {
    if (input.verifier === undefined) return { kind: 'refused', description: 'code_verifier is required: the authorization request had a code_challenge' };
    if (!VERIFIER.test(input.verifier) || s256(input.verifier) !== a.codeChallenge) return { kind: 'refused', description: 'code_verifier does not match the code_challenge' };
  } else if (input.verifier !== undefined) {
    return { kind: 'refused', description: 'code_verifier sent, but the authorization request had no code_challenge' };
  }
  return { kind: 'tokens', next: bump(a, { status: 'redeemed' }), approval: a.approval };
}

/** Whether an earlier authentication is recent enough for max_age (OpenID Core 3.1.2.1). */
export function freshEnough(authTime: number, maxAge: number | null, now: number): boolean {
  return maxAge === null || now - authTime <= maxAge * 1000;
}
