/**
 * The repositories against real databases: one suite, run on SQLite (always)
 * and on Postgres (when SCANPASS_TEST_DATABASE_URL is set), so both dialects
 * keep the same behaviour.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeysRepo } from '../../src/store/api-keys.js';
import { AuditLog } from '../../src/store/audit-log.js';
import { openStore, type Store, type StoreOptions } from '../../src/store/database.js';
import { migrationsFor } from '../../src/store/migrations/index.js';
import type { ApiKey } from '../../src/domain/api-key.js';
import type { SignIn } from '../../src/domain/sign-in.js';
import type { UsersTable } from '../../src/store/schema.js';
import { getOrCreateSecret } from '../../src/store/secrets.js';
import { SignInsRepo } from '../../src/store/sign-ins.js';
import { SQLite } from '../../src/store/sqlite-driver.js';
import { UsersRepo } from '../../src/store/users.js';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';

/** A fixed millisecond time well past 2^32, so a lost bigint would show. */
const T0 = 1_700_000_000_123;

interface Target {
  name: 'sqlite' | 'postgres';
  enabled: boolean;
  /** Where a fresh store lives; `cleanup` removes it. */
  prepare(): Promise<{ options: StoreOptions; cleanup(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'sqlite',
    enabled: true,
    async prepare() {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-store-'));
      return { options: { dataDir }, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    enabled: available('postgres', !!TEST_DATABASE_URL),
    async prepare() {
      const tdb = await createTestDatabase(TEST_DATABASE_URL!);
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-store-'));
      return {
        options: { databaseUrl: tdb.url, dataDir, poolSize: 4 },
        cleanup: async () => {
          fs.rmSync(dataDir, { recursive: true, force: true });
          await tdb.drop();
        },
      };
    },
  },
];

const userRow = (over: Partial<UsersTable> = {}): UsersTable => ({
  id: randomUUID(),
  email: `${randomBytes(4).toString('hex')}@example.test`,
  name: 'Someone',
  password_hash: 'hash',
  role: 'member',
  created_at: T0,
  disabled_at: null,
  ...over,
});

for (const target of targets) {
  describe.skipIf(!target.enabled)(`store on ${target.name}`, () => {
    let store: Store;
    let options: StoreOptions;
    let cleanup: () => Promise<void>;
    let users: UsersRepo;
    let signIns: SignInsRepo;
    let apiKeys: ApiKeysRepo;
    let audit: AuditLog;

    beforeAll(async () => {
      ({ options, cleanup } = await target.prepare());
      store = await openStore(options);
      users = new UsersRepo(store.db);
      signIns = new SignInsRepo(store.db);
      apiKeys = new ApiKeysRepo(store.db);
      audit = new AuditLog(store.db);
    });

    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    /** Every migration this build knows, in the order they run. */
    const ALL_MIGRATIONS = Object.keys(migrationsFor(target.name)).sort();
    const migrationNames = async (s: Store) =>
      (await sql<{ name: string }>`select name from scanpass_migrations order by name`.execute(s.db)).rows.map((r) => r.name);
    /** The indexes of a table (and, on Postgres, its key), by name; SQLite's own automatic ones left out. */
    const indexNames = async (s: Store, table: string) =>
      (target.name === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table} and name not like 'sqlite_%' order by name`.execute(s.db)
        : await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = ${table} order by indexname`.execute(s.db)
      ).rows.map((r) => r.name);
    /** The database of `options` as a build that knew only the migrations before `upTo` leaves it. */
    async function migrateBefore(options: StoreOptions, upTo: string): Promise<Kysely<unknown>> {
      const db = new Kysely<unknown>({
        dialect: options.databaseUrl
          ? new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 1 }) })
          : new SqliteDialect({ database: new SQLite(path.join(options.dataDir, 'scanpass.db')) }),
      });
      const older = Object.fromEntries(Object.entries(migrationsFor(target.name)).filter(([name]) => name < upTo));
      const migrator = new Migrator({ db, provider: { getMigrations: async () => older }, migrationTableName: 'scanpass_migrations', migrationLockTableName: 'scanpass_migrations_lock' });
      const { error } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      return db;
    }

