import type { Kysely, Updateable } from 'kysely';
import type { Database } from './schema.js';

interface VersionedRow {
  id: string;
  version: number;
}

/** Tables whose rows are keyed by a string `id` and carry a numeric `version`. */
export type VersionedTable = {
  [T in keyof Database]: Database[T] extends VersionedRow ? T : never;
}[keyof Database];

/**
 * Compare-and-set: writes `columns` to row `id` of `table` only if the row is
 * still at `expectedVersion`. Returns false when another writer got there first
 * (or the row is gone); the caller re-reads and decides again.
 *
 * @example
 *   const won = await updateIfVersion(db, 'share_requests', next.id, cur.version, { status: next.status, version: next.version });
 */
export async function updateIfVersion<T extends VersionedTable>(
  db: Kysely<Database>,
  table: T,
  id: string,
  expectedVersion: number,
  columns: Updateable<Database[T]>,
): Promise<boolean> {
  // Kysely cannot resolve columns of a table named by a type parameter; every
  // VersionedTable has `id` and `version`, so this view of the database is sound.
  const versioned = db as unknown as Kysely<Record<string, VersionedRow>>;
  const res = await versioned
    .updateTable(table as string)
    .set(columns as Updateable<VersionedRow>)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
