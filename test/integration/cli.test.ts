import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';

const run = promisify(execFile);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-cli-'));
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args, '--data-dir', dataDir], { env: { PATH: process.env.PATH } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('scanpass CLI', () => {
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
    const missing = await cli('user', 'add', '--email', 'a@b.c');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs --email, --password and --role');
    const role = await cli('user', 'add', '--email', 'a@b.c', '--password', 'long enough', '--role', 'king');
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('--role must be one of admin, staff, member');
    const taken = await cli('user', 'add', '--email', 'kiosk@example.org', '--password', 'long enough', '--role', 'member');
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('exists');
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });

  it('lists every setting with `config`', async () => {
    const r = await cli('config');
    expect(r.stdout).toContain('SCANPASS_REDIS_URL');
  });
});
