import type { Kysely } from 'kysely';
import type { CheckinReport } from '../domain/checkin.js';
import { PreparedQuery } from './prepared-query.js';
import type { Database } from './schema.js';

/** What a check-in webhook reports about a check-in: the check-in, its attendee and its session, in one read. */
export class CheckinReportsRepo {
  /** Read on `trx`, the change's unit of work, so the report shows the change. */
  async report(trx: Kysely<Database>, checkinId: string): Promise<CheckinReport | undefined> {
    const c = await this.query.first(trx, { checkinId });
    if (!c) return undefined;
    return {
      eventId: c.event_id,
      checkin: {
        id: c.id,
        sessionId: c.session_id,
        attendeeId: c.attendee_id,
        at: Number(c.at),
        gate: c.gate,
        method: c.method,
        exitedAt: c.exited_at === null ? null : Number(c.exited_at),
        undoneAt: c.undone_at === null ? null : Number(c.undone_at),
      },
      attendee: { id: c.attendee_id, name: c.attendee_name, email: c.attendee_email, userId: c.attendee_user_id },
      session: { id: c.session_id, name: c.session_name },
    };
  }

  /** Run for every check-in change an enabled webhook reports, so compiled once. */
  private readonly query = new PreparedQuery((db, p: { checkinId: string }) =>
    db
      .selectFrom('checkins as c')
      .innerJoin('attendees as a', 'a.id', 'c.attendee_id')
      .innerJoin('event_sessions as s', 's.id', 'c.session_id')
      .select(['c.id', 'c.session_id', 'c.attendee_id', 'c.at', 'c.gate', 'c.method', 'c.exited_at', 'c.undone_at', 'a.name as attendee_name', 'a.email as attendee_email', 'a.user_id as attendee_user_id', 's.name as session_name', 's.event_id'])
      .where('c.id', '=', p.checkinId),
  );
}
