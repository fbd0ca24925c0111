import type { Kysely } from 'kysely';
import type { SessionFacts } from '../domain/checkin.js';
import { PreparedQuery } from './prepared-query.js';
import type { Database, EventSessionsTable, EventsTable } from './schema.js';

export type EventRow = EventsTable;
export type SessionRow = EventSessionsTable;
/** A session with its event's name, as the scanner's session picker shows it. */
export type ScannableSessionRow = SessionRow & { event_name: string };

/** Which sessions a scanner may pick: each field given narrows the list; none given is every session. */
export interface ScannableFilter {
  eventId?: string | undefined;
  sessionId?: string | undefined;
  /** Only the sessions this user staffs (`session_staff`). */
  staffUserId?: string | undefined;
}

export const sessionFacts = (s: SessionRow): SessionFacts => ({
  id: s.id,
  eventId: s.event_id,
  opensAt: Number(s.opens_at),
  closesAt: Number(s.closes_at),
  closedAt: s.closed_at === null ? null : Number(s.closed_at),
  allAttendees: Number(s.all_attendees) === 1,
});

/** Events, their sessions and who staffs them. */
export class EventsRepo {
  private readonly sessionById = new PreparedQuery((db, p: { id: string }) => db.selectFrom('event_sessions').selectAll().where('id', '=', p.id));

  constructor(private readonly db: Kysely<Database>) {}

  async insertEvent(row: EventRow): Promise<void> {
    await this.db.insertInto('events').values(row).execute();
  }

  event(id: string): Promise<EventRow | undefined> {
    return this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listEvents(limit: number, offset: number): Promise<EventRow[]> {
    return this.db.selectFrom('events').selectAll().orderBy('starts_at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
  }

  async insertSession(row: SessionRow): Promise<void> {
    await this.db.insertInto('event_sessions').values(row).execute();
  }

  /** Read by every scan, so compiled once. */
  session(id: string): Promise<SessionRow | undefined> {
    return this.sessionById.first(this.db, { id });
  }

  sessionsOf(eventId: string): Promise<SessionRow[]> {
    return this.db.selectFrom('event_sessions').selectAll().where('event_id', '=', eventId).orderBy('starts_at').orderBy('id').execute();
  }

  /** The sessions a scanner may pick, in one query: check-in closing at `closesAfter` or later, by opening time then name. */
  scannableSessions(filter: ScannableFilter, closesAfter: number, limit: number): Promise<ScannableSessionRow[]> {
    const { eventId, sessionId, staffUserId } = filter;
    let q = this.db
      .selectFrom('event_sessions')
      .innerJoin('events', 'events.id', 'event_sessions.event_id')
      .selectAll('event_sessions')
      .select('events.name as event_name')
      .where('event_sessions.closes_at', '>=', closesAfter);
    if (eventId !== undefined) q = q.where('event_sessions.event_id', '=', eventId);
    if (sessionId !== undefined) q = q.where('event_sessions.id', '=', sessionId);
    if (staffUserId !== undefined) {
      q = q.where((eb) =>
        eb.exists(eb.selectFrom('session_staff').select('session_staff.user_id').whereRef('session_staff.session_id', '=', 'event_sessions.id').where('session_staff.user_id', '=', staffUserId)),
      );
    }
    return q.orderBy('event_sessions.opens_at').orderBy('event_sessions.name').orderBy('event_sessions.id').limit(limit).execute();
  }

  /** Opens or closes a session by hand; returns the new channel version, or null when no such session. */
  async setClosed(id: string, closedAt: number | null): Promise<number | null> {
    const r = await this.db
      .updateTable('event_sessions')
      .set((eb) => ({ closed_at: closedAt, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .returning('version')
      .executeTakeFirst();
    return r ? Number(r.version) : null;
  }

  /** Bumps the `session:` channel version after a change outside a scan (registrations, undo). */
  async bumpSession(id: string, trx: Kysely<Database> = this.db): Promise<number | null> {
    const r = await trx.updateTable('event_sessions').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', id).returning('version').executeTakeFirst();
    return r ? Number(r.version) : null;
  }

  async addStaff(sessionId: string, userId: string, now: number): Promise<void> {
    await this.db
      .insertInto('session_staff')
      .values({ session_id: sessionId, user_id: userId, created_at: now })
      .onConflict((oc) => oc.columns(['session_id', 'user_id']).doNothing())
      .execute();
  }

  async removeStaff(sessionId: string, userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('session_staff').where('session_id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  staffOf(sessionId: string) {
    return this.db
      .selectFrom('session_staff')
      .innerJoin('users', 'users.id', 'session_staff.user_id')
      .select(['users.id', 'users.name', 'users.email', 'session_staff.created_at'])
      .where('session_staff.session_id', '=', sessionId)
      .orderBy('session_staff.created_at')
      .execute();
  }

  async isStaff(sessionId: string, userId: string): Promise<boolean> {
    const r = await this.db.selectFrom('session_staff').select('user_id').where('session_id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
    return r !== undefined;
  }

  /** True when the user staffs any session of the event. */
  async staffsEvent(eventId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('session_staff')
      .innerJoin('event_sessions', 'event_sessions.id', 'session_staff.session_id')
      .select('session_staff.user_id')
      .where('event_sessions.event_id', '=', eventId)
      .where('session_staff.user_id', '=', userId)
      .executeTakeFirst();
    return r !== undefined;
  }
}
