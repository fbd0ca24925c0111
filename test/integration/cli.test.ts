import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientsRepo } from '../../src/store/clients.js';
import { openStore } from '../../src/store/database.js';
import type { UsersTable } from '../../src/store/schema.js';
import { UsersRepo } from '../../src/store/users.js';
import { startTestNode } from '../support/test-node.js';

const run = promisify(execFile);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-cli-'));
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args, '--data-dir', dataDir], { env: { PATH: process.env.PATH } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

// Each CLI call starts Node with the TypeScript loader: seconds each on a busy 2-core machine.
describe('scanpass CLI', { timeout: 90_000 }, () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('adds a user who can then sign in', async () => {
    const r = await cli('user', 'add', '--email', 'Kiosk@Example.org', '--password', 'kiosk password', '--role', 'staff', '--name', 'Front desk');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/created staff kiosk@example\.org/);
    const node = await startTestNode({ dataDir });
    try {
      const res = await node.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'kiosk@example.org', password: 'kiosk password' } });
      expect(res.json().user).toMatchObject({ role: 'staff', name: 'Front desk' });
    } finally {
      await node.close();
    }
  });

  it('explains what is missing or wrong, with exit code 2', async () => {
    // An account of this test's own for the taken email, written straight to the store: a CLI call would cost a Node start-up.
    const store = await openStore({ dataDir });
    try {
      const row: UsersTable = { id: randomUUID(), email: 'taken@example.org', name: 'Taken', password_hash: 'hash', role: 'member', created_at: Date.now(), disabled_at: null };
      expect(await new UsersRepo(store.db).insert(row)).toBe(true);
    } finally {
      await store.close();
    }
    // Independent invocations, run together: each is a whole Node start-up.
    const [missing, role, taken, unknown] = await Promise.all([
      cli('user', 'add', '--email', 'a@b.c'),
      cli('user', 'add', '--email', 'a@b.c', '--password', 'long enough', '--role', 'king'),
      cli('user', 'add', '--email', 'taken@example.org', '--password', 'long enough', '--role', 'member'),
      cli('frobnicate'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs --email, --password and --role');
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('--role must be one of admin, staff, member');
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('exists');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });

  it('adds OAuth clients (public, and confidential with --secret) that then work at /oauth/device_authorization', async () => {
    const pub = await cli('client', 'add', '--name', 'Living-room TV');
    expect(pub.code).toBe(0);
    const publicId = /^client_id: (\S+)$/m.exec(pub.stdout)?.[1];
    expect(publicId).toMatch(/^[A-Za-z0-9._-]{3,64}$/);
    expect(pub.stdout).toContain('with scopes openid profile');
    expect(pub.stdout).not.toContain('client_secret');
    const conf = await cli('client', 'add', '--name', 'Backend', '--client-id', 'backend-app', '--secret', '--scopes', 'openid profile email');
    expect(conf.code).toBe(0);
    expect(conf.stdout).toMatch(/^client_id: backend-app$/m);
    const secret = /^client_secret: (\S+)$/m.exec(conf.stdout)?.[1];
    expect(secret).toMatch(/^[\w-]{40,}$/);
    const bad = await cli('client', 'add', '--name', 'Bad', '--scopes', 'openid admin');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unsupported scope: admin');

    const node = await startTestNode({ dataDir });
    try {
      const authorize = (fields: Record<string, string>) =>
        node.app.inject({ method: 'POST', url: '/oauth/device_authorization', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
      const a = await authorize({ client_id: publicId!, scope: 'openid profile' });
      expect(a.statusCode).toBe(200);
      expect(a.json().user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
      expect((await authorize({ client_id: 'backend-app', client_secret: secret!, scope: 'openid email' })).statusCode).toBe(200);
      expect((await authorize({ client_id: 'backend-app', scope: 'openid' })).json()).toMatchObject({ error: 'invalid_client' });
      expect((await authorize({ client_id: publicId!, scope: 'openid email' })).json()).toMatchObject({ error: 'invalid_scope' });
      expect((await authorize({ client_id: 'Bad' })).statusCode).toBe(401);
    } finally {
      await node.close();
    }
  }, 60_000);

  it('adds a client with repeated --redirect-uri, --post-logout-redirect-uri and --grant, and refuses a bad URI naming it', async () => {
    const r = await cli(
      'client', 'add', '--name', 'Web shop', '--client-id', 'web-shop',
      '--redirect-uri', 'https://shop.example/cb', '--redirect-uri', 'http://127.0.0.1/native',
      '--post-logout-redirect-uri', 'https://shop.example/bye',
      '--grant', 'authorization_code', '--grant', 'device_code',
      '--backchannel-logout-uri', 'https://shop.example/logout',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('grant_types: authorization_code urn:ietf:params:oauth:grant-type:device_code\n');
    expect(r.stdout).toContain('redirect_uri: http://127.0.0.1/native\n');
    const bad = await cli('client', 'add', '--name', 'Bad', '--redirect-uri', 'javascript:alert(1)');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"javascript:alert(1)"');
    const noUri = await cli('client', 'add', '--name', 'No URI', '--grant', 'authorization_code');
    expect(noUri.code).toBe(2);
    expect(noUri.stderr).toContain('needs at least one redirect URI');

    const store = await openStore({ dataDir });
    try {
      const repo = new ClientsRepo(store.db);
      expect(await repo.find('web-shop')).toMatchObject({
        redirect_uris: ['https://shop.example/cb', 'http://127.0.0.1/native'],
        post_logout_redirect_uris: ['https://shop.example/bye'],
        grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
        backchannel_logout_uri: 'https://shop.example/logout',
      });
      expect((await repo.list()).map((c) => c.name)).not.toContain('Bad');
    } finally {
      await store.close();
    }
  });

  it('lists every setting with `config`', async () => {
    const r = await cli('config');
    expect(r.stdout).toContain('SCANPASS_REDIS_URL');
  });
});
