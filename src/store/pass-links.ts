import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What the store knows of an attendee's link: the hash that opens the pass and, when kept, its sealed copy. */
export interface StoredLink {
  attendeeId: string;
  linkHash: string | null;
  sealed: string | null;
}

/**
 * The sealed copies of personal pass links (see flows/events/pass-links.ts).
 * A copy is only good while the attendee's `link_token_hash` is its hash: a
 * rotation through an older path leaves a stale copy, which readers detect.
 */
export class PassLinksRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Keeps (or replaces) the sealed copy of an attendee's link. */
  async keep(attendeeId: string, sealed: string, now: number, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .insertInto('pass_links')
      .values({ attendee_id: attendeeId, sealed, created_at: now })
      .onConflict((oc) => oc.column('attendee_id').doUpdateSet({ sealed, created_at: now }))
      .execute();
  }

  /** Keeps the copies of many new links at once (an import), on the caller's unit of work. */
  async keepMany(rows: { attendeeId: string; sealed: string }[], now: number, db: Kysely<Database>): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await db
        .insertInto('pass_links')
        .values(rows.slice(i, i + 500).map((r) => ({ attendee_id: r.attendeeId, sealed: r.sealed, created_at: now })))
        .onConflict((oc) => oc.column('attendee_id').doUpdateSet((eb) => ({ sealed: eb.ref('excluded.sealed'), created_at: now })))
        .execute();
    }
  }

  /** Each listed attendee's current link hash and sealed copy (absent ids: no such attendee). */
  async of(attendeeIds: string[]): Promise<Map<string, StoredLink>> {
    const out = new Map<string, StoredLink>();
    for (let i = 0; i < attendeeIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('attendees as a')
        .leftJoin('pass_links as l', 'l.attendee_id', 'a.id')
        .select(['a.id', 'a.link_token_hash', 'l.sealed'])
        .where('a.id', 'in', attendeeIds.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(r.id, { attendeeId: r.id, linkHash: r.link_token_hash, sealed: r.sealed });
    }
    return out;
  }

  /**
   * Sets a new link hash only if the current one is still `expected`
   * (compare-and-set: two nodes issuing a link at once cannot both win, so
   * the one that lost re-reads and mails the winner's link).
   */
  async replaceHash(attendeeId: string, expected: string | null, hash: string, db: Kysely<Database> = this.db): Promise<boolean> {
    let q = db.updateTable('attendees').set({ link_token_hash: hash }).where('id', '=', attendeeId);
    q = expected === null ? q.where('link_token_hash', 'is', null) : q.where('link_token_hash', '=', expected);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
