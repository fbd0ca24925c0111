import type { AttendanceRepo } from '../../store/attendance.js';
import type { EventsRepo } from '../../store/events.js';
import type { Scanner } from '../checkin/scanner-auth.js';
import { scannerSession, seesEmails } from '../checkin/checkin-access.js';

/** Where a person stands in one session, for the desk that checks people in by name. */
export const SEARCH_STATUSES = ['checked_in', 'checked_out', 'not_yet', 'not_registered', 'revoked'] as const;
export type SearchStatus = (typeof SEARCH_STATUSES)[number];

const SEARCH_LIMIT = 20;

/**
 * Find an attendee by name or email (case-insensitive, anywhere in either)
 * among the session's event, with their status in this session: for manual
 * check-in of people without a phone. Everyone of the event is found, so the
 * desk sees why someone cannot come in (not registered, revoked).
 */
export class AttendeeSearch {
  constructor(private readonly d: { events: EventsRepo; attendance: AttendanceRepo }) {}

  async search(scanner: Scanner, sessionId: string, q: string) {
    const session = await scannerSession(this.d.events, scanner, sessionId);
    const term = q.trim();
    if (!term) return { session_id: session.id, attendees: [] };
    const people = await this.d.attendance.search(session.eventId, term, SEARCH_LIMIT);
    const ids = people.map((p) => p.id);
    const [regs, checkins] = await Promise.all([this.d.attendance.registrations([session.id], ids), this.d.attendance.checkins([session.id], ids)]);
    const reg = new Map(regs.map((r) => [r.attendee_id, r]));
    const came = new Map(checkins.map((c) => [c.attendee_id, c]));
    const all = session.allAttendees;
    const emails = seesEmails(scanner);
    return {
      session_id: session.id,
      attendees: people.map((p) => {
        const c = came.get(p.id);
        const r = reg.get(p.id);
        const status: SearchStatus = c
          ? c.exited_at === null
            ? 'checked_in'
            : 'checked_out'
          : p.revoked_at !== null || r?.revoked
            ? 'revoked'
            : all || r
              ? 'not_yet'
              : 'not_registered';
        return {
          id: p.id,
          name: p.name,
          ...(emails ? { email: p.email } : {}),
          // The organiser's note for the door, only where there is one.
          ...(p.note ? { note: p.note } : {}),
          status,
          checkin: c ? { id: c.id, at: c.at, gate: c.gate, by: c.by } : null,
        };
      }),
    };
  }
}
