/**
 * The SQLite checkpoint thread (src/store/sqlite-checkpointer.ts) on a real
 * database file: once the WAL is long it asks to hold the writer for its last
 * pass, and a writer held that way is released even when the thread is gone
 * by the time the writer's turn comes (a node stopping), so writes never hang.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundCheckpoints } from '../../src/store/sqlite-checkpointer.js';
import { SQLite } from '../../src/store/sqlite-driver.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function openDatabase() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-checkpointer-'));
  dirs.push(dir);
  const file = path.join(dir, 'test.db');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table pages (id integer primary key, v text not null)');
  return { db, file };
}

/**
 * Writes rows of most of a page each, yielding to the event loop between batches, until `stop()`
 * says so; while `held()`, it writes nothing (as the store's writer waits for its connection).
 */
async function writeUntil(db: InstanceType<typeof SQLite>, stop: () => boolean, deadlineMs: number, held: () => boolean = () => false) {
  const insert = db.prepare('insert into pages (v) values (?)');
  const batch = db.transaction(() => {
    for (let i = 0; i < 50; i++) insert.run(randomBytes(1800).toString('hex'));
  });
  const until = Date.now() + deadlineMs;
  while (!stop() && Date.now() < until) {
    if (!held()) batch();
    await yieldToLoop();
  }
}

describe('SQLite checkpoint thread', () => {
  it('holds the writer for its last pass once the WAL is long, says how long, and the WAL then starts over', async () => {
    const { db, file } = openDatabase();
    let holds = 0;
    let held = false;
    const toldMs: number[] = [];
    const seenMs: number[] = [];
    const checkpoints = startBackgroundCheckpoints(db, file, {
      holdWriter: async (work) => {
        held = true;
        const started = performance.now();
        await work();
        seenMs.push(performance.now() - started);
        held = false;
        holds++;
      },
      onWriterHeld: (ms) => toldMs.push(ms),
    });
    try {
      await writeUntil(db, () => holds > 0, 20_000, () => held);
      expect(holds).toBeGreaterThan(0);
      // Each hold is told once, and as no longer than the writer itself waited.
      expect(toldMs).toHaveLength(holds);
      toldMs.forEach((ms) => expect(ms).toBeGreaterThanOrEqual(0));
      toldMs.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(seenMs[i]!));
      // The next commit after the held pass starts the WAL from its first frame.
      db.prepare('insert into pages (v) values (?)').run('after');
      const [state] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      expect(state!.log).toBeLessThan(50);
    } finally {
      await checkpoints.stop();
      db.close();
    }
  });

  it('releases a writer whose turn comes after the thread is gone', async () => {
    const { db, file } = openDatabase();
    let released = false;
    let asked = false;
    const checkpoints = startBackgroundCheckpoints(db, file, {
      holdWriter: async (work) => {
        asked = true;
        // The node stops while the writer still finishes a transaction: the thread exits first.
        await checkpoints.stop();
        await work();
        released = true;
      },
    });
    try {
      await writeUntil(db, () => asked, 20_000);
      expect(asked).toBe(true);
      await expect.poll(() => released, { timeout: 5_000 }).toBe(true);
      // And the writer writes on.
      db.prepare('insert into pages (v) values (?)').run('after');
    } finally {
      await checkpoints.stop();
      db.close();
    }
  });
});
