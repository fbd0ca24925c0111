import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import { SQLITE_DRIVER } from './sqlite-driver.js';

/** How often the background thread copies the WAL back into the database file. */
const CHECKPOINT_EVERY_MS = 250;
/** SQLite's own default, restored if the background thread is lost. */
const AUTO_CHECKPOINT_PAGES = 1000;
/** The WAL starts over (see below) once it holds this many frames: 16 MB of 4 KB pages. */
const START_OVER_FRAMES = 4096;
/** Before the writer is held, the thread copies until at most this many frames come in during a pass... */
const HAND_OVER_FRAMES = 64;
/** ...or for at most this long. */
const CATCH_UP_MS = 1000;

// Plain CommonJS run with `eval`: the same code under tsx, Vitest and the build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
const pass = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
// SQLite syncs the database file only after a checkpoint that copied every frame. The passes here
// seldom do, so the pages they copy would wait in the OS's cache for the one that does: the last
// pass, with the writer held, which then had to write them all out (holds of up to 15 ms). So each
// pass that copied something syncs the file here, and the last one has only its own pages.
const dbFile = fs.openSync(workerData.file, 'r+');
let copied = 0;
const passAndSync = () => {
  const r = pass();
  if (r.checkpointed !== copied) fs.fdatasyncSync(dbFile);
  copied = r.checkpointed;
  return r;
};
// Every step answers with what it did, or why it failed: the writer may be waiting for the answer.
const answer = (what, step) => {
  try {
    parentPort.postMessage({ [what]: true, ...step() });
  } catch (err) {
    parentPort.postMessage({ [what]: true, error: String((err && err.message) || err) });
  }
};
const run = () => answer('done', () => ({ frames: passAndSync().log }));
// The next round waits for the writer's turn to end: the rounds never overlap.
let timer = setTimeout(run, workerData.everyMs);
// Each pass copies what was committed before it began. Passes follow each other while many frames
// came in during the last one, so that the writer is held (below) only for a short last pass.
const catchUp = () => {
  const until = Date.now() + workerData.catchUpMs;
  let frames = passAndSync().log;
  for (;;) {
    const now = passAndSync().log;
    if (now - frames <= workerData.handOverFrames || now < frames || Date.now() > until) return {};
    frames = now;
  }
};
parentPort.on('message', (m) => {
  if (m === 'again') timer = setTimeout(run, workerData.everyMs);
  if (m === 'catch up') answer('caughtUp', catchUp);
  // The writer is held: this pass copies every frame, so its next commit starts the WAL over.
  if (m === 'finish') answer('finished', () => (pass(), {}));
  if (m !== 'close') return;
  clearTimeout(timer);
  fs.closeSync(dbFile);
  db.close();
  parentPort.close();
});
`;

/** How often the writer was held for a last pass so the WAL could start over, and for how long in all (SQLite's /metrics). */
export interface WriterHolds {
  count: number;
  seconds: number;
}

export interface CheckpointOptions {
  /**
   * Runs `work` while the writer's connection is held between its
   * transactions (under Kysely's connection lock), so nothing commits
   * meanwhile. The event loop stays free: requests go on up to their commit.
   */
  holdWriter: (work: () => Promise<void>) => Promise<void>;
  onError?: (message: string) => void;
  /** Told how long each hold kept the writer (ms), from its turn until the thread's last pass was done. */
  onWriterHeld?: (ms: number) => void;
}

/**
 * Moves most of SQLite's WAL checkpointing off the event loop. By default the commit
 * that crosses 1000 WAL pages copies them back into the database file and
 * syncs it, stalling that request (and every one queued behind it) for
 * several milliseconds; on a busy door that is every few hundred scans.
 *
 * Here a worker thread with its own connection runs passive checkpoints,
 * which take no lock a writer needs. A passive checkpoint cannot copy the
 * frames committed while it runs, and SQLite starts the WAL over only after
 * a checkpoint that left none: so once the WAL holds START_OVER_FRAMES, the
 * thread catches up with the commits, then the writer's connection is held
 * (no commit, the event loop free) while it copies the few frames left, and
 * the next commit starts the WAL from the beginning (without that, the WAL
 * grew by gigabytes under load). Before,
 * the writer's connection checkpointed the rest itself, after every pass:
 * a copy and two fsyncs on the event loop, 17-49 ms four times a second at
 * 1,500-1,900 check-ins/s (bench:checkin, strace); now the writer is held
 * about twice a second, and the event loop not at all. Each hold is about
 * 2-3 ms since every pass syncs the database file itself (up to 15 ms when
 * the last pass wrote out the whole round's pages). If the thread fails, the
 * connection goes back to checkpointing itself.
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
      workerData: { driver: SQLITE_DRIVER, file, everyMs: CHECKPOINT_EVERY_MS, handOverFrames: HAND_OVER_FRAMES, catchUpMs: CATCH_UP_MS },
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
  // The writer waits for the thread's last pass; a thread that fails or exits must not leave it held,
  // also when it went while the writer was still finishing a transaction.
  let threadGone = false;
  let releaseWriter: (() => void) | undefined;
  const release = () => {
    releaseWriter?.();
    releaseWriter = undefined;
  };
  const finishWhileHeld = () =>
    new Promise<void>((resolve) => {
      if (threadGone) return resolve();
      const heldAt = performance.now();
      releaseWriter = () => {
        o.onWriterHeld?.(performance.now() - heldAt);
        resolve();
      };
      worker.postMessage('finish');
    });
  worker.on('message', (m: { done?: boolean; caughtUp?: boolean; finished?: boolean; frames?: number; error?: string }) => {
    if (m.error) report(`background checkpoint: ${m.error}`);
    if (m.finished) return release();
    if (stopping || !(m.done || m.caughtUp)) return;
    if (m.done) return void worker.postMessage(m.frames !== undefined && m.frames < START_OVER_FRAMES ? 'again' : 'catch up');
    o.holdWriter(finishWhileHeld)
      .catch((err: unknown) => stopping || report(`checkpoint with the writer held: ${(err as Error).message}`))
      .finally(() => stopping || worker.postMessage('again'));
  });
  worker.on('error', (err) => (report(`background checkpoint thread failed: ${err.message}`), release(), fallBack()));
  worker.on('exit', () => ((threadGone = true), release(), fallBack()));
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
