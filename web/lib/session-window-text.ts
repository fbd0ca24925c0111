/**
 * A session's check-in window in words, the same on the scanner page and in
 * the organiser's console: both compute the state with the domain's
 * sessionWindowState (the function the check-in decision uses), so a session
 * that has not opened yet reads "Opens at 18:30" in both places.
 *
 * Times are in this browser's time zone and language, like every time the
 * scanner shows; the date is added only when it is not today.
 */
import { sessionViewWindowState, type SessionWindowState } from '../../src/domain/session-window.js';
import { getLocale, type MessageKey, type Vars } from './i18n.js';

export interface WindowView {
  opens_at: number;
  closes_at: number;
  closed: boolean;
}

/** "18:30" (24-hour, in every language: what a door sign says). */
export const fmtClock = (ms: number): string => new Intl.DateTimeFormat(getLocale(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);

const sameDay = (a: number, b: number) => new Date(a).toDateString() === new Date(b).toDateString();

/** When it opens: `{ key, vars }` of `prefix.opensAt` (today) or `prefix.opensOn` (another day). */
export function opensText(opensAt: number, now: number, long = false): { key: MessageKey; vars: Vars } {
  const time = fmtClock(opensAt);
  if (sameDay(opensAt, now)) return { key: long ? 'window.bannerOpensAt' : 'window.opensAt', vars: { time } };
  const date = new Intl.DateTimeFormat(getLocale(), { month: 'short', day: 'numeric' }).format(opensAt);
  return { key: long ? 'window.bannerOpensOn' : 'window.opensOn', vars: { date, time } };
}

/** The state and its short label (console badge); `long` gives the scanner's banner sentence. */
export function windowText(s: WindowView, now: number, long = false): { state: SessionWindowState; key: MessageKey; vars?: Vars } {
  const state = sessionViewWindowState(s, now);
  if (state.state === 'not_yet_open') return { state, ...opensText(state.opensAt, now, long) };
  if (state.state === 'open') return { state, key: 'window.open' };
  return { state, key: long ? 'window.bannerClosed' : 'window.closed' };
}
