import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, formatTicketNumber, isTimeZone, localDay } from '../../src/domain/ticket-number.js';

const HOUR = 3600_000;
const iso = (s: string) => Date.parse(s);

/** Hours (UTC) from each local midnight to the next, over a year: how long each local day is. */
function dayLengths(timeZone: string, year: number): Map<string, number> {
  const hours = new Map<string, number>();
  // Step through the year in quarter hours (Asia/Kathmandu is +05:45); count the steps of each local day.
  for (let t = Date.UTC(year, 0, 2); t < Date.UTC(year, 11, 30); t += HOUR / 4) {
    const d = localDay(t, timeZone);
    hours.set(d, (hours.get(d) ?? 0) + 0.25);
  }
  // The first and last day are cut short by the loop's bounds.
  const days = [...hours.keys()];
  hours.delete(days[0]!);
  hours.delete(days[days.length - 1]!);
  return hours;
}

describe('ticket numbers', () => {
  it.each([
    ['A', 1, 'A001'],
    ['A', 7, 'A007'],
    ['B', 42, 'B042'],
    ['A', 999, 'A999'],
    ['A', 1000, 'A1000'],
    ['XYZ', 12345, 'XYZ12345'],
  ])('%s + %d -> %s', (prefix, n, want) => {
    expect(formatTicketNumber(prefix, n)).toBe(want);
  });

  it('keep the prefix and the counter recoverable for any prefix and counter', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z]{1,3}$/), fc.integer({ min: 1, max: 10_000_000 }), (prefix, n) => {
        const s = formatTicketNumber(prefix, n);
        expect(s.startsWith(prefix)).toBe(true);
        expect(s.slice(prefix.length)).toMatch(/^\d{3,}$/);
        expect(Number(s.slice(prefix.length))).toBe(n);
      }),
    );
  });

  it('sort in counter order as text up to 999 (the board and the console list them)', () => {
    const nums = Array.from({ length: 999 }, (_, i) => formatTicketNumber('A', i + 1));
    expect([...nums].sort()).toEqual(nums);
  });

  it.each([
    ['a', 1],
    ['', 1],
    ['ABCD', 1],
    ['A1', 1],
    ['Ä', 1],
    ['A', 0],
    ['A', -3],
    ['A', 1.5],
    ['A', Number.NaN],
    ['A', 2 ** 60],
  ])('refuse prefix %j with counter %d (a bug: both come from the store)', (prefix, n) => {
    expect(() => formatTicketNumber(prefix, n)).toThrow(RangeError);
  });
});

describe('time zones', () => {
  it.each(['UTC', 'Europe/London', 'America/New_York', 'Asia/Shanghai', 'Asia/Kathmandu', 'Etc/GMT+5'])('accept %s', (tz) => {
    expect(isTimeZone(tz)).toBe(true);
  });

  it.each(['', 'Mars/Olympus_Mons', '+01:00', '-05:00', 'Europe/London ', ' UTC', 'Europe/London\n', 'x'.repeat(100), 42, null, undefined, {}])('refuse %j', (tz) => {
    expect(isTimeZone(tz)).toBe(false);
  });

  it('name a zone canonically', () => {
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('Nowhere/Special')).toBeNull();
  });

  it('never throw, whatever the string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.anything()), (tz) => {
        expect(typeof isTimeZone(tz)).toBe('boolean');
      }),
    );
  });
});

