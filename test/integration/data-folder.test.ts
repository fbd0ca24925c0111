import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';

/**
 * The SQLite data folder holds the signing keys and webhook secrets: no other
 * local user may read it, whether it is made now or left by an older version.
 */
const mode = (p: string) => fs.statSync(p).mode & 0o777;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-modes-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe.skipIf(process.platform === 'win32')('the data folder', () => {
  it('is made 0700 with its database files 0600, whatever the umask', async () => {
    const dataDir = path.join(root, 'fresh', 'data');
    const old = process.umask(0o022);
    try {
      const store = await openStore({ dataDir });
      await store.db.insertInto('server_secrets').values({ name: 'probe', value: 'secret', created_at: Date.now() }).execute();
      const files = fs.readdirSync(dataDir);
      expect(files).toEqual(expect.arrayContaining(['scanpass.db', 'scanpass.db-wal', 'scanpass.db-shm', 'scanpass.migrate-lock']));
      expect(mode(dataDir)).toBe(0o700);
      for (const f of files) expect([f, mode(path.join(dataDir, f))]).toEqual([f, 0o600]);
      await store.close();
    } finally {
      process.umask(old);
    }
  });

  it('tightens a world-readable folder left by an older version, and says so', async () => {
    const dataDir = path.join(root, 'old');
    await (await openStore({ dataDir })).close();
    fs.chmodSync(dataDir, 0o755);
    for (const f of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, f), 0o644);

    const warnings: string[] = [];
    const store = await openStore({ dataDir, onWarning: (m) => warnings.push(m) });
    expect(mode(dataDir)).toBe(0o700);
    for (const f of fs.readdirSync(dataDir)) expect([f, mode(path.join(dataDir, f))]).toEqual([f, 0o600]);
    expect(warnings).toContainEqual(expect.stringContaining(`made ${dataDir} private (mode 755 -> 700)`));
    expect(warnings).toContainEqual(expect.stringContaining(`made ${path.join(dataDir, 'scanpass.db')} private (mode 644 -> 600)`));
    await store.close();
  });
});
