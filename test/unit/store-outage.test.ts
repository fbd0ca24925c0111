import { SQLite } from '../../src/store/sqlite-driver.js';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { outageAwareDialect } from '../../src/store/outage-aware-dialect.js';
import { statusOf } from '../../src/http/error-codes.js';
import { isStoreOutage, StoreOutage, type OutageChange } from '../../src/store/store-outage.js';
import { until } from '../support/until.js';

/** A real SQLite database behind the outage-aware dialect, as openStore builds it. */
function open(now: () => number = Date.now) {
  const sqlite = new SQLite(':memory:');
  const changes: OutageChange[] = [];
  // Short probe and quiet periods so the test does not wait on the production ones.
  const outage: StoreOutage = new StoreOutage(async () => void (await sql`select 1`.execute(db)), (c) => changes.push(c), now, 5, 30);
  const db = new Kysely<Record<string, never>>({ dialect: outageAwareDialect(new SqliteDialect({ database: sqlite }), (err) => outage.translate(err)) });
  return { sqlite, db, outage, changes };
}

describe('a database that cannot take writes', () => {
  it('answers a full disk with 503 unavailable, reports it once while writes keep failing, and reports it back once there is room', async () => {
    const { sqlite, db, outage, changes } = open();
    await sql`create table t (b blob)`.execute(db);
    const pages = Number(sqlite.pragma('page_count', { simple: true }));
    sqlite.pragma(`max_page_count = ${pages + 1}`);

    const failures: unknown[] = [];
    for (let i = 0; i < 3; i++) failures.push(await sql`insert into t values (zeroblob(100000))`.execute(db).catch((e: unknown) => e));
    for (const err of failures) {
      expect(isStoreOutage(err)).toBe(true);
      expect(err).toMatchObject({ code: 'unavailable', cause: { code: 'SQLITE_FULL' } });
      expect(statusOf((err as { code: 'unavailable' }).code)).toBe(503);
    }
    expect(changes).toEqual([{ up: false, reason: 'SQLITE_FULL: database or disk is full' }]);
    expect(outage.reachable).toBe(false);

    sqlite.pragma('max_page_count = 1000000');
    await sql`insert into t values (zeroblob(100000))`.execute(db);
    await until(() => outage.reachable, 'the database reported back');
    expect(changes).toHaveLength(2);
    expect(changes[1]).toMatchObject({ up: true });
    outage.close();
    await db.destroy();
  });

  it('tells how long the outage lasted by the clock it is given', async () => {
    let t = 1_000_000;
    const { sqlite, db, outage, changes } = open(() => t);
    await sql`create table t (b blob)`.execute(db);
    sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true })) + 1}`);
    expect(isStoreOutage(await sql`insert into t values (zeroblob(100000))`.execute(db).catch((e: unknown) => e))).toBe(true);
    t += 42_000;
    sqlite.pragma('max_page_count = 1000000');
    await until(() => outage.reachable, 'the database reported back');
    expect(changes).toEqual([{ up: false, reason: 'SQLITE_FULL: database or disk is full' }, { up: true, downMs: 42_000 }]);
    outage.close();
    await db.destroy();
  });

  it('leaves errors that are not about reaching the database as they are', async () => {
    const { db, outage, changes } = open();
    await sql`create table u (id integer primary key)`.execute(db);
    await sql`insert into u values (1)`.execute(db);
    const err = await sql`insert into u values (1)`.execute(db).catch((e: unknown) => e);
    expect(isStoreOutage(err)).toBe(false);
    expect(err).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(changes).toEqual([]);
    expect(outage.reachable).toBe(true);
    outage.close();
    await db.destroy();
  });
});