    /** Runs `use` on a store of its own, for a test that needs the tables as only it leaves them. */
    async function withFreshStore(use: (s: Store) => Promise<void>): Promise<void> {
      const fresh = await target.prepare();
      try {
        const s = await openStore(fresh.options);
        try {
          await use(s);
        } finally {
          await s.close();
        }
      } finally {
        await fresh.cleanup();
      }
    }

    describe('migrations', () => {
      it('run when the store opens, creating every table', async () => {
        // A store of its own: the shared one holds whatever the other tests wrote.
        await withFreshStore(async (fresh) => {
          expect(fresh.dialect).toBe(target.name);
          expect(ALL_MIGRATIONS[0]).toBe('001-foundation');
          expect(await migrationNames(fresh)).toEqual(ALL_MIGRATIONS);
          for (const table of ['users', 'sign_ins', 'api_keys', 'server_secrets', 'audit_log'] as const) {
            const r = await fresh.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
            expect(Number(r.n)).toBe(0);
          }
        });
      });

      it('are not applied again when the same database is reopened, and rows survive', async () => {
        const row = userRow();
        expect(await users.insert(row)).toBe(true);
        const again = await openStore(options);
        try {
          expect(await migrationNames(again)).toEqual(ALL_MIGRATIONS);
          expect(await new UsersRepo(again.db).findById(row.id)).toMatchObject({ id: row.id, email: row.email });
        } finally {
          await again.close();
        }
        // A third open after the second closed is just as quiet.
        const third = await openStore(options);
        await third.close();
        await store.db.deleteFrom('users').where('id', '=', row.id).execute();
      });

      it('keep the sign-ins of a database from before 009, which renames `sessions` to `sign_ins`', async () => {
        const old = await target.prepare();
        try {
          const raw = await migrateBefore(old.options, '009-sign-ins');
          const u = userRow();
          await sql`insert into users (id, email, name, password_hash, role, created_at, disabled_at) values (${u.id}, ${u.email}, ${u.name}, ${'hash'}, ${'member'}, ${T0}, ${null})`.execute(raw);
          await sql`insert into sessions (id_hash, user_id, csrf_token, created_at, expires_at, ip, user_agent)
                    values (${'signed-in-before'}, ${u.id}, ${'csrf'}, ${T0}, ${T0 + 60_000}, ${'203.0.113.1'}, ${'old agent'})`.execute(raw);
          await raw.destroy();

          const migrated = await openStore(old.options);
          try {
            expect(await migrationNames(migrated)).toEqual(ALL_MIGRATIONS);
            const found = await new SignInsRepo(migrated.db).find('signed-in-before', T0 + 1);
            expect(found?.signIn).toEqual({ idHash: 'signed-in-before', userId: u.id, csrfToken: 'csrf', createdAt: T0, expiresAt: T0 + 60_000, ip: '203.0.113.1', userAgent: 'old agent' });
            expect(found?.user.id).toBe(u.id);
            // Named as on a database made fresh by this build, and no `sessions` left.
            expect(await indexNames(migrated, 'sign_ins')).toEqual(await indexNames(store, 'sign_ins'));
            expect(await indexNames(migrated, 'sign_ins')).toEqual(expect.arrayContaining(['sign_ins_expiry', 'sign_ins_user']));
            await expect(sql`select count(*) from sessions`.execute(migrated.db)).rejects.toThrow();
          } finally {
            await migrated.close();
          }
        } finally {
          await old.cleanup();
        }
      });

      it('let two stores open one fresh database at the same moment', async () => {
        const fresh = await target.prepare();
        try {
          const both = await Promise.all([openStore(fresh.options), openStore(fresh.options)]);
          for (const s of both) expect(await migrationNames(s)).toEqual(ALL_MIGRATIONS);
          await Promise.all(both.map((s) => s.close()));
        } finally {
          await fresh.cleanup();
        }
      });
    });

