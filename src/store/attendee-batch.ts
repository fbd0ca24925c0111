import type { Kysely } from 'kysely';
import type { Registration } from '../domain/event.js';
import { attendeeColumns, type NewAttendee } from './attendees.js';
import type { Database } from './schema.js';
import type { UnitsOfWork } from './units-of-work.js';

/** What one import writes; applied in one transaction, all or nothing. */
export interface AttendeeBatchWrite {
  eventId: string;
  /** What the import was planned on: for each email in the file, the live attendee that had it (null: nobody). */
  plannedOn: Map<string, string | null>;
  creates: NewAttendee[];
  /** Existing attendees whose name changes; their `pass:` version moves. */
  renames: { id: string; name: string }[];
  /** Attendees (new or existing) whose pass e-mail language is set. */
  languages?: { id: string; language: 'en' | 'zh-CN' }[];
  /** Attendees (new or existing) whose note for the door is set (null: cleared). */
  notes?: { id: string; note: string | null }[];
  /** Registrations to add (or reinstate, when revoked). */
  registrations: Registration[];
  /** Sessions whose expected attendees changed; their `session:` version moves. */
  sessions: string[];
  now: number;
}

// Rows per INSERT: well under SQLite's and Postgres's bound-parameter limits.
const CHUNK = 200;

function* chunks<T>(all: readonly T[]): Generator<T[]> {
  for (let i = 0; i < all.length; i += CHUNK) yield all.slice(i, i + CHUNK);
}

/** Another import of the same event wrote first: this one's plan no longer holds. Plan again. */
export class ImportRaced extends Error {
  constructor() {
    super('another import of this event changed its attendees meanwhile');
  }
}

/** Many attendees at once, for imports. */
export class AttendeeBatch {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly units: UnitsOfWork,
  ) {}

  /** The event's live (not revoked) attendees that have an email, by that email. */
  async liveByEmail(eventId: string, db: Kysely<Database> = this.db): Promise<Map<string, { id: string; name: string; language: string | null; note: string | null }>> {
    const rows = await db
      .selectFrom('attendees')
      .select(['id', 'name', 'email', 'language', 'note'])
      .where('event_id', '=', eventId)
      .where('revoked_at', 'is', null)
      .where('email', 'is not', null)
      .orderBy('created_at')
      .execute();
    const out = new Map<string, { id: string; name: string; language: string | null; note: string | null }>();
    // Two live attendees with one email (added by hand): the first added is the one an upsert updates.
    for (const r of rows) if (!out.has(r.email!)) out.set(r.email!, { id: r.id, name: r.name, language: r.language, note: r.note });
    return out;
  }

  /**
   * Writes everything, then `after` (the audit entry) in the same transaction.
   * Imports of one event take turns (each locks the event's row first) and
   * each checks, under that lock, that the emails it planned on still name
   * the same people: two organisers importing one file at once would
   * otherwise both add everyone. Throws ImportRaced, writing nothing, when not.
   */
  async write(w: AttendeeBatchWrite, after?: (trx: Kysely<Database>) => Promise<void>): Promise<void> {
    await this.units.execute(async ({ db: trx }) => {
      // A write that changes nothing, for its row lock (Postgres) or the write lock (SQLite).
      await trx.updateTable('events').set((eb) => ({ name: eb.ref('name') })).where('id', '=', w.eventId).execute();
      const now = await this.liveByEmail(w.eventId, trx);
      for (const [email, id] of w.plannedOn) if ((now.get(email)?.id ?? null) !== id) throw new ImportRaced();
      for (const part of chunks(w.creates)) await trx.insertInto('attendees').values(part.map(attendeeColumns)).execute();
      for (const lang of ['en', 'zh-CN'] as const) {
        const ids = (w.languages ?? []).filter((l) => l.language === lang).map((l) => l.id);
        for (const part of chunks(ids)) await trx.updateTable('attendees').set({ language: lang }).where('id', 'in', part).execute();
      }
      for (const n of w.notes ?? []) await trx.updateTable('attendees').set({ note: n.note }).where('id', '=', n.id).execute();
      for (const r of w.renames) {
        await trx.updateTable('attendees').set((eb) => ({ name: r.name, version: eb('version', '+', 1) })).where('id', '=', r.id).execute();
      }
      for (const part of chunks(w.registrations)) {
        await trx
          .insertInto('session_registrations')
          .values(part.map((r) => ({ session_id: r.sessionId, attendee_id: r.attendeeId, created_at: w.now, revoked_at: null })))
          .onConflict((oc) => oc.columns(['session_id', 'attendee_id']).doUpdateSet({ revoked_at: null }))
          .execute();
      }
      for (const id of w.sessions) await trx.updateTable('event_sessions').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', id).execute();
      await after?.(trx);
    });
  }
}
