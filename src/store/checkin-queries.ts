import type { Insertable } from 'kysely';
import { PreparedQuery } from './prepared-query.js';
import type { CheckinsTable, ScansTable } from './schema.js';

/** The sessions of the attendee's event they may come to, for the door's answer: read in a scan's unit, or alone for a replay (AttendeesRepo.doorDetails). */
export const doorSessionsQuery = () =>
  new PreparedQuery((db, p: { eventId: string; attendeeId: string }) =>
    db
      .selectFrom('event_sessions')
      .select(['id', 'name'])
      .where('event_id', '=', p.eventId)
      .where((eb) =>
        eb.or([
          eb('all_attendees', '=', 1),
          eb('id', 'in', eb.selectFrom('session_registrations').select('session_id').where('attendee_id', '=', p.attendeeId).where('revoked_at', 'is', null)),
        ]),
      )
      .orderBy('starts_at')
      .orderBy('id'),
  );

/**
 * The statements every scan runs, built once per repository (see
 * PreparedQuery): building and compiling them on each scan cost more CPU than
 * SQLite running them.
 */
export const checkinQueries = () => ({
  // Only an attendee of the scanned session's event: a scan at another event's
  // session must not touch their pass nor name them on that session's dashboard.
  lockAttendee: new PreparedQuery((db, p: { id: string; eventId: string }) =>
    db
      .updateTable('attendees')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', p.id)
      .where('event_id', '=', p.eventId)
      .returning(['id', 'event_id', 'user_id', 'name', 'email', 'version', 'created_at', 'revoked_at', 'note']),
  ),
  scanFacts: new PreparedQuery((db, p: { attendeeId: string; sessionId: string }) =>
    db
      .selectFrom('attendees')
      .leftJoin('session_registrations as r', (j) => j.onRef('r.attendee_id', '=', 'attendees.id').on('r.session_id', '=', p.sessionId))
      // Every live check-in of the attendee (the pass lists them all), oldest first; one row of nulls when none.
      .leftJoin('checkins as c', (j) => j.onRef('c.attendee_id', '=', 'attendees.id').on('c.undone_at', 'is', null))
      .leftJoin('event_sessions as s', 's.id', 'c.session_id')
      .select(['r.attendee_id as reg', 'r.revoked_at as reg_revoked_at', 'c.id', 'c.session_id', 's.name as session_name', 'c.at', 'c.gate', 'c.exited_at'])
      .where('attendees.id', '=', p.attendeeId)
      .orderBy('c.at'),
  ),
  doorSessions: doorSessionsQuery(),
  // Every column named: the placeholders are not enumerable, so `values(p)` would insert none.
  insertScan: new PreparedQuery((db, p: Insertable<ScansTable>) =>
    db
      .insertInto('scans')
      .values({
        at: p.at,
        scanned_at: p.scanned_at,
        session_id: p.session_id,
        attendee_id: p.attendee_id,
        method: p.method,
        direction: p.direction,
        result: p.result,
        reason: p.reason,
        checkin_id: p.checkin_id,
        actor_key: p.actor_key,
        actor_name: p.actor_name,
        gate: p.gate,
        nonce: p.nonce,
        response: p.response,
      })
      .onConflict((oc) => oc.columns(['actor_key', 'nonce']).doNothing()),
  ),
  insertCheckin: new PreparedQuery((db, p: CheckinsTable) =>
    db.insertInto('checkins').values({
      id: p.id,
      session_id: p.session_id,
      attendee_id: p.attendee_id,
      at: p.at,
      gate: p.gate,
      method: p.method,
      by_user_id: p.by_user_id,
      by_device_id: p.by_device_id,
      exited_at: p.exited_at,
      undone_at: p.undone_at,
      undone_by: p.undone_by,
    }),
  ),
  setExited: new PreparedQuery((db, p: { id: string; exitedAt: number | null }) => db.updateTable('checkins').set({ exited_at: p.exitedAt }).where('id', '=', p.id)),
  passCheckins: new PreparedQuery((db, p: { attendeeId: string }) =>
    db
      .selectFrom('checkins')
      .innerJoin('event_sessions', 'event_sessions.id', 'checkins.session_id')
      .select(['checkins.id', 'checkins.session_id', 'event_sessions.name as session_name', 'checkins.at', 'checkins.gate', 'checkins.exited_at'])
      .where('checkins.attendee_id', '=', p.attendeeId)
      .where('checkins.undone_at', 'is', null)
      .orderBy('checkins.at'),
  ),
});
