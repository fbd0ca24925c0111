/**
 * A database that cannot answer must not take the node down or show as a bug.
 * Postgres going away under load (a restart, as seen from the node: every
 * connection reset, new ones refused): requests answer 503 `unavailable` with
 * Retry-After while it is away, the outage is logged once, and the node
 * serves again as soon as Postgres is back, with no acknowledged check-in
 * lost and none doubled. The shared test server is not restarted: a TCP proxy
 * between the node and Postgres is cut instead. SQLite locked by another
 * process past its busy timeout answers the same 503.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQLite } from '../../src/store/sqlite-driver.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { post } from '../support/http.js';
import { logCollector } from '../support/log-lines.js';
import { createTestDatabase } from '../support/postgres.js';
import { spawnNode, type NodeProcess } from '../support/processes.js';
import { checkinFixture, scan } from '../support/checkin-fixture.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { signIn } from '../support/test-node.js';
import { until } from '../support/until.js';

const enabled = available('postgres', !!TEST_DATABASE_URL);
const ATTENDEES = 60;
const SCANNERS = 8;

const NODE_ENV = { SCANPASS_CHECKIN_SCANS_PER_MINUTE: '10000000', SCANPASS_USER_CODE_ATTEMPTS_PER_MINUTE: '10000', SCANPASS_LOG_LEVEL: 'warn' };

/** A failed answer as a caller saw it. */
interface Refusal {
  status: number;
  error: string;
  retryAfter: string | null;
}

describe.skipIf(!enabled)('a Postgres outage under load', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let node: NodeProcess;
  const log = logCollector();

  beforeAll(async () => {
    db = await createTestDatabase(TEST_DATABASE_URL!);
    const direct = new URL(db.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(db.url);
    proxied.port = String(proxy.port);
    node = await spawnNode({ SCANPASS_DATABASE_URL: proxied.toString(), ...NODE_ENV }, { onStdoutLine: log.collect });
  });

  afterAll(async () => {
    await node?.kill();
    await proxy?.close();
    await db?.drop();
  });

  it('answers 503 unavailable with Retry-After while Postgres is away, stays up, and loses no acknowledged check-in', async () => {
    const fixture = await checkinFixture(node.url, ATTENDEES);
    const admin = await signIn(node.url);

    // Scanners check everyone in once, each scan retried with its nonce until it is answered 200.
    const refusals: Refusal[] = [];
    const answered = new Set<number>();
    const networkErrors: string[] = [];
    let next = 0;
    let cutDone!: () => void;
    const afterCut = new Promise<void>((r) => (cutDone = r));
    const scanner = async () => {
      for (let i = next++; i < ATTENDEES; i = next++) {
        // A third before the outage, the rest during and after it.
        if (i >= ATTENDEES / 3) await afterCut;
        const nonce = `outage-${i}-${randomBytes(4).toString('hex')}`;
        for (;;) {
          let res: Response;
          try {
            res = await scan(node.url, fixture, i, nonce);
          } catch (err) {
            networkErrors.push(String((err as Error).cause ?? err));
            return; // the node is gone
          }
          if (res.status === 200) {
            const body = (await res.json()) as { result: string };
            if (body.result !== 'ok') throw new Error(`check-in answered ${JSON.stringify(body)}`);
            answered.add(i);
            break;
          }
          refusals.push({ status: res.status, error: ((await res.json()) as { error: string }).error, retryAfter: res.headers.get('retry-after') });
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    };
    // Signed-in reads all along, so connections are checked out when the cut comes.
    let reading = true;
    const reader = async () => {
      while (reading) {
        try {
          const res = await fetch(`${node.url}/api/v1/me`, { headers: { cookie: admin.cookie } });
          if (res.status !== 200) refusals.push({ status: res.status, error: ((await res.json()) as { error: string }).error, retryAfter: res.headers.get('retry-after') });
          else await res.arrayBuffer();
        } catch (err) {
          networkErrors.push(String((err as Error).cause ?? err));
          return;
        }
      }
    };
    const scanners = Promise.all(Array.from({ length: SCANNERS }, scanner));
    const readers = Promise.all(Array.from({ length: 4 }, reader));
    await until(() => answered.size >= ATTENDEES / 3 || networkErrors.length > 0, 'check-ins before the outage');

    await proxy.cut();
    cutDone();
    await until(() => refusals.length >= 20 || networkErrors.length > 0, 'refused check-ins during the outage');
    // The node is still there, and says why it is not ready.
    expect(networkErrors).toEqual([]);
    expect(node.child.exitCode).toBeNull();
    const ready = await fetch(`${node.url}/readyz`);
    const readyBody = (await ready.json()) as { status: string; checks: { store: string } };
    expect(ready.status).toBe(503);
    expect(readyBody.status).toBe('unavailable');
    expect(readyBody.checks.store).toMatch(/^unavailable: /);
    const during = await fetch(`${node.url}/api/v1/me`, { headers: { cookie: admin.cookie } });
    expect(during.status).toBe(503);
    expect(await during.json()).toMatchObject({ error: 'unavailable' });
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);

    await proxy.restore();
    await until(async () => (await fetch(`${node.url}/readyz`)).status === 200, 'ready again once Postgres is back');
    await scanners;
    reading = false;
    await readers;

    expect(networkErrors).toEqual([]);
    expect(node.child.exitCode).toBeNull();
    // Every refusal was the outage's, said the same way: never a 500.
    const shapes = new Set(refusals.map((r) => `${r.status} ${r.error} retry-after:${r.retryAfter !== null && Number(r.retryAfter) > 0}`));
    expect([...shapes]).toEqual(['503 unavailable retry-after:true']);
    expect(answered.size).toBe(ATTENDEES);

    // Exactly one live check-in per attendee in the database.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const rows = await c.query<{ n: string; people: string }>(
        'select count(*) as n, count(distinct attendee_id) as people from checkins where session_id = $1 and undone_at is null',
        [fixture.sessionId],
      );
      expect(rows.rows[0]).toEqual({ n: String(ATTENDEES), people: String(ATTENDEES) });
    } finally {
      await c.end();
    }

    // The outage is two log lines (down, back), not a stack per request. "Back" is
    // logged after a quiet second of good probes, so it may come after /readyz is 200.
    await until(() => log.loud().some((m) => m.startsWith('database available again')), 'the log line saying the database is back', 10_000);
    const loud = log.loud();
    expect(loud.filter((m) => m.startsWith('database unavailable'))).toHaveLength(1);
    expect(loud.filter((m) => m.startsWith('database available again'))).toHaveLength(1);
    expect(loud.filter((m) => !m.startsWith('database '))).toEqual([]);
  }, 120_000);
});

