/**
 * Webhooks as a capability keyed by owner (`<kind>:<id>`), on real SQLite and
 * Postgres: a database from before migration 010 keeps its event webhook and
 * what it had still to send, and another kind of owner, registered through
 * the capability as a feature would, gets endpoints and deliveries of its own.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InjectOptions } from 'fastify';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import { migrationsFor } from '../../src/store/migrations/index.js';
import { SQLite } from '../../src/store/sqlite-driver.js';
import type { WebhookOwnerKind } from '../../src/webhooks/webhook-owner.js';
import { webhooksPlugin } from '../../src/webhooks/webhooks-plugin.js';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { ADMIN, startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** A minute ago (finished deliveries older than the retention are purged), well past 2^32 ms, so a lost bigint would show. */
const T0 = Date.now() - 60_000;
const MIN = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nonce = () => randomBytes(12).toString('base64url');

const verifies = (body: string, header: string, secret: string) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  return !!m && createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex') === m[2];
};

interface Target {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database: the node's overrides for it, and where a raw connection reaches it. */
  prepare(): Promise<{ overrides: { databaseUrl?: string; dataDir?: string }; raw(): Kysely<unknown>; cleanup(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'sqlite',
    async prepare() {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-owners-'));
      return {
        overrides: { dataDir },
        raw: () => new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(path.join(dataDir, 'scanpass.db')) }) }),
        cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
      };
    },
  },
  ...(available('postgres', !!TEST_DATABASE_URL)
    ? [
        {
          name: 'postgres' as const,
          async prepare() {
            const tdb = await createTestDatabase(TEST_DATABASE_URL!);
            return {
              overrides: { databaseUrl: tdb.url },
              raw: () => new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: tdb.url, max: 1 }) }) }),
              cleanup: () => tdb.drop(),
            };
          },
        },
      ]
    : []),
];

/** Signs in through `node` and calls its API as the admin. */
async function adminClient(node: Node) {
  const res = await node.app.inject({ method: 'POST', url: '/api/v1/session', payload: ADMIN });
  const c = res.cookies.find((x) => x.name === 'scanpass_session')!;
  const headers = { cookie: `scanpass_session=${c.value}`, 'x-csrf-token': res.json().csrf_token };
  const call = async (method: InjectOptions['method'], url: string, payload?: unknown) => {
    const r = await node.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: r.statusCode, body: r.body ? r.json() : null };
  };
  const ok = async (method: InjectOptions['method'], url: string, payload?: unknown, status = 200) => {
    const r = await call(method, url, payload);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  return { call, ok };
}

/** The indexes and (Postgres) constraints of a table, by name; SQLite's own automatic ones left out. */
async function namesOf(db: Kysely<unknown>, dialect: Target['name'], table: string): Promise<string[]> {
  if (dialect === 'sqlite') {
    return (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table} and name not like 'sqlite_%' order by name`.execute(db)).rows.map((r) => r.name);
  }
  const indexes = (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = ${table}`.execute(db)).rows.map((r) => r.name);
  const keys = (await sql<{ name: string }>`select conname as name from pg_constraint where conrelid = ${table}::regclass`.execute(db)).rows.map((r) => r.name);
  return [...indexes, ...keys].sort();
}

