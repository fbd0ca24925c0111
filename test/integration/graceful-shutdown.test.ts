/**
 * SIGTERM with keep-alive connections open, on the real CLI process: the
 * request in flight gets its answer with `connection: close`, an idle
 * keep-alive connection does not hold the process, and the process exits 0
 * after closing its bus and store (not by the force timer, which exits 1).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type NodeProcess } from '../support/processes.js';
import { ADMIN } from '../support/test-node.js';
import { until } from '../support/until.js';

/** A plain TCP connection speaking HTTP/1.1 by hand, so the test decides when each byte goes. */
async function connect(url: string) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let received = '';
  let ended = false;
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('close', () => (ended = true));
  socket.on('error', () => {});
  await new Promise((r) => socket.once('connect', r));
  return {
    socket,
    received: () => received,
    /** The server closed the connection. */
    ended: () => ended,
  };
}

/** The status line, headers (lower-cased) and body of the last complete response in `raw`. */
function lastResponse(raw: string): { status: number; headers: Record<string, string>; body: string } | undefined {
  const start = raw.lastIndexOf('HTTP/1.1 ');
  if (start < 0 || raw.startsWith('HTTP/1.1 100', start)) return undefined;
  const text = raw.slice(start);
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const body = text.slice(split + 4);
  if (body.length < Number(headers['content-length'] ?? 0)) return undefined;
  return { status: Number(statusLine!.split(' ')[1]), headers, body };
}

describe('graceful shutdown with keep-alive connections', () => {
  let dataDir: string;
  let node: NodeProcess;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-shutdown-'));
    node = await spawnServer(
      ['--import', 'tsx', 'src/main.ts'],
      {
        SCANPASS_PORT: '0',
        SCANPASS_HOST: '127.0.0.1',
        SCANPASS_DATA_DIR: dataDir,
        SCANPASS_LOG_LEVEL: 'info',
        SCANPASS_ADMIN_EMAIL: ADMIN.email,
        SCANPASS_ADMIN_PASSWORD: ADMIN.password,
        // The CLI's force timer fires at grace + 5 s and exits 1.
        SCANPASS_SHUTDOWN_GRACE_SECONDS: '2',
      },
      { urlIn: (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1] },
    );
    readline.createInterface({ input: node.child.stdout! }).on('line', (line) => logs.push(line));
  });

  afterAll(async () => {
    await node?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the request in flight with connection: close, drops idle keep-alive connections, and exits 0 with its store closed', async () => {
    // One keep-alive connection that has finished its request and sits idle.
    const idle = await connect(node.url);
    idle.socket.write('GET /healthz HTTP/1.1\r\nhost: scanpass\r\n\r\n');
    await until(() => lastResponse(idle.received()), 'the idle connection’s first answer');
    expect(lastResponse(idle.received())!.headers.connection).toBe('keep-alive');

    // One whose request is in flight: headers sent and accepted (100 Continue), body not yet.
    const body = JSON.stringify({ email: ADMIN.email, password: ADMIN.password });
    const busy = await connect(node.url);
    busy.socket.write(
      `POST /api/v1/session HTTP/1.1\r\nhost: scanpass\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nexpect: 100-continue\r\n\r\n`,
    );
    await until(() => busy.received().startsWith('HTTP/1.1 100'), 'the server to take the request');

    const exited = new Promise<number | null>((resolve) => node.child.once('exit', (code) => resolve(code)));
    node.child.kill('SIGTERM');
    // Shutdown has begun once the idle connection is closed by the server.
    await until(() => idle.ended(), 'the idle keep-alive connection to be closed');
    expect(node.child.exitCode).toBeNull();

    // The request finishes after SIGTERM: it is answered, and told the connection ends.
    busy.socket.write(body);
    const answer = await until(() => lastResponse(busy.received()), 'the answer to the request in flight');
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    await until(() => busy.ended(), 'the in-flight connection to be closed after its answer');

    // A clean exit, not the force timer's exit 1, with the bus and store closed.
    expect(await exited).toBe(0);
    expect(logs.some((l) => l.includes('stopped: bus and store closed'))).toBe(true);
    // Closing SQLite's last connection checkpoints the WAL into the database and removes it.
    expect(fs.existsSync(path.join(dataDir, 'scanpass.db-wal'))).toBe(false);
  }, 60_000);
});
