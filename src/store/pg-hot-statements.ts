import type PG from 'pg';

/** SQL text of each hot query (see PreparedQuery), with the statement name it gets on Postgres. */
const hot = new Map<string, string>();

/** Marks a query text as hot: on Postgres it then runs as a named prepared statement. */
export function markHot(sql: string): void {
  if (!hot.has(sql)) hot.set(sql, `scanpass_hot_${hot.size}`);
}

/**
 * A pg client that runs the hot queries as named prepared statements:
 * Postgres parses and plans each once per connection, not on every call.
 * Unnamed, the check-in path's statements cost Postgres more CPU to plan
 * than to run. Only texts marked hot are named, so dynamic SQL (lists of
 * any length) never fills a connection with statements. Kysely calls
 * `query(text, values)`; anything else passes through untouched. Made from
 * the `pg` module a Postgres store loads (a SQLite node never loads pg).
 */
export function hotStatementClient(pg: typeof PG) {
  return class HotStatementClient extends pg.Client {
    constructor(config?: string | PG.ClientConfig) {
      super(config);
      // pg-pool listens for errors only while a client is idle. A checked-out client whose
      // connection dies (a Postgres restart: ECONNRESET, 57P01) emits 'error' too, and an
      // unheard 'error' event ends the process. Its query, if any, has already been failed
      // with the same error, and the pool drops the client on release as not queryable.
      this.on('error', () => {});
    }

    // pg's overloads are many; this only looks at the (text, values) form.
    override query(...args: unknown[]): never {
      const [text, values] = args;
      const name = typeof text === 'string' && Array.isArray(values) && args.length === 2 ? hot.get(text) : undefined;
      const call = super.query as (...a: unknown[]) => never;
      return name ? call.call(this, { name, text, values }) : call.apply(this, args);
    }
  };
}