describe('SQLite locked by another process', () => {
  let dataDir: string;
  let node: NodeProcess;
  const log = logCollector();

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-busy-'));
    node = await spawnNode({ SCANPASS_DATA_DIR: dataDir, ...NODE_ENV }, { onStdoutLine: log.collect });
  });

  afterAll(async () => {
    await node?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 unavailable with Retry-After past the busy timeout, then serves the same scan once the lock is gone', async () => {
    const fixture = await checkinFixture(node.url, 1);
    const holder = new SQLite(path.join(dataDir, 'scanpass.db'));
    let scanned: Response;
    let counter: Response;
    try {
      holder.exec('BEGIN IMMEDIATE'); // the write lock, held past the node's 5 s busy timeout
      // A check-in (group commit) and a plain Kysely write.
      scanned = await scan(node.url, fixture, 0, 'busy-scan-1');
      counter = await post(`${node.url}/test/counters/busy`);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    for (const res of [scanned, counter]) {
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'unavailable' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }

    const retried = await scan(node.url, fixture, 0, 'busy-scan-1');
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ result: 'ok' });
    expect((await post(`${node.url}/test/counters/busy`)).status).toBe(200);
    expect(node.child.exitCode).toBeNull();
    // Logged as the database being unavailable, never as an unhandled error with a stack.
    const loud = log.loud();
    expect(loud.filter((m) => m.startsWith('database unavailable')).length).toBeGreaterThan(0);
    expect(loud.filter((m) => !m.startsWith('database '))).toEqual([]);
  }, 60_000);
});
