import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, type CONFIG_KEYS } from '../../src/config.js';
import { startNode, type NodeOptions, type RunningNode } from '../../src/node.js';
import { counterChannel } from './counter-channel.js';
import { freePort } from './free-port.js';

export { freePort };

export const ADMIN = { email: 'admin@test.local', password: 'correct horse battery' };

/**
 * A real node on a free port with its own SQLite folder (or the given
 * database), the counter test channel, and a known admin; `extend` adds
 * routes before the app is ready.
 */
export async function startTestNode(
  overrides: Partial<Record<keyof typeof CONFIG_KEYS, unknown>> = {},
  opts: Pick<NodeOptions, 'clock' | 'random' | 'extend'> = {},
): Promise<RunningNode & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-test-'));
  // A known port up front, so the public URL (the OpenID issuer) is the real one.
  const port = await freePort();
  const config = loadConfig({
    env: {},
    overrides: { port, host: '127.0.0.1', publicUrl: `http://127.0.0.1:${port}`, dataDir, adminEmail: ADMIN.email, adminPassword: ADMIN.password, logLevel: 'silent', rateLimitPerMinute: 100_000, signInLimitPerMinute: 1000, liveUpgradesPerMinute: 100_000, liveMaxSocketsPerAddress: 100_000, ...overrides },
  });
  const extend: NodeOptions['extend'] = async (app, services) => {
    await counterChannel(app, services);
    await opts.extend?.(app, services);
  };
  const node = await startNode(config, { ...opts, logger: pino({ level: process.env.SCANPASS_TEST_LOG ?? 'silent' }), extend, announce: () => {} });
  return {
    ...node,
    dataDir,
    async close() {
      await node.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in over HTTP and returns the cookie header and CSRF token. */
export async function signIn(baseUrl: string, email = ADMIN.email, password = ADMIN.password): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const body = (await res.json()) as { csrf_token: string };
  return { cookie, csrf: body.csrf_token };
}
