import type { Compilable, InferResult, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The rows of each query, in order. */
export type RowsOf<Q extends readonly Compilable[]> = { -readonly [K in keyof Q]: InferResult<Q[K]> };

/**
 * Reads over many rows that run while people are checked in (a session's
 * live counts, the dashboard's name search and not-arrived list), kept off
 * the event loop. On SQLite a query runs on the event loop's thread
 * for as long as it takes, and every request waits behind it: at 140,000
 * attendees the dashboard's counts held the loop for milliseconds several
 * times a second while people were checked in. There a worker thread with
 * its own read-only connection runs them (`sqlite-reader.ts`), all of one
 * call in one read transaction: one moment of the store. On Postgres the
 * queries go out over the pool side by side, as any other.
 */
export interface SnapshotReads {
  read<const Q extends readonly Compilable[]>(queries: Q): Promise<RowsOf<Q>>;
}

/** Postgres: the pool already keeps the event loop free. */
export function readsOnPool(db: Kysely<Database>): SnapshotReads {
  return {
    read: (queries) => Promise.all(queries.map(async (q) => (await db.executeQuery(q.compile())).rows)) as never,
  };
}
