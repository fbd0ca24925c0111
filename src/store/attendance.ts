import { sql, type Kysely } from 'kysely';
import type { AttendanceCheckin, AttendancePerson, AttendanceRegistration } from '../domain/attendance.js';
import type { Database } from './schema.js';

/** LIKE pattern matching `q` anywhere, with its own wildcards taken literally. */
const contains = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Who was expected where and who came: reads for the attendance export and the name search. */
export class AttendanceRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every attendee of the event, revoked ones too (they may have come before). */
  async people(eventId: string): Promise<AttendancePerson[]> {
    const rows = await this.db.selectFrom('attendees').select(['id', 'name', 'email', 'revoked_at']).where('event_id', '=', eventId).orderBy('name').orderBy('id').execute();
    return rows.map((r) => ({ ...r, revoked_at: r.revoked_at === null ? null : Number(r.revoked_at) }));
  }

  /** Up to `limit` attendees of the event whose name or email contains `q`, case-insensitively. */
  async search(eventId: string, q: string, limit: number): Promise<AttendancePerson[]> {
    const p = contains(q);
    const rows = await this.db
      .selectFrom('attendees')
      .select(['id', 'name', 'email', 'revoked_at'])
      .where('event_id', '=', eventId)
      .where((eb) => eb.or([sql<boolean>`lower(${eb.ref('name')}) like ${p} escape '\\'`, sql<boolean>`lower(coalesce(${eb.ref('email')}, '')) like ${p} escape '\\'`]))
      .orderBy('name')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...r, revoked_at: r.revoked_at === null ? null : Number(r.revoked_at) }));
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