    describe('users', () => {
      it('are found by email and by id after insert', async () => {
        const row = userRow({ role: 'staff', name: 'Staff Member' });
        expect(await users.insert(row)).toBe(true);
        expect(await users.findByEmail(row.email)).toEqual(row);
        expect(await users.findById(row.id)).toEqual({ id: row.id, email: row.email, name: 'Staff Member', role: 'staff', created_at: T0, disabled: false });
        expect(await users.findById(randomUUID())).toBeUndefined();
        expect(await users.findByEmail('nobody@example.test')).toBeUndefined();
      });

      it('refuse a second account with the same email (insert returns false) and keep the first', async () => {
        const first = userRow();
        expect(await users.insert(first)).toBe(true);
        const second = userRow({ email: first.email, name: 'Impostor' });
        expect(await users.insert(second)).toBe(false);
        expect(await users.findById(second.id)).toBeUndefined();
        expect((await users.findByEmail(first.email))?.id).toBe(first.id);
      });

      it('are listed oldest first with limit and offset, and counted', async () => {
        // A store of its own: emptying the shared users table would take the other tests' owners (and, by cascade, their sign-ins and keys) with it.
        await withFreshStore(async (fresh) => {
          const users = new UsersRepo(fresh.db);
          const rows = [0, 1, 2, 3].map((i) => userRow({ created_at: T0 + i * 1000, email: `list${i}@example.test` }));
          for (const r of [...rows].reverse()) expect(await users.insert(r)).toBe(true);
          expect(await users.count()).toBe(4);
          expect((await users.list(10, 0)).map((u) => u.email)).toEqual(rows.map((r) => r.email));
          expect((await users.list(2, 1)).map((u) => u.email)).toEqual([rows[1]!.email, rows[2]!.email]);
          expect(await users.list(10, 4)).toEqual([]);
        });
      });
    });

    describe('sign-ins', () => {
      let owner: UsersTable;
      beforeAll(async () => {
        owner = userRow({ email: `sign-in-owner-${target.name}@example.test` });
        expect(await users.insert(owner)).toBe(true);
      });

      const signInOf = (over: Partial<SignIn> = {}): SignIn => ({
        idHash: randomBytes(16).toString('hex'),
        userId: owner.id,
        csrfToken: randomBytes(8).toString('hex'),
        createdAt: T0,
        expiresAt: T0 + 60_000,
        ip: '203.0.113.9',
        userAgent: 'test agent',
        ...over,
      });

      it('are found with their user while unexpired', async () => {
        const row = signInOf();
        await signIns.insert(row);
        const found = await signIns.find(row.idHash, T0 + 1);
        expect(found?.signIn).toEqual(row);
        expect(found?.user).toMatchObject({ id: owner.id, email: owner.email, disabled: false });
        expect(await signIns.find('no-such-hash', T0)).toBeUndefined();
      });

      it('are not found once expired', async () => {
        const row = signInOf({ expiresAt: T0 + 10 });
        await signIns.insert(row);
        expect(await signIns.find(row.idHash, T0 + 9)).toBeDefined();
        expect(await signIns.find(row.idHash, T0 + 10)).toBeUndefined();
        expect(await signIns.find(row.idHash, T0 + 11)).toBeUndefined();
      });

      it('are not found when their user is disabled', async () => {
        const u = userRow();
        expect(await users.insert(u)).toBe(true);
        const row = signInOf({ userId: u.id });
        await signIns.insert(row);
        expect(await signIns.find(row.idHash, T0)).toBeDefined();
        await store.db.updateTable('users').set({ disabled_at: T0 }).where('id', '=', u.id).execute();
        expect(await signIns.find(row.idHash, T0)).toBeUndefined();
        expect((await users.findById(u.id))?.disabled).toBe(true);
      });

      it('are gone after delete', async () => {
        const row = signInOf();
        await signIns.insert(row);
        await signIns.delete(row.idHash);
        expect(await signIns.find(row.idHash, T0)).toBeUndefined();
        await signIns.delete(row.idHash); // deleting twice is harmless
      });

      it('expired ones are purged and live ones kept', async () => {
        await store.db.deleteFrom('sign_ins').execute();
        const expired = [signInOf({ expiresAt: T0 - 1 }), signInOf({ expiresAt: T0 })];
        const live = signInOf({ expiresAt: T0 + 1 });
        for (const r of [...expired, live]) await signIns.insert(r);
        expect(await signIns.purgeExpired(T0)).toBe(2);
        expect(await signIns.purgeExpired(T0)).toBe(0);
        const left = await store.db.selectFrom('sign_ins').select('id_hash').execute();
        expect(left.map((r) => r.id_hash)).toEqual([live.idHash]);
      });
    });

