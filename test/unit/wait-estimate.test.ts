import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_WINDOW_MS, DEFAULT_PER_TICKET_SECONDS, estimateWait, type ServiceActivity } from '../../src/domain/wait-estimate.js';

const NOW = Date.UTC(2026, 10, 30, 11, 0, 0);
const MIN = 60_000;

/** `n` finishes `gapMs` apart, the last `lastAgoMs` before NOW, each after `serviceMs` at the counter. */
function steady(n: number, gapMs: number, serviceMs: number, countersOpen: number, lastAgoMs = gapMs / 2): ServiceActivity {
  const finishedAt = Array.from({ length: n }, (_, i) => NOW - lastAgoMs - (n - 1 - i) * gapMs);
  return { finishedAt, serviceMs: finishedAt.map(() => serviceMs), countersOpen };
}

describe('estimateWait', () => {
  it('falls back to 3 minutes a ticket, over the counters open, with no history', () => {
    const one = estimateWait(4, { finishedAt: [], serviceMs: [], countersOpen: 1 }, NOW);
    expect(one).toMatchObject({ basis: 'default', perTicketSeconds: DEFAULT_PER_TICKET_SECONDS, seconds: 4.5 * DEFAULT_PER_TICKET_SECONDS });
    const two = estimateWait(4, { finishedAt: [], serviceMs: [], countersOpen: 2 }, NOW);
    expect(two.seconds).toBe(one.seconds / 2);
  });

  it('uses recent service times over the counters open when there are few finishes', () => {
    const e = estimateWait(3, { finishedAt: [NOW - MIN], serviceMs: [240_000, 360_000], countersOpen: 2 }, NOW);
    expect(e.basis).toBe('service');
    expect(e.perTicketSeconds).toBe(150); // mean 300 s over 2 counters
    expect(e.seconds).toBe(3.5 * 150);
  });

  it('follows the pace the place keeps: finishes every minute with two counters of two minutes each', () => {
    const e = estimateWait(10, { ...steady(30, MIN, 2 * MIN, 2), countersBusy: 2 }, NOW);
    expect(e.basis).toBe('rate');
    expect(e.perTicketSeconds).toBe(60);
    expect(e.seconds).toBe(10.5 * 60);
    expect(e.range[0]).toBeLessThanOrEqual(e.seconds);
    expect(e.range[1]).toBeGreaterThanOrEqual(e.seconds);
  });

  it('is shorter when counters finish faster, and when a counter opens', () => {
    const fast = estimateWait(10, steady(30, 0.5 * MIN, 2 * MIN, 2), NOW);
    const slow = estimateWait(10, steady(30, 1.5 * MIN, 2 * MIN, 2), NOW);
    expect(fast.seconds).toBeLessThan(slow.seconds);
    const moreCounters = estimateWait(10, steady(30, MIN, 2 * MIN, 3), NOW);
    expect(moreCounters.seconds).toBeLessThan(estimateWait(10, steady(30, MIN, 2 * MIN, 2), NOW).seconds);
  });

  it('grows while nobody has been called for longer than usual', () => {
    const moving = estimateWait(5, steady(30, MIN, 2 * MIN, 2, 30_000), NOW);
    const stalled = estimateWait(5, steady(30, MIN, 2 * MIN, 2, 20 * MIN), NOW);
    expect(stalled.perTicketSeconds).toBeGreaterThan(moving.perTicketSeconds);
  });

  it('ignores finishes older than 30 minutes and any in the future', () => {
    const old = steady(30, MIN, 2 * MIN, 2, ACTIVITY_WINDOW_MS + MIN);
    expect(estimateWait(5, old, NOW).basis).toBe('service');
    const future = { ...old, finishedAt: old.finishedAt.map((t) => t + 2 * ACTIVITY_WINDOW_MS) };
    expect(estimateWait(5, future, NOW).basis).toBe('service');
  });

  it('is about nothing for the first in line while a counter is free, and small with none free', () => {
    const activity = steady(30, MIN, 2 * MIN, 2);
    expect(estimateWait(0, { ...activity, countersBusy: 1 }, NOW)).toMatchObject({ seconds: 0, range: [0, 60] });
    // Two free counters: the second in line goes at once too.
    expect(estimateWait(1, { ...activity, countersBusy: 0 }, NOW).seconds).toBe(0);
    const busy = estimateWait(0, { ...activity, countersBusy: 2 }, NOW);
    expect(busy.seconds).toBe(30);
    expect(busy.range).toEqual([0, 60]);
    expect(estimateWait(0, activity, NOW).seconds).toBe(30); // busy unknown: counted as busy
  });

  it('does not touch what it is given', () => {
    const a = steady(10, MIN, 2 * MIN, 2);
    a.finishedAt.reverse();
    const copy = structuredClone(a);
    estimateWait(3, a, NOW);
    expect(a).toEqual(copy);
  });

  it('gives a well-formed, growing answer for any input, and never throws', () => {
    const num = fc.oneof(fc.double(), fc.integer({ min: NOW - 2 * ACTIVITY_WINDOW_MS, max: NOW + MIN }));
    fc.assert(
      fc.property(
        fc.record({
          finishedAt: fc.array(num, { maxLength: 80 }),
          serviceMs: fc.array(fc.oneof(fc.double(), fc.integer({ min: 0, max: 3 * 3600_000 })), { maxLength: 80 }),
          countersOpen: fc.oneof(fc.integer({ min: -2, max: 20 }), fc.double()),
          countersBusy: fc.option(fc.oneof(fc.integer({ min: -2, max: 20 }), fc.double()), { nil: undefined }),
        }),
        fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.double()),
        (activity, ahead) => {
          const e = estimateWait(ahead, activity, NOW);
          expect(Number.isSafeInteger(e.seconds) && e.seconds >= 0).toBe(true);
          expect(Number.isFinite(e.perTicketSeconds) && e.perTicketSeconds > 0).toBe(true);
          const [lo, hi] = e.range;
          expect(lo % 60 === 0 && hi % 60 === 0 && lo >= 0 && hi > lo).toBe(true);
          expect(lo <= e.seconds + 0.5 && e.seconds <= hi).toBe(true);
          if (Number.isFinite(ahead) && ahead >= 0) expect(estimateWait(ahead + 1, activity, NOW).seconds).toBeGreaterThanOrEqual(e.seconds);
        },
      ),
    );
  });

  it('widens the range with the wait, in whole minutes', () => {
    const a = steady(30, MIN, 2 * MIN, 2);
    const near = estimateWait(2, a, NOW);
    const far = estimateWait(30, a, NOW);
    expect(far.range[1] - far.range[0]).toBeGreaterThan(near.range[1] - near.range[0]);
  });

  it('never shows "0 min" as the low end to someone with twenty people ahead, even before anyone was served', () => {
    // Opening time: no finishes, no service times; the pace is a guess, so the range is wide, but a factor either way.
    const e = estimateWait(20, { finishedAt: [], serviceMs: [], countersOpen: 2 }, NOW);
    expect(e.basis).toBe('default');
    expect(e.range[0]).toBeGreaterThan(0);
    expect(e.range[0]).toBeLessThan(e.seconds);
    expect(e.range[1]).toBeGreaterThan(e.seconds);
    // With a steady known pace the factor is small: the range hugs the estimate.
    const known = estimateWait(20, steady(30, MIN, 2 * MIN, 2), NOW);
    expect(known.range[0]).toBeGreaterThan(0.6 * known.seconds);
    expect(known.range[1]).toBeLessThan(1.6 * known.seconds);
  });
});
