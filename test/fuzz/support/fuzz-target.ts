import { afterAll, beforeAll } from 'vitest';
import { startFuzzNode, type FuzzNode } from './fuzz-node.js';
import { seedWorld } from './seed-world.js';
import { postgresReader, sqliteReader, type StoreReader } from './store-digest.js';

interface FuzzTarget {
  node: FuzzNode;
  world: Awaited<ReturnType<typeof seedWorld>>;
  reader: StoreReader;
}

/**
 * The set-up every fuzz suite shares: a spawned node on a fresh database,
 * seeded with a world of real rows, and a reader of its store to show that
 * refused requests changed nothing. Registers its own beforeAll/afterAll;
 * the fields are there once beforeAll has run.
 */
export function useFuzzTarget(database: () => Promise<{ url: string | undefined; drop(): Promise<void> }>): FuzzTarget {
  const target = {} as FuzzTarget;
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    target.node = await startFuzzNode(db.url);
    target.world = await seedWorld(target.node.url);
    target.reader = target.node.sqliteFile ? sqliteReader(target.node.sqliteFile) : await postgresReader(target.node.databaseUrl!);
  }, 120_000);
  afterAll(async () => {
    await target.reader?.close();
    await target.node?.stop();
    await drop();
  });
  return target;
}
