/**
 * What a node writes to its log per request, at the default level (info):
 * nothing unless SCANPASS_ACCESS_LOG asks, and then one line per answered
 * request that names the route's pattern, never the raw URL, whose path or
 * query may hold a capability (a pass link's token, a channel token).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startNode, type RunningNode } from '../../src/node.js';
import { freePort } from '../support/free-port.js';

const SECRET = 'sEcReT-tOkEn-0123456789abcdef';

let running: { node: RunningNode; dataDir: string } | undefined;

afterEach(async () => {
  await running?.node.close();
  if (running) fs.rmSync(running.dataDir, { recursive: true, force: true });
  running = undefined;
});

/** A node at log level info whose log lines are kept here, parsed. */
async function nodeLogging(accessLog: boolean) {
  const lines: Record<string, unknown>[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-access-log-'));
  const port = await freePort();
  const config = loadConfig({
    env: {},
    overrides: { port, host: '127.0.0.1', publicUrl: `http://127.0.0.1:${port}`, dataDir, logLevel: 'info', accessLog, adminEmail: 'admin@test.local', adminPassword: 'correct horse battery' },
  });
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const node = await startNode(config, { logger, announce: () => {} });
  running = { node, dataDir };
  return { url: `http://127.0.0.1:${port}`, lines };
}

/** Requests whose URLs carry the secret, answered 4xx, beside a plain one. */
async function requests(url: string) {
  const answers = [
    await fetch(`${url}/healthz`),
    await fetch(`${url}/api/v1/passes/by-link/${SECRET}`),
    await fetch(`${url}/v1/live/sse?channel=pass:x&token=${SECRET}`),
    await fetch(`${url}/api/v1/checkins`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    await fetch(`${url}/nowhere/${SECRET}`, { headers: { accept: 'application/json' } }),
  ];
  for (const a of answers) await a.arrayBuffer();
  return answers.map((a) => a.status);
}

// A line is written once its response has ended: give the last one a moment.
const settle = () => new Promise((r) => setTimeout(r, 100));

describe('the log per request', () => {
  it('is empty by default: no line per request, and no URL in the log', async () => {
    const { url, lines } = await nodeLogging(false);
    const before = lines.length;
    const statuses = await requests(url);
    await settle();
    expect(statuses).toEqual([200, 404, 401, 401, 404]);
    expect(lines.slice(before)).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('with SCANPASS_ACCESS_LOG, is one line per answer naming the route pattern, status and time, never the raw URL', async () => {
    const { url, lines } = await nodeLogging(true);
    const before = lines.length;
    const statuses = await requests(url);
    await settle();
    const logged = lines.slice(before).map(({ msg, method, route, status, ms }) => ({ msg, method, route, status, ms }));
    expect(logged.map(({ ms: _ms, ...rest }) => rest)).toEqual([
      { msg: 'request', method: 'GET', route: '/healthz', status: statuses[0] },
      { msg: 'request', method: 'GET', route: '/api/v1/passes/by-link/:token', status: statuses[1] },
      { msg: 'request', method: 'GET', route: '/v1/live/sse', status: statuses[2] },
      { msg: 'request', method: 'POST', route: '/api/v1/checkins', status: statuses[3] },
      { msg: 'request', method: 'GET', route: 'unmatched', status: statuses[4] },
    ]);
    for (const l of logged) expect(l.ms).toEqual(expect.any(Number));
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});
