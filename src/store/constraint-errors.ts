import { SQLite } from './sqlite-driver.js';

/**
 * A write that named a row which is gone: Postgres SQLSTATE 23503, SQLite's
 * foreign key constraint. It happens when a row is deleted between a flow's
 * read of it and its unit of work (a session deleted while a scan at it was
 * under way); the flow answers `not_found`, not a 500.
 */
export function isForeignKeyViolation(err: unknown): boolean {
  if (err instanceof SQLite.SqliteError) return err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
  return err instanceof Error && (err as { code?: unknown }).code === '23503';
}
