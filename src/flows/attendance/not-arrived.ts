import { csvText, defuse } from '../../http/csv.js';
import type { AttendanceRepo } from '../../store/attendance.js';
import type { EventsRepo } from '../../store/events.js';
import type { User } from '../../store/users.js';
import { staffedSession } from '../checkin/checkin-access.js';
import type { AttendanceFile } from './attendance-export.js';
import type { NotArrivedAnswer } from './attendance-schemas.js';

/** The export stops here: far past any session's list, and it bounds the answer. */
const CSV_MAX_ROWS = 100_000;

/**
 * Who a session expects and has not come yet, for the dashboard: the people
 * to phone or look for, not only their number. The same rule as the
 * dashboard's "not yet" count (registered, or everyone when the session is
 * open to all; not revoked; no live check-in). Admins and the session's
 * staff; emails for admins only, as everywhere.
 */
export class NotArrived {
  constructor(private readonly d: { events: EventsRepo; attendance: AttendanceRepo }) {}

  async list(user: User, sessionId: string, q: string, limit: number, offset: number): Promise<NotArrivedAnswer> {
    const session = await staffedSession(this.d.events, user, sessionId);
    const { people, total } = await this.d.attendance.notArrived(session, q.trim(), limit, offset);
    const emails = user.role === 'admin';
    return { session_id: session.id, total, attendees: people.map((p) => ({ id: p.id, name: p.name, ...(emails ? { email: p.email } : {}) })) };
  }

  /** The list as CSV (UTF-8 with a byte order mark, CRLF, formula-like cells defused): `name, email, session`. */
  async csv(user: User, sessionId: string, q: string): Promise<AttendanceFile> {
    const session = await staffedSession(this.d.events, user, sessionId);
    const ev = (await this.d.events.event(session.eventId))!;
    const { people } = await this.d.attendance.notArrived(session, q.trim(), CSV_MAX_ROWS, 0);
    const emails = user.role === 'admin';
    const rows = [['name', 'email', 'session'], ...people.map((p) => [defuse(p.name), emails ? defuse(p.email ?? '') : '', defuse(session.name)])];
    return { filename: `not-arrived-${ev.name}-${session.name}.csv`, csv: await csvText(rows) };
  }
}
