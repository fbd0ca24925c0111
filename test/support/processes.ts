import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr, for failure messages. */
  stderr(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: no shutdown code runs. */
  kill(): Promise<void>;
}

interface SpawnOptions {
  /** The process's URL if this stdout line announces it. */
  urlIn: (line: string) => string | undefined;
  /** Called once the process has exited (clean up its files here). */
  onExit?: () => void;
  /** Also copy the process's stderr to ours, as it comes. */
  echoStderr?: boolean;
  /** Told every stdout line from the start (the node's JSON log lines, say). */
  onStdoutLine?: (line: string) => void;
  timeoutMs?: number;
}

/**
 * Starts `node <args>` from the project root with only PATH and `env` in its
 * environment, and resolves once a stdout line gives its URL (`opts.urlIn`).
 * Shared by the test nodes below and the benches' server (bench/support).
 */
export async function spawnServer(args: string[], env: Record<string, string>, opts: SpawnOptions): Promise<NodeProcess> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (opts.echoStderr) process.stderr.write(d);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      opts.onExit?.();
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started node behind
      reject(new Error(`node did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      opts.onStdoutLine?.(line);
      const found = opts.urlIn(line);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The URL in the harness server's JSON line. */
function harnessUrl(line: string): string | undefined {
  try {
    return (JSON.parse(line) as { url?: string }).url;
  } catch {
    return undefined; // not our line
  }
}

/** What every test node in a process starts with: the known admin (test-node.ts ADMIN), limits lifted, a short shutdown grace. */
const TEST_NODE_ENV: Record<string, string> = {
  SCANPASS_PORT: '0',
  SCANPASS_HOST: '127.0.0.1',
  SCANPASS_LOG_LEVEL: 'warn',
  SCANPASS_ADMIN_EMAIL: 'admin@test.local',
  SCANPASS_ADMIN_PASSWORD: 'correct horse battery',
  SCANPASS_RATE_LIMIT_PER_MINUTE: '100000',
  SCANPASS_LIVE_UPGRADES_PER_MINUTE: '100000',
  SCANPASS_LIVE_MAX_SOCKETS_PER_ADDRESS: '100000',
  SCANPASS_SIGNIN_LIMIT_PER_MINUTE: '1000',
  SCANPASS_SHUTDOWN_GRACE_SECONDS: '2',
};

/**
 * Starts test/support/harness-server.ts in its own Node process with the given
 * SCANPASS_* environment, and resolves once it prints its URL.
 */
export async function spawnNode(env: Record<string, string>, opts: Pick<SpawnOptions, 'timeoutMs' | 'onStdoutLine'> = {}): Promise<NodeProcess> {
  const ownDir = env.SCANPASS_DATA_DIR === undefined;
  const dataDir = env.SCANPASS_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-proc-'));
  return spawnServer(
    ['--import', 'tsx', path.join(ROOT, 'test/support/harness-server.ts')],
    { ...TEST_NODE_ENV, SCANPASS_DATA_DIR: dataDir, ...env },
    {
      ...opts,
      urlIn: harnessUrl,
      onExit: () => {
        if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
      },
    },
  );
}

/**
 * The built product as an operator runs it (`node dist/server/main.js`), with the
 * test defaults above and `env` on top; resolves once it logs "listening on".
 * The caller owns SCANPASS_DATA_DIR, so a restart can reuse it.
 */
export async function spawnProduct(env: Record<string, string> & { SCANPASS_DATA_DIR: string }, opts: Pick<SpawnOptions, 'timeoutMs' | 'onStdoutLine'> = {}): Promise<NodeProcess> {
  const main = path.join(ROOT, 'dist/server/main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\``);
  return spawnServer([main], { ...TEST_NODE_ENV, ...env }, { ...opts, urlIn: (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1] });
}
