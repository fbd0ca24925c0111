import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnNode, type NodeProcess } from '../../support/processes.js';

/**
 * The node under fuzzing: a real process (an uncaught exception ends it, as in
 * production), with its log lines kept so a 5xx or a crash can be reported
 * with the stack the node logged for it.
 */
export interface FuzzNode {
  url: string;
  /** The SQLite file, when the node runs on SQLite. */
  sqliteFile?: string;
  databaseUrl?: string;
  /** True while the process runs. */
  alive(): boolean;
  /** Log lines (stdout, JSON) and stderr written since `mark`. */
  logsSince(mark: number): string;
  /** A position in the logs, for `logsSince`. */
  mark(): number;
  /** How the process ended, for failure messages. */
  death(): string;
  stop(): Promise<void>;
}

/** Limits raised so the fuzzer reaches handlers instead of 429s; everything else is the production default. */
const FUZZ_ENV = {
  SCANPASS_LOG_LEVEL: 'error',
  SCANPASS_RATE_LIMIT_PER_MINUTE: '1000000',
  SCANPASS_SIGNIN_LIMIT_PER_MINUTE: '100000',
  SCANPASS_USER_CODE_ATTEMPTS_PER_MINUTE: '100000',
  SCANPASS_USER_CODE_FAILURES_PER_MINUTE: '10000000',
  SCANPASS_CHECKIN_SCANS_PER_MINUTE: '10000000',
  SCANPASS_LIVE_UPGRADES_PER_MINUTE: '10000000',
  // Webhooks the fuzzer configures point nowhere; keep their retries out of the way.
  SCANPASS_WEBHOOK_TICK_MS: '60000',
};

export async function startFuzzNode(databaseUrl: string | undefined): Promise<FuzzNode> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-fuzz-'));
  const lines: string[] = [];
  let exit: { code: number | null; signal: string | null } | undefined;
  const proc: NodeProcess = await spawnNode({ ...FUZZ_ENV, SCANPASS_DATA_DIR: dataDir, ...(databaseUrl ? { SCANPASS_DATABASE_URL: databaseUrl } : {}) });
  // spawnNode reads stdout for the URL only; the log lines come from the same stream.
  proc.child.stdout!.on('data', (d: Buffer) => lines.push(d.toString()));
  proc.child.once('exit', (code, signal) => (exit = { code, signal }));
  let stderrSeen = 0;
  const collectStderr = () => {
    const all = proc.stderr();
    if (all.length > stderrSeen) lines.push(all.slice(stderrSeen));
    stderrSeen = all.length;
  };
  return {
    url: proc.url,
    ...(databaseUrl ? { databaseUrl } : { sqliteFile: path.join(dataDir, 'scanpass.db') }),
    alive: () => exit === undefined && proc.child.exitCode === null,
    mark() {
      collectStderr();
      return lines.length;
    },
    logsSince(mark) {
      collectStderr();
      return lines.slice(mark).join('').slice(-8000);
    },
    death: () => (exit ? `node exited (code ${exit.code}, signal ${exit.signal}); stderr:\n${proc.stderr().slice(-6000)}` : 'node is running'),
    async stop() {
      await proc.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
