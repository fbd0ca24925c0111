/**
 * A queue's statistics for one local day, from plain numbers: counts by
 * status, waiting and service time percentiles, and tickets taken per local
 * hour. Also the local clock of a moment in a place's zone (the hour, and
 * ISO 8601 with the zone's offset) for the CSV export. Pure: no I/O.
 *
 * Waiting time is called_at - created_at for tickets that were called (a
 * recall moves called_at, so a recalled ticket counts its wait to the last
 * call); service time is finished_at - called_at for served tickets.
 * Percentiles are nearest-rank (the smallest value with at least p% of the
 * values at or below it), in whole seconds.
 */
import type { TicketStatus } from './queue-ticket.js';

/** What the statistics need of a ticket (ms since the epoch). */
export interface StatTicket {
  status: TicketStatus;
  createdAt: number;
  calledAt: number | null;
  finishedAt: number | null;
}

export interface Spread {
  p50: number;
  p90: number;
}

export interface ServiceDayStats {
  tickets: number;
  served: number;
  noShows: number;
  cancelled: number;
  waitingNow: number;
  /** Seconds; null when no ticket was called. */
  waitSeconds: Spread | null;
  /** Seconds; null when no ticket was served. */
  serviceSeconds: Spread | null;
  /** Tickets taken in each local hour 0-23. */
  byHour: number[];
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written 'YYYY-MM-DD' (years 1000-9999). */
export function isDay(s: string): boolean {
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1000 || mo < 1 || mo > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Nearest-rank percentile of `values` (any order); undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length));
  return sorted[rank - 1];
}

/** p50 and p90 of durations in ms, as whole seconds; null for none. */
export function spread(durationsMs: readonly number[]): Spread | null {
  if (!durationsMs.length) return null;
  const s = (p: number) => Math.round(percentile(durationsMs, p)! / 1000);
  return { p50: s(50), p90: s(90) };
}

const clockFormatters = new Map<string, Intl.DateTimeFormat>();

function clockFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = clockFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
    if (clockFormatters.size >= 512) clockFormatters.clear();
    clockFormatters.set(timeZone, f);
  }
  return f;
}

interface LocalClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localClock(at: number, timeZone: string): LocalClock {
  const c: LocalClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of clockFormatter(timeZone).formatToParts(at)) {
    if (p.type in c) c[p.type as keyof LocalClock] = Number(p.value);
  }
  return c;
}

/** The local hour (0-23) of the moment `at` in `timeZone`. */
export function localHour(at: number, timeZone: string): number {
  return localClock(at, timeZone).hour;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The moment `at` as ISO 8601 in `timeZone` with its offset, to the second: '2026-11-30T21:05:00+08:00'. */
export function isoInZone(at: number, timeZone: string): string {
  const c = localClock(at, timeZone);
  const wholeSecond = Math.floor(at / 1000) * 1000;
  const offsetMin = Math.round((Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - wholeSecond) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** How many of `moments` fall in each local hour 0-23 of `timeZone`. */
export function hourHistogram(moments: readonly number[], timeZone: string): number[] {
  const hours = new Array<number>(24).fill(0);
  for (const at of moments) hours[localHour(at, timeZone)]! += 1;
  return hours;
}

/** Seconds from `from` to `to` (whole), or null when either is missing. */
export const secondsBetween = (from: number | null, to: number | null): number | null => (from === null || to === null ? null : Math.round((to - from) / 1000));

/** One service's day, from its tickets of that day. */
export function serviceDayStats(tickets: readonly StatTicket[], timeZone: string): ServiceDayStats {
  const waits: number[] = [];
  const services: number[] = [];
  let served = 0;
  let noShows = 0;
  let cancelled = 0;
  let waitingNow = 0;
  for (const t of tickets) {
    if (t.calledAt !== null) waits.push(t.calledAt - t.createdAt);
    if (t.status === 'done') {
      served++;
      if (t.calledAt !== null && t.finishedAt !== null) services.push(t.finishedAt - t.calledAt);
    } else if (t.status === 'no_show') noShows++;
    else if (t.status === 'cancelled') cancelled++;
    else if (t.status === 'waiting') waitingNow++;
  }
  return {
    tickets: tickets.length,
    served,
    noShows,
    cancelled,
    waitingNow,
    waitSeconds: spread(waits),
    serviceSeconds: spread(services),
    byHour: hourHistogram(
      tickets.map((t) => t.createdAt),
      timeZone,
    ),
  };
}
