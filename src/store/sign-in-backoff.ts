import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Consecutive sign-in attempts per e-mail address, shared by every node.
 * An attempt is counted as it starts (before the password is checked), so a
 * burst of parallel guesses cannot all slip in under the threshold; the
 * success that ends a run deletes the row.
 */
export class SignInBackoffRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Counts one attempt unless the address is locked. Returns the count since
   * the last success (a run older than `staleBefore` starts again at 1), or
   * `{ lockedUntil }` when an attempt must wait.
   */
  async begin(emailHash: string, now: number, staleBefore: number): Promise<{ failures: number } | { lockedUntil: number }> {
    await this.db
      .insertInto('sign_in_backoff')
      .values({ email_hash: emailHash, failures: 0, last_attempt_at: now, locked_until: 0 })
      .onConflict((oc) => oc.column('email_hash').doNothing())
      .execute();
    const counted = await this.db
      .updateTable('sign_in_backoff')
      .set({
        failures: sql<number>`case when last_attempt_at < ${staleBefore} then 1 else failures + 1 end`,
        last_attempt_at: now,
      })
      .where('email_hash', '=', emailHash)
      .where('locked_until', '<=', now)
      .returning('failures')
      .executeTakeFirst();
    if (counted) return { failures: Number(counted.failures) };
    const row = await this.db.selectFrom('sign_in_backoff').select('locked_until').where('email_hash', '=', emailHash).executeTakeFirst();
    return { lockedUntil: Number(row?.locked_until ?? now) };
  }

  async lock(emailHash: string, until: number): Promise<void> {
    await this.db.updateTable('sign_in_backoff').set({ locked_until: until }).where('email_hash', '=', emailHash).execute();
  }

  async clear(emailHash: string): Promise<void> {
    await this.db.deleteFrom('sign_in_backoff').where('email_hash', '=', emailHash).execute();
  }

  /** Forgets runs that ended before `before` (addresses tried once and never again). */
  async purge(before: number): Promise<number> {
    const r = await this.db.deleteFrom('sign_in_backoff').where('last_attempt_at', '<', before).where('locked_until', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
