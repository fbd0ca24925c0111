import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { decodeQrPng } from '../support/qr-decode.js';
import { TestClock } from '../support/test-clock.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * The phone's side of QR login (open = claim, approve, deny) and everything
 * that guards it: claim-on-scan, number matching, single use under
 * concurrency, rate limits on guessing, API-key approval for an
 * application's own users; plus the screen's side: its live channel, QR
 * images, expiry push, discovery and CORS.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Session = { cookie: string; csrf: string; id: string };
type Screen = { device_code: string; user_code: string; live: { channel: string; token: string } };

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const dialects = [
  { name: 'sqlite', database: async () => ({ url: undefined as string | undefined, drop: async () => {} }) },
  ...(available('postgres', !!TEST_DATABASE_URL) ? [{ name: 'postgres', database: () => createTestDatabase(TEST_DATABASE_URL!) }] : []),
];

/** Small helpers over `app.inject`, bound to one node. */
function driver(getNode: () => Node) {
  const inject = (o: InjectOptions): Promise<LightMyRequestResponse> => getNode().app.inject(o);

  const signIn = async (email: string, password: string, remoteAddress?: string): Promise<Session> => {
    const res = await inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, ...(remoteAddress ? { remoteAddress } : {}) });
    expect(res.statusCode).toBe(200);
    const c = res.cookies.find((x) => x.name === 'scanpass_session')!;
    return { cookie: `scanpass_session=${c.value}`, csrf: res.json().csrf_token, id: res.json().user.id };
  };

  const as = (s: Session, remoteAddress?: string) => ({ headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, ...(remoteAddress ? { remoteAddress } : {}) });

  /** A screen asks for a login request (RFC 8628 3.1). */
  const newScreen = async (clientId: string, opts: { live?: boolean; scope?: string } = {}): Promise<Screen> => {
    const fields: Record<string, string> = { client_id: clientId };
    if (opts.live) fields.live = 'true';
    if (opts.scope) fields.scope = opts.scope;
    const res = await inject({ method: 'POST', url: '/oauth/device_authorization', headers: FORM, payload: new URLSearchParams(fields).toString() });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  const open = (s: Session, code: string, remoteAddress?: string) => inject({ method: 'GET', url: `/api/v1/login-requests/${code}`, ...as(s, remoteAddress) });
  const decide = (s: Session, code: string, action: 'approve' | 'deny', body: Record<string, unknown> = {}) =>
    inject({ method: 'POST', url: `/api/v1/login-requests/${code}/${action}`, ...as(s), payload: body });
  const withKey = (key: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
    inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });

  const token = (clientId: string, deviceCode: string) =>
    inject({ method: 'POST', url: '/oauth/token', headers: FORM, payload: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: clientId }).toString() });

  /** The screen's live channel over long-poll: the state newer than `after`, or null after `wait` s. */
  const channel = async (screen: Screen, after: number, wait = 0) => {
    const q = new URLSearchParams({ channel: screen.live.channel, token: screen.live.token, after: String(after), wait: String(wait) });
    const res = await inject({ method: 'GET', url: `/v1/live/poll?${q}` });
    if (res.statusCode === 204) return null;
    expect(res.statusCode).toBe(200);
    return res.json() as { channel: string; version: number; type: string; data: { status: string; match_number: number | null; expires_at: number } };
  };

  return { inject, signIn, as, newScreen, open, decide, withKey, token, channel };
}

const expectError = (res: LightMyRequestResponse, status: number, error: string) => {
  expect({ status: res.statusCode, body: res.json() }).toMatchObject({ status, body: { error, message: expect.any(String) } });
};

