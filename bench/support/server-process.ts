/**
 * The benches' server: the real product in a child process (dist/server/main.js,
 * or src/main.ts through tsx), in a fresh data directory that goes away when
 * it exits, with rate limits lifted (a bench is one address doing the work of
 * a whole venue) and every other setting at its default, the log level too:
 * what an operator gets. Resolves once it logs "listening on".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer } from '../../test/support/processes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The admin account every bench server starts with. */
export const BENCH_ADMIN = { email: 'bench@scanpass.local', password: 'bench password 123' };

export interface BenchServer {
  url: string;
  pid: number;
  /** The server's SCANPASS_DATA_DIR (its SQLite file lives here). */
  dataDir: string;
  /** SIGTERM, wait for exit, remove the data directory. */
  stop(): Promise<void>;
}

interface BenchServerOptions {
  /** Names the data directory: `scanpass-bench-<name>-*`. */
  name: string;
  /** SCANPASS_* settings on top of the defaults. */
  env?: Record<string, string>;
  /** Run the built server (default) or the sources through tsx. */
  from?: 'dist' | 'tsx';
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

export async function startBenchServer(opts: BenchServerOptions): Promise<BenchServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `scanpass-bench-${opts.name}-`));
  const main = opts.from === 'tsx' ? ['--import', 'tsx', path.join(ROOT, 'src/main.ts')] : [path.join(ROOT, 'dist/server/main.js')];
  const env = {
    SCANPASS_PORT: '0',
    SCANPASS_HOST: '127.0.0.1',
    SCANPASS_DATA_DIR: dataDir,
    SCANPASS_ADMIN_EMAIL: BENCH_ADMIN.email,
    SCANPASS_ADMIN_PASSWORD: BENCH_ADMIN.password,
    SCANPASS_RATE_LIMIT_PER_MINUTE: '1000000',
    SCANPASS_LIVE_UPGRADES_PER_MINUTE: '1000000',
    SCANPASS_LIVE_MAX_SOCKETS_PER_ADDRESS: '1000000',
    SCANPASS_USER_CODE_ATTEMPTS_PER_MINUTE: '100000',
    ...opts.env,
  };
  try {
    const node = await spawnServer([...(opts.nodeArgs ?? []), ...main], env, {
      urlIn: (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1],
      onExit: () => fs.rmSync(dataDir, { recursive: true, force: true }),
      echoStderr: true,
    });
    return { url: node.url, pid: node.child.pid!, dataDir, stop: () => node.stop() };
  } catch (err) {
    throw new Error(`the server did not start; did \`npm run build\` run?\n${(err as Error).message}`);
  }
}
