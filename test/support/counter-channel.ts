import { Type } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import { AppError } from '../../src/domain/errors.js';
import type { App } from '../../src/http/types.js';
import type { Services } from '../../src/services.js';

/**
 * A test-only channel kind, `counter:<id>`, backed by a real table: each bump
 * is a compare-and-set on the row's version in one transaction, then a
 * publish, exactly as a flow does. It lets the live suites and the bench drive
 * real state changes before any product flow exists.
 */
export async function counterChannel(app: App, s: Services): Promise<void> {
  await sql`create table if not exists test_counters (id text primary key, version bigint not null)`.execute(s.store.db);
  const db = s.store.db as unknown as Kysely<{ test_counters: { id: string; version: number } }>;

  s.live.registry.register('counter', async (id) => {
    const row = await db.selectFrom('test_counters').select('version').where('id', '=', id).executeTakeFirst();
    return row ? { version: Number(row.version), type: 'bumped', data: { value: Number(row.version) } } : null;
  });

  const Id = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

  // Creates the counter (version 1) if needed and returns a token for its channel.
  app.post('/test/counters/:id', { schema: { hide: true, params: Id } }, async (req) => {
    await db.insertInto('test_counters').values({ id: req.params.id, version: 1 }).onConflict((oc) => oc.column('id').doNothing()).execute();
    return s.live.grant(`counter:${req.params.id}`);
  });

  app.post('/test/counters/:id/bump', { schema: { hide: true, params: Id } }, async (req) => {
    const version = await db.transaction().execute(async (trx) => {
      for (;;) {
        const row = await trx.selectFrom('test_counters').select('version').where('id', '=', req.params.id).executeTakeFirst();
        if (!row) throw new AppError('not_found', 'no such counter');
        const next = Number(row.version) + 1;
        const res = await trx.updateTable('test_counters').set({ version: next }).where('id', '=', req.params.id).where('version', '=', row.version).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) return next;
      }
    });
    s.live.publish({ channel: `counter:${req.params.id}`, version, type: 'bumped', data: { value: version } });
    return { version };
  });
}

/** Creates counter `id` (version 1) through the node at `baseUrl` and returns a token for its channel. */
export async function createCounter(baseUrl: string, id: string): Promise<{ channel: string; token: string; id: string }> {
  const res = await fetch(`${baseUrl}/test/counters/${id}`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`creating counter ${id} answered ${res.status}: ${await res.text()}`);
  return { ...((await res.json()) as { channel: string; token: string }), id };
}

/** Bumps counter `id` through the node at `baseUrl`; returns its new version. */
export async function bumpCounter(baseUrl: string, id: string): Promise<number> {
  const res = await fetch(`${baseUrl}/test/counters/${id}/bump`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`bumping counter ${id} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { version: number }).version;
}
