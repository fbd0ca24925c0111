import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { as, bearer, dialects, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * The console's Users section, through its API (`/api/v1/users`), on SQLite and
 * Postgres: list and search, create (with a password or one made up), change
 * the role, rename, disable and enable; the self-disable and last-admin rules;
 * what a disabled account can no longer do; wrong-type input; the audit log.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
const PASSWORD = 'a long enough password';
const MIN = 60_000;

describe.each(dialects)('users admin API on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;

  const call = async (who: Auth | undefined, method: string, url: string, payload?: unknown) => {
    const res = await node.app.inject({ method: method as InjectOptions['method'], url, ...(who ?? {}), ...(payload !== undefined ? { payload: payload as InjectOptions['payload'] } : {}) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  const create = async (email: string, role: string, extra: Record<string, unknown> = {}) => {
    const res = await call(as(admin), 'POST', '/api/v1/users', { email, password: PASSWORD, role, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; email: string; role: string; name: string; disabled: boolean };
  };
  const patch = (who: Session, id: string, body: unknown) => call(as(who), 'PATCH', `/api/v1/users/${id}`, body);
  const signInAnswer = (email: string, password: string) => call(undefined, 'POST', '/api/v1/session', { email, password });

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode(db.url ? { databaseUrl: db.url } : {});
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it('lists accounts with a search over email and name (any case, % and _ literal), a role filter, paging and the total', async () => {
    await create('grace.hopper@list.test', 'staff', { name: 'Grace Hopper' });
    await create('alan@list.test', 'member', { name: 'Alan Turing' });
    await create('ada@list.test', 'member', { name: 'Ada 100%_done' });

    const byName = await call(as(admin), 'GET', '/api/v1/users?q=HOPPER');
    expect(byName.status).toBe(200);
    expect(byName.body.users.map((u: { email: string }) => u.email)).toEqual(['grace.hopper@list.test']);
    expect(byName.body.total).toBe(1);

    const domain = await call(as(admin), 'GET', '/api/v1/users?q=%40list.test&limit=2');
    expect(domain.body.total).toBe(3);
    expect(domain.body.users.map((u: { email: string }) => u.email)).toEqual(['grace.hopper@list.test', 'alan@list.test']);
    const page2 = await call(as(admin), 'GET', '/api/v1/users?q=%40list.test&limit=2&offset=2');
    expect(page2.body.users.map((u: { email: string }) => u.email)).toEqual(['ada@list.test']);
    expect(page2.body.total).toBe(3);

    const members = await call(as(admin), 'GET', '/api/v1/users?q=list.test&role=member');
    expect(members.body.users.map((u: { email: string }) => u.email)).toEqual(['alan@list.test', 'ada@list.test']);

    // `%` and `_` match only themselves.
    expect((await call(as(admin), 'GET', '/api/v1/users?q=0%25_d')).body.users.map((u: { email: string }) => u.email)).toEqual(['ada@list.test']);
    expect((await call(as(admin), 'GET', '/api/v1/users?q=%25%25%25')).body.total).toBe(0);
    expect((await call(as(admin), 'GET', '/api/v1/users?q=nobody-like-this')).body).toEqual({ users: [], total: 0 });

    for (const query of ['limit=abc', 'offset=-1', 'role=root', 'limit=501', `q=${'x'.repeat(255)}`]) {
      const res = await call(as(admin), 'GET', `/api/v1/users?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error, query).toBe('invalid_request');
    }
  });

  it('creates an account with a made-up initial password, returned once, that signs in', async () => {
    const res = await call(as(admin), 'POST', '/api/v1/users', { email: 'Fresh@Create.test', role: 'staff', name: 'Fresh Start' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: 'fresh@create.test', role: 'staff', name: 'Fresh Start', disabled: false });
    expect(res.body.initial_password).toMatch(/^[\w-]{16}$/);
    expect((await signInAnswer('fresh@create.test', res.body.initial_password)).status).toBe(200);
    // Listed without it.
    const listed = await call(as(admin), 'GET', '/api/v1/users?q=fresh%40create.test');
    expect(listed.body.users[0]).not.toHaveProperty('initial_password');
    // With a password given, nothing is made up.
    const given = await call(as(admin), 'POST', '/api/v1/users', { email: 'given@create.test', password: PASSWORD, role: 'member' });
    expect(given.status).toBe(201);
    expect(given.body).not.toHaveProperty('initial_password');
  });

  it('refuses wrong-type and malformed input with invalid_request, changing nothing', async () => {
    const target = await create('typed@input.test', 'member', { name: 'Typed Input' });
    const bodies: unknown[] = [
      { email: { $ne: '' }, password: PASSWORD, role: 'member' },
      { email: 'obj@input.test', password: { x: 1 }, role: 'member' },
      { email: 'obj@input.test', password: PASSWORD, role: { role: 'admin' } },
      { email: 'obj@input.test', password: PASSWORD, role: ['admin', 'staff'] },
      { email: 'obj@input.test', password: PASSWORD, role: 'member', name: { first: 'x' } },
      { email: 'obj@input.test', password: PASSWORD, role: 'root' },
      { email: 'obj@input.test', password: PASSWORD },
      [],
    ];
    for (const body of bodies) {
      const res = await call(as(admin), 'POST', '/api/v1/users', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error, JSON.stringify(body)).toBe('invalid_request');
    }
    expect((await call(as(admin), 'GET', '/api/v1/users?q=obj%40input.test')).body.total).toBe(0);

    const patches: unknown[] = [
      {},
      { role: { $set: 'admin' } },
      { role: 'root' },
      { disabled: 'yes' },
      { disabled: { value: true } },
      { name: { first: 'x' } },
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(121) },
      { email: 'changed@input.test' },
      { role: 'staff', password_hash: 'x' },
      [{ role: 'admin' }],
    ];
    for (const body of patches) {
      const res = await patch(admin, target.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error, JSON.stringify(body)).toBe('invalid_request');
    }
    const after = (await call(as(admin), 'GET', '/api/v1/users?q=typed%40input.test')).body.users[0];
    expect(after).toMatchObject({ role: 'member', name: 'Typed Input', disabled: false });

    const unknown = await patch(admin, '00000000-0000-4000-8000-000000000000', { role: 'staff' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('unknown_user');
  });

  it('changes a role and a name: a member made staff may use staff operations at once, without signing in again', async () => {
    const user = await create('promoted@role.test', 'member', { name: 'Pat Promoted' });
    const pat = await signInByInject(node, 'promoted@role.test', PASSWORD);
    expect((await call(as(pat), 'GET', '/api/v1/api-keys')).status).toBe(403);

    const res = await patch(admin, user.id, { role: 'staff', name: '  Pat Staff  ' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, role: 'staff', name: 'Pat Staff', disabled: false });
    expect((await call(as(pat), 'GET', '/api/v1/me')).body.user).toMatchObject({ role: 'staff', name: 'Pat Staff' });
    expect((await call(as(pat), 'GET', '/api/v1/api-keys')).status).toBe(200);

    // Only admins change accounts; a cookie write needs the CSRF token.
    expect((await patch(pat, user.id, { role: 'admin' })).body.error).toBe('forbidden');
    const noCsrf = await call({ headers: { cookie: admin.cookie } }, 'PATCH', `/api/v1/users/${user.id}`, { role: 'admin' });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error).toBe('csrf_failed');
    expect((await call(undefined, 'PATCH', `/api/v1/users/${user.id}`, { role: 'admin' })).status).toBe(401);
  });

  it('demoting staff to member ends their staff assignments', async () => {
    const now = Date.now();
    const event = (await call(as(admin), 'POST', '/api/v1/events', { name: 'Demotion Day', starts_at: now - MIN, ends_at: now + 60 * MIN })).body;
    const session = (await call(as(admin), 'POST', `/api/v1/events/${event.id}/sessions`, { name: 'Hall', starts_at: now - MIN, ends_at: now + 60 * MIN })).body;
    const user = await create('demoted@role.test', 'staff');
    expect((await call(as(admin), 'POST', `/api/v1/sessions/${session.id}/staff`, { user_id: user.id })).status).toBe(200);
    const dee = await signInByInject(node, 'demoted@role.test', PASSWORD);
    const counts = await call(as(dee), 'GET', `/api/v1/sessions/${session.id}/counts`);
    expect(counts.status).toBe(200);
    const poll = new URLSearchParams({ channel: counts.body.live.channel, token: counts.body.live.token, after: String(Number.MAX_SAFE_INTEGER), wait: '25' });
    const held = fetch(`${node.url}/v1/live/poll?${poll}`);
    await new Promise((r) => setTimeout(r, 200));

    expect((await patch(admin, user.id, { role: 'member' })).status).toBe(200);
    expect((await call(as(admin), 'GET', `/api/v1/sessions/${session.id}/staff`)).body.staff).toEqual([]);
    expect((await call(as(dee), 'GET', `/api/v1/sessions/${session.id}/counts`)).status).toBe(403);
    // The session's live channel, opened as staff, ends too; the sign-in itself goes on.
    const ended = await held;
    expect(ended.status).toBe(403);
    expect(await ended.json()).toMatchObject({ error: 'access_revoked' });
    expect((await call(as(dee), 'GET', '/api/v1/me')).status).toBe(200);
  });

  it('refuses an admin disabling their own account', async () => {
    const res = await patch(admin, admin.id, { disabled: true });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('cannot_disable_self');
    expect((await call(as(admin), 'GET', '/api/v1/me')).status).toBe(200);
  });

  it('never leaves no enabled admin: demoting or disabling the last one is refused', async () => {
    // The bootstrap admin is the only admin here: it cannot demote itself.
    const self = await patch(admin, admin.id, { role: 'staff' });
    expect(self.status).toBe(409);
    expect(self.body.error).toBe('last_admin');

    const second = await create('second.admin@last.test', 'admin');
    const other = await signInByInject(node, 'second.admin@last.test', PASSWORD);
    // With two admins, one may go (here the second disables the first) ...
    expect((await patch(other, admin.id, { disabled: true })).status).toBe(200);
    // ... and then the second is the last one: it may neither demote itself nor be disabled by anyone.
    const demote = await patch(other, second.id, { role: 'member' });
    expect(demote.status).toBe(409);
    expect(demote.body.error).toBe('last_admin');
    // A disabled admin does not count: enabling it back is how there are two again.
    expect((await patch(other, admin.id, { disabled: false })).body).toMatchObject({ disabled: false, role: 'admin' });
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    expect((await patch(admin, second.id, { role: 'member' })).status).toBe(200);
    expect((await patch(admin, admin.id, { role: 'member' })).body.error).toBe('last_admin');
    expect((await call(as(admin), 'GET', '/api/v1/me')).body.user.role).toBe('admin');
  });

  it('two admins demoting each other at the same moment leave one admin', async () => {
    const a = await create('race.a@last.test', 'admin');
    const b = await create('race.b@last.test', 'admin');
    const sa = await signInByInject(node, 'race.a@last.test', PASSWORD);
    const sb = await signInByInject(node, 'race.b@last.test', PASSWORD);
    // The bootstrap admin steps down for this test, so A and B are the only admins.
    expect((await patch(sa, admin.id, { role: 'staff' })).status).toBe(200);
    try {
      const [ra, rb] = await Promise.all([patch(sa, b.id, { role: 'member' }), patch(sb, a.id, { role: 'member' })]);
      // One wins. The other is refused either as the last admin's demotion (both checked while both
      // were admins) or, when the winner committed before it was even let in, as no longer an admin.
      expect([ra, rb].filter((r) => r.status === 200)).toHaveLength(1);
      const refused = [ra, rb].find((r) => r.status !== 200)!;
      expect([`${refused.status} ${refused.body.error}`]).toEqual([expect.stringMatching(/^(409 last_admin|403 forbidden)$/)]);
      const survivor = ra.status === 200 ? sa : sb;
      const left = await call(as(survivor), 'GET', '/api/v1/users?role=admin');
      expect(left.body.users.map((u: { id: string }) => u.id)).toEqual([survivor.id]);
    } finally {
      const survivor = (await call(as(sa), 'GET', '/api/v1/me')).body.user.role === 'admin' ? sa : sb;
      expect((await patch(survivor, admin.id, { role: 'admin' })).status).toBe(200);
    }
  });

  it("disabling ends the account's sign-ins, API keys and live channels at once; it cannot sign in until enabled", async () => {
    const now = Date.now();
    const event = (await call(as(admin), 'POST', '/api/v1/events', { name: 'Disable Day', starts_at: now - MIN, ends_at: now + 60 * MIN })).body;
    const session = (await call(as(admin), 'POST', `/api/v1/events/${event.id}/sessions`, { name: 'Door', starts_at: now - MIN, ends_at: now + 60 * MIN })).body;
    const user = await create('disabled@off.test', 'staff', { name: 'Dana Disabled' });
    await call(as(admin), 'POST', `/api/v1/sessions/${session.id}/staff`, { user_id: user.id });
    const phone = await signInByInject(node, 'disabled@off.test', PASSWORD);
    const laptop = await signInByInject(node, 'disabled@off.test', PASSWORD);
    const key = (await call(as(phone), 'POST', '/api/v1/api-keys', { name: 'script' })).body.key as string;
    expect((await call(bearer(key), 'GET', '/api/v1/me')).status).toBe(200);
    const counts = (await call(as(phone), 'GET', `/api/v1/sessions/${session.id}/counts`)).body;
    const poll = new URLSearchParams({ channel: counts.live.channel, token: counts.live.token, after: String(Number.MAX_SAFE_INTEGER), wait: '25' });
    const held = fetch(`${node.url}/v1/live/poll?${poll}`);
    await new Promise((r) => setTimeout(r, 200));

    const res = await patch(admin, user.id, { disabled: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, disabled: true });

    for (const s of [phone, laptop]) {
      const me = await call(as(s), 'GET', '/api/v1/me');
      expect(me.status).toBe(401);
      expect(me.body.error).toBe('unauthorized');
    }
    expect((await call(bearer(key), 'GET', '/api/v1/me')).status).toBe(401);
    // The live channel its sign-in opened ends too.
    const ended = await held;
    expect(ended.status).toBe(403);
    expect(await ended.json()).toMatchObject({ error: 'access_revoked' });

    // The right password says the account is disabled; a wrong one says nothing more than before.
    const refused = await signInAnswer('disabled@off.test', PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('account_disabled');
    const wrong = await signInAnswer('disabled@off.test', 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_credentials');
    expect((await call(as(admin), 'GET', '/api/v1/users?q=disabled%40off.test')).body.users[0]).toMatchObject({ disabled: true });

    // Disabling again changes nothing and is no error.
    expect((await patch(admin, user.id, { disabled: true })).status).toBe(200);

    // Enabled: signing in works again; the revoked key stays revoked.
    expect((await patch(admin, user.id, { disabled: false })).body).toMatchObject({ disabled: false });
    expect((await signInAnswer('disabled@off.test', PASSWORD)).status).toBe(200);
    expect((await call(bearer(key), 'GET', '/api/v1/me')).status).toBe(401);
  });

  it('records every change and every refusal in the audit log', async () => {
    const user = await create('audited@audit.test', 'member');
    await patch(admin, user.id, { role: 'staff' });
    await patch(admin, user.id, { name: 'Audrey' });
    await patch(admin, user.id, { disabled: true });
    await patch(admin, user.id, { disabled: false });
    await patch(admin, admin.id, { disabled: true });
    const entries = (await node.services.audit.recent(500)).filter((e) => e.subject === `user:${user.id}`);
    expect(entries.map((e) => `${e.action}:${e.outcome}`).reverse()).toEqual(['user_create:ok', 'user_role:ok', 'user_rename:ok', 'user_disable:ok', 'user_enable:ok']);
    for (const e of entries) expect(e.actorId).toBe(admin.id);
    expect(entries.find((e) => e.action === 'user_role')!.detail).toMatchObject({ from: 'member', to: 'staff' });
    expect(entries.find((e) => e.action === 'user_rename')!.detail).toMatchObject({ to: 'Audrey' });
    const [latest] = await node.services.audit.recent(1);
    expect(latest).toMatchObject({ action: 'user_update', subject: `user:${admin.id}`, outcome: 'refused', actorId: admin.id, detail: { error: 'cannot_disable_self', disabled: true } });
  });
});
