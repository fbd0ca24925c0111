import type { Attendee, AttendeeFacts, CheckinSession, SessionFacts } from './event.js';
import type { VerifiedPassToken } from './pass-token.js';
import { sessionWindowState } from './session-window.js';

/**
 * The check-in decision as one pure function: given what the store knows at
 * the moment of a scan (read while the attendee's row is locked), it returns
 * ok with what to write, or exactly one refusal reason. Refusals are answers,
 * not errors: the caller records them like any other scan.
 *
 * Precedence, first match wins (most general first, so the reason names what
 * a fresh scan would not fix before what it would):
 *
 *   1. invalid_code        unreadable, forged, or signed by no event we know
 *   2. wrong_event         a genuine code of another event
 *   3. expired_code        a genuine code scanned outside its window
 *   4. not_yet_open        the session's check-in window has not begun (the answer says when it opens)
 *      session_closed      the session is closed by hand, or its check-in window has ended
 *   5. revoked             the attendee, or their registration for this session, was revoked
 *   6. not_registered      no such attendee in this event, or not registered for this session
 *   7. already_checked_in  (entry) checked in and not out; says when and where
 *      not_checked_in      (exit) nothing to check out of
 */
export const REFUSAL_REASONS = [
  'invalid_code',
  'wrong_event',
  'expired_code',
  'session_closed',
  'revoked',
  'not_registered',
  'already_checked_in',
  'not_checked_in',
  // Listed last so the earlier reasons keep their places; its precedence is 4, with session_closed.
  'not_yet_open',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type Direction = 'entry' | 'exit';

export interface RegistrationFacts {
  revokedAt: number | null;
}

/** The attendee's live (not undone) check-in for this session. */
export interface CheckinFacts {
  id: string;
  at: number;
  gate: string | null;
  exitedAt: number | null;
}

/** What identified the attendee: a verified scan of their code, or staff picking them by id. */
export type Identification = { kind: 'code'; token: VerifiedPassToken } | { kind: 'manual'; attendeeId: string };

export interface ScanFacts {
  id: Identification;
  direction: Direction;
  /** When the scan happened (ms). */
  at: number;
  session: SessionFacts;
  /** The attendee the code or id names, in whichever event it belongs to; null when unknown. */
  attendee: AttendeeFacts | null;
  registration: RegistrationFacts | null;
  checkin: CheckinFacts | null;
}

export type Decision =
  | { result: 'ok'; action: 'check_in' | 're_enter' | 'check_out' }
  | { result: 'rejected'; reason: RefusalReason; previous?: CheckinFacts; opensAt?: number };

const refuse = (reason: RefusalReason, previous?: CheckinFacts): Decision => (previous ? { result: 'rejected', reason, previous } : { result: 'rejected', reason });

/** The attendee id a scan names, when it names one we could trust (a genuine code, fresh or not). */
export function attendeeNamed(id: Identification): { attendeeId: string; eventId?: string } | null {
  if (id.kind === 'manual') return { attendeeId: id.attendeeId };
  const t = id.token;
  if (t.ok) return t.claims;
  return t.reason === 'expired_code' && t.claims ? t.claims : null;
}

export function decideCheckin(f: ScanFacts): Decision {
  // 1-3: the code itself.
  if (f.id.kind === 'code') {
    const t = f.id.token;
    if (!t.ok && t.reason === 'invalid_code') return refuse('invalid_code');
    const claims = t.ok ? t.claims : t.claims;
    if (!claims) return refuse('invalid_code');
    if (claims.eventId !== f.session.eventId) return refuse('wrong_event');
    if (!t.ok) return refuse('expired_code');
  } else if (f.attendee && f.attendee.eventId !== f.session.eventId) {
    return refuse('wrong_event');
  }
  // 4: the session (the same window state the scanner page and the console show).
  const s = f.session;
  const w = sessionWindowState(s, f.at);
  if (w.state === 'not_yet_open') return { result: 'rejected', reason: 'not_yet_open', opensAt: w.opensAt };
  if (w.state === 'closed') return refuse('session_closed');
  // 5-6: the person.
  const a = f.attendee;
  if (!a || a.eventId !== s.eventId) return refuse('not_registered');
  if (a.revokedAt !== null) return refuse('revoked');
  if (f.registration?.revokedAt != null) return refuse('revoked');
  if (!s.allAttendees && !f.registration) return refuse('not_registered');
  // 7: their state in this session.
  const c = f.checkin;
  if (f.direction === 'entry') {
    if (c && c.exitedAt === null) return refuse('already_checked_in', c);
    return { result: 'ok', action: c ? 're_enter' : 'check_in' };
  }
  if (!c || c.exitedAt !== null) return refuse('not_checked_in');
  return { result: 'ok', action: 'check_out' };
}

/** One live check-in as the attendee's pass lists it (the pass API and page share this shape). */
export interface PassCheckin {
  id: string;
  session: { id: string; name: string };
  at: number;
  gate: string | null;
  exited_at: number | null;
}

/** The latest scan of an attendee's code, as their pass shows it. */
export interface LastScan {
  result: string;
  reason: string | null;
  session: { id: string; name: string };
  at: number;
  gate: string | null;
  direction: string;
}

/** What an attendee's `pass:` channel holds besides their codes. */
export interface PassState {
  attendee: Attendee;
  lastScan: LastScan | null;
  /** Oldest first. */
  checkins: PassCheckin[];
}

/** One of the latest scans of a session, as its dashboard lists them. */
export interface RecentScan {
  id: number;
  /** When it was scanned (the scanner's time). */
  at: number;
  /** When the server recorded it: later than `at` for an offline scanner's upload. */
  recordedAt: number;
  result: string;
  reason: string | null;
  direction: string;
  method: string;
  gate: string | null;
  by: string;
  attendee: { id: string; name: string } | null;
  /** The check-in this scan made or ran into. */
  checkin: { id: string; live: boolean; at: number; gate: string | null } | null;
}

/** What a session's `session:` channel holds: its counts and latest scans. */
export interface SessionCounts {
  session: CheckinSession;
  expected: number;
  checkedIn: number;
  inside: number;
  /** Newest first. */
  latest: RecentScan[];
}

/** A check-in as stored: who, where, when, and whether it still stands. */
export interface Checkin {
  id: string;
  sessionId: string;
  attendeeId: string;
  at: number;
  gate: string | null;
  exitedAt: number | null;
  undoneAt: number | null;
}

/** What a check-in webhook reports about one check-in, read in the change's unit of work. */
export interface CheckinReport {
  eventId: string;
  checkin: { id: string; sessionId: string; attendeeId: string; at: number; gate: string | null; method: string; exitedAt: number | null; undoneAt: number | null };
  attendee: { id: string; name: string; email: string | null; userId: string | null };
  session: { id: string; name: string };
}