for (const target of targets) {
  describe(`webhook owners on ${target.name}`, () => {
    let receiver: WebhookReceiver;
    beforeAll(async () => {
      receiver = await startWebhookReceiver();
    });
    afterAll(async () => {
      await receiver?.close();
    });

    it('keeps an event webhook, its log and its pending delivery from before migration 010, and still sends it', async () => {
      const old = await target.prepare();
      let node: Node | undefined;
      try {
        // The database as a build that knew only migrations up to 009 left it.
        const raw = old.raw();
        const before = Object.fromEntries(Object.entries(migrationsFor(target.name)).filter(([name]) => name < '010-webhook-owners'));
        expect(Object.keys(before)).toContain('009-sign-ins');
        const { error } = await new Migrator({ db: raw, provider: { getMigrations: async () => before }, migrationTableName: 'scanpass_migrations', migrationLockTableName: 'scanpass_migrations_lock' }).migrateToLatest();
        expect(error).toBeUndefined();
        const url = receiver.url('/migrated');
        const payload = '{"event_id":"ev-old","checkin":{"id":"c1"},"by":"user:u1"}';
        await sql`insert into events (id, name, starts_at, ends_at, public_key, private_key, created_by, created_at) values ('ev-old', 'Old event', ${T0}, ${T0 + 60 * MIN}, 'pk', 'sk', null, ${T0})`.execute(raw);
        await sql`insert into event_webhooks (event_id, url, secret, enabled, created_at, updated_at) values ('ev-old', ${url}, 'whsec_from_before', 1, ${T0}, ${T0 + 1})`.execute(raw);
        await sql`insert into webhook_deliveries (id, event_id, kind, payload, status, attempts, next_attempt_at, claimed_until, claim_token, last_status, last_error, created_at, delivered_at)
                  values ('whd_pending', 'ev-old', 'checkin.created', ${payload}, 'pending', 1, ${T0}, null, null, 500, 'HTTP 500', ${T0}, null),
                         ('whd_done', 'ev-old', 'ping', '{"event_id":"ev-old"}', 'delivered', 1, ${T0}, null, null, 200, null, ${T0 - 1}, ${T0})`.execute(raw);
        await raw.destroy();

        node = await startTestNode({ ...old.overrides, webhookTickMs: 20, webhookAllowPrivate: true });
        const [got] = await until(() => receiver.at('/migrated').length > 0 && receiver.at('/migrated'), 'the delivery from before');
        // The same id and body bytes, signed with the secret from before.
        expect(got!.body).toBe(`{"id":"whd_pending","type":"checkin.created","created_at":${T0},"data":${payload}}`);
        expect(got!.headers['x-scanpass-delivery']).toBe('whd_pending');
        expect(verifies(got!.body, String(got!.headers['x-scanpass-signature']), 'whsec_from_before')).toBe(true);

        const api = await adminClient(node);
        expect(await api.ok('GET', '/api/v1/events/ev-old/webhook')).toEqual({ event_id: 'ev-old', url, enabled: true, secret: 'whsec_from_before', created_at: T0, updated_at: T0 + 1 });
        const log = await until(async () => {
          const { deliveries } = await api.ok('GET', '/api/v1/events/ev-old/webhook/deliveries');
          return deliveries[0]?.status === 'delivered' && deliveries;
        }, 'delivered');
        expect(log).toMatchObject([
          { id: 'whd_pending', type: 'checkin.created', status: 'delivered', attempts: 2, last_status: 200, data: JSON.parse(payload) },
          { id: 'whd_done', type: 'ping', status: 'delivered', attempts: 1 },
        ]);
        await sleep(100);
        expect(receiver.at('/migrated')).toHaveLength(1);

        // Named as on a database made fresh by this build; no event_webhooks left.
        const db = node.services.store.db as unknown as Kysely<unknown>;
        const fresh = await target.prepare();
        const freshStore = await openStore({ dataDir: fresh.overrides.dataDir ?? os.tmpdir(), ...(fresh.overrides.databaseUrl ? { databaseUrl: fresh.overrides.databaseUrl } : {}) });
        try {
          for (const table of ['webhook_endpoints', 'webhook_deliveries']) {
            expect(await namesOf(db, target.name, table), table).toEqual(await namesOf(freshStore.db as unknown as Kysely<unknown>, target.name, table));
          }
          expect(await namesOf(db, target.name, 'webhook_deliveries')).toEqual(expect.arrayContaining(['webhook_deliveries_due', 'webhook_deliveries_owner']));
        } finally {
          await freshStore.close();
          await fresh.cleanup();
        }
        await expect(sql`select count(*) from event_webhooks`.execute(db)).rejects.toThrow();

        // The key from deliveries to their endpoint survived: deleting the webhook deletes its log.
        expect(await api.ok('DELETE', '/api/v1/events/ev-old/webhook')).toEqual({ event_id: 'ev-old', deleted: true });
        expect(await node.services.store.db.selectFrom('webhook_deliveries').select('id').where('owner', '=', 'event:ev-old').execute()).toHaveLength(0);
      } finally {
        await node?.close();
        await old.cleanup();
      }
    });

    describe('a second kind of owner', () => {
      let node: Node;
      let cleanup = async () => {};
      const rooms = new Set<string>();
      const room: WebhookOwnerKind = {
        kind: 'room',
        label: 'room',
        path: '/rooms/:id/webhook',
        tag: 'test',
        change: 'room change',
        types: ['room.opened'],
        exists: async (id) => rooms.has(id),
      };

      beforeAll(async () => {
        const db = await target.prepare();
        cleanup = db.cleanup;
        // As a feature plugs in: its kind's routes through the capability's plugin, on the node's service, outbox and dispatcher.
        node = await startTestNode(
          { ...db.overrides, webhookTickMs: 20, webhookAllowPrivate: true },
          {
            extend: async (app, s) => {
              await app.register(webhooksPlugin, { prefix: '/api/v1', service: s.webhooks.service, owners: [room] });
            },
          },
        );
      });
      afterAll(async () => {
        await node?.close();
        await cleanup();
      });

      it('gets its own endpoint, deliveries, pings and audit subject, apart from an event with the same id', async () => {
        const api = await adminClient(node);
        const now = Date.now();
        const event = (await api.ok('POST', '/api/v1/events', { name: 'Shared id', starts_at: now - MIN, ends_at: now + 60 * MIN }, 201)).id as string;
        const session = (await api.ok('POST', `/api/v1/events/${event}/sessions`, { name: 'Hall', starts_at: now - MIN, ends_at: now + 60 * MIN }, 201)).id as string;
        const attendee = (await api.ok('POST', `/api/v1/events/${event}/attendees`, { name: 'Ann', email: 'ann@example.org', session_ids: [session] }, 201)).id as string;
        rooms.add(event);

        expect(await api.call('PUT', '/api/v1/rooms/nowhere/webhook', { url: receiver.url('/room') })).toMatchObject({ status: 404, body: { error: 'not_found', message: 'no such room' } });
        const eventHook = await api.ok('PUT', `/api/v1/events/${event}/webhook`, { url: receiver.url('/event') }, 201);
        // The event's webhook is not the room's, though the ids are the same.
        expect(await api.call('GET', `/api/v1/rooms/${event}/webhook`)).toMatchObject({
          status: 404,
          body: { error: 'webhook_not_configured', message: 'this room has no webhook; PUT /api/v1/rooms/{id}/webhook sets one' },
        });
        const roomHook = await api.ok('PUT', `/api/v1/rooms/${event}/webhook`, { url: receiver.url('/room') }, 201);
        expect(roomHook).toEqual({ room_id: event, url: receiver.url('/room'), enabled: true, secret: expect.stringMatching(/^whsec_/), created_at: expect.any(Number), updated_at: expect.any(Number) });
        expect(roomHook.secret).not.toBe(eventHook.secret);

        // The room's feature writes through the outbox in its own unit of work; an owner without an endpoint gets nothing and is not read.
        const { outbox } = node.services.webhooks;
        const at = Date.now();
        let readForNobody = false;
        const [queued, nothing] = await node.services.store.units.execute(async (unit) => [
          await outbox.enqueue(unit.db, { owner: `room:${event}`, type: 'room.opened', at, data: { room_id: event, seats: 3 } }),
          await outbox.enqueue(unit.db, {
            owner: 'room:elsewhere',
            type: 'room.opened',
            at,
            data: async () => {
              readForNobody = true;
              return {};
            },
          }),
        ]);
        expect(queued).toMatch(/^whd_/);
        expect(nothing).toBeUndefined();
        expect(readForNobody).toBe(false);
        const checkin = await api.ok('POST', '/api/v1/checkins/manual', { session_id: session, attendee_id: attendee, nonce: nonce() });

        const [r] = await until(() => receiver.at('/room').length > 0 && receiver.at('/room'), 'the room delivery');
        expect(r!.body).toBe(`{"id":"${queued}","type":"room.opened","created_at":${at},"data":{"room_id":"${event}","seats":3}}`);
        expect(verifies(r!.body, String(r!.headers['x-scanpass-signature']), roomHook.secret)).toBe(true);
        const [e] = await until(() => receiver.at('/event').length > 0 && receiver.at('/event'), 'the check-in delivery');
        // The check-in body, byte for byte as check-in has always sent it.
        const sent = e!.json.data as { checkin: { at: number }; by: string };
        expect(e!.json.type).toBe('checkin.created');
        expect(e!.body).toBe(
          JSON.stringify({
            id: e!.json.id,
            type: 'checkin.created',
            created_at: e!.json.created_at,
            data: {
              event_id: event,
              checkin: { id: checkin.checkin.id, session_id: session, attendee_id: attendee, at: sent.checkin.at, gate: null, method: 'manual', exited_at: null, undone_at: null },
              attendee: { id: attendee, name: 'Ann', email: 'ann@example.org', user_id: null },
              session: { id: session, name: 'Hall' },
              by: sent.by,
            },
          }),
        );
        expect(sent.by).toMatch(/^user:/);
        expect(verifies(e!.body, String(e!.headers['x-scanpass-signature']), eventHook.secret)).toBe(true);

        const ping = await api.ok('POST', `/api/v1/rooms/${event}/webhook/test`, undefined, 202);
        const pinged = await until(() => receiver.at('/room').find((w) => w.json.type === 'ping'), 'the room ping');
        expect(pinged.json).toMatchObject({ id: ping.id, data: { room_id: event, url: receiver.url('/room') } });
        await sleep(100);
        expect(receiver.at('/room').map((w) => w.json.type)).toEqual(['room.opened', 'ping']);
        expect(receiver.at('/event').map((w) => w.json.type)).toEqual(['checkin.created']);

        const types = async (base: string) => ((await api.ok('GET', `${base}/deliveries`)).deliveries as { type: string }[]).map((d) => d.type).sort();
        expect(await types(`/api/v1/rooms/${event}/webhook`)).toEqual(['ping', 'room.opened']);
        expect(await types(`/api/v1/events/${event}/webhook`)).toEqual(['checkin.created']);
        // One kind's delivery is not found through the other's path.
        expect(await api.call('POST', `/api/v1/events/${event}/webhook/deliveries/${queued}/redeliver`)).toMatchObject({ status: 404, body: { error: 'not_found' } });

        // Deleting the room's webhook leaves the event's and its log alone.
        expect(await api.ok('DELETE', `/api/v1/rooms/${event}/webhook`)).toEqual({ room_id: event, deleted: true });
        expect(await api.ok('GET', `/api/v1/events/${event}/webhook`)).toEqual(eventHook);
        expect(await types(`/api/v1/events/${event}/webhook`)).toEqual(['checkin.created']);

        const subjects = await node.services.store.db.selectFrom('audit_log').select(['action', 'subject']).where('action', 'like', 'webhook_%').orderBy('at').execute();
        expect(subjects).toEqual([
          { action: 'webhook_create', subject: `event:${event}` },
          { action: 'webhook_create', subject: `room:${event}` },
          { action: 'webhook_ping', subject: `room:${event}` },
          { action: 'webhook_delete', subject: `room:${event}` },
        ]);
      });
    });
  });
}
