import type { SessionFacts } from './event.js';

/**
 * Where a session's check-in window stands at `now`: the one answer the
 * check-in decision, the scanner page and the organiser's console all give,
 * so a session that has not opened yet reads "opens at 18:30" everywhere
 * instead of "closed" in one place and "open" in another.
 *
 * - `not_yet_open`: before `opensAt` (and not closed by hand); says when it opens.
 * - `open`: inside [opensAt, closesAt) and not closed by hand.
 * - `closed`: closed by an organiser, or the window has ended.
 */
export type SessionWindowState =
  | { state: 'not_yet_open'; opensAt: number }
  | { state: 'open'; closesAt: number }
  | { state: 'closed'; byHand: boolean };

type WindowFacts = Pick<SessionFacts, 'opensAt' | 'closesAt' | 'closedAt'>;

export function sessionWindowState(s: WindowFacts, now: number): SessionWindowState {
  // Closed by hand wins over the clock: an organiser's "closed" is never shown as "opens at".
  if (s.closedAt !== null) return { state: 'closed', byHand: true };
  if (now < s.opensAt) return { state: 'not_yet_open', opensAt: s.opensAt };
  if (now >= s.closesAt) return { state: 'closed', byHand: false };
  return { state: 'open', closesAt: s.closesAt };
}

/** The same, from the API's snake_case session view (what the pages hold). */
export const sessionViewWindowState = (s: { opens_at: number; closes_at: number; closed: boolean }, now: number): SessionWindowState =>
  sessionWindowState({ opensAt: s.opens_at, closesAt: s.closes_at, closedAt: s.closed ? 0 : null }, now);
