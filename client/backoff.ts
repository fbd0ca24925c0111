/**
 * Exponential backoff with full jitter: attempt n waits a uniformly random
 * time in [0, min(cap, base * 2^n)), so a crowd of clients that lost the same
 * server spreads its reconnects out instead of arriving together.
 *
 * @example
 * const delay = backoffDelay(attempt++, { baseMs: 250, capMs: 10_000 });
 */
export function backoffDelay(attempt: number, opts: { baseMs?: number; capMs?: number } = {}, random: () => number = Math.random): number {
  const base = opts.baseMs ?? 250;
  const cap = opts.capMs ?? 10_000;
  const bound = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * bound);
}

/** A short random delay for a server that asked clients to reconnect elsewhere now (close code 1012). */
export function restartDelay(opts: { baseMs?: number } = {}, random: () => number = Math.random): number {
  return Math.floor(random() * (opts.baseMs ?? 250));
}
