import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Where an attendee's pass e-mail stands. `sending`: a node holds the claim and is talking SMTP. */
export type PassDeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface PassDelivery {
  attendeeId: string;
  eventId: string;
  jobId: string;
  status: PassDeliveryStatus;
  attempts: number;
  error: string | null;
  queuedAt: number;
  sentAt: number | null;
  updatedAt: number;
}

/** A claimed delivery with what its message needs. */
export interface ClaimedDelivery {
  attendeeId: string;
  jobId: string;
  eventId: string;
  eventName: string;
  eventStartsAt: number;
  name: string;
  email: string | null;
  language: string | null;
  revoked: boolean;
}

/** A row to put in a job: queued, or failed at once (no e-mail address). */
export interface QueuedRow {
  attendeeId: string;
  status: 'queued' | 'failed';
  error: string | null;
}

const toDelivery = (r: Database['pass_deliveries']): PassDelivery => ({
  attendeeId: r.attendee_id,
  eventId: r.event_id,
  jobId: r.job_id,
  status: r.status as PassDeliveryStatus,
  attempts: Number(r.attempts),
  error: r.error,
  queuedAt: Number(r.queued_at),
  sentAt: r.sent_at === null ? null : Number(r.sent_at),
  updatedAt: Number(r.updated_at),
});

/**
 * Pass e-mails, one row per attendee. A send job (re)queues rows; every
 * node takes queued rows by compare-and-set (`queued` -> `sending` with its
 * claim token), so one node sends each message, and writes back `sent` or
 * `failed` only while its claim holds. A `sending` row whose lease lapsed
 * (its node died mid-send) is failed, never sent again on its own: it may
 * have gone out, and the organiser decides whether to resend.
 */
export class PassDeliveriesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Puts `rows` in job `jobId`: an attendee with no row gets one; one with a
   * row is taken over only when its status is in `from` (rows queued or
   * being sent are never taken over, so nobody is mailed twice by two jobs).
   */
  async queue(eventId: string, jobId: string, rows: QueuedRow[], from: PassDeliveryStatus[], now: number): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) {
      const part = rows.slice(i, i + 200).map((r) => ({
        attendee_id: r.attendeeId,
        event_id: eventId,
        job_id: jobId,
        status: r.status,
        attempts: 0,
        claim_token: null,
        claimed_until: null,
        error: r.error,
        queued_at: now,
        sent_at: null,
        updated_at: now,
      }));
      await this.db
        .insertInto('pass_deliveries')
        .values(part)
        .onConflict((oc) =>
          oc
            .column('attendee_id')
            .doUpdateSet((eb) => ({
              job_id: eb.ref('excluded.job_id'),
              status: eb.ref('excluded.status'),
              attempts: 0,
              claim_token: null,
              claimed_until: null,
              error: eb.ref('excluded.error'),
              queued_at: eb.ref('excluded.queued_at'),
              sent_at: null,
              updated_at: eb.ref('excluded.updated_at'),
            }))
            .where('pass_deliveries.status', 'in', from),
        )
        .execute();
    }
  }

  /** The oldest queued rows. */
  async due(limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('pass_deliveries').select('attendee_id').where('status', '=', 'queued').orderBy('queued_at').orderBy('attendee_id').limit(limit).execute();
    return rows.map((r) => r.attendee_id);
  }

  /**
   * Claims those of `ids` still queued, in one statement: on Postgres a row
   * another node is claiming waits for that node's update and is re-checked
   * after it, so two nodes never both win a row. Returns the ids won.
   */
  async claim(ids: string[], token: string, now: number, until: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const won = await this.db
      .updateTable('pass_deliveries')
      .set((eb) => ({ status: 'sending', claim_token: token, claimed_until: until, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('attendee_id', 'in', ids)
      .where('status', '=', 'queued')
      .returning('attendee_id')
      .execute();
    return won.map((r) => r.attendee_id);
  }

  /** What the messages of claimed rows need. */
  async claimed(ids: string[]): Promise<ClaimedDelivery[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('pass_deliveries as d')
      .innerJoin('attendees as a', 'a.id', 'd.attendee_id')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .select(['d.attendee_id', 'd.job_id', 'd.event_id', 'e.name as event_name', 'e.starts_at', 'a.name', 'a.email', 'a.language', 'a.revoked_at'])
      .where('d.attendee_id', 'in', ids)
      .execute();
    return rows.map((r) => ({
      attendeeId: r.attendee_id,
      jobId: r.job_id,
      eventId: r.event_id,
      eventName: r.event_name,
      eventStartsAt: Number(r.starts_at),
      name: r.name,
      email: r.email,
      language: r.language,
      revoked: r.revoked_at !== null,
    }));
  }

  /** Writes how a send ended, only while this claim still holds. */
  async settle(id: string, token: string, outcome: { sent: true } | { sent: false; error: string }, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('pass_deliveries')
      .set(outcome.sent ? { status: 'sent', sent_at: now, error: null, claim_token: null, claimed_until: null, updated_at: now } : { status: 'failed', error: outcome.error, claim_token: null, claimed_until: null, updated_at: now })
      .where('attendee_id', '=', id)
      .where('status', '=', 'sending')
      .where('claim_token', '=', token)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Gives a claim back before anything was sent (the node is shutting down). */
  async release(id: string, token: string, now: number): Promise<void> {
    await this.db
      .updateTable('pass_deliveries')
      .set((eb) => ({ status: 'queued', claim_token: null, claimed_until: null, attempts: eb('attempts', '-', 1), updated_at: now }))
      .where('attendee_id', '=', id)
      .where('status', '=', 'sending')
      .where('claim_token', '=', token)
      .execute();
  }

  /** Fails every row of a job still queued (the SMTP server cannot be reached: trying each would only wait longer). */
  async failQueued(jobId: string, error: string, now: number): Promise<number> {
    const r = await this.db.updateTable('pass_deliveries').set({ status: 'failed', error, updated_at: now }).where('job_id', '=', jobId).where('status', '=', 'queued').executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Fails rows whose sender died mid-send (lease lapsed): they may have gone out, so they are not sent again unasked. */
  async lapse(now: number, error: string): Promise<number> {
    const r = await this.db
      .updateTable('pass_deliveries')
      .set({ status: 'failed', error, claim_token: null, claimed_until: null, updated_at: now })
      .where('status', '=', 'sending')
      .where('claimed_until', '<', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async forEvent(eventId: string): Promise<PassDelivery[]> {
    return (await this.db.selectFrom('pass_deliveries').selectAll().where('event_id', '=', eventId).execute()).map(toDelivery);
  }

  /** How many rows of a job are in each status. */
  async jobCounts(eventId: string, jobId: string): Promise<Record<PassDeliveryStatus, number>> {
    const rows = await this.db
      .selectFrom('pass_deliveries')
      .select(['status', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('event_id', '=', eventId)
      .where('job_id', '=', jobId)
      .groupBy('status')
      .execute();
    const out: Record<PassDeliveryStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0 };
    for (const r of rows) out[r.status as PassDeliveryStatus] = Number(r.n);
    return out;
  }
}

/** An attendee as the pass e-mail pages list them. */
export interface DeliveryPerson {
  id: string;
  name: string;
  email: string | null;
  language: string | null;
  revoked: boolean;
}

/** The attendees of an event, in the order they were added. */
export async function peopleOf(db: Kysely<Database>, eventId: string): Promise<DeliveryPerson[]> {
  const rows = await db.selectFrom('attendees').select(['id', 'name', 'email', 'language', 'revoked_at']).where('event_id', '=', eventId).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, language: r.language, revoked: r.revoked_at !== null }));
}
