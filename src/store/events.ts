import type { Kysely } from 'kysely';
import type { CheckinEvent, CheckinSession } from '../domain/event.js';
import type { StaffMember } from '../domain/user.js';
import { PreparedQuery } from './prepared-query.js';
import type { Database, EventSessionsTable, EventsTable } from './schema.js';
import type { UnitContext } from './units-of-work.js';
import { updateIfVersion } from './versioned-update.js';

/** What deleting an event or a session found: done, refused (a check-in was recorded there), or nothing to delete. */
export type DeleteOutcome = 'deleted' | 'has_checkins' | 'not_found';

/** A session with its event's name, as the scanner's session picker shows it. */
export type ScannableSession = CheckinSession & { eventName: string };


/** Which sessions a scanner may pick: each field given narrows the list; none given is every session. */
export interface ScannableFilter {
  eventId?: string | undefined;
  sessionId?: string | undefined;
  /** Only the sessions this user staffs (`session_staff`). */
  staffUserId?: string | undefined;
}

const toEvent = (r: EventsTable): CheckinEvent => ({
  id: r.id,
  name: r.name,
  startsAt: Number(r.starts_at),
  endsAt: Number(r.ends_at),
  publicKey: r.public_key,
  privateKey: r.private_key,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  version: Number(r.version),
  archivedAt: r.archived_at === null ? null : Number(r.archived_at),
});

const toSession = (r: EventSessionsTable): CheckinSession => ({
  id: r.id,
  eventId: r.event_id,
  name: r.name,
  place: r.place,
  startsAt: Number(r.starts_at),
  endsAt: Number(r.ends_at),
  opensAt: Number(r.opens_at),
  closesAt: Number(r.closes_at),
  closedAt: r.closed_at === null ? null : Number(r.closed_at),
  allAttendees: Number(r.all_attendees) === 1,
  version: Number(r.version),
  createdAt: Number(r.created_at),
  archivedAt: r.archived_at === null ? null : Number(r.archived_at),
});

/** Events, their sessions and who staffs them. */
export class EventsRepo {
  private readonly sessionById = new PreparedQuery((db, p: { id: string }) => db.selectFrom('event_sessions').selectAll().where('id', '=', p.id));

  constructor(private readonly db: Kysely<Database>) {}

  async insertEvent(e: CheckinEvent): Promise<void> {
    await this.db
      .insertInto('events')
      .values({ id: e.id, name: e.name, starts_at: e.startsAt, ends_at: e.endsAt, public_key: e.publicKey, private_key: e.privateKey, created_by: e.createdBy, created_at: e.createdAt, version: e.version, archived_at: e.archivedAt })
      .execute();
  }

  async event(id: string, trx: Kysely<Database> = this.db): Promise<CheckinEvent | undefined> {
    const r = await trx.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toEvent(r);
  }

  /** The events not archived (or, with `archived`, only the archived ones), latest first. */
  async listEvents(limit: number, offset: number, archived = false): Promise<CheckinEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('archived_at', archived ? 'is not' : 'is', null)
      .orderBy('starts_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(toEvent);
  }

  /** Compare-and-set: writes `next` (its name, times and archived mark; the version moves by one) if the row is still at `next.version`. */
  updateEvent(next: CheckinEvent): Promise<boolean> {
    return updateIfVersion(this.db, 'events', next.id, next.version, { name: next.name, starts_at: next.startsAt, ends_at: next.endsAt, archived_at: next.archivedAt, version: next.version + 1 });
  }

  /**
   * Compare-and-set on the `session:` version: writes `next` if the row is
   * still at `next.version`; returns the new version, or null when another
   * writer got there first (or the row is gone).
   */
  async updateSession(next: CheckinSession): Promise<number | null> {
    const won = await updateIfVersion(this.db, 'event_sessions', next.id, next.version, {
      name: next.name,
      place: next.place,
      starts_at: next.startsAt,
      ends_at: next.endsAt,
      opens_at: next.opensAt,
      closes_at: next.closesAt,
      closed_at: next.closedAt,
      all_attendees: next.allAttendees ? 1 : 0,
      archived_at: next.archivedAt,
      version: next.version + 1,
    });
    return won ? next.version + 1 : null;
  }

  /**
   * Deletes the session unless a check-in (live or undone: both are history)
   * was ever recorded there; run it in a unit of work. Every scan locks its
   * attendee first (store/checkins.ts), so locking the event's attendees
   * here waits for scans under way and holds back new ones: the check below
   * sees every check-in, and none can land between it and the delete.
   */
  async deleteSession(id: string, unit: Kysely<Database>): Promise<DeleteOutcome> {
    const s = await unit.selectFrom('event_sessions').select('event_id').where('id', '=', id).executeTakeFirst();
    if (!s) return 'not_found';
    await this.lockAttendees(s.event_id, unit);
    if (await unit.selectFrom('checkins').select('id').where('session_id', '=', id).limit(1).executeTakeFirst()) return 'has_checkins';
    const r = await unit.deleteFrom('event_sessions').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0 ? 'deleted' : 'not_found';
  }

