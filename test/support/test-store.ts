import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store, type StoreOptions } from '../../src/store/database.js';
import { TEST_DATABASE_URL } from './env.js';
import { createTestDatabase } from './postgres.js';

/** A fresh store of its own for a suite: a new SQLite folder, or a new database on the test Postgres. `remove` closes and deletes it. */
export async function openTestStore(dialect: 'sqlite' | 'postgres', opts: Pick<StoreOptions, 'onWarning'> = {}): Promise<{ store: Store; remove(): Promise<void> }> {
  if (dialect === 'postgres') {
    const tdb = await createTestDatabase(TEST_DATABASE_URL!);
    const store = await openStore({ databaseUrl: tdb.url, dataDir: '', ...opts });
    return { store, remove: async () => (await store.close(), await tdb.drop()) };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-store-'));
  const store = await openStore({ dataDir, ...opts });
  return { store, remove: async () => (await store.close(), fs.rmSync(dataDir, { recursive: true, force: true })) };
}
