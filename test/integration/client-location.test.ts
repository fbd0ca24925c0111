import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startNode } from '../../src/node.js';
import { writeMmdb } from '../support/mmdb-writer.js';
import { startTestNode } from '../support/test-node.js';

const run = promisify(execFile);
const SHANGHAI = {
  city: { geoname_id: 1796236, names: { en: 'Shanghai', 'zh-CN': '上海' } },
  country: { geoname_id: 1814991, iso_code: 'CN', names: { en: 'China', 'zh-CN': '中国' } },
};

describe('SCANPASS_GEOIP_DB at start-up', { timeout: 90_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-geo-start-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives a started node a locator on its services', async () => {
    const file = writeMmdb(path.join(dir, 'GeoLite2-City.mmdb'), [{ cidr: '202.96.209.0/24', data: SHANGHAI }]);
    const node = await startTestNode({ geoipDb: file });
    try {
      expect(node.services.geo.describe('202.96.209.133', 'en')).toBe('Shanghai, China');
      expect(node.services.geo.describe('202.96.209.133', 'zh-CN')).toBe('中国 上海');
      expect(node.services.geo.describe('127.0.0.1', 'en')).toBeNull();
    } finally {
      await node.close();
    }
  });

  it('gives a node without it a locator that names nothing', async () => {
    const node = await startTestNode();
    try {
      expect(node.services.geo.describe('202.96.209.133', 'en')).toBeNull();
    } finally {
      await node.close();
    }
  });

  it('refuses to start with a path that cannot be opened, before it creates or opens anything', async () => {
    const missing = path.join(dir, 'nowhere', 'GeoLite2-City.mmdb');
    const dataDir = path.join(dir, 'data-never-made');
    const config = loadConfig({ env: { SCANPASS_GEOIP_DB: missing }, overrides: { port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' } });
    const started = startNode(config, { logger: pino({ level: 'silent' }), announce: () => {} });
    // Should it start after all, close it so the failure below is the only consequence.
    started.then((node) => node.close(), () => {});
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(`SCANPASS_GEOIP_DB="${missing}" cannot be opened`);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('makes `scanpass` exit 2 with a message naming the variable and the path', async () => {
    const notADatabase = path.join(dir, 'GeoLite2-City.tar.gz');
    fs.writeFileSync(notADatabase, 'this is not a MaxMind database');
    const res = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', '--geoip-db', notADatabase, '--port', '0', '--data-dir', path.join(dir, 'cli-data')], {
      env: { PATH: process.env.PATH },
      // A node that started anyway would serve until killed.
      timeout: 60_000,
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`scanpass: SCANPASS_GEOIP_DB="${notADatabase}" cannot be opened as a MaxMind city database`);
    expect(res.stdout).not.toContain('listening');
  });

  it("shows the phone where the screen is: the watching browser's place, in the phone's language", async () => {
    const file = writeMmdb(path.join(dir, 'City-phone.mmdb'), [{ cidr: '202.96.209.0/24', data: SHANGHAI }]);
    // Behind one proxy: the screen's address is the one the proxy appends.
    const node = await startTestNode({ geoipDb: file, trustProxy: 1 });
    try {
      const { signIn } = await import('../support/test-node.js');
      const admin = await signIn(node.url);
      const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(`${node.url}${url}`, {
          method,
          headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      const { client } = await call('POST', '/api/v1/clients', { name: 'Lobby TV', scopes: ['openid'] });
      // The back end asks from a data centre; the TV's browser in Shanghai watches the channel.
      const started = (await (
        await fetch(`${node.url}/oauth/device_authorization`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '8.8.8.8' },
          body: new URLSearchParams({ client_id: client.client_id, live: 'true' }),
        })
      ).json()) as { user_code: string; live: { channel: string; token: string } };
      const q = new URLSearchParams({ channel: started.live.channel, token: started.live.token, wait: '0' });
      expect((await fetch(`${node.url}/v1/live/poll?${q}`, { headers: { 'x-forwarded-for': '202.96.209.133' } })).status).toBe(200);
      const zh = await call('GET', `/api/v1/login-requests/${started.user_code}`, undefined, { cookie: `${admin.cookie}; scanpass_lang=zh-CN` });
      expect(zh.screen).toMatchObject({ ip: '202.96.209.133', place: '中国 上海' });
      const en = await call('GET', `/api/v1/login-requests/${started.user_code}`, undefined, { 'accept-language': 'en-GB,en;q=0.9' });
      expect(en.screen.place).toBe('Shanghai, China');
    } finally {
      await node.close();
    }
  });
});