describe('localDay', () => {
  it('is the calendar date in the zone', () => {
    const t = iso('2026-11-30T12:00:00Z');
    expect(localDay(t, 'UTC')).toBe('2026-11-30');
    expect(localDay(t, 'Pacific/Kiritimati')).toBe('2026-12-01'); // UTC+14
    expect(localDay(t, 'Pacific/Pago_Pago')).toBe('2026-11-30'); // UTC-11
    expect(localDay(iso('2026-11-30T11:59:59Z'), 'Pacific/Pago_Pago')).toBe('2026-11-30');
    expect(localDay(iso('2026-11-30T10:59:59Z'), 'Pacific/Pago_Pago')).toBe('2026-11-29');
  });

  it('rolls over at midnight in Asia/Shanghai (UTC+8, 16:00 UTC)', () => {
    expect(localDay(iso('2026-11-30T15:59:59.999Z'), 'Asia/Shanghai')).toBe('2026-11-30');
    expect(localDay(iso('2026-11-30T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2026-12-01');
    // New Year, and the end of February in a leap year.
    expect(localDay(iso('2026-12-31T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2027-01-01');
    expect(localDay(iso('2028-02-28T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2028-02-29');
    expect(localDay(iso('2028-02-29T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2028-03-01');
  });

  it('rolls over at local midnight on both DST days in Europe/London', () => {
    // 29 March 2026: clocks go forward at 01:00 GMT, so the day ends at 23:00 UTC.
    expect(localDay(iso('2026-03-28T23:59:59.999Z'), 'Europe/London')).toBe('2026-03-28');
    expect(localDay(iso('2026-03-29T00:00:00.000Z'), 'Europe/London')).toBe('2026-03-29');
    expect(localDay(iso('2026-03-29T22:59:59.999Z'), 'Europe/London')).toBe('2026-03-29');
    expect(localDay(iso('2026-03-29T23:00:00.000Z'), 'Europe/London')).toBe('2026-03-30');
    // 25 October 2026: clocks go back at 01:00 GMT, so the day starts at 23:00 UTC the day before and lasts 25 hours.
    expect(localDay(iso('2026-10-24T22:59:59.999Z'), 'Europe/London')).toBe('2026-10-24');
    expect(localDay(iso('2026-10-24T23:00:00.000Z'), 'Europe/London')).toBe('2026-10-25');
    expect(localDay(iso('2026-10-25T23:59:59.999Z'), 'Europe/London')).toBe('2026-10-25');
    expect(localDay(iso('2026-10-26T00:00:00.000Z'), 'Europe/London')).toBe('2026-10-26');
  });

  it('rolls over at local midnight on both DST days in America/New_York', () => {
    // 8 March 2026 starts at 05:00 UTC (EST) and ends at 04:00 UTC the next day (EDT).
    expect(localDay(iso('2026-03-08T04:59:59.999Z'), 'America/New_York')).toBe('2026-03-07');
    expect(localDay(iso('2026-03-08T05:00:00.000Z'), 'America/New_York')).toBe('2026-03-08');
    expect(localDay(iso('2026-03-09T03:59:59.999Z'), 'America/New_York')).toBe('2026-03-08');
    expect(localDay(iso('2026-03-09T04:00:00.000Z'), 'America/New_York')).toBe('2026-03-09');
    // 1 November 2026 starts at 04:00 UTC (EDT) and ends at 05:00 UTC the next day (EST).
    expect(localDay(iso('2026-11-01T03:59:59.999Z'), 'America/New_York')).toBe('2026-10-31');
    expect(localDay(iso('2026-11-01T04:00:00.000Z'), 'America/New_York')).toBe('2026-11-01');
    expect(localDay(iso('2026-11-02T04:59:59.999Z'), 'America/New_York')).toBe('2026-11-01');
    expect(localDay(iso('2026-11-02T05:00:00.000Z'), 'America/New_York')).toBe('2026-11-02');
  });

  it.each([
    ['Europe/London', { short: ['2026-03-29'], long: ['2026-10-25'] }],
    ['America/New_York', { short: ['2026-03-08'], long: ['2026-11-01'] }],
    ['Asia/Shanghai', { short: [], long: [] }],
    ['Asia/Kathmandu', { short: [], long: [] }],
  ])('gives every day of 2026 in %s its real length (23 h and 25 h on the days clocks change)', (tz, want) => {
    const lengths = dayLengths(tz, 2026);
    expect(lengths.size).toBeGreaterThanOrEqual(360);
    const byLength = (h: number) => [...lengths].filter(([, n]) => n === h).map(([d]) => d);
    expect(byLength(23)).toEqual(want.short);
    expect(byLength(25)).toEqual(want.long);
    expect(byLength(24)).toHaveLength(lengths.size - want.short.length - want.long.length);
    // Days follow each other without a gap.
    const days = [...lengths.keys()];
    for (let i = 1; i < days.length; i++) expect(Date.parse(`${days[i]}T00:00:00Z`) - Date.parse(`${days[i - 1]}T00:00:00Z`)).toBe(24 * HOUR);
  });

  it('never goes back in time and never skips a day', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('UTC', 'Europe/London', 'America/New_York', 'Asia/Shanghai', 'Australia/Lord_Howe', 'Pacific/Chatham'),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.integer({ min: 0, max: 6 * HOUR }),
        (tz, t, step) => {
          const a = localDay(t, tz);
          const b = localDay(t + step, tz);
          expect(a).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          const diff = (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / (24 * HOUR);
          expect([0, 1]).toContain(diff);
        },
      ),
    );
  });

  it('throws on an unknown zone or a moment out of range (bugs: zones are checked on the way in)', () => {
    expect(() => localDay(Date.now(), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => localDay(Number.NaN, 'UTC')).toThrow(RangeError);
    expect(() => localDay(8.64e15, 'UTC')).toThrow(RangeError);
    expect(() => localDay(Date.UTC(-50, 0, 1), 'UTC')).toThrow(RangeError);
  });
});
