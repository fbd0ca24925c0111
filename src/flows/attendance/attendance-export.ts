import { AppError } from '../../domain/errors.js';
import { csvText, defuse } from '../../http/csv.js';
import type { AttendanceCheckin } from '../../domain/attendance.js';
import type { AttendanceRepo } from '../../store/attendance.js';
import type { CheckinEvent, CheckinSession } from '../../domain/event.js';
import type { EventsRepo } from '../../store/events.js';
import type { User } from '../../store/users.js';
import { staffedSession } from '../checkin/checkin-access.js';

/**
 * Attendance as CSV: one row per attendee per session, for everyone the
 * session expected (registered, or every attendee when it is open to all)
 * and everyone who was checked in there. UTF-8 with a byte order mark and
 * CRLF line ends, so spreadsheets open Chinese names correctly; every text
 * cell that a spreadsheet would run as a formula is defused.
 */

const ATTENDANCE_COLUMNS = ['name', 'email', 'session', 'status', 'checked_in_at', 'checked_out_at', 'gate', 'scanned_by'] as const;

export type AttendanceStatus = 'checked_in' | 'checked_out' | 'not_yet';

const statusOf = (c: Pick<AttendanceCheckin, 'exited_at'> | undefined): AttendanceStatus => (!c ? 'not_yet' : c.exited_at === null ? 'checked_in' : 'checked_out');

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? '' : new Date(ms).toISOString());

export { attachment } from '../../http/csv.js';

export interface AttendanceFile {
  filename: string;
  csv: string;
}

export class AttendanceExport {
  constructor(private readonly d: { events: EventsRepo; attendance: AttendanceRepo }) {}

  /** Every session of the event (admins; the route checks). */
  async forEvent(eventId: string): Promise<AttendanceFile> {
    const ev = await this.d.events.event(eventId);
    if (!ev) throw new AppError('not_found', 'no such event');
    return { filename: `attendance-${ev.name}.csv`, csv: await this.build(ev, await this.d.events.sessionsOf(ev.id), true) };
  }

  /** One session: admins, and its staff (without emails). */
  async forSession(user: User, sessionId: string): Promise<AttendanceFile> {
    const session = await staffedSession(this.d.events, user, sessionId);
    const ev = (await this.d.events.event(session.eventId))!;
    return { filename: `attendance-${ev.name}-${session.name}.csv`, csv: await this.build(ev, [session], user.role === 'admin') };
  }

  private async build(ev: CheckinEvent, sessions: CheckinSession[], withEmail: boolean): Promise<string> {
    const ids = sessions.map((s) => s.id);
    const [people, regs, checkins] = await Promise.all([this.d.attendance.people(ev.id), this.d.attendance.registrations(ids), this.d.attendance.checkins(ids)]);
    const registered = new Map<string, Set<string>>();
    for (const r of regs) if (!r.revoked) registered.set(r.session_id, (registered.get(r.session_id) ?? new Set()).add(r.attendee_id));
    const came = new Map<string, Map<string, AttendanceCheckin>>();
    for (const c of checkins) came.set(c.session_id, (came.get(c.session_id) ?? new Map<string, AttendanceCheckin>()).set(c.attendee_id, c));

    const rows: string[][] = [[...ATTENDANCE_COLUMNS]];
    for (const s of sessions) {
      const inSession = came.get(s.id) ?? new Map<string, AttendanceCheckin>();
      const regsOf = registered.get(s.id) ?? new Set<string>();
      const all = s.allAttendees;
      // People are in name order already.
      for (const p of people) {
        const c = inSession.get(p.id);
        const expected = p.revoked_at === null && (all || regsOf.has(p.id));
        if (!expected && !c) continue;
        rows.push([defuse(p.name), withEmail ? defuse(p.email ?? '') : '', defuse(s.name), statusOf(c), iso(c?.at), iso(c?.exited_at), defuse(c?.gate ?? ''), defuse(c?.by ?? '')]);
      }
    }
    return await csvText(rows);
  }
}
