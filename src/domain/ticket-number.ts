/**
 * Queue ticket numbers: a service's prefix and a counter that starts over
 * every day in the place's time zone (A001, A002, ... A999, A1000, ...).
 *
 * The day is the calendar date of the moment in that IANA zone, taken from
 * Intl.DateTimeFormat (the tz database Node ships), so it is right across
 * daylight-saving changes and flips exactly at local midnight. No I/O here.
 */

/** A service's prefix: 1 to 3 upper-case ASCII letters. */
export const TICKET_PREFIX_RE = /^[A-Z]{1,3}$/;

/** Digits a ticket number is padded to: A007, then A999, A1000. */
const NUMBER_DIGITS = 3;
/** Longest zone name accepted (the longest in the tz database is about 30 characters). */
const MAX_ZONE_CHARS = 64;
/** The moments localDay accepts: years 1000 to 9999 everywhere, so the day is always YYYY-MM-DD. */
const EARLIEST_MS = Date.UTC(1000, 0, 2);
const LATEST_MS = Date.UTC(9999, 11, 30);

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone (building one costs tens of microseconds; the zone list is small). */
function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = dayFormatters.get(timeZone);
  if (!f) {
    // Gregorian calendar and Latin digits whatever the process's default locale.
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', calendar: 'gregory', numberingSystem: 'latn' });
    if (dayFormatters.size >= 512) dayFormatters.clear();
    dayFormatters.set(timeZone, f);
  }
  return f;
}

/**
 * The zone's canonical name when `tz` names an IANA time zone Intl knows
 * ('utc' -> 'UTC', 'Asia/Calcutta' stays as given), else null. Fixed offsets
 * ('+01:00') are refused: they are not zones, and Node versions disagree on them.
 */
export function canonicalTimeZone(tz: unknown): string | null {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > MAX_ZONE_CHARS || /^[+-]/.test(tz)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** True when `tz` is an IANA time zone (what a queue's `timezone` may be). */
export function isTimeZone(tz: unknown): tz is string {
  return canonicalTimeZone(tz) !== null;
}

/**
 * The calendar day ('YYYY-MM-DD') of the moment `at` (ms since the epoch) in
 * `timeZone`. Throws RangeError for a zone Intl does not know or a moment
 * outside the years 1000-9999 (a bug, not input: zones are checked on the way in).
 */
export function localDay(at: number, timeZone: string): string {
  if (!Number.isFinite(at) || at < EARLIEST_MS || at > LATEST_MS) throw new RangeError(`localDay: moment out of range: ${at}`);
  let year = '';
  let month = '';
  let day = '';
  for (const p of dayFormatter(timeZone).formatToParts(at)) {
    if (p.type === 'year') year = p.value;
    else if (p.type === 'month') month = p.value;
    else if (p.type === 'day') day = p.value;
  }
  return `${year.padStart(4, '0')}-${month}-${day}`;
}

/**
 * A ticket's number as shown: the prefix and the day's counter padded to
 * three digits ('A', 7 -> 'A007'; 'B', 1000 -> 'B1000'). Throws RangeError
 * for a prefix that is not 1-3 upper-case letters or a counter that is not a
 * positive safe integer (a bug: both come from the store).
 */
export function formatTicketNumber(prefix: string, n: number): string {
  if (!TICKET_PREFIX_RE.test(prefix)) throw new RangeError(`formatTicketNumber: bad prefix ${JSON.stringify(prefix)}`);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`formatTicketNumber: bad number ${n}`);
  return prefix + String(n).padStart(NUMBER_DIGITS, '0');
}
