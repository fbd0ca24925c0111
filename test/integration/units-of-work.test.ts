/**
 * Units of work, the hot write path's transactions: on SQLite many share one
 * commit (each in a savepoint), on Postgres each has its own. Either way a
 * unit's writes commit together or not at all, and a failing unit costs the
 * others nothing. On SQLite the WAL is checkpointed in the background and
 * must start over even while writes never stop.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQLite } from '../../src/store/sqlite-driver.js';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { PreparedQuery } from '../../src/store/prepared-query.js';
import type { Database } from '../../src/store/schema.js';
import { OuterHandleInUnitError } from '../../src/store/unit-scope.js';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { openTestStore } from '../support/test-store.js';

type Rows = Kysely<{ uow_rows: { id: string; v: string } }>;
/** The test's own table, on a store's Kysely (whose type knows only the product's tables). */
const rows = (db: Kysely<Database>) => db as unknown as Rows;

const targets = [
  { name: 'sqlite', enabled: true },
  { name: 'postgres', enabled: available('postgres', !!TEST_DATABASE_URL) },
] as const;

for (const target of targets) {
  describe.skipIf(!target.enabled)(`units of work on ${target.name}`, () => {
    let store: Store;
    let remove = async () => {};

    beforeAll(async () => {
      ({ store, remove } = await openTestStore(target.name));
      await sql`create table uow_rows (id text primary key, v text not null)`.execute(store.db);
    });

    afterAll(() => remove());

    const ids = async (prefix: string) =>
      (await rows(store.db).selectFrom('uow_rows').select('id').where('id', 'like', `${prefix}%`).orderBy('id').execute()).map((r) => r.id);

    it('commits units that arrive together, and rolls back only the one that fails, whose caller gets its error', async () => {
      const insert = (id: string) => (unit: { db: Kysely<Database> }) => rows(unit.db).insertInto('uow_rows').values({ id, v: 'x' }).execute();
      const outcomes = await Promise.allSettled(
        ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) =>
          store.units.execute(async (unit) => {
            await insert(`${id}-first`)(unit);
            if (id === 'a3') throw new Error('a3 changed its mind');
            await insert(`${id}-second`)(unit);
            return id;
          }),
        ),
      );
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual(['a1', 'a2', 'a3 changed its mind', 'a4', 'a5']);
      expect(await ids('a')).toEqual(['a1-first', 'a1-second', 'a2-first', 'a2-second', 'a4-first', 'a4-second', 'a5-first', 'a5-second']);
    });

    it('rolls back a unit that breaks a constraint halfway, keeping its neighbours', async () => {
      const outcomes = await Promise.allSettled(
        ['b1', 'b1', 'b2'].map((id, i) =>
          store.units.execute(async (unit) => {
            await rows(unit.db).insertInto('uow_rows').values({ id: `${id}-own-${i}`, v: 'x' }).execute();
            // The second unit inserts b1 again: a primary-key conflict after its first write.
            await rows(unit.db).insertInto('uow_rows').values({ id, v: 'x' }).execute();
          }),
        ),
      );
      // One of the two b1 units wins (on Postgres either may come first); the loser leaves nothing behind.
      const winner = outcomes[0]!.status === 'fulfilled' ? 0 : 1;
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect(outcomes[2]!.status).toBe('fulfilled');
      expect(await ids('b')).toEqual(['b1', `b1-own-${winner}`, 'b2', 'b2-own-2']);
    });

    it('refuses a unit started inside a unit (on SQLite it would wait for its own batch) and keeps working', async () => {
      const nested = store.units.execute(async () => store.units.execute(async () => 'inner'));
      await expect(nested).rejects.toThrow('a unit of work cannot start another unit of work');
      // Its own id prefix: an id starting with `a` would show up in the first test's `ids('a')`.
      expect(await store.units.execute(async (unit) => (await rows(unit.db).insertInto('uow_rows').values({ id: 'n1-after-nested', v: 'x' }).execute()).length)).toBe(1);
    });

    it('refuses a unit that queries the outer database handle instead of its own (on SQLite it hung): the unit rolls back, the store keeps working', async () => {
      const escaped = store.units.execute(async (unit) => {
        await rows(unit.db).insertInto('uow_rows').values({ id: 'd1', v: 'x' }).execute();
        // The outer handle, not `unit.db`: on SQLite it waits for the connection this unit's batch holds.
        await rows(store.db).insertInto('uow_rows').values({ id: 'd2', v: 'x' }).execute();
      });
      await expect(escaped).rejects.toThrow(OuterHandleInUnitError);
      await expect(escaped).rejects.toThrow('a unit of work used the outer database handle');
      expect(await ids('d')).toEqual([]);
      // Later units and the outer handle go on working.
      await store.units.execute((unit) => rows(unit.db).insertInto('uow_rows').values({ id: 'd3', v: 'x' }).execute());
      expect(await ids('d')).toEqual(['d3']);
    });

    it('answers a unit only once its writes are committed: a second connection sees them', async () => {
      await store.units.execute((unit) => rows(unit.db).insertInto('uow_rows').values({ id: 'c1', v: 'x' }).execute());
      if (target.name === 'sqlite') {
        const other = new SQLite(path.join(store.dataDir!, 'scanpass.db'), { readonly: true });
        expect(other.prepare("select id from uow_rows where id = 'c1'").all()).toEqual([{ id: 'c1' }]);
        other.close();
      } else {
        expect(await ids('c')).toEqual(['c1']);
      }
    });
  });
}

