/**
 * Snapshot reads (src/store/snapshot-reads.ts), what the dashboard's counts
 * are read with. On SQLite a worker thread with its own read-only connection
 * runs them, so they never hold the event loop: it must see every commit made
 * before the read, read beside a batch that is being written (and not see it
 * until it commits), give SQLite's own error for a bad query, and keep
 * answering on the writer's connection if the thread is lost. On Postgres
 * the same reads go over the pool.
 */
import type { Worker } from 'node:worker_threads';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';
import type { SQLite } from '../../src/store/sqlite-driver.js';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { openTestStore } from '../support/test-store.js';

type Rows = Kysely<{ snap_rows: { id: string; n: number } }>;
/** The test's own table, on a store's Kysely (whose type knows only the product's tables). */
const rows = (db: Kysely<Database>) => db as unknown as Rows;
/** The SQLite reader's thread, and whether it answers yet (until then reads go to the writer). */
const thread = (store: Store) => store.reads as unknown as { worker?: Worker; ready: boolean };

const targets = [
  { name: 'sqlite', enabled: true },
  { name: 'postgres', enabled: available('postgres', !!TEST_DATABASE_URL) },
] as const;

for (const target of targets) {
  describe.skipIf(!target.enabled)(`snapshot reads on ${target.name}`, () => {
    let store: Store;
    let remove = async () => {};

    beforeAll(async () => {
      ({ store, remove } = await openTestStore(target.name));
      await sql`create table snap_rows (id text primary key, n integer not null)`.execute(store.db);
      if (target.name === 'sqlite') {
        // The first read starts the thread; the tests below are about reads it answers.
        await store.reads.read([store.db.selectNoFrom(sql<number>`1`.as('one'))]);
        await vi.waitFor(() => expect(thread(store).ready).toBe(true), { timeout: 10_000 });
      }
    });

    afterAll(() => remove());

    const db = () => rows(store.db);
    const count = () => db().selectFrom('snap_rows').select((eb) => eb.fn.countAll<number>().as('n'));
    const total = () => db().selectFrom('snap_rows').select((eb) => eb.fn.sum<number>('n').as('sum'));

    it('sees every commit made before the read, each query of a call its own rows', async () => {
      for (let i = 1; i <= 30; i++) {
        await store.units.execute((unit) => rows(unit.db).insertInto('snap_rows').values({ id: `a${i}`, n: i }).execute());
        const [c, s, last] = await store.reads.read([count(), total(), db().selectFrom('snap_rows').select('id').orderBy('n', 'desc').limit(1)]);
        expect(Number(c[0]!.n)).toBe(i);
        expect(Number(s[0]!.sum)).toBe((i * (i + 1)) / 2);
        expect(last).toEqual([{ id: `a${i}` }]);
      }
    });

    it("rejects a bad query with the database's error, and the next read is answered", async () => {
      const bad = await store.reads.read([db().selectFrom('snap_rows').select(sql<number>`no_such_column`.as('x'))]).catch((err: unknown) => err);
      expect(bad).toBeInstanceOf(Error);
      expect(String((bad as Error).message)).toMatch(/no_such_column/);
      if (target.name === 'sqlite') expect((bad as InstanceType<typeof SQLite.SqliteError>).code).toBe('SQLITE_ERROR');
      const [[c]] = await store.reads.read([count()]);
      expect(Number(c!.n)).toBeGreaterThan(0);
    });
  });
}

// The read thread itself, on a store of its own: these tests start it, read beside the writer, and lose it.
describe('snapshot reads on SQLite: the read thread', () => {
  let store: Store;
  let remove = async () => {};
  const warnings: string[] = [];

  beforeAll(async () => {
    ({ store, remove } = await openTestStore('sqlite', { onWarning: (m) => warnings.push(m) }));
    await sql`create table snap_rows (id text primary key, n integer not null)`.execute(store.db);
  });

  afterAll(() => remove());

  const count = () => rows(store.db).selectFrom('snap_rows').select((eb) => eb.fn.countAll<number>().as('n'));

  it('starts no thread until the first read, which the writer answers while the thread starts', async () => {
    expect(thread(store).worker).toBeUndefined();
    const [[first]] = await store.reads.read([store.db.selectNoFrom(sql<number>`1`.as('one'))]);
    expect(first).toEqual({ one: 1 });
    expect(thread(store).worker).toBeDefined();
    expect(thread(store).ready).toBe(false);
    await vi.waitFor(() => expect(thread(store).ready).toBe(true), { timeout: 10_000 });
  });

  it('answers while a unit is being written, without its rows until it commits', async () => {
    await store.units.execute((unit) => rows(unit.db).insertInto('snap_rows').values({ id: 'before', n: 1 }).execute());
    // Inside the unit the writer's connection is held: a read that needed it would wait for ever.
    const seenInside = await store.units.execute(async (unit) => {
      await rows(unit.db).insertInto('snap_rows').values({ id: 'inside', n: 0 }).execute();
      return (await store.reads.read([count()]))[0][0];
    });
    expect(Number(seenInside!.n)).toBe(1);
    const [[after]] = await store.reads.read([count()]);
    expect(Number(after!.n)).toBe(2);
  });

  it('keeps answering on the writer when the thread is lost, and says so once', async () => {
    expect(thread(store).worker).toBeDefined();
    const waiting = store.reads.read([count()]);
    await thread(store).worker!.terminate();
    const [[c]] = await waiting;
    expect(Number(c!.n)).toBe(2);
    await store.units.execute((unit) => rows(unit.db).insertInto('snap_rows').values({ id: 'after-loss', n: 1 }).execute());
    const [[again]] = await store.reads.read([count()]);
    expect(Number(again!.n)).toBe(3);
    expect(thread(store).worker).toBeUndefined();
    expect(warnings.filter((w) => /read thread/.test(w))).toHaveLength(1);
  });
});
