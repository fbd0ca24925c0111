import type { DatabaseConnection, Dialect, Driver } from 'kysely';

/**
 * A Kysely dialect whose driver passes every error of connecting and of
 * running a query through `translate` (see StoreOutage): the one place where
 * "the database is unreachable" becomes 503 `unavailable` for every caller
 * (routes, live snapshots, background sweeps), whichever dialect.
 */
export function outageAwareDialect(dialect: Dialect, translate: (err: unknown) => unknown): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => wrapDriver(dialect.createDriver(), translate),
  };
}

/** Everything of `target` as is (bound to it, for its private fields), `overrides` aside. */
function forward<T extends object>(target: T, overrides: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof T];
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

function wrapDriver(driver: Driver, translate: (err: unknown) => unknown): Driver {
  // One wrapper per connection: Kysely hands the same one back to release it.
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const wrap = (conn: DatabaseConnection): DatabaseConnection => {
    let w = wrapped.get(conn);
    if (!w) {
      w = forward(conn, {
        // Kysely's SQLite connection throws synchronously; `async` turns that into a rejection too.
        executeQuery: async (query: Parameters<DatabaseConnection['executeQuery']>[0]) => {
          try {
            return await conn.executeQuery(query);
          } catch (err) {
            throw translate(err);
          }
        },
      });
      wrapped.set(conn, w);
    }
    return w;
  };
  return forward(driver, {
    acquireConnection: async () => {
      try {
        return wrap(await driver.acquireConnection());
      } catch (err) {
        throw translate(err);
      }
    },
  });
}
