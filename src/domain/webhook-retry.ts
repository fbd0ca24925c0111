/**
 * When a webhook delivery is tried again. The schedule lists the waits after
 * each failed attempt; one attempt more than it has waits is the most a
 * delivery gets, then it is marked failed. Waits carry +-20 % jitter, so
 * deliveries that failed together (a receiver was down) do not all come back
 * at the same moment.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `"10s,30s,2m,1h"` (units ms, s, m, h) into milliseconds; throws on anything else. */
export function parseRetrySchedule(text: string): number[] {
  const waits = text.split(',').map((part) => {
    const m = /^\s*(\d{1,9})\s*(ms|s|m|h)\s*$/.exec(part);
    if (!m) throw new Error(`"${part.trim()}" is not a wait like 500ms, 10s, 2m or 1h`);
    return Number(m[1]) * UNIT_MS[m[2]!]!;
  });
  if (waits.length > 50) throw new Error('at most 50 retries');
  return waits;
}

type AttemptOutcome = { status: 'failed' } | { status: 'pending'; nextAttemptAt: number };

/**
 * After attempt number `attempts` (1 for the first) failed at `now`: try again
 * when, or give up. `jitter` is a random number in [0, 1).
 */
export function afterFailure(schedule: readonly number[], attempts: number, now: number, jitter: number): AttemptOutcome {
  const wait = schedule[attempts - 1];
  if (wait === undefined) return { status: 'failed' };
  return { status: 'pending', nextAttemptAt: now + Math.round(wait * (0.8 + 0.4 * jitter)) };
}
