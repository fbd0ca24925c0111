import type SQLite from 'better-sqlite3';

/**
 * Kysely's SQLite driver prepares every query again; preparing costs about as
 * much as running a small query. This hands it the same better-sqlite3
 * database with `prepare` remembering statements by their SQL text (Kysely
 * compiles one text per query shape, values go in as parameters). Safe
 * because Kysely runs one query at a time on its single connection.
 */
export function withStatementCache(db: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = db.prepare.bind(db);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (!stmt) {
          stmt = prepare(sql);
          // Oldest first out: a Map iterates in insertion order.
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}
