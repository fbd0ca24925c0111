import { describe, expect, it } from 'vitest';
import { hourHistogram, isDay, isoInZone, localHour, percentile, serviceDayStats, spread } from '../../src/domain/queue-stats.js';

const at = (s: string) => Date.parse(s);

describe('queue statistics', () => {
  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(spread([1400, 60_000, 2600])).toEqual({ p50: 3, p90: 60 });
    expect(spread([])).toBeNull();
  });

  it('reads the local hour and writes ISO 8601 with the zone offset, across a DST change', () => {
    expect(localHour(at('2026-11-30T16:30:00Z'), 'Asia/Shanghai')).toBe(0);
    expect(isoInZone(at('2026-11-30T16:30:05.900Z'), 'Asia/Shanghai')).toBe('2026-12-01T00:30:05+08:00');
    expect(isoInZone(at('2026-11-30T16:30:05Z'), 'UTC')).toBe('2026-11-30T16:30:05+00:00');
    expect(isoInZone(at('2026-03-08T06:59:59Z'), 'America/New_York')).toBe('2026-03-08T01:59:59-05:00');
    expect(isoInZone(at('2026-03-08T07:00:00Z'), 'America/New_York')).toBe('2026-03-08T03:00:00-04:00');
    expect(isoInZone(at('2026-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe('2026-01-01T05:45:00+05:45');
    expect(localHour(at('2026-01-01T23:59:59Z'), 'Asia/Kolkata')).toBe(5);
  });

  it('counts tickets per local hour', () => {
    const h = hourHistogram([at('2026-11-30T16:05:00Z'), at('2026-11-30T16:59:00Z'), at('2026-12-01T01:00:00Z')], 'Asia/Shanghai');
    expect(h).toHaveLength(24);
    expect(h[0]).toBe(2);
    expect(h[9]).toBe(1);
    expect(h.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('checks a day', () => {
    for (const ok of ['2024-02-29', '2026-12-31', '1000-01-01']) expect(isDay(ok)).toBe(true);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '0999-01-01', '2026-1-01', ' 2026-01-01', '']) expect(isDay(bad)).toBe(false);
  });

  it('sums a service day from its tickets', () => {
    const m = (s: number) => at('2026-11-30T00:00:00Z') + s * 1000;
    const s = serviceDayStats(
      [
        { status: 'done', createdAt: m(0), calledAt: m(60), finishedAt: m(160) },
        { status: 'done', createdAt: m(10), calledAt: m(130), finishedAt: m(430) },
        { status: 'no_show', createdAt: m(20), calledAt: m(200), finishedAt: m(400) },
        { status: 'called', createdAt: m(3600), calledAt: m(3700), finishedAt: null },
        { status: 'cancelled', createdAt: m(3700), calledAt: null, finishedAt: m(3800) },
        { status: 'waiting', createdAt: m(7300), calledAt: null, finishedAt: null },
      ],
      'UTC',
    );
    expect(s).toEqual({
      tickets: 6,
      served: 2,
      noShows: 1,
      cancelled: 1,
      waitingNow: 1,
      waitSeconds: { p50: 100, p90: 180 }, // 60, 100, 120, 180
      serviceSeconds: { p50: 100, p90: 300 },
      byHour: [3, 2, 1, ...new Array<number>(21).fill(0)],
    });
    expect(serviceDayStats([], 'UTC')).toMatchObject({ tickets: 0, waitSeconds: null, serviceSeconds: null, byHour: new Array<number>(24).fill(0) });
  });
});