describe.skipIf(!available('postgres', !!TEST_DATABASE_URL))('hot queries on Postgres', () => {
  it('run as named prepared statements, planned once per connection; other SQL stays unnamed', async () => {
    const tdb = await createTestDatabase(TEST_DATABASE_URL!);
    // One connection, so the statements prepared are the ones this test can see.
    const store = await openStore({ databaseUrl: tdb.url, dataDir: '', poolSize: 1 });
    try {
      const byId = new PreparedQuery((db, p: { id: string }) => db.selectFrom('users').select('id').where('id', '=', p.id));
      for (let i = 0; i < 3; i++) expect((await byId.execute(store.db, { id: `nobody-${i}` })).rows).toEqual([]);
      await store.db.selectFrom('users').select('email').where('email', '=', 'x').execute();
      const prepared = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(store.db);
      expect(prepared.rows.map((r) => r.statement)).toEqual([byId.sql(store.db)]);
    } finally {
      await store.close();
      await tdb.drop();
    }
  });
});

describe('SQLite WAL under writes that never stop', () => {
  let store: Store;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-wal-'));
    store = await openStore({ dataDir });
    await sql`create table uow_rows (id text primary key, v text not null)`.execute(store.db);
  });

  afterAll(async () => {
    await store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is checkpointed in the background and starts over, instead of growing with every write', async () => {
    const db = rows(store.db);
    // Long enough for the WAL to pass the writer's start-over mark (16 MB) twice over.
    const until = Date.now() + 4000;
    let written = 0;
    // Four writers, each writing a row of most of a page about every millisecond.
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let n = 0; Date.now() < until; n++) {
          await store.units.execute((unit) => rows(unit.db).insertInto('uow_rows').values({ id: `w${w}-${n}`, v: randomBytes(1500).toString('hex') }).execute());
          written++;
          await new Promise((r) => setTimeout(r, 1));
        }
      }),
    );
    // Frames now in the WAL (since it last started over), read while nothing else writes.
    const other = new SQLite(path.join(dataDir, 'scanpass.db'));
    const [state] = other.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    other.close();
    // Every row takes a page of its own: without starting over, the WAL would hold at least as many frames as rows.
    expect(written).toBeGreaterThan(2000);
    expect(state!.log).toBeLessThan(written);
    expect(await db.selectFrom('uow_rows').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'like', 'w%').executeTakeFirstOrThrow()).toEqual({ n: written });
  });

  // SQLite's temporary files are unlinked as soon as they are opened, so an open one shows in /proc as "etilqs_... (deleted)".
  const openTempFiles = () =>
    fs.readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`).includes('etilqs_') ? [fd] : [];
      } catch {
        return [];
      }
    });

  it.skipIf(process.platform !== 'linux')('keeps the savepoint of each unit in memory: a unit that changes many pages opens no temporary file', async () => {
    const seen: string[][] = [];
    const results = await Promise.all(
      [1, 2, 3].map((u) =>
        store.units.execute(async (unit) => {
          // About 40 pages, past the 64 KB at which SQLite would spill the savepoint's journal to a file.
          for (let n = 0; n < 40; n++) await rows(unit.db).insertInto('uow_rows').values({ id: `sj${u}-${n}`, v: randomBytes(1500).toString('hex') }).execute();
          await rows(unit.db).updateTable('uow_rows').set({ v: 'changed' }).where('id', 'like', `sj${u}-%`).execute();
          seen.push(openTempFiles());
          return u;
        }),
      ),
    );
    expect(results).toEqual([1, 2, 3]);
    expect(seen).toEqual([[], [], []]);
    expect(await rows(store.db).selectFrom('uow_rows').select((eb) => eb.fn.countAll<number>().as('n')).where('v', '=', 'changed').executeTakeFirstOrThrow()).toEqual({ n: 120 });
  });
});

describe("the SQLite writer's work, for /metrics", () => {
  let store: Store;
  let remove = async () => {};
  type Pairs = Kysely<{ uow_pairs: { v: string } }>;
  const pairs = (db: Kysely<Database>) => db as unknown as Pairs;

  beforeAll(async () => {
    ({ store, remove } = await openTestStore('sqlite'));
    await sql`create table uow_pairs (v text not null)`.execute(store.db);
    await store.units.execute((unit) => pairs(unit.db).insertInto('uow_pairs').values(Array.from({ length: 1500 }, (_, i) => ({ v: `m${i}` }))).execute());
  });

  afterAll(() => remove());

  // A statement that keeps SQLite busy for a while: every pair of the 1,500 rows compared (2.25 million).
  const everyPair = new PreparedQuery((db, p: { like: string }) =>
    pairs(db)
      .selectFrom('uow_pairs as a')
      .innerJoin('uow_pairs as b', (j) => j.on('a.v', 'like', p.like).on('b.v', 'like', p.like))
      .select((eb) => eb.fn.countAll<number>().as('n')),
  );
  const one = new PreparedQuery((db, p: { like: string }) => pairs(db).selectFrom('uow_pairs').select('v').where('v', 'like', p.like).limit(1));

  it('counts each unit, and the time of its statements inside SQLite: most of a unit that is nearly all SQLite, never more than the wall time', async () => {
    const work = store.writerWork!;
    const before = { ...work };
    const started = performance.now();
    const counted = await Promise.all([1, 2].map(() => store.units.execute(async (unit) => (await unit.run(everyPair, { like: 'm%' })).rows[0]!.n)));
    const wall = (performance.now() - started) / 1000;
    expect(counted).toEqual([1500 * 1500, 1500 * 1500]);
    expect(work.units - before.units).toBe(2);
    const spent = work.seconds - before.seconds;
    expect(spent).toBeGreaterThan(0.8 * wall);
    expect(spent).toBeLessThanOrEqual(wall + 0.05);
  });

  it("does not count a unit's own JavaScript", async () => {
    const work = store.writerWork!;
    const before = work.seconds;
    await store.units.execute(async (unit) => {
      // 150 ms of JavaScript around one quick statement.
      const until = performance.now() + 150;
      while (performance.now() < until);
      return (await unit.run(one, { like: 'm1%' })).rows;
    });
    expect(work.seconds - before).toBeLessThan(0.05);
  });
});
