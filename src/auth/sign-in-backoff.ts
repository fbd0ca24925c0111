import { AppError } from '../domain/errors.js';
import type { SignInBackoffRepo } from '../store/sign-in-backoff.js';
import { sha256 } from './secrets.js';

interface BackoffPolicy {
  /** Consecutive failed attempts for one address before it must wait. */
  after: number;
  /** The longest wait (ms). */
  maxMs: number;
}

/** A run of failures with no attempt for this long is forgotten. */
const BACKOFF_FORGET_MS = 24 * 3600_000;
const FIRST_WAIT_MS = 1000;

/** The wait after the `failures`-th consecutive failure: none below the threshold, then 1 s doubling up to `maxMs`. */
function backoffMs(failures: number, p: BackoffPolicy): number {
  if (failures < p.after) return 0;
  return Math.min(p.maxMs, FIRST_WAIT_MS * 2 ** Math.min(30, failures - p.after));
}

/**
 * Per-account sign-in back-off, on top of the per-address rate limit (which
 * many addresses get around). Keyed by the e-mail address asked for, whether
 * or not it has an account, so being refused says nothing about existence.
 * The lock for an attempt is taken as it starts and lifted if it succeeds:
 * parallel guesses beyond the threshold are refused without checking a
 * password.
 */
export class SignInBackoff {
  constructor(
    private readonly repo: SignInBackoffRepo,
    private readonly policy: BackoffPolicy,
    private readonly now: () => number,
  ) {}

  /** Counts an attempt for `email` (normalised); throws 429 `rate_limited` with `retry_after` (s) while it must wait. */
  async begin(email: string): Promise<string> {
    const key = sha256(email);
    const now = this.now();
    const r = await this.repo.begin(key, now, now - BACKOFF_FORGET_MS);
    if ('lockedUntil' in r) {
      const retryAfter = Math.max(1, Math.ceil((r.lockedUntil - now) / 1000));
      throw new AppError('rate_limited', `too many failed sign-ins for this account; try again in ${retryAfter} s`, { retry_after: retryAfter });
    }
    const wait = backoffMs(r.failures, this.policy);
    if (wait > 0) await this.repo.lock(key, now + wait);
    return key;
  }

  /** The attempt succeeded: the run of failures ends. */
  succeeded(key: string): Promise<void> {
    return this.repo.clear(key);
  }

  purge(): Promise<number> {
    return this.repo.purge(this.now() - BACKOFF_FORGET_MS);
  }
}
