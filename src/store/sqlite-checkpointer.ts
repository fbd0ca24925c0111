import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import { SQLITE_DRIVER } from './sqlite-driver.js';

/** How often the background thread copies the WAL back into the database file. */
const CHECKPOINT_EVERY_MS = 250;
/** SQLite's own default, restored if the background thread is lost. */
const AUTO_CHECKPOINT_PAGES = 1000;

// Plain CommonJS run with `eval`: the same code under tsx, Vitest and the build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
const run = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ done: true });
  } catch (err) {
    parentPort.postMessage({ done: true, error: String((err && err.message) || err) });
  }
};
// The next round waits for the writer to finish this one: the two never overlap.
let timer = setTimeout(run, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'again') timer = setTimeout(run, workerData.everyMs);
  if (m !== 'close') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointOptions {
  /**
   * Checkpoints what the background thread left behind, on the writer's
   * connection between its transactions (so under Kysely's connection lock).
   */
  finishOnWriter: () => Promise<void>;
  onError?: (message: string) => void;
}

/**
 * Moves most of SQLite's WAL checkpointing off the event loop. By default the commit
 * that crosses 1000 WAL pages copies them back into the database file and
 * syncs it, stalling that request (and every one queued behind it) for
 * several milliseconds; on a busy door that is every few hundred scans.
 *
 * Here a worker thread with its own connection runs passive checkpoints,
 * which take no lock a writer needs. A passive checkpoint cannot finish
 * while commits keep coming, and SQLite starts the WAL over only once one
 * has: so after each, the writer's connection checkpoints the few pages
 * committed meanwhile itself, and its next transaction starts the WAL from
 * the beginning (without that, the WAL grew by gigabytes under load). The
 * two take turns: while the thread checkpoints, the writer's checkpoint
 * would find the checkpoint lock taken and do nothing. If the thread fails,
 * the connection goes back to checkpointing itself.
 */
export function startBackgroundCheckpoints(sqlite: SQLite.Database, file: string, o: CheckpointOptions): { stop(): Promise<void> } {
  // The thread (its own V8 and SQLite, about 16 MB) starts with the first commit, not with the node:
  // a node nobody writes to never needs it. Until then SQLite checkpoints on commit, as by default.
  const wal = `${file}-wal`;
  const walState = () => {
    const st = fs.statSync(wal, { throwIfNoEntry: false });
    return st ? `${st.size}:${st.mtimeMs}` : '';
  };
  const seen = walState();
  let started: { stop(): Promise<void> } | undefined;
  const watch = setInterval(() => {
    if (walState() === seen) return;
    clearInterval(watch);
    started = runThread(sqlite, file, o);
  }, CHECKPOINT_EVERY_MS);
  watch.unref();
  return {
    async stop() {
      clearInterval(watch);
      await started?.stop();
    },
  };
}

function runThread(sqlite: SQLite.Database, file: string, o: CheckpointOptions): { stop(): Promise<void> } {
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: SQLITE_DRIVER, file, everyMs: CHECKPOINT_EVERY_MS },
    });
  } catch (err) {
    o.onError?.(`background checkpoints unavailable, SQLite checkpoints on commit: ${(err as Error).message}`);
    return { stop: async () => {} };
  }
  // Only once the thread exists: if it cannot be made, SQLite keeps checkpointing by itself.
  sqlite.pragma('wal_autocheckpoint = 0');
  // The thread must not keep the process alive by itself.
  worker.unref();
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  let stopping = false;
  // A failing checkpoint fails every round: say so once a minute, not four times a second.
  let reportedAt = -Infinity;
  const report = (message: string) => {
    if (performance.now() - reportedAt < 60_000) return;
    reportedAt = performance.now();
    o.onError?.(message);
  };
  const fallBack = () => {
    if (!stopping && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  };
  worker.on('message', (m: { done?: boolean; error?: string }) => {
    if (m.error) report(`background checkpoint: ${m.error}`);
    if (!m.done || stopping) return;
    o.finishOnWriter()
      .catch((err: unknown) => stopping || report(`checkpoint on the writer: ${(err as Error).message}`))
      .finally(() => stopping || worker.postMessage('again'));
  });
  worker.on('error', (err) => (report(`background checkpoint thread failed: ${err.message}`), fallBack()));
  worker.on('exit', fallBack);
  return {
    async stop() {
      stopping = true;
      // Referenced again: an awaited exit of an unreferenced worker would leave the loop empty.
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