    describe('api keys', () => {
      let owner: UsersTable;
      let other: UsersTable;
      beforeAll(async () => {
        owner = userRow({ role: 'staff' });
        other = userRow({ role: 'staff' });
        expect(await users.insert(owner)).toBe(true);
        expect(await users.insert(other)).toBe(true);
      });

      /** A key as the service makes it, and the hash it is stored under. */
      const keyOf = (userId: string, createdAt: number, scopes: string[] = []): { key: ApiKey; hash: string } => ({
        key: { id: randomUUID(), name: `key ${createdAt}`, userId, createdAt, lastUsedAt: null, revokedAt: null, scopes },
        hash: randomBytes(16).toString('hex'),
      });

      it('are found active by hash with their owner, and touch records last use', async () => {
        const k = keyOf(owner.id, T0);
        await apiKeys.insert(k.key, k.hash);
        const found = await apiKeys.findActive(k.hash);
        expect(found?.key).toEqual({ id: k.key.id, name: k.key.name, userId: owner.id, createdAt: T0, lastUsedAt: null, revokedAt: null, scopes: [] });
        // Scopes are stored space-separated and handed out as a list.
        const scoped = keyOf(owner.id, T0, ['login:approve:shop', 'login:approve:kiosk']);
        await apiKeys.insert(scoped.key, scoped.hash);
        expect((await store.db.selectFrom('api_keys').select('scopes').where('id', '=', scoped.key.id).executeTakeFirstOrThrow()).scopes).toBe('login:approve:shop login:approve:kiosk');
        expect((await apiKeys.findActive(scoped.hash))?.key.scopes).toEqual(['login:approve:shop', 'login:approve:kiosk']);
        expect(found?.user).toMatchObject({ id: owner.id, role: 'staff' });
        await apiKeys.touch(k.key.id, T0 + 5);
        expect((await apiKeys.findActive(k.hash))?.key.lastUsedAt).toBe(T0 + 5);
        expect(await apiKeys.findActive('no-such-hash')).toBeUndefined();
      });

      it('stop working once revoked, and revoke only once', async () => {
        const k = keyOf(owner.id, T0);
        await apiKeys.insert(k.key, k.hash);
        expect(await apiKeys.revoke(k.key.id, T0 + 1, other.id)).toBe(false); // not the owner's key
        expect(await apiKeys.findActive(k.hash)).toBeDefined();
        expect(await apiKeys.revoke(k.key.id, T0 + 1, owner.id)).toBe(true);
        expect(await apiKeys.findActive(k.hash)).toBeUndefined();
        expect(await apiKeys.revoke(k.key.id, T0 + 2)).toBe(false);
        expect(await apiKeys.revoke(randomUUID(), T0 + 2)).toBe(false);
      });

      it('are listed newest first, for everyone or for one owner, without hashes', async () => {
        await store.db.deleteFrom('api_keys').execute();
        const a = keyOf(owner.id, T0 + 1);
        const b = keyOf(other.id, T0 + 2);
        const c = keyOf(owner.id, T0 + 3);
        for (const k of [a, b, c]) await apiKeys.insert(k.key, k.hash);
        await apiKeys.revoke(a.key.id, T0 + 10);
        const all = await apiKeys.list();
        expect(all.map((k) => k.id)).toEqual([c.key.id, b.key.id, a.key.id]);
        expect(all[2]).toEqual({ id: a.key.id, name: a.key.name, userId: owner.id, createdAt: T0 + 1, lastUsedAt: null, revokedAt: T0 + 10, scopes: [] });
        expect(all.some((k) => 'key_hash' in k || 'keyHash' in k)).toBe(false);
        expect((await apiKeys.list(owner.id)).map((k) => k.id)).toEqual([c.key.id, a.key.id]);
      });
    });

