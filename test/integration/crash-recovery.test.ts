/**
 * A node killed with SIGKILL in the middle of writes (no shutdown code runs)
 * must come back with every write it acknowledged, on SQLite and on Postgres.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQLite } from '../../src/store/sqlite-driver.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { post } from '../support/http.js';
import { createTestDatabase } from '../support/postgres.js';
import { spawnNode, type NodeProcess } from '../support/processes.js';
import { signIn } from '../support/test-node.js';
import { until } from '../support/until.js';

/** Every write the server answered with a 2xx, and what it said. */
interface Acknowledged {
  /** counter id -> highest version acknowledged, and a channel token to read it back. */
  counters: Map<string, { version: number; token: string }>;
  apiKeys: Map<string, string>; // id -> key
}

/**
 * Writes through `url` from several loops at once until a request fails (the
 * node is gone). Only answers read in full are recorded.
 */
function writeUntilKilled(url: string, auth: { cookie: string; csrf: string }, acked: Acknowledged) {
  const counterLoop = async (loop: number) => {
    for (let n = 0; ; n++) {
      const id = `c${loop}-${n}`;
      const created = await post(`${url}/test/counters/${id}`);
      if (created.status !== 200) throw new Error(`create answered ${created.status}`);
      const { token } = (await created.json()) as { token: string };
      acked.counters.set(id, { version: 1, token });
      for (let i = 0; i < 3; i++) {
        const res = await post(`${url}/test/counters/${id}/bump`);
        if (res.status !== 200) throw new Error(`bump answered ${res.status}`);
        const { version } = (await res.json()) as { version: number };
        acked.counters.set(id, { version, token });
      }
    }
  };
  const keyLoop = async () => {
    for (let n = 0; ; n++) {
      const res = await post(`${url}/api/v1/api-keys`, { name: `crash ${n}` }, { cookie: auth.cookie, 'x-csrf-token': auth.csrf });
      if (res.status !== 201) throw new Error(`api key answered ${res.status}`);
      const body = (await res.json()) as { key: string; api_key: { id: string } };
      acked.apiKeys.set(body.api_key.id, body.key);
    }
  };
  // Each loop ends with its first failed request, which should be the kill.
  let killing = false;
  const earlyFailures: string[] = [];
  const run = (loop: () => Promise<void>) =>
    loop().catch((err: unknown) => {
      if (!killing) earlyFailures.push(String(err));
    });
  const done = Promise.all([run(() => counterLoop(0)), run(() => counterLoop(1)), run(() => counterLoop(2)), run(keyLoop)]);
  return {
    earlyFailures,
    /** Marks the kill; resolves once every loop has stopped. */
    async killed(kill: () => Promise<void>) {
      killing = true;
      await kill();
      await done;
    },
  };
}

interface Target {
  name: 'sqlite' | 'postgres';
  enabled: boolean;
}

const targets: Target[] = [
  { name: 'sqlite', enabled: true },
  { name: 'postgres', enabled: available('postgres', !!TEST_DATABASE_URL) },
];

for (const target of targets) {
  describe.skipIf(!target.enabled)(`crash recovery on ${target.name}`, () => {
    let dataDir: string;
    let env: Record<string, string>;
    let drop: (() => Promise<void>) | undefined;
    const nodes: NodeProcess[] = [];

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-crash-'));
      env = { SCANPASS_DATA_DIR: dataDir };
      if (target.name === 'postgres') {
        const db = await createTestDatabase(TEST_DATABASE_URL!);
        drop = db.drop;
        env.SCANPASS_DATABASE_URL = db.url;
      }
    });

    afterAll(async () => {
      await Promise.allSettled(nodes.map((n) => n.kill()));
      await drop?.().catch(() => {});
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('a server killed with SIGKILL during writes restarts with every acknowledged write present', async () => {
      const first = await spawnNode(env);
      nodes.push(first);
      const admin = await signIn(first.url);
      const acked: Acknowledged = { counters: new Map(), apiKeys: new Map() };

      const writers = writeUntilKilled(first.url, admin, acked);
      const started = Date.now();
      // Let writes run a moment (and make sure there are enough of each), then kill mid-stream.
      await until(() => writers.earlyFailures.length > 0 || (Date.now() - started >= 1200 && acked.counters.size >= 10 && acked.apiKeys.size >= 3), 'acknowledged writes');
      await writers.killed(() => first.kill());
      // Every loop was still writing when the process died.
      expect(writers.earlyFailures).toEqual([]);
      expect(first.child.signalCode).toBe('SIGKILL');

      const second = await spawnNode(env);
      nodes.push(second);

      // Counters: each acknowledged creation exists, at least at the acknowledged version.
      const entries = [...acked.counters];
      const missing: string[] = [];
      const worker = async () => {
        for (let e = entries.pop(); e; e = entries.pop()) {
          const [id, { version, token }] = e;
          const res = await fetch(`${second.url}/v1/live/poll?channel=counter:${id}&token=${encodeURIComponent(token)}&after=0&wait=5`);
          const body = res.status === 200 ? ((await res.json()) as { version: number }) : null;
          if (!body || body.version < version) missing.push(`${id}: acknowledged ${version}, found ${body?.version ?? res.status}`);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      expect(missing).toEqual([]);

      // API keys: each acknowledged key is listed and still authenticates.
      const after = await signIn(second.url);
      const listed = await fetch(`${second.url}/api/v1/api-keys`, { headers: { cookie: after.cookie } });
      expect(listed.status).toBe(200);
      const ids = new Set(((await listed.json()) as { api_keys: { id: string }[] }).api_keys.map((k) => k.id));
      expect([...acked.apiKeys.keys()].filter((id) => !ids.has(id))).toEqual([]);
      const [lastKey] = [...acked.apiKeys.values()].slice(-1);
      const me = await fetch(`${second.url}/api/v1/me`, { headers: { authorization: `Bearer ${lastKey}` } });
      expect(me.status).toBe(200);

      // The restarted node takes new writes and serves them back.
      const created = await post(`${second.url}/test/counters/after-restart`);
      expect(created.status).toBe(200);
      const { token } = (await created.json()) as { token: string };
      const bumped = await post(`${second.url}/test/counters/after-restart/bump`);
      expect(await bumped.json()).toEqual({ version: 2 });
      const read = await fetch(`${second.url}/v1/live/poll?channel=counter:after-restart&token=${encodeURIComponent(token)}&after=0&wait=5`);
      expect(await read.json()).toMatchObject({ version: 2 });

      if (target.name === 'sqlite') {
        // Checked beside the running node, before any clean shutdown could tidy up.
        const db = new SQLite(path.join(dataDir, 'scanpass.db'), { readonly: true, fileMustExist: true });
        try {
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
          expect(db.pragma('foreign_key_check')).toEqual([]);
        } finally {
          db.close();
        }
      }
      await second.stop();
    }, 90_000);
  });
}
