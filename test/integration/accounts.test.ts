import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ADMIN, startTestNode } from '../support/test-node.js';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { TestClock } from '../support/test-clock.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const cookieOf = (res: LightMyRequestResponse) => {
  const c = res.cookies.find((x) => x.name === 'scanpass_session');
  return c ? `scanpass_session=${c.value}` : '';
};

const dialects = [
  { name: 'sqlite', database: async () => ({ url: undefined as string | undefined, drop: async () => {} }) },
  ...(available('postgres', !!TEST_DATABASE_URL) ? [{ name: 'postgres', database: () => createTestDatabase(TEST_DATABASE_URL!) }] : []),
];

describe.each(dialects)('accounts on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: { cookie: string; csrf: string };
  const clock = new TestClock();

  const inject = (opts: InjectOptions): Promise<LightMyRequestResponse> => node.app.inject(opts);
  const signIn = async (email: string, password: string) => {
    const res = await inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
    return { res, cookie: cookieOf(res), csrf: res.json().csrf_token as string };
  };

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode(db.url ? { databaseUrl: db.url } : {}, { clock });
    const s = await signIn(ADMIN.email, ADMIN.password);
    admin = { cookie: s.cookie, csrf: s.csrf };
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it('signs in with an HttpOnly, SameSite=Lax cookie and returns the CSRF token', async () => {
    const { res } = await signIn(ADMIN.email.toUpperCase(), ADMIN.password);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ email: ADMIN.email, role: 'admin' });
    expect(body.csrf_token).toMatch(/^[\w-]{20,}$/);
    const cookie = res.cookies.find((c) => c.name === 'scanpass_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const me = await inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookieOf(res) } });
    expect(me.json()).toMatchObject({ user: { email: ADMIN.email }, csrf_token: body.csrf_token, via: 'session' });
  });

  it('refuses a wrong password or an unknown email with the same answer', async () => {
    const wrong = await signIn(ADMIN.email, 'not the password');
    const unknown = await signIn('nobody@test.local', 'whatever123');
    for (const r of [wrong.res, unknown.res]) {
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: 'invalid_credentials', message: 'email or password is wrong' });
      expect(r.cookies).toHaveLength(0);
    }
  });

  it('backs off an account after 5 failed sign-ins, doubling the wait, the same for unknown emails; a success resets', async () => {
    const h = { cookie: admin.cookie, 'x-csrf-token': admin.csrf };
    for (const email of ['backoff@test.local', 'resets@test.local']) {
      expect((await inject({ method: 'POST', url: '/api/v1/users', headers: h, payload: { email, password: 'right password', role: 'member' } })).statusCode).toBe(201);
    }
    const failures = async (email: string, n: number) => {
      for (let i = 0; i < n; i++) expect((await signIn(email, 'wrong password')).res.statusCode).toBe(401);
    };
    const lockedOut = (res: LightMyRequestResponse, seconds: number) => {
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe(String(seconds));
      expect(res.json()).toMatchObject({ error: 'rate_limited', retry_after: seconds });
      expect(res.cookies).toHaveLength(0);
    };
    const waitOut = async (email: string) => {
      const { sha256 } = await import('../../src/auth/secrets.js');
      const row = await node.services.store.db.selectFrom('sign_in_backoff').select('locked_until').where('email_hash', '=', sha256(email)).executeTakeFirstOrThrow();
      clock.advance(Number(row.locked_until) - clock.now() + 20);
    };

    // Five wrong passwords: even the right one is refused for 1 s, without a session.
    await failures('backoff@test.local', 5);
    lockedOut((await signIn('backoff@test.local', 'right password')).res, 1);
    // Other accounts from the same address are not affected.
    expect((await signIn('resets@test.local', 'right password')).res.statusCode).toBe(200);
    // Once the wait is over, one more failure doubles it.
    await waitOut('backoff@test.local');
    await failures('backoff@test.local', 1);
    lockedOut((await signIn('backoff@test.local', 'right password')).res, 2);
    await waitOut('backoff@test.local');
    expect((await signIn('backoff@test.local', 'right password')).res.statusCode).toBe(200);
    // The success reset the run: four more failures are not yet a lock-out.
    await failures('backoff@test.local', 4);
    expect((await signIn('backoff@test.local', 'right password')).res.statusCode).toBe(200);

    // An unknown email is answered exactly alike: the back-off says nothing about who has an account.
    await failures('nobody-here@test.local', 5);
    lockedOut((await signIn('nobody-here@test.local', 'right password')).res, 1);
  });

  it('validates the sign-in body', async () => {
    for (const payload of [{}, { email: 'x' }, { email: 'no-at-sign', password: 'p' }, { email: 'a@b.c', password: { x: 1 } }]) {
      const res = await inject({ method: 'POST', url: '/api/v1/session', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
  });

  it('requires the CSRF token on cookie-authenticated writes', async () => {
    const payload = { email: 'csrf@test.local', password: 'long enough', role: 'member' };
    const none = await inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: admin.cookie }, payload });
    expect(none.statusCode).toBe(403);
    expect(none.json().error).toBe('csrf_failed');
    const wrong = await inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: admin.cookie, 'x-csrf-token': 'x'.repeat(32) }, payload });
    expect(wrong.json().error).toBe('csrf_failed');
    const ok = await inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf }, payload });
    expect(ok.statusCode).toBe(201);
  });

  it('lets only admins create accounts, and refuses a taken email or weak password', async () => {
    const h = { cookie: admin.cookie, 'x-csrf-token': admin.csrf };
    const created = await inject({ method: 'POST', url: '/api/v1/users', headers: h, payload: { email: 'staff1@test.local', password: 'staff password', role: 'staff', name: 'Staff One' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ email: 'staff1@test.local', role: 'staff', name: 'Staff One' });
    expect(created.json()).not.toHaveProperty('password_hash');

    const taken = await inject({ method: 'POST', url: '/api/v1/users', headers: h, payload: { email: 'STAFF1@test.local', password: 'another one', role: 'member' } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toBe('email_taken');
    const weak = await inject({ method: 'POST', url: '/api/v1/users', headers: h, payload: { email: 'weak@test.local', password: 'short', role: 'member' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error).toBe('weak_password');
    const badRole = await inject({ method: 'POST', url: '/api/v1/users', headers: h, payload: { email: 'r@test.local', password: 'long enough', role: 'root' } });
    expect(badRole.json().error).toBe('invalid_request');

    const staff = await signIn('staff1@test.local', 'staff password');
    const denied = await inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf }, payload: { email: 'm@test.local', password: 'long enough', role: 'admin' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toBe('forbidden');
    const anon = await inject({ method: 'GET', url: '/api/v1/users' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().error).toBe('unauthorized');
  });

  it('signs out: the cookie stops working', async () => {
    const s = await signIn(ADMIN.email, ADMIN.password);
    const out = await inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    expect(out.statusCode).toBe(204);
    const me = await inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: s.cookie } });
    expect(me.statusCode).toBe(401);
  });

  it('issues API keys that work without CSRF, are stored hashed, and stop working when revoked', async () => {
    const h = { cookie: admin.cookie, 'x-csrf-token': admin.csrf };
    const created = await inject({ method: 'POST', url: '/api/v1/api-keys', headers: h, payload: { name: 'integration' } });
    expect(created.statusCode).toBe(201);
    const { key, api_key } = created.json();
    expect(key).toMatch(/^spk_[\w-]{43}$/);

    const stored = await node.services.store.db.selectFrom('api_keys').selectAll().where('id', '=', api_key.id).executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toContain(key.slice(4));

    const bearer = { authorization: `Bearer ${key}` };
    const me = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer });
    expect(me.json()).toMatchObject({ user: { email: ADMIN.email }, via: 'api_key' });
    const write = await inject({ method: 'POST', url: '/api/v1/users', headers: bearer, payload: { email: 'bykey@test.local', password: 'long enough', role: 'member' } });
    expect(write.statusCode).toBe(201);

    const list = await inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer });
    expect(list.json().api_keys.map((k: { id: string }) => k.id)).toContain(api_key.id);
    expect(JSON.stringify(list.json())).not.toContain(key);

    const revoked = await inject({ method: 'DELETE', url: `/api/v1/api-keys/${api_key.id}`, headers: h });
    expect(revoked.statusCode).toBe(204);
    const after = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer });
    expect(after.statusCode).toBe(401);
    const again = await inject({ method: 'DELETE', url: `/api/v1/api-keys/${api_key.id}`, headers: h });
    expect(again.statusCode).toBe(404);
  });

  it('refuses unknown or malformed bearer keys', async () => {
    for (const authorization of ['Bearer spk_nope', 'Bearer', 'Basic abc', `Bearer ${'x'.repeat(5000)}`]) {
      const res = await inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('unauthorized');
    }
  });

  it('records sign-ins, refusals and account changes in the audit log', async () => {
    // A sign-in, a refusal and an account change of this test's own, rather than what earlier tests happened to do.
    expect((await signIn(ADMIN.email, ADMIN.password)).res.statusCode).toBe(200);
    expect((await signIn(ADMIN.email, 'not the password')).res.statusCode).toBe(401);
    const h = { cookie: admin.cookie, 'x-csrf-token': admin.csrf };
    expect((await inject({ method: 'POST', url: '/api/v1/users', headers: h, payload: { email: 'audited@test.local', password: 'long enough', role: 'member' } })).statusCode).toBe(201);
    const entries = await node.services.audit.recent(200);
    const actions = new Set(entries.map((e) => `${e.action}:${e.outcome}`));
    expect(actions).toContain('sign_in:ok');
    expect(actions).toContain('sign_in:refused');
    expect(actions).toContain('user_create:ok');
  });
});
