/**
 * SCANPASS_DATABASE_POOL_SIZE caps the Postgres connections one node holds:
 * operators size it so that every node together stays under the server's
 * max_connections. Under many concurrent requests a node with a pool of 3
 * is seen by Postgres with at most 3 connections, and every request still
 * gets its answer (the rest wait for a free connection).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { startTestNode } from '../support/test-node.js';
import type { RunningNode } from '../../src/node.js';

const enabled = available('postgres', !!TEST_DATABASE_URL);

describe.skipIf(!enabled)('the Postgres pool size', () => {
  let database: { url: string; drop(): Promise<void> };
  let node: RunningNode & { dataDir: string };
  let observer: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase(TEST_DATABASE_URL!);
    node = await startTestNode({ databaseUrl: database.url, databasePoolSize: 3 });
    observer = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await observer.connect();
  });

  afterAll(async () => {
    await observer?.end();
    await node?.close();
    await database?.drop();
  });

  it('holds at most the configured connections however many requests wait', async () => {
    const name = new URL(database.url).pathname.slice(1);
    const connections = async () => Number((await observer.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0].n);

    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, await connections());
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    // /readyz asks the database each time; 200 of them at once, four times over.
    for (let round = 0; round < 4; round++) {
      const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(`${node.url}/readyz`).then((r) => r.status)));
      expect(answers.every((s) => s === 200)).toBe(true);
    }
    sampling = false;
    await sampler;

    // The node did use its pool (more than one connection at a time), never past its size.
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
  });
});
