import { sql, type Kysely } from 'kysely';
import type { AttendanceCheckin, AttendancePerson, AttendanceRegistration } from '../domain/attendance.js';
import type { Database } from './schema.js';
import type { SnapshotReads } from './snapshot-reads.js';

/** LIKE pattern matching `q` anywhere, with its own wildcards taken literally. */
const contains = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Who was expected where and who came: reads for the attendance export and the name search. */
export class AttendanceRepo {
  constructor(
    private readonly db: Kysely<Database>,
    /**
     * Where the searches run: each reads every attendee of the event (a name matched anywhere
     * uses no index), run at the door while scans go on, so off the event loop (SnapshotReads).
     */
    private readonly reads: SnapshotReads,
  ) {}

  /** Every attendee of the event, revoked ones too (they may have come before). */
  async people(eventId: string): Promise<AttendancePerson[]> {
    const rows = await this.db.selectFrom('attendees').select(['id', 'name', 'email', 'revoked_at']).where('event_id', '=', eventId).orderBy('name').orderBy('id').execute();
    return rows.map((r) => ({ ...r, revoked_at: r.revoked_at === null ? null : Number(r.revoked_at) }));
  }

  /** Up to `limit` attendees of the event whose name or email contains `q`, case-insensitively. */
  async search(eventId: string, q: string, limit: number): Promise<(AttendancePerson & { note: string | null })[]> {
    const p = contains(q);
    const [rows] = await this.reads.read([
      this.db
        .selectFrom('attendees')
        .select(['id', 'name', 'email', 'revoked_at', 'note'])
        .where('event_id', '=', eventId)
        .where((eb) => eb.or([sql<boolean>`lower(${eb.ref('name')}) like ${p} escape '\\'`, sql<boolean>`lower(coalesce(${eb.ref('email')}, '')) like ${p} escape '\\'`]))
        .orderBy('name')
        .orderBy('id')
        .limit(limit),
    ]);
    return rows.map((r) => ({ ...r, revoked_at: r.revoked_at === null ? null : Number(r.revoked_at) }));
  }

  /**
   * Who the session expects and has not come yet: attendees of its event not
   * revoked, registered for it (or all of them when it is open to all), with
   * no live check-in there; optionally only those whose name or email
   * contains `q`. A page of them in name order, and how many there are.
   */
  async notArrived(session: { id: string; eventId: string; allAttendees: boolean }, q: string, limit: number, offset: number): Promise<{ people: AttendancePerson[]; total: number }> {
    let base = this.db
      .selectFrom('attendees as a')
      .where('a.event_id', '=', session.eventId)
      .where('a.revoked_at', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('checkins as c').select('c.id').whereRef('c.attendee_id', '=', 'a.id').where('c.session_id', '=', session.id).where('c.undone_at', 'is', null))));
    if (!session.allAttendees) {
      base = base.where((eb) =>
        eb.exists(eb.selectFrom('session_registrations as r').select('r.attendee_id').whereRef('r.attendee_id', '=', 'a.id').where('r.session_id', '=', session.id).where('r.revoked_at', 'is', null)),
      );
    }
    if (q) {
      const p = contains(q);
      base = base.where((eb) => eb.or([sql<boolean>`lower(${eb.ref('a.name')}) like ${p} escape '\\'`, sql<boolean>`lower(coalesce(${eb.ref('a.email')}, '')) like ${p} escape '\\'`]));
    }
    // The page and the total in one call: on SQLite one moment of the store, so they agree.
    const [rows, count] = await this.reads.read([
      base.select(['a.id', 'a.name', 'a.email', 'a.revoked_at']).orderBy('a.name').orderBy('a.id').limit(limit).offset(offset),
      base.select((eb) => eb.fn.countAll().as('n')),
    ]);
    return { people: rows.map((r) => ({ ...r, revoked_at: null })), total: Number(count[0]?.n ?? 0) };
  }

  /** Live registrations for these sessions, optionally only of these attendees. */
  async registrations(sessionIds: readonly string[], attendeeIds?: readonly string[]): Promise<AttendanceRegistration[]> {
    if (sessionIds.length === 0 || attendeeIds?.length === 0) return [];
    let q = this.db.selectFrom('session_registrations').select(['session_id', 'attendee_id', 'revoked_at']).where('session_id', 'in', [...sessionIds]);
    if (attendeeIds) q = q.where('attendee_id', 'in', [...attendeeIds]);
    const rows = await q.execute();
    return rows.map((r) => ({ session_id: r.session_id, attendee_id: r.attendee_id, revoked: r.revoked_at !== null }));
  }

  /** Live check-ins in these sessions, optionally only of these attendees. */
  async checkins(sessionIds: readonly string[], attendeeIds?: readonly string[]): Promise<AttendanceCheckin[]> {
    if (sessionIds.length === 0 || attendeeIds?.length === 0) return [];
    let q = this.db
      .selectFrom('checkins')
      .leftJoin('users', 'users.id', 'checkins.by_user_id')
      .leftJoin('scanner_devices', 'scanner_devices.id', 'checkins.by_device_id')
      .select(['checkins.id', 'checkins.session_id', 'checkins.attendee_id', 'checkins.at', 'checkins.gate', 'checkins.exited_at', 'users.name as user_name', 'scanner_devices.name as device_name'])
      .where('checkins.session_id', 'in', [...sessionIds])
      .where('checkins.undone_at', 'is', null);
    if (attendeeIds) q = q.where('checkins.attendee_id', 'in', [...attendeeIds]);
    const rows = await q.orderBy('checkins.at').execute();
    return rows.map((r) => ({
      id: r.id,
      session_id: r.session_id,
      attendee_id: r.attendee_id,
      at: Number(r.at),
      gate: r.gate,
      exited_at: r.exited_at === null ? null : Number(r.exited_at),
      by: r.user_name ?? r.device_name ?? null,
    }));
  }
}