  /** Deletes the event (its sessions, attendees, scanners and webhook) unless a check-in was ever recorded at one of its sessions; as `deleteSession`. */
  async deleteEvent(id: string, unit: Kysely<Database>): Promise<DeleteOutcome> {
    // Locks the event row too: a session being added waits (its key refers to it).
    const bumped = await unit.updateTable('events').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', id).executeTakeFirst();
    if (Number(bumped.numUpdatedRows) === 0) return 'not_found';
    await this.lockAttendees(id, unit);
    const checkin = await unit
      .selectFrom('checkins')
      .innerJoin('event_sessions', 'event_sessions.id', 'checkins.session_id')
      .select('checkins.id')
      .where('event_sessions.event_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    if (checkin) return 'has_checkins';
    // The webhook endpoint is keyed by owner, not by a reference into events (migration 010).
    await unit.deleteFrom('webhook_endpoints').where('owner', '=', `event:${id}`).execute();
    await unit.deleteFrom('events').where('id', '=', id).execute();
    return 'deleted';
  }

  /** A write lock on every attendee of the event without changing them (see `deleteSession`). */
  private async lockAttendees(eventId: string, unit: Kysely<Database>): Promise<void> {
    await unit.updateTable('attendees').set((eb) => ({ version: eb.ref('version') })).where('event_id', '=', eventId).execute();
  }

  async insertSession(s: CheckinSession): Promise<void> {
    await this.db
      .insertInto('event_sessions')
      .values({
        id: s.id,
        event_id: s.eventId,
        name: s.name,
        place: s.place,
        starts_at: s.startsAt,
        ends_at: s.endsAt,
        opens_at: s.opensAt,
        closes_at: s.closesAt,
        closed_at: s.closedAt,
        all_attendees: s.allAttendees ? 1 : 0,
        version: s.version,
        created_at: s.createdAt,
        archived_at: s.archivedAt,
      })
      .execute();
  }

  /**
   * Read by every scan, so compiled once; the scan decides on it as it is (a
   * CheckinSession is its SessionFacts). `on`: a transaction, or a scan's unit
   * of work (its fast path).
   */
  async session(id: string, on: Kysely<Database> | UnitContext = this.db): Promise<CheckinSession | undefined> {
    const r = (await this.sessionById.executeOn(on, { id })).rows[0];
    return r && toSession(r);
  }

  async sessionsOf(eventId: string): Promise<CheckinSession[]> {
    const rows = await this.db.selectFrom('event_sessions').selectAll().where('event_id', '=', eventId).orderBy('starts_at').orderBy('id').execute();
    return rows.map(toSession);
  }

  /** The sessions a scanner may pick, in one query: check-in closing at `closesAfter` or later, by opening time then name. */
  async scannableSessions(filter: ScannableFilter, closesAfter: number, limit: number): Promise<ScannableSession[]> {
    const { eventId, sessionId, staffUserId } = filter;
    let q = this.db
      .selectFrom('event_sessions')
      .innerJoin('events', 'events.id', 'event_sessions.event_id')
      .selectAll('event_sessions')
      .select('events.name as event_name')
      .where('event_sessions.closes_at', '>=', closesAfter)
      // Archived events and sessions are filed away: no scanner picks them.
      .where('events.archived_at', 'is', null)
      .where('event_sessions.archived_at', 'is', null);
    if (eventId !== undefined) q = q.where('event_sessions.event_id', '=', eventId);
    if (sessionId !== undefined) q = q.where('event_sessions.id', '=', sessionId);
    if (staffUserId !== undefined) {
      q = q.where((eb) =>
        eb.exists(eb.selectFrom('session_staff').select('session_staff.user_id').whereRef('session_staff.session_id', '=', 'event_sessions.id').where('session_staff.user_id', '=', staffUserId)),
      );
    }
    const rows = await q.orderBy('event_sessions.opens_at').orderBy('event_sessions.name').orderBy('event_sessions.id').limit(limit).execute();
    return rows.map((r) => ({ ...toSession(r), eventName: r.event_name }));
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

  async staffOf(sessionId: string): Promise<StaffMember[]> {
    const rows = await this.db
      .selectFrom('session_staff')
      .innerJoin('users', 'users.id', 'session_staff.user_id')
      .select(['users.id', 'users.name', 'users.email', 'session_staff.created_at'])
      .where('session_staff.session_id', '=', sessionId)
      .orderBy('session_staff.created_at')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, since: Number(r.created_at) }));
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