    describe('server secrets', () => {
      it('are created once and the same value is returned on the next call', async () => {
        const first = await getOrCreateSecret(store.db, 'sequential', () => 'value-1', T0);
        const second = await getOrCreateSecret(store.db, 'sequential', () => 'value-2', T0 + 1);
        expect(first).toBe('value-1');
        expect(second).toBe('value-1');
      });

      it('agree when five callers create the same secret at once', async () => {
        let made = 0;
        const values = await Promise.all(
          Array.from({ length: 5 }, () => getOrCreateSecret(store.db, 'concurrent', () => `candidate-${++made}`, T0)),
        );
        expect(new Set(values).size).toBe(1);
        expect(values[0]).toMatch(/^candidate-\d$/);
        const rows = await store.db.selectFrom('server_secrets').selectAll().where('name', '=', 'concurrent').execute();
        expect(rows).toEqual([{ name: 'concurrent', value: values[0], created_at: T0 }]);
      });

      it('agree across two stores on the same database', async () => {
        const other = await openStore(options);
        try {
          const [a, b] = await Promise.all([
            getOrCreateSecret(store.db, 'two-nodes', () => 'from-a', T0),
            getOrCreateSecret(other.db, 'two-nodes', () => 'from-b', T0),
          ]);
          expect(a).toBe(b);
        } finally {
          await other.close();
        }
      });
    });

    describe('audit log', () => {
      it('returns recorded entries newest first with their detail parsed, filtered by subject', async () => {
        // Newest first over the whole log: start from an empty one, whatever other tests recorded.
        await store.db.deleteFrom('audit_log').execute();
        await audit.record({ at: T0, actorId: 'u1', action: 'approve', subject: 'login:1', outcome: 'ok', detail: { match: 42 }, ip: '198.51.100.1' });
        await audit.record({ at: T0 + 1, actorId: null, action: 'sign_in', subject: 'email:x@example.test', outcome: 'refused' });
        await audit.record({ at: T0 + 2, actorId: 'u2', action: 'deny', subject: 'login:1', outcome: 'ok' });

        const recent = await audit.recent(10);
        expect(recent.map((e) => e.action)).toEqual(['deny', 'sign_in', 'approve']);
        expect(recent[2]).toMatchObject({ at: T0, actorId: 'u1', subject: 'login:1', outcome: 'ok', detail: { match: 42 }, ip: '198.51.100.1' });
        expect(recent[1]).toMatchObject({ actorId: null, outcome: 'refused', detail: {}, ip: null });
        expect((await audit.recent(1)).map((e) => e.action)).toEqual(['deny']);
        expect((await audit.recent(10, 'login:1')).map((e) => e.action)).toEqual(['deny', 'approve']);
      });

      it('records inside a transaction only when it commits', async () => {
        await store.db
          .transaction()
          .execute(async (trx) => {
            await audit.record({ at: T0, actorId: null, action: 'rolled_back', subject: 'tx:1', outcome: 'ok' }, trx);
            throw new Error('abort');
          })
          .catch(() => {});
        expect(await audit.recent(10, 'tx:1')).toEqual([]);
      });
    });

    it('gives back bigint times and ids as exact numbers', async () => {
      const big = 8_000_000_000_000; // beyond 2^32 and any int4
      const u = userRow({ created_at: big, disabled_at: big + 1 });
      expect(await users.insert(u)).toBe(true);
      const raw = await users.findByEmail(u.email);
      expect(raw?.created_at).toBe(big);
      expect(raw?.disabled_at).toBe(big + 1);
      expect(typeof raw?.created_at).toBe('number');

      await signIns.insert({ idHash: 'bigint-sign-in', userId: u.id, csrfToken: 'c', createdAt: big, expiresAt: big + 60_000, ip: '', userAgent: '' });
      const s = await store.db.selectFrom('sign_ins').selectAll().where('id_hash', '=', 'bigint-sign-in').executeTakeFirstOrThrow();
      expect(s.expires_at).toBe(big + 60_000);
      expect(typeof s.created_at).toBe('number');

      await audit.record({ at: big, actorId: null, action: 'bigint', subject: 'bigint', outcome: 'ok' });
      const [entry] = await audit.recent(1, 'bigint');
      expect(entry?.at).toBe(big);
      expect(typeof entry?.id).toBe('number');
      expect(await users.count()).toEqual(expect.any(Number));
    });
  });
}
