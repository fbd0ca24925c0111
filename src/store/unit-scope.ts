import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseConnection, Dialect, Driver } from 'kysely';

/** A unit of work reached for the store's outer handle instead of its own context. */
export class OuterHandleInUnitError extends Error {
  constructor() {
    super(
      'a unit of work used the outer database handle: inside a unit, reach the store only through the unit it was given (unit.db, unit.run, or a repository method passed unit.db). ' +
        'On SQLite that query would wait for the unit forever; on Postgres it would run outside the unit\'s transaction.',
    );
    this.name = 'OuterHandleInUnitError';
  }
}

/** A unit of work started from inside another one. */
export class NestedUnitError extends Error {
  constructor() {
    super('a unit of work cannot start another unit of work: it would wait for its own batch (SQLite) or commit apart from it (Postgres)');
    this.name = 'NestedUnitError';
  }
}

/**
 * Knows whether the code running now is inside a unit of work (across its
 * awaits, by AsyncLocalStorage), so the store can refuse what a unit must not
 * do: start another unit, or query the outer Kysely. The outer Kysely's only
 * way to the database is its driver's `acquireConnection`; a unit's own
 * handle (a transaction, or the connection the SQLite batch holds) already
 * has its connection and never asks. So refusing there catches exactly the
 * queries that bypass the unit, before one could wait on SQLite's single
 * connection that the unit itself holds.
 */
export class UnitScope {
  private readonly inside = new AsyncLocalStorage<true>();

  get active(): boolean {
    return this.inside.getStore() === true;
  }

  /** Runs a unit's work inside the scope. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.inside.run(true, work);
  }

  /**
   * Runs `fn` as if outside every unit: for work that a unit merely set off
   * and that lives on by itself (the outage probe a failed query schedules).
   */
  outside<T>(fn: () => T): T {
    return this.inside.exit(fn);
  }

  /** `dialect` whose driver refuses a connection to code running inside a unit. */
  guard(dialect: Dialect): Dialect {
    return {
      createAdapter: () => dialect.createAdapter(),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createDriver: () => this.guardDriver(dialect.createDriver()),
    };
  }

  private guardDriver(driver: Driver): Driver {
    const acquire = async (): Promise<DatabaseConnection> => {
      if (this.active) throw new OuterHandleInUnitError();
      return driver.acquireConnection();
    };
    return new Proxy(driver, {
      get(t, prop) {
        if (prop === 'acquireConnection') return acquire;
        const v = Reflect.get(t, prop, t) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  }
}
