import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Indexes for what sweeps login requests, so their cost follows what is
 * due, not what is stored. A busy screen wall keeps every request of the
 * last hour (expired ones until the purge): the once-a-second expiry sweep
 * read all expired rows along `login_requests_expiry` to find the few still
 * undecided, and the purge read the whole table.
 *
 * - `login_requests_due`: expiry times of undecided requests alone.
 * - `login_requests_decided`: decision times of denied and redeemed ones (the purge).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('login_requests_due').on('login_requests').column('expires_at').where(sql<boolean>`status in ('pending', 'scanned', 'approved')`).execute();
  await db.schema.createIndex('login_requests_decided').on('login_requests').column('decided_at').where(sql<boolean>`status in ('denied', 'redeemed')`).execute();
}