describe.each(dialects)('phone API for QR login on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let bea: Session;
  let cy: Session;
  let clientId: string;
  const d = driver(() => node);

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    // Per-address lookups are generous here; the rate-limit suites below use their own nodes.
    node = await startTestNode({ userCodeAttemptsPerMinute: 10_000, ...(db.url ? { databaseUrl: db.url } : {}) });
    admin = await d.signIn(ADMIN.email, ADMIN.password);
    for (const [email, name] of [['bea@example.org', 'Bea'], ['cy@example.org', 'Cy']]) {
      const res = await d.inject({ method: 'POST', url: '/api/v1/users', ...d.as(admin), payload: { email, name, password: 'member password', role: 'member' } });
      expect(res.statusCode).toBe(201);
    }
    bea = await d.signIn('bea@example.org', 'member password');
    cy = await d.signIn('cy@example.org', 'member password');
    const res = await d.inject({ method: 'POST', url: '/api/v1/clients', ...d.as(admin), payload: { name: 'Front desk kiosk', scopes: ['openid', 'profile', 'email'] } });
    expect(res.statusCode).toBe(201);
    clientId = res.json().client.client_id;
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it('opening shows who is asking and claims the request; opening again from the same session changes nothing', async () => {
    const screen = await d.newScreen(clientId, { scope: 'openid profile' });
    const res = await d.inject({ method: 'GET', url: `/api/v1/login-requests/${screen.user_code.toLowerCase().replace('-', ' ')}`, headers: { cookie: bea.cookie, 'user-agent': 'phone' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user_code: screen.user_code,
      status: 'scanned',
      client: { client_id: clientId, name: 'Front desk kiosk' },
      scopes: ['openid', 'profile'],
      screen: { ip: '127.0.0.1', user_agent: 'lightMyRequest', browser: expect.any(String) },
      match_required: false,
      match_choices: null,
    });
    expect(res.json()).not.toHaveProperty('device_code');
    expect((await d.channel(screen, 0))!).toMatchObject({ version: 2, type: 'scanned' });
    expect((await d.open(bea, screen.user_code)).statusCode).toBe(200);
    expect((await d.channel(screen, 0))!.version).toBe(2);
  });

  it("a disabled account's access token stops working at userinfo, and a request it approved before being disabled issues nothing", async () => {
    const res = await d.inject({ method: 'POST', url: '/api/v1/users', ...d.as(admin), payload: { email: 'dee@example.org', name: 'Dee', password: 'member password', role: 'member' } });
    expect(res.statusCode).toBe(201);
    const deeId = res.json().id as string;
    const dee = await d.signIn('dee@example.org', 'member password');
    const approve = async () => {
      const screen = await d.newScreen(clientId, { scope: 'openid profile' });
      expect((await d.open(dee, screen.user_code)).statusCode).toBe(200);
      expect((await d.decide(dee, screen.user_code, 'approve')).json().status).toBe('approved');
      return screen;
    };
    const signedIn = await approve();
    const tokens = await d.token(clientId, signedIn.device_code);
    expect(tokens.statusCode).toBe(200);
    const userinfo = () => d.inject({ method: 'GET', url: '/oauth/userinfo', headers: { authorization: `Bearer ${tokens.json().access_token}` } });
    expect((await userinfo()).json()).toMatchObject({ sub: deeId, name: 'Dee' });
    const pending = await approve();

    const disabled = await d.inject({ method: 'PATCH', url: `/api/v1/users/${deeId}`, ...d.as(admin), payload: { disabled: true } });
    expect(disabled.statusCode).toBe(200);
    const info = await userinfo();
    expect([info.statusCode, info.json().error]).toEqual([401, 'invalid_token']);
    const late = await d.token(clientId, pending.device_code);
    expect([late.statusCode, late.json().error]).toEqual([400, 'access_denied']);
  });

  it('refuses an unknown code with 404 unknown_code, however it is typed', async () => {
    expectError(await d.open(bea, 'BCDF-GHJK'), 404, 'unknown_code');
    expectError(await d.open(bea, 'not-a-code'), 404, 'unknown_code');
    expectError(await d.decide(bea, 'BCDF-GHJK', 'approve'), 404, 'unknown_code');
    expectError(await d.decide(bea, 'BCDF-GHJK', 'deny'), 404, 'unknown_code');
    expectError(await d.inject({ method: 'GET', url: '/api/v1/login-requests/BCDF-GHJK' }), 401, 'unauthorized');
  });

  it('refuses a used code with 409 code_used, to the claimant and to anyone else', async () => {
    const screen = await d.newScreen(clientId);
    expect((await d.open(bea, screen.user_code)).statusCode).toBe(200);
    expect((await d.decide(bea, screen.user_code, 'approve')).json().status).toBe('approved');
    expectError(await d.open(bea, screen.user_code), 409, 'code_used');
    expectError(await d.open(cy, screen.user_code), 409, 'code_used');
    expectError(await d.decide(bea, screen.user_code, 'deny'), 409, 'code_used');
    expect((await d.token(clientId, screen.device_code)).statusCode).toBe(200);
    expectError(await d.open(cy, screen.user_code), 409, 'code_used');
  });

  it('a second signed-in user cannot open, approve or deny a claimed request: 409 claimed_elsewhere', async () => {
    const screen = await d.newScreen(clientId);
    expect((await d.open(bea, screen.user_code)).statusCode).toBe(200);
    expectError(await d.open(cy, screen.user_code), 409, 'claimed_elsewhere');
    expectError(await d.decide(cy, screen.user_code, 'approve'), 409, 'claimed_elsewhere');
    expectError(await d.decide(cy, screen.user_code, 'deny'), 409, 'claimed_elsewhere');
    // Another session of the same person is someone else too: the claim belongs to the session that scanned.
    const beaAgain = await d.signIn('bea@example.org', 'member password');
    expectError(await d.open(beaAgain, screen.user_code), 409, 'claimed_elsewhere');
    expect((await d.decide(bea, screen.user_code, 'deny')).json().status).toBe('denied');
    expect((await d.token(clientId, screen.device_code)).json().error).toBe('access_denied');
  });

  it('approve or deny without opening first: 409 not_claimed', async () => {
    const screen = await d.newScreen(clientId);
    expectError(await d.decide(bea, screen.user_code, 'approve'), 409, 'not_claimed');
    expectError(await d.decide(bea, screen.user_code, 'deny'), 409, 'not_claimed');
    expect((await d.channel(screen, 0))!).toMatchObject({ version: 1, type: 'pending' });
  });

  it('cookie-authenticated decisions need the CSRF token', async () => {
    const screen = await d.newScreen(clientId);
    expect((await d.open(bea, screen.user_code)).statusCode).toBe(200);
    const res = await d.inject({ method: 'POST', url: `/api/v1/login-requests/${screen.user_code}/approve`, headers: { cookie: bea.cookie }, payload: {} });
    expectError(res, 403, 'csrf_failed');
    expect((await d.channel(screen, 0))!.type).toBe('scanned');
  });

  it('live screen: the channel goes pending -> scanned (with the match number) -> approved, in order', async () => {
    const screen = await d.newScreen(clientId, { live: true });
    const first = await d.channel(screen, 0);
    expect(first).toMatchObject({ channel: screen.live.channel, version: 1, type: 'pending', data: { status: 'pending', match_number: null } });
    // A held long-poll is answered by the push when the phone scans.
    const held = d.channel(screen, 1, 20);
    const opened = await d.open(bea, screen.user_code);
    expect(opened.statusCode).toBe(200);
    const view = opened.json();
    expect(view.match_required).toBe(true);
    expect(view.match_choices).toHaveLength(3);
    const scanned = (await held)!;
    expect(scanned).toMatchObject({ version: 2, type: 'scanned', data: { status: 'scanned' } });
    expect(view.match_choices).toContain(scanned.data.match_number);
    expect(JSON.stringify(scanned)).not.toContain(bea.id);

    expectError(await d.decide(bea, screen.user_code, 'approve'), 400, 'match_required');
    const approving = d.channel(screen, 2, 20);
    const ok = await d.decide(bea, screen.user_code, 'approve', { match: scanned.data.match_number });
    expect(ok.statusCode).toBe(200);
    expect((await approving)!).toMatchObject({ version: 3, type: 'approved', data: { status: 'approved', match_number: null } });
    expect(await d.channel(screen, 3)).toBeNull();
    const tokens = await d.token(clientId, screen.device_code);
    expect(tokens.statusCode).toBe(200);
    expect((await d.channel(screen, 3))!).toMatchObject({ version: 4, type: 'redeemed' });
  });

  it('live screen: a wrong number is 403 match_mismatch and the screen is told denied', async () => {
    const screen = await d.newScreen(clientId, { live: true });
    const view = (await d.open(bea, screen.user_code)).json();
    const shown = (await d.channel(screen, 1))!.data.match_number!;
    const wrong = (view.match_choices as number[]).find((n) => n !== shown)!;
    expectError(await d.decide(bea, screen.user_code, 'approve', { match: wrong }), 403, 'match_mismatch');
    expect((await d.channel(screen, 2))!).toMatchObject({ version: 3, type: 'denied', data: { status: 'denied' } });
    expectError(await d.decide(bea, screen.user_code, 'approve', { match: shown }), 409, 'code_used');
    expect((await d.token(clientId, screen.device_code)).json()).toMatchObject({ error: 'access_denied' });
  });

  it('concurrent approvals: 20 at once give exactly one approval; 10 token calls give exactly one set of tokens', async () => {
    const screen = await d.newScreen(clientId);
    expect((await d.open(bea, screen.user_code)).statusCode).toBe(200);
    const approvals = await Promise.all(Array.from({ length: 20 }, () => d.decide(bea, screen.user_code, 'approve')));
    const ok = approvals.filter((r) => r.statusCode === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.json().status).toBe('approved');
    for (const r of approvals.filter((x) => x.statusCode !== 200)) expectError(r, 409, 'code_used');
    // One approval is one version: scanned (2) -> approved (3).
    expect((await d.channel(screen, 0))!).toMatchObject({ version: 3, type: 'approved' });

    const tokens = await Promise.all(Array.from({ length: 10 }, () => d.token(clientId, screen.device_code)));
    const issued = tokens.filter((r) => r.statusCode === 200);
    expect(issued).toHaveLength(1);
    expect(issued[0]!.json()).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), id_token: expect.any(String) });
    for (const r of tokens.filter((x) => x.statusCode !== 200)) {
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toBe('invalid_grant');
    }
    expect((await d.channel(screen, 0))!).toMatchObject({ version: 4, type: 'redeemed' });
  });

  it('concurrent scans by two people: one claims, every call of the other is claimed_elsewhere', async () => {
    const screen = await d.newScreen(clientId, { live: true });
    const calls = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? d.open(cy, screen.user_code) : d.open(bea, screen.user_code)).then((res) => ({ who: i % 2 ? 'cy' : 'bea', res }))));
    const winners = new Set(calls.filter((c) => c.res.statusCode === 200).map((c) => c.who));
    expect(winners.size).toBe(1);
    for (const c of calls) {
      if (winners.has(c.who)) expect(c.res.statusCode).toBe(200);
      else expectError(c.res, 409, 'claimed_elsewhere');
    }
    // One claim, one version, one match number however many raced.
    const state = (await d.channel(screen, 0))!;
    expect(state).toMatchObject({ version: 2, type: 'scanned' });
    for (const c of calls.filter((x) => x.res.statusCode === 200)) expect(c.res.json().match_choices).toContain(state.data.match_number);
  });

  describe('an application approves for its own users with an API key', () => {
    let ownerKey: string;
    let otherKey: string;
    let appClientId: string;
    let secondAppId: string;
    let owner: Session;

    beforeAll(async () => {
      const users: Session[] = [];
      for (const email of ['owner@example.org', 'other-staff@example.org']) {
        const res = await d.inject({ method: 'POST', url: '/api/v1/users', ...d.as(admin), payload: { email, password: 'staff password', role: 'staff' } });
        expect(res.statusCode).toBe(201);
        users.push(await d.signIn(email, 'staff password'));
      }
      const [ownerSession, other] = users as [Session, Session];
      owner = ownerSession;
      const created = await d.inject({
        method: 'POST',
        url: '/api/v1/clients',
        ...d.as(admin),
        payload: { name: 'Shop website', scopes: ['openid', 'profile', 'email'], owner_id: owner.id },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json().client.owner_id).toBe(owner.id);
      appClientId = created.json().client.client_id;
      const second = await d.inject({ method: 'POST', url: '/api/v1/clients', ...d.as(admin), payload: { name: 'Second shop', owner_id: owner.id } });
      expect(second.statusCode).toBe(201);
      secondAppId = second.json().client.client_id;
      ownerKey = await keyOf(owner, [`login:approve:${appClientId}`]);
      // Scoped to the application, but the account does not own it.
      otherKey = await keyOf(other, [`login:approve:${appClientId}`]);
    });

    const keyOf = async (s: Session, scopes?: string[]) => {
      const res = await d.inject({ method: 'POST', url: '/api/v1/api-keys', ...d.as(s), payload: { name: 'mobile app', ...(scopes ? { scopes } : {}) } });
      expect(res.statusCode).toBe(201);
      expect(res.json().api_key.scopes).toEqual(scopes ?? []);
      return res.json().key as string;
    };

    it("puts the application's subject and profile claims into the id_token, never its reserved claims", async () => {
      const screen = await d.newScreen(appClientId, { scope: 'openid profile email' });
      const url = `/api/v1/login-requests/${screen.user_code}`;
      const opened = await d.withKey(ownerKey, 'GET', url);
      expect(opened.statusCode).toBe(200);
      expect(opened.json()).toMatchObject({ status: 'scanned', client: { client_id: appClientId, name: 'Shop website' } });
      expectError(await d.withKey(ownerKey, 'POST', `${url}/approve`, {}), 400, 'invalid_request');
      const approved = await d.withKey(ownerKey, 'POST', `${url}/approve`, {
        subject: 'app-user-42',
        claims: { name: 'Ada', email: 'ada@example.org', sub: 'evil', iss: 'https://evil.example', aud: 'evil', tier: 'gold' },
      });
      expect(approved.statusCode).toBe(200);
      expect(approved.json().status).toBe('approved');

      const tokens = await d.token(appClientId, screen.device_code);
      expect(tokens.statusCode).toBe(200);
      const { id_token, access_token } = tokens.json();
      const jwks = createRemoteJWKSet(new URL(`${node.url}/oauth/jwks`));
      const { payload } = await jwtVerify(id_token, jwks, { issuer: node.url, audience: appClientId });
      expect(payload).toMatchObject({ sub: 'app-user-42', name: 'Ada', email: 'ada@example.org', iss: node.url, aud: appClientId, tier: 'gold' });
      const info = await d.inject({ method: 'GET', url: '/oauth/userinfo', headers: { authorization: `Bearer ${access_token}` } });
      expect(info.statusCode).toBe(200);
      expect(info.json()).toMatchObject({ sub: 'app-user-42', name: 'Ada', email: 'ada@example.org' });
    });

    it('carries only the claims of the granted scopes', async () => {
      const screen = await d.newScreen(appClientId, { scope: 'openid profile' });
      const url = `/api/v1/login-requests/${screen.user_code}`;
      expect((await d.withKey(ownerKey, 'GET', url)).statusCode).toBe(200);
      expect((await d.withKey(ownerKey, 'POST', `${url}/approve`, { subject: 'app-user-7', claims: { name: 'Grace', email: 'grace@example.org' } })).statusCode).toBe(200);
      const payload = decodeJwt((await d.token(appClientId, screen.device_code)).json().id_token);
      expect(payload).toMatchObject({ sub: 'app-user-7', name: 'Grace' });
      expect(payload.email).toBeUndefined();
    });

    it("refuses a key scoped to an application its account does not own (403 forbidden) and a signed-in user's subject (400)", async () => {
      const screen = await d.newScreen(appClientId);
      const url = `/api/v1/login-requests/${screen.user_code}`;
      expectError(await d.withKey(otherKey, 'GET', url), 403, 'forbidden');
      expectError(await d.withKey(otherKey, 'POST', `${url}/approve`, { subject: 'x' }), 403, 'forbidden');
      expectError(await d.withKey(otherKey, 'POST', `${url}/deny`), 403, 'forbidden');
      // The refusals claimed nothing: the owner's app can still open it.
      expect((await d.channel(screen, 0))!.type).toBe('pending');
      expect((await d.withKey(ownerKey, 'GET', url)).statusCode).toBe(200);
      expectError(await d.withKey(otherKey, 'POST', `${url}/approve`, { subject: 'x' }), 403, 'forbidden');
      // A signed-in user approves as themself only.
      const other = await d.newScreen(appClientId);
      expect((await d.open(bea, other.user_code)).statusCode).toBe(200);
      expectError(await d.decide(bea, other.user_code, 'approve', { subject: 'someone-else' }), 400, 'invalid_request');
      expectError(await d.withKey('spk_not-a-real-key', 'GET', url), 401, 'unauthorized');
    });

    it("an unscoped key, even an admin's, decides no login: 403 insufficient_scope, and claims nothing", async () => {
      const adminKey = await keyOf(admin);
      const ownersUnscoped = await keyOf(owner);
      const screen = await d.newScreen(appClientId);
      const url = `/api/v1/login-requests/${screen.user_code}`;
      for (const key of [adminKey, ownersUnscoped]) {
        expectError(await d.withKey(key, 'GET', url), 403, 'insufficient_scope');
        expectError(await d.withKey(key, 'POST', `${url}/approve`, { subject: 'victim', claims: { name: 'Anyone' } }), 403, 'insufficient_scope');
        expectError(await d.withKey(key, 'POST', `${url}/deny`), 403, 'insufficient_scope');
      }
      expect((await d.channel(screen, 0))!.type).toBe('pending');
      // The same admin with a key scoped to this application may.
      const scoped = await keyOf(admin, [`login:approve:${appClientId}`]);
      expect((await d.withKey(scoped, 'GET', url)).statusCode).toBe(200);
      expect((await d.withKey(scoped, 'POST', `${url}/approve`, { subject: 'app-user-1' })).json().status).toBe('approved');
      expect(decodeJwt((await d.token(appClientId, screen.device_code)).json().id_token).sub).toBe('app-user-1');
    });

    it("a key scoped to one application cannot decide another's requests; one scoped to that application can", async () => {
      const screen = await d.newScreen(secondAppId);
      const url = `/api/v1/login-requests/${screen.user_code}`;
      expectError(await d.withKey(ownerKey, 'GET', url), 403, 'insufficient_scope');
      expectError(await d.withKey(ownerKey, 'POST', `${url}/approve`, { subject: 'app-user-9' }), 403, 'insufficient_scope');
      const forSecond = await keyOf(owner, [`login:approve:${secondAppId}`]);
      expect((await d.withKey(forSecond, 'GET', url)).statusCode).toBe(200);
      expect((await d.withKey(forSecond, 'POST', `${url}/approve`, { subject: 'app-user-9' })).json().status).toBe('approved');
    });

    it('refuses malformed scopes when creating a key', async () => {
      for (const scopes of [['admin'], ['login:approve:'], ['login:approve:a b c']]) {
        expectError(await d.inject({ method: 'POST', url: '/api/v1/api-keys', ...d.as(owner), payload: { name: 'bad', scopes } }), 400, 'invalid_request');
      }
      const listed = await d.inject({ method: 'GET', url: '/api/v1/api-keys', ...d.as(owner) });
      expect(listed.json().api_keys).toEqual(expect.arrayContaining([expect.objectContaining({ scopes: [`login:approve:${appClientId}`] })]));
    });
  });

  it('registering an application refuses unknown fields, naming them; `secret` points at `confidential`', async () => {
    const register = (payload: Record<string, unknown>) => d.inject({ method: 'POST', url: '/api/v1/clients', ...d.as(admin), payload });
    const secret = await register({ name: 'CLI habits', secret: true });
    expectError(secret, 400, 'invalid_request');
    expect(secret.json()).toMatchObject({ field: 'secret', message: expect.stringContaining('"confidential": true') });
    const typo = await register({ name: 'Typo', scope: ['openid'] });
    expectError(typo, 400, 'invalid_request');
    expect(typo.json()).toMatchObject({ field: 'scope', message: expect.stringContaining('"scope"') });
    expectError(await register({ name: '' }), 400, 'invalid_request');
    // Nothing was registered by the refusals.
    const names = (await d.inject({ method: 'GET', url: '/api/v1/clients', ...d.as(admin) })).json().clients.map((c: { name: string }) => c.name);
    expect(names).not.toContain('CLI habits');
    expect(names).not.toContain('Typo');
    // Still answers 401 before looking at the body.
    expectError(await d.inject({ method: 'POST', url: '/api/v1/clients', payload: { name: 'x', secret: true } }), 401, 'unauthorized');
  });

  it('draws the QR code as SVG, PNG or JSON with a data URL, and the PNG reads back as the link', async () => {
    const screen = await d.newScreen(clientId);
    const link = `${node.url}/device?user_code=${screen.user_code}`;
    const svg = await d.inject({ method: 'GET', url: `/oauth/device/qr/${screen.user_code}?format=svg` });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.body).toMatch(/<svg[\s>]/);
    const png = await d.inject({ method: 'GET', url: `/oauth/device/qr/${screen.user_code}?format=png&size=128` });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.rawPayload.readUInt32BE(16)).toBe(128); // IHDR width
    expect(await decodeQrPng(png.rawPayload)).toEqual([link]);
    const json = await d.inject({ method: 'GET', url: `/oauth/device/qr/${screen.user_code}?format=json` });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual({ url: link, data_url: expect.stringMatching(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/) });
    expect(await decodeQrPng(Buffer.from(json.json().data_url.split(',')[1], 'base64'))).toEqual([link]);
    expectError(await d.inject({ method: 'GET', url: `/oauth/device/qr/${screen.user_code}?format=gif` }), 400, 'invalid_request');
    // Drawing the QR claims nothing.
    expect((await d.channel(screen, 0))!.type).toBe('pending');
  });

  it('QR images are at most 1024 px (400 invalid_request), and a repeated render is byte-identical', async () => {
    const screen = await d.newScreen(clientId);
    for (const size of [2048, 1025, 10_000]) {
      const res = await d.inject({ method: 'GET', url: `/oauth/device/qr/${screen.user_code}?format=png&size=${size}` });
      expectError(res, 400, 'invalid_request');
      expect(res.json().message).toContain('1024');
    }
    expectError(await d.inject({ method: 'GET', url: `/oauth/device/qr/${screen.user_code}?format=json&size=2048` }), 400, 'invalid_request');
    const big = () => d.inject({ method: 'GET', url: `/oauth/device/qr/${screen.user_code}?format=png&size=1024` });
    const [first, second] = [await big(), await big()];
    expect(first.statusCode).toBe(200);
    expect(first.rawPayload.readUInt32BE(16)).toBe(1024);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(await decodeQrPng(first.rawPayload)).toEqual([`${node.url}/device?user_code=${screen.user_code}`]);
  });

  it('the QR route does not tell whether a code exists: any well-formed code gets its image', async () => {
    const screen = await d.newScreen(clientId);
    const real = await d.inject({ method: 'GET', url: `/oauth/device/qr/${screen.user_code}?format=json` });
    const unknown = await d.inject({ method: 'GET', url: '/oauth/device/qr/BCDF-GHJK?format=json' });
    expect([real.statusCode, unknown.statusCode]).toEqual([200, 200]);
    expect(unknown.json()).toEqual({ url: `${node.url}/device?user_code=BCDF-GHJK`, data_url: expect.stringMatching(/^data:image\/png;base64,/) });
    expect(Object.keys(unknown.json())).toEqual(Object.keys(real.json()));
    // Typed any way, the same code; a string that cannot be a code is the caller's error.
    expect((await d.inject({ method: 'GET', url: '/oauth/device/qr/bcdf%20ghjk?format=json' })).json().url).toBe(`${node.url}/device?user_code=BCDF-GHJK`);
    expectError(await d.inject({ method: 'GET', url: '/oauth/device/qr/not-a-code?format=svg' }), 400, 'invalid_request');
  });

  it('publishes the discovery document with this node as issuer', async () => {
    const res = await d.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc).toMatchObject({
      issuer: node.url,
      device_authorization_endpoint: `${node.url}/oauth/device_authorization`,
      token_endpoint: `${node.url}/oauth/token`,
      jwks_uri: `${node.url}/oauth/jwks`,
      userinfo_endpoint: `${node.url}/oauth/userinfo`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(doc.grant_types_supported).toContain(DEVICE_GRANT);
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['none', 'client_secret_post', 'client_secret_basic']));
    const jwks = (await d.inject({ method: 'GET', url: '/oauth/jwks' })).json();
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('answers CORS preflights on the OAuth endpoints', async () => {
    const pre = await d.inject({
      method: 'OPTIONS',
      url: '/oauth/token',
      headers: { origin: 'https://tv.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    const post = await d.inject({ method: 'POST', url: '/oauth/token', headers: { ...FORM, origin: 'https://tv.example' }, payload: 'grant_type=password' });
    expect(post.headers['access-control-allow-origin']).toBe('*');
    // Cookie-authenticated APIs stay same-origin.
    const phone = await d.inject({ method: 'OPTIONS', url: '/api/v1/login-requests/BCDF-GHJK', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(phone.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('login requests that nobody finishes', () => {
  let node: Node;
  let bea: Session;
  let clientId: string;
  const d = driver(() => node);
  const clock = new TestClock();

  beforeAll(async () => {
    node = await startTestNode({ loginTtlSeconds: 2 }, { clock });
    const admin = await d.signIn(ADMIN.email, ADMIN.password);
    bea = admin;
    const res = await d.inject({ method: 'POST', url: '/api/v1/clients', ...d.as(admin), payload: { name: 'TV' } });
    clientId = res.json().client.client_id;
  });
  afterAll(async () => {
    await node?.close();
  });

  it('pushes expired to the screen without anyone polling, then refuses the code (410) and the device_code', async () => {
    const [waiting, scanned] = [await d.newScreen(clientId), await d.newScreen(clientId, { live: true })];
    expect((await d.open(bea, scanned.user_code)).statusCode).toBe(200);
    // Held long-polls: the node's expiry sweep, not a token call, moves them.
    const held = Promise.all([d.channel(waiting, 1, 15), d.channel(scanned, 2, 15)]);
    clock.advance(2100);
    const [a, b] = await held;
    expect(a).toMatchObject({ version: 2, type: 'expired', data: { status: 'expired' } });
    expect(b).toMatchObject({ version: 3, type: 'expired', data: { status: 'expired', match_number: null } });
    expectError(await d.open(bea, waiting.user_code), 410, 'code_expired');
    expectError(await d.decide(bea, scanned.user_code, 'approve', { match: 50 }), 410, 'code_expired');
    expect((await d.token(clientId, waiting.device_code)).json()).toMatchObject({ error: 'expired_token' });
  });

  it('purge removes requests that have ended and keeps those still running', async () => {
    const old = await d.newScreen(clientId);
    clock.advance(2100);
    await d.channel(old, 1, 15); // its expiry
    const fresh = await d.newScreen(clientId);
    expect(await node.services.login.service.purge(0)).toBeGreaterThanOrEqual(1);
    expectError(await d.open(bea, old.user_code), 404, 'unknown_code');
    expect((await d.token(clientId, old.device_code)).json()).toMatchObject({ error: 'invalid_grant' });
    expect((await d.open(bea, fresh.user_code)).statusCode).toBe(200);
  });

  it('purge removes denied and redeemed requests once decided, long before they would expire, and keeps undecided ones', async () => {
    const redeemed = await d.newScreen(clientId);
    expect((await d.open(bea, redeemed.user_code)).statusCode).toBe(200);
    expect((await d.decide(bea, redeemed.user_code, 'approve')).json().status).toBe('approved');
    expect((await d.token(clientId, redeemed.device_code)).statusCode).toBe(200);
    const denied = await d.newScreen(clientId);
    expect((await d.open(bea, denied.user_code)).statusCode).toBe(200);
    expect((await d.decide(bea, denied.user_code, 'deny')).json().status).toBe('denied');
    const approved = await d.newScreen(clientId);
    expect((await d.open(bea, approved.user_code)).statusCode).toBe(200);
    expect((await d.decide(bea, approved.user_code, 'approve')).json().status).toBe('approved');
    const waiting = await d.newScreen(clientId);
    clock.advance(100);
    // Kept for 50 ms after deciding: the two ended ones go, neither expired yet.
    expect(await node.services.login.service.purge(50)).toBeGreaterThanOrEqual(2);
    expect((await d.token(clientId, redeemed.device_code)).json()).toMatchObject({ error: 'invalid_grant' });
    expect((await d.token(clientId, denied.device_code)).json()).toMatchObject({ error: 'invalid_grant' });
    // Approved but not yet collected, and still waiting: both live on.
    expect((await d.token(clientId, approved.device_code)).statusCode).toBe(200);
    expect((await d.open(bea, waiting.user_code)).statusCode).toBe(200);
  });
});

describe('guessing user codes is rate-limited', () => {
  let node: Node;
  let bea: Session;
  let clientId: string;
  const d = driver(() => node);

  /** A node with small guessing limits, a signed-in user and a client on it, through `drive`. */
  const limited = async (drive: ReturnType<typeof driver>, start: (n: Node) => void) => {
    start(await startTestNode({ userCodeAttemptsPerMinute: 5, userCodeFailuresPerMinute: 10 }));
    const user = await drive.signIn(ADMIN.email, ADMIN.password);
    const res = await drive.inject({ method: 'POST', url: '/api/v1/clients', ...drive.as(user), payload: { name: 'TV' } });
    return { user, client: res.json().client.client_id as string };
  };

  beforeAll(async () => {
    ({ user: bea, client: clientId } = await limited(d, (n) => (node = n)));
  });
  afterAll(async () => {
    await node?.close();
  });

  it('per address: the 6th lookup in a minute is 429 rate_limited; other addresses go on', async () => {
    const screen = await d.newScreen(clientId);
    for (let i = 0; i < 5; i++) expect((await d.open(bea, screen.user_code, '10.0.0.1')).statusCode).toBe(200);
    expectError(await d.open(bea, screen.user_code, '10.0.0.1'), 429, 'rate_limited');
    expect((await d.open(bea, screen.user_code, '10.0.0.2')).statusCode).toBe(200);
  });

  it('QR images of unknown codes neither answer differently nor spend the guessing limits', async () => {
    // More than the per-address limit (5) and the global budget (10) of wrong codes.
    for (let i = 0; i < 12; i++) {
      const code = `BCDF-GHJ${'BCDFGHJKLMNP'[i]}`;
      const res = await d.inject({ method: 'GET', url: `/oauth/device/qr/${code}?format=json`, remoteAddress: '10.3.0.1' });
      expect(res.statusCode).toBe(200);
    }
    const screen = await d.newScreen(clientId);
    expect((await d.open(bea, screen.user_code, '10.3.0.1')).statusCode).toBe(200);
  });

  it('globally: once many addresses spent the budget of wrong codes, even a new address is refused', async () => {
    // A node of its own: the spent budget would refuse the other tests' lookups on the shared one for the rest of the minute.
    let own: Node | undefined;
    const g = driver(() => own!);
    try {
      const { user, client } = await limited(g, (n) => (own = n));
      // The budget is per calendar minute: do not straddle a minute boundary.
      const into = Date.now() % 60_000;
      if (into > 55_000) await new Promise((r) => setTimeout(r, 60_000 - into + 50));
      const screen = await g.newScreen(client);
      for (let i = 1; i <= 10; i++) expectError(await g.open(user, `BCDF-GH${'JKLMNPQRST'[i - 1]}${'J'}`, `10.1.0.${i}`), 404, 'unknown_code');
      expectError(await g.open(user, screen.user_code, '10.2.0.1'), 429, 'rate_limited');
      expectError(await g.decide(user, screen.user_code, 'approve'), 429, 'rate_limited');
    } finally {
      await own?.close();
    }
  });
});
