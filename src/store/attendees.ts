import { sql, type Kysely } from 'kysely';
import type { Attendee, Registration } from '../domain/event.js';
import { doorSessionsQuery } from './checkin-queries.js';
import type { AttendeesTable, Database } from './schema.js';

/** An attendee as first stored, with the hash of their personal pass link (null: none). */
export interface NewAttendee extends Attendee {
  linkTokenHash: string | null;
}


const INFO = ['id', 'event_id', 'user_id', 'name', 'email', 'version', 'created_at', 'revoked_at'] as const;

export const toAttendee = (r: Omit<AttendeesTable, 'link_token_hash' | 'language' | 'note'>): Attendee => ({
  id: r.id,
  eventId: r.event_id,
  userId: r.user_id,
  name: r.name,
  email: r.email,
  version: Number(r.version),
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

export const attendeeColumns = (a: NewAttendee): Omit<AttendeesTable, 'language' | 'note'> => ({
  id: a.id,
  event_id: a.eventId,
  user_id: a.userId,
  name: a.name,
  email: a.email,
  link_token_hash: a.linkTokenHash,
  version: a.version,
  created_at: a.createdAt,
  revoked_at: a.revokedAt,
});

/** Attendees (one person's registration for one event) and their per-session registrations. */
export class AttendeesRepo {
  /** The door's sessions of an attendee, the same statement a scan runs in its unit. */
  private readonly doorSessions = doorSessionsQuery();

  constructor(private readonly db: Kysely<Database>) {}

  /** Returns false when this account is already an attendee of the event. */
  async insert(a: NewAttendee, db: Kysely<Database> = this.db): Promise<boolean> {
    const r = await db.insertInto('attendees').values(attendeeColumns(a)).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async byId(id: string): Promise<Attendee | undefined> {
    const r = await this.db.selectFrom('attendees').select(INFO).where('id', '=', id).executeTakeFirst();
    return r && toAttendee(r);
  }

  async byUser(eventId: string, userId: string): Promise<Attendee | undefined> {
    const r = await this.db.selectFrom('attendees').select(INFO).where('event_id', '=', eventId).where('user_id', '=', userId).executeTakeFirst();
    return r && toAttendee(r);
  }

  /**
   * The person's attendee row in an event: the one tied to their account,
   * else the oldest row of no account with their e-mail (an organiser's
   * import or hand entry; accounts are made by admins, so the e-mail is theirs).
   */
  async forPerson(eventId: string, person: { id: string; email: string }): Promise<Attendee | undefined> {
    const r = await this.db
      .selectFrom('attendees')
      .select(INFO)
      .where('event_id', '=', eventId)
      .where((eb) => eb.or([eb('user_id', '=', person.id), eb.and([eb('user_id', 'is', null), eb(sql<string>`lower(email)`, '=', person.email.toLowerCase())])]))
      // The account's own row first, then the oldest by e-mail.
      .orderBy(sql`case when user_id is null then 1 else 0 end`)
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    return r && toAttendee(r);
  }

  /** Every event the person attends (by account, or by e-mail on rows of no account; see forPerson), with the event's name and times. */
  async eventsOfPerson(person: { id: string; email: string }, limit: number): Promise<{ attendee: Attendee; event: { name: string; startsAt: number; endsAt: number } }[]> {
    const rows = await this.db
      .selectFrom('attendees')
      .innerJoin('events', 'events.id', 'attendees.event_id')
      .select(['attendees.id', 'attendees.event_id', 'attendees.user_id', 'attendees.name', 'attendees.email', 'attendees.version', 'attendees.created_at', 'attendees.revoked_at'])
      .select(['events.name as event_name', 'events.starts_at as event_starts_at', 'events.ends_at as event_ends_at'])
      .where((eb) => eb.or([eb('attendees.user_id', '=', person.id), eb.and([eb('attendees.user_id', 'is', null), eb(sql<string>`lower(attendees.email)`, '=', person.email.toLowerCase())])]))
      .orderBy('events.starts_at', 'desc')
      .orderBy('attendees.created_at')
      .limit(limit)
      .execute();
    const byEvent = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      // forPerson's choice: the account's row over e-mail matches, else the oldest (rows of an event come oldest first).
      const held = byEvent.get(r.event_id);
      if (!held || (held.user_id === null && r.user_id !== null)) byEvent.set(r.event_id, r);
    }
    return [...byEvent.values()].map((r) => ({ attendee: toAttendee(r), event: { name: r.event_name, startsAt: Number(r.event_starts_at), endsAt: Number(r.event_ends_at) } }));
  }

  async byLinkHash(hash: string): Promise<Attendee | undefined> {
    const r = await this.db.selectFrom('attendees').select(INFO).where('link_token_hash', '=', hash).executeTakeFirst();
    return r && toAttendee(r);
  }

  /** The hash of the attendee's current personal link (null: none), which names what the link opened live; undefined: no such attendee. */
  async linkHash(id: string): Promise<string | null | undefined> {
    return (await this.db.selectFrom('attendees').select('link_token_hash').where('id', '=', id).executeTakeFirst())?.link_token_hash;
  }

  async setLinkHash(id: string, hash: string, db: Kysely<Database> = this.db): Promise<boolean> {
    const r = await db.updateTable('attendees').set({ link_token_hash: hash }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async listForEvent(eventId: string, limit: number, offset: number): Promise<Attendee[]> {
    const rows = await this.db.selectFrom('attendees').select(INFO).where('event_id', '=', eventId).orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
    return rows.map(toAttendee);
  }

  /** Live session registrations of the event's attendees, for offline scanners. */
  async registrationsForEvent(eventId: string): Promise<Registration[]> {
    const rows = await this.db
      .selectFrom('session_registrations')
      .innerJoin('event_sessions', 'event_sessions.id', 'session_registrations.session_id')
      .select(['session_registrations.session_id', 'session_registrations.attendee_id'])
      .where('event_sessions.event_id', '=', eventId)
      .where('session_registrations.revoked_at', 'is', null)
      .execute();
    return rows.map((r) => ({ sessionId: r.session_id, attendeeId: r.attendee_id }));
  }

  /** Revokes an attendee and bumps their `pass:` version; null when no such live attendee. */
  async revoke(id: string, now: number): Promise<number | null> {
    const r = await this.db
      .updateTable('attendees')
      .set((eb) => ({ revoked_at: now, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returning('version')
      .executeTakeFirst();
    return r ? Number(r.version) : null;
  }

  async bump(id: string, trx: Kysely<Database> = this.db): Promise<number | null> {
    const r = await trx.updateTable('attendees').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', id).returning('version').executeTakeFirst();
    return r ? Number(r.version) : null;
  }

  /** Registers for a session; registering again after a revocation reinstates it. */
  async register(sessionId: string, attendeeId: string, now: number, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .insertInto('session_registrations')
      .values({ session_id: sessionId, attendee_id: attendeeId, created_at: now, revoked_at: null })
      .onConflict((oc) => oc.columns(['session_id', 'attendee_id']).doUpdateSet({ revoked_at: null }))
      .execute();
  }

  async unregister(sessionId: string, attendeeId: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('session_registrations')
      .set({ revoked_at: now })
      .where('session_id', '=', sessionId)
      .where('attendee_id', '=', attendeeId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Sets (or clears, with null) the organiser's note for the door. */
  async setNote(id: string, note: string | null, db: Kysely<Database> = this.db): Promise<boolean> {
    const r = await db.updateTable('attendees').set({ note }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * What the door staff see of an attendee besides the name: the organiser's
   * note, and the sessions they may come to (live registrations, and the
   * sessions open to every attendee of the event), by start.
   */
  async doorDetails(id: string): Promise<{ note: string | null; sessions: { id: string; name: string }[] }> {
    const row = await this.db.selectFrom('attendees').select(['note', 'event_id']).where('id', '=', id).executeTakeFirst();
    if (!row) return { note: null, sessions: [] };
    const { rows: sessions } = await this.doorSessions.execute(this.db, { eventId: row.event_id, attendeeId: id });
    return { note: row.note, sessions };
  }
}
