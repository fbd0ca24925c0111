import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { TestClock } from '../support/test-clock.js';
import { signIn, startTestNode } from '../support/test-node.js';

/**
 * OpenID Connect's authorization code flow as oauth4webapi sees it, with
 * every strict check it has: the "browser" follows /oauth/authorize to the
 * QR page's calls, a signed-in phone scans, matches the number and approves,
 * and the application exchanges the code with its PKCE verifier, refreshes
 * (rotation, reuse detection) and reads UserInfo. Then each way it can go
 * wrong gets the error the specs name.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Session = { cookie: string; csrf: string };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const USER = { email: 'code.flow@example.org', password: 'code flow password', name: 'Cora Flow' };
const REDIRECT = 'https://app.example.org/callback';
const insecure = { [oauth.allowInsecureRequests]: true };

const dialects = [
  { name: 'sqlite', database: async () => ({ url: undefined as string | undefined, drop: async () => {} }) },
  ...(available('postgres', !!TEST_DATABASE_URL) ? [{ name: 'postgres', database: () => createTestDatabase(TEST_DATABASE_URL!) }] : []),
];

describe.each(dialects)('OpenID authorization code flow with oauth4webapi on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  const clock = new TestClock();
  let admin: Session;
  let phone: Session;
  let userId: string;
  let as: oauth.AuthorizationServer;
  let spa: oauth.Client;
  let backend: { client: oauth.Client; secret: string };

  const api = async (s: Session | null, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${node.url}${path}`, {
      method,
      headers: { ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };

  /** The app's browser: follows /oauth/authorize and keeps the page's cookie. */
  const visit = async (params: Record<string, string>, extraCookie = '') => {
    const url = new URL('/oauth/authorize', node.url);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual', headers: extraCookie ? { cookie: extraCookie } : {} });
    const location = res.headers.get('location') ?? '';
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return { status: res.status, location, cookie, setCookie: res.headers.getSetCookie() };
  };
  const page = (v: { location: string; cookie: string }, extra?: Session) => {
    const id = new URL(v.location, node.url).searchParams.get('id')!;
    const s: Session = { cookie: [v.cookie, extra?.cookie].filter(Boolean).join('; '), csrf: extra?.csrf ?? '' };
    return {
      id,
      view: () => api(s, 'GET', `/oauth/authorize/${id}`),
      qr: () => api(s, 'POST', `/oauth/authorize/${id}/qr`, {}),
      finish: (handle: string) => api(s, 'POST', `/oauth/authorize/${id}/finish`, { handle }),
      confirm: () => api(s, 'POST', `/oauth/authorize/${id}/confirm`, {}),
      cancel: () => api(s, 'POST', `/oauth/authorize/${id}/cancel`, {}),
    };
  };

  /** The phone scans the QR, reads the number the page shows, and approves (or denies). */
  const phoneDecides = async (qr: Json, decision: 'approve' | 'deny') => {
    const code = encodeURIComponent(qr.user_code);
    const opened = await api(phone, 'GET', `/api/v1/login-requests/${code}`);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ status: 'scanned', match_required: true });
    // What the page's live channel shows after the scan: the number to pick.
    const q = new URLSearchParams({ channel: qr.live.channel, token: qr.live.token, after: '1', wait: '0' });
    const live = (await (await fetch(`${node.url}/v1/live/poll?${q}`)).json()) as Json;
    expect(live).toMatchObject({ type: 'scanned', data: { match_number: expect.any(Number) } });
    const body = decision === 'approve' ? { match: live.data.match_number } : {};
    const done = await api(phone, 'POST', `/api/v1/login-requests/${code}/${decision}`, body);
    expect(done.status).toBe(200);
  };

  /** A full sign-in up to the redirect back to the app; returns the callback URL and what the app kept. */
  const signInThroughQr = async (c: oauth.Client, extra: Record<string, string> = {}) => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const v = await visit({ client_id: c.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile email offline_access', state, nonce, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra });
    expect(v.status).toBe(303);
    const p = page(v);
    const qr = await p.qr();
    expect(qr.status).toBe(200);
    await phoneDecides(qr.body, 'approve');
    const fin = await p.finish(qr.body.handle);
    expect(fin.status).toBe(200);
    return { callback: new URL(fin.body.redirect_to), verifier, state, nonce };
  };

  const exchange = async (c: oauth.Client, auth: oauth.ClientAuth, callback: URL, state: string, verifier: string, nonce?: string) => {
    const params = oauth.validateAuthResponse(as, c, callback, state);
    const res = await oauth.authorizationCodeGrantRequest(as, c, auth, params, REDIRECT, verifier, insecure);
    return oauth.processAuthorizationCodeResponse(as, c, res, { expectedNonce: nonce, requireIdToken: true });
  };

  const tokenError = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError) return { error: err.error, status: err.status };
      throw err;
    }
    throw new Error('expected an error response');
  };

  const userinfo = (accessToken: string) => fetch(`${node.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode({ ...(db.url ? { databaseUrl: db.url } : {}) }, { clock });
    admin = await signIn(node.url);
    const created = await api(admin, 'POST', '/api/v1/users', { ...USER, role: 'member' });
    expect(created.status).toBe(201);
    userId = created.body.id;
    phone = await signIn(node.url, USER.email, USER.password);
    const pub = await api(admin, 'POST', '/api/v1/clients', { name: 'Team Wiki', scopes: ['openid', 'profile', 'email'], redirect_uris: [REDIRECT] });
    expect(pub.status).toBe(201);
    spa = { client_id: pub.body.client.client_id, token_endpoint_auth_method: 'none' };
    const conf = await api(admin, 'POST', '/api/v1/clients', { name: 'Git server', confidential: true, scopes: ['openid', 'profile'], redirect_uris: [REDIRECT] });
    expect(conf.status).toBe(201);
    backend = { client: { client_id: conf.body.client.client_id }, secret: conf.body.client_secret };
    as = await oauth.processDiscoveryResponse(new URL(node.url), await oauth.discoveryRequest(new URL(node.url), insecure));
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it('discovery names the authorization endpoint, S256, the end-session endpoint, and the RFC 8414 document says the same', async () => {
    expect(as).toMatchObject({
      authorization_endpoint: `${node.url}/oauth/authorize`,
      end_session_endpoint: `${node.url}/oauth/logout`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(as.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    const rfc8414 = await oauth.processDiscoveryResponse(new URL(node.url), await oauth.discoveryRequest(new URL(node.url), { algorithm: 'oauth2', ...insecure }));
    expect(rfc8414.authorization_endpoint).toBe(as.authorization_endpoint);
  });

  it('a public client with PKCE: QR approved on the phone, code exchanged, id_token with nonce, sid and auth_time, UserInfo, RFC 9068 access token', async () => {
    const { callback, verifier, state, nonce } = await signInThroughQr(spa);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('iss')).toBe(node.url);
    const tokens = await exchange(spa, oauth.None(), callback, state, verifier, nonce);
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'openid profile email offline_access', refresh_token: expect.any(String) });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims).toMatchObject({ iss: node.url, aud: spa.client_id, sub: userId, nonce, name: USER.name, email: USER.email, email_verified: false, sid: expect.any(String) });
    expect(Math.abs(Number(claims.auth_time) * 1000 - clock.now())).toBeLessThan(5000);
    const info = await oauth.processUserInfoResponse(as, spa, userId, await oauth.userInfoRequest(as, spa, tokens.access_token, insecure));
    expect(info).toMatchObject({ sub: userId, name: USER.name, email: USER.email });
    const resource = new Request(`${node.url}/r`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await oauth.validateJwtAccessToken(as, resource, node.url, insecure)).toMatchObject({ sub: userId, client_id: spa.client_id, jti: expect.any(String) });
  });

  it('refresh tokens rotate; presenting a spent one revokes the sign-in, its new refresh token and its access token', async () => {
    const { callback, verifier, state, nonce } = await signInThroughQr(spa);
    const first = await exchange(spa, oauth.None(), callback, state, verifier, nonce);
    const second = await oauth.processRefreshTokenResponse(as, spa, await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), first.refresh_token!, insecure));
    expect(second.refresh_token).toMatch(/\S{20,}/);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(oauth.getValidatedIdTokenClaims(second)).toMatchObject({ sub: userId, sid: oauth.getValidatedIdTokenClaims(first)!.sid });
    expect((await userinfo(second.access_token)).status).toBe(200);
    // Someone replays the first refresh token.
    expect(await tokenError(oauth.refreshTokenGrantRequest(as, spa, oauth.None(), first.refresh_token!, insecure).then((r) => oauth.processRefreshTokenResponse(as, spa, r)))).toEqual({ error: 'invalid_grant', status: 400 });
    expect(await tokenError(oauth.refreshTokenGrantRequest(as, spa, oauth.None(), second.refresh_token!, insecure).then((r) => oauth.processRefreshTokenResponse(as, spa, r)))).toEqual({ error: 'invalid_grant', status: 400 });
    const info = await userinfo(second.access_token);
    expect(info.status).toBe(401);
    expect(info.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('a code is exchanged once: the second use is invalid_grant and revokes what the first issued', async () => {
    const { callback, verifier, state, nonce } = await signInThroughQr(backend.client, { scope: 'openid profile' });
    const auth = oauth.ClientSecretBasic(backend.secret);
    const tokens = await exchange(backend.client, auth, callback, state, verifier, nonce);
    expect(await tokenError(exchange(backend.client, auth, callback, state, verifier, nonce))).toEqual({ error: 'invalid_grant', status: 400 });
    expect((await userinfo(tokens.access_token)).status).toBe(401);
  });

  it('the code needs the right verifier, redirect_uri and client, and lives a minute', async () => {
    const auth = oauth.ClientSecretBasic(backend.secret);
    const attempt = async (mutate: (a: { verifier: string; redirect: string; client: oauth.Client; auth: oauth.ClientAuth }) => void, advanceMs = 0) => {
      const { callback, verifier, state } = await signInThroughQr(backend.client, { scope: 'openid profile' });
      const params = oauth.validateAuthResponse(as, backend.client, callback, state);
      const a = { verifier, redirect: REDIRECT, client: backend.client, auth };
      mutate(a);
      clock.advance(advanceMs);
      const res = await oauth.authorizationCodeGrantRequest(as, a.client, a.auth, params, a.redirect, a.verifier, insecure);
      return tokenError(oauth.processAuthorizationCodeResponse(as, a.client, res));
    };
    expect(await attempt((a) => (a.verifier = oauth.generateRandomCodeVerifier()))).toEqual({ error: 'invalid_grant', status: 400 });
    expect(await attempt((a) => (a.redirect = 'https://app.example.org/other'))).toEqual({ error: 'invalid_grant', status: 400 });
    expect(await attempt((a) => ((a.client = spa), (a.auth = oauth.None())))).toEqual({ error: 'invalid_grant', status: 400 });
    expect(await attempt(() => {}, 61_000)).toEqual({ error: 'invalid_grant', status: 400 });
    // No verifier at all: a form without code_verifier.
    const { callback } = await signInThroughQr(backend.client, { scope: 'openid profile' });
    const res = await fetch(`${node.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: backend.client.client_id, client_secret: backend.secret }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/code_verifier/) });
  });

  it('a denial on the phone sends the browser back with access_denied and the state', async () => {
    const state = oauth.generateRandomState();
    const verifier = oauth.generateRandomCodeVerifier();
    const v = await visit({ client_id: spa.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const p = page(v);
    const qr = await p.qr();
    await phoneDecides(qr.body, 'deny');
    const fin = await p.finish(qr.body.handle);
    expect(fin.status).toBe(200);
    const back = new URL(fin.body.redirect_to);
    expect(() => oauth.validateAuthResponse(as, spa, back, state)).toThrow(expect.objectContaining({ error: 'access_denied' }));
    // The page is over: no second QR.
    expect((await p.qr()).body.error).toBe('code_used');
  });

  it('an unknown client or an unregistered redirect URI is shown on our page, never redirected to', async () => {
    const evil = await visit({ client_id: spa.client_id, redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: 'openid' });
    expect(evil.status).toBe(303);
    expect(new URL(evil.location, node.url)).toMatchObject({ pathname: '/authorize' });
    expect(new URL(evil.location, node.url).searchParams.get('error')).toBe('invalid_redirect_uri');
    const unknown = await visit({ client_id: 'no-such-app', redirect_uri: REDIRECT, response_type: 'code' });
    expect(new URL(unknown.location, node.url).searchParams.get('error')).toBe('invalid_client');
    // A parameter given twice is refused, to the app (RFC 6749 3.1).
    const twice = await fetch(`${node.url}/oauth/authorize?client_id=${spa.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=openid&scope=email`, { redirect: 'manual' });
    expect(new URL(twice.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('refusals the app must hear go back to its redirect URI: no PKCE from a public client, plain PKCE, a wrong response_type, a scope it may not ask for', async () => {
    const base = { client_id: spa.client_id, redirect_uri: REDIRECT, state: 's1' };
    const errorOf = async (params: Record<string, string>) => {
      const v = await visit({ ...base, ...params });
      expect(v.status).toBe(302);
      const u = new URL(v.location);
      expect(u.origin + u.pathname).toBe(REDIRECT);
      expect(u.searchParams.get('state')).toBe('s1');
      expect(u.searchParams.get('iss')).toBe(node.url);
      return u.searchParams.get('error');
    };
    expect(await errorOf({ response_type: 'code', scope: 'openid' })).toBe('invalid_request');
    expect(await errorOf({ response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' })).toBe('invalid_request');
    expect(await errorOf({ response_type: 'token', scope: 'openid' })).toBe('unsupported_response_type');
    expect(await errorOf({ response_type: 'code', scope: 'openid phone', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })).toBe('invalid_scope');
    expect(await errorOf({ response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', request: 'eyJ' })).toBe('request_not_supported');
  });

  it('prompt=none: login_required for a browser not signed in here; a signed-in browser gets its code without a page, and within max_age only', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const params = { client_id: spa.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'st', code_challenge: challenge, code_challenge_method: 'S256', prompt: 'none' };
    const anonymous = await visit(params);
    expect(() => oauth.validateAuthResponse(as, spa, new URL(anonymous.location), 'st')).toThrow(expect.objectContaining({ error: 'login_required' }));
    const here = await visit(params, phone.cookie);
    const tokens = await exchange(spa, oauth.None(), new URL(here.location), 'st', verifier);
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ sub: userId });
    clock.advance(120_000);
    const stale = await visit({ ...params, max_age: '60' }, phone.cookie);
    expect(() => oauth.validateAuthResponse(as, spa, new URL(stale.location), 'st')).toThrow(expect.objectContaining({ error: 'login_required' }));
  });

  it('a browser signed in here may continue on the spot (with its CSRF token), but not with prompt=login', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const params = { client_id: spa.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile', state: 'here', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', login_hint: USER.email };
    const v = await visit(params, phone.cookie);
    const p = page(v, phone);
    const view = await p.view();
    expect(view.body).toMatchObject({ client: { name: 'Team Wiki' }, login_hint: USER.email, signed_in_as: { name: USER.name, email: USER.email } });
    expect((await page(v, { cookie: phone.cookie, csrf: 'wrong' }).confirm()).body.error).toBe('csrf_failed');
    const done = await p.confirm();
    expect(done.status).toBe(200);
    const tokens = await exchange(spa, oauth.None(), new URL(done.body.redirect_to), 'here', verifier);
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ sub: userId, name: USER.name });

    const forced = await visit({ ...params, prompt: 'login' }, phone.cookie);
    const fp = page(forced, phone);
    expect((await fp.view()).body.signed_in_as).toBeNull();
    expect((await fp.confirm()).body.error).toBe('unauthorized');
  });

  it("the page is bound to the browser that opened it: another browser's calls, or none, are refused", async () => {
    const v = await visit({ client_id: spa.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    expect(v.setCookie[0]).toMatch(/HttpOnly/i);
    expect(v.setCookie[0]).toMatch(/SameSite=Lax/i);
    const p = page(v);
    expect(v.setCookie[0]).toContain(`Path=/oauth/authorize/${p.id}`);
    const stranger = page({ location: v.location, cookie: 'scanpass_authorize=not-the-secret' });
    expect(await stranger.view()).toMatchObject({ status: 404, body: { error: 'unknown_authorization' } });
    expect((await stranger.qr()).status).toBe(404);
    // Cancel: the app hears access_denied.
    const c = await p.cancel();
    expect(new URL(c.body.redirect_to).searchParams.get('error')).toBe('access_denied');
  });

  it("the phone's account lists its signed-in apps, signs one out (tokens end) and tells the app over its back channel", async () => {
    // The application's back-channel logout endpoint.
    const received: string[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const bcUri = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel`;
      const reg = await api(admin, 'POST', '/api/v1/clients', { name: 'Chat', scopes: ['openid', 'profile'], redirect_uris: [REDIRECT], backchannel_logout_uri: bcUri });
      expect(reg.status).toBe(201);
      const chat: oauth.Client = { client_id: reg.body.client.client_id, token_endpoint_auth_method: 'none' };
      const { callback, verifier, state, nonce } = await signInThroughQr(chat, { scope: 'openid profile offline_access' });
      const tokens = await exchange(chat, oauth.None(), callback, state, verifier, nonce);
      const sid = oauth.getValidatedIdTokenClaims(tokens)!.sid;

      const listed = await api(phone, 'GET', '/api/v1/me/apps');
      expect(listed.status).toBe(200);
      const entry = listed.body.apps.find((a: Json) => a.id === sid);
      expect(entry).toMatchObject({ client: { client_id: chat.client_id, name: 'Chat' }, via: 'code', browser: expect.any(String), place: null });
      // Someone else's sign-in cannot be ended from this account.
      expect((await api(admin, 'DELETE', `/api/v1/me/apps/${sid}`)).body.error).toBe('unknown_grant');

      const out = await api(phone, 'DELETE', `/api/v1/me/apps/${sid}`);
      expect(out).toEqual({ status: 200, body: { backchannel: 'delivered' } });
      expect((await api(phone, 'GET', '/api/v1/me/apps')).body.apps.map((a: Json) => a.id)).not.toContain(sid);
      expect((await userinfo(tokens.access_token)).status).toBe(401);
      expect(await tokenError(oauth.refreshTokenGrantRequest(as, chat, oauth.None(), tokens.refresh_token!, insecure).then((r) => oauth.processRefreshTokenResponse(as, chat, r)))).toEqual({ error: 'invalid_grant', status: 400 });

      // The logout token, as Back-Channel Logout 1.0 section 2.4 describes it.
      expect(received).toHaveLength(1);
      const { payload, protectedHeader } = await jwtVerify(received[0]!, createRemoteJWKSet(new URL(`${node.url}/oauth/jwks`)), { issuer: node.url, audience: chat.client_id, typ: 'logout+jwt' });
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload).toMatchObject({ sub: userId, sid, events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, jti: expect.any(String) });
      expect(payload).not.toHaveProperty('nonce');
      // Again: already signed out.
      expect((await api(phone, 'DELETE', `/api/v1/me/apps/${sid}`)).status).toBe(404);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('RP-initiated logout: the id_token_hint ends that sign-in and the browser returns to a registered post-logout URI with the state', async () => {
    const reg = await api(admin, 'POST', '/api/v1/clients', { name: 'Dashboards', scopes: ['openid'], redirect_uris: [REDIRECT], post_logout_redirect_uris: ['https://app.example.org/bye'] });
    expect(reg.status).toBe(201);
    const dash: oauth.Client = { client_id: reg.body.client.client_id, token_endpoint_auth_method: 'none' };
    const { callback, verifier, state, nonce } = await signInThroughQr(dash, { scope: 'openid offline_access' });
    const tokens = await exchange(dash, oauth.None(), callback, state, verifier, nonce);
    const logout = (q: Record<string, string>) => fetch(`${node.url}/oauth/logout?${new URLSearchParams(q)}`, { redirect: 'manual' });

    // An unregistered return address is never followed.
    const wrong = await logout({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' });
    expect(wrong.status).toBe(303);
    expect(new URL(wrong.headers.get('location')!, node.url).searchParams.get('error')).toBe('invalid_request');
    expect((await userinfo(tokens.access_token)).status).toBe(200);

    const res = await logout({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://app.example.org/bye', state: 'bye-state' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://app.example.org/bye?state=bye-state');
    expect((await userinfo(tokens.access_token)).status).toBe(401);
    expect(await tokenError(oauth.refreshTokenGrantRequest(as, dash, oauth.None(), tokens.refresh_token!, insecure).then((r) => oauth.processRefreshTokenResponse(as, dash, r)))).toEqual({ error: 'invalid_grant', status: 400 });

    // Without a place to return to, our page says so; a forged hint is refused.
    const page = await logout({ id_token_hint: tokens.id_token! });
    expect(new URL(page.headers.get('location')!, node.url).search).toBe('?signed_out=1');
    const forged = await logout({ id_token_hint: `${tokens.id_token!.slice(0, -4)}AAAA` });
    expect(new URL(forged.headers.get('location')!, node.url).searchParams.get('error')).toBe('invalid_request');
  });

  it('device-grant sign-ins are listed too, with the screen that asked', async () => {
    const res = await fetch(`${node.url}/oauth/device_authorization`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/76.0 TV Safari/537.36' },
      body: new URLSearchParams({ client_id: spa.client_id, scope: 'openid' }),
    });
    const started = (await res.json()) as Json;
    const code = encodeURIComponent(started.user_code);
    const opened = await api(phone, 'GET', `/api/v1/login-requests/${code}`);
    expect(opened.body.screen).toMatchObject({ ip: '127.0.0.1', place: null });
    expect((await api(phone, 'POST', `/api/v1/login-requests/${code}/approve`, {})).status).toBe(200);
    const tokenRes = await fetch(`${node.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started.device_code, client_id: spa.client_id }),
    });
    expect(tokenRes.status).toBe(200);
    const apps = (await api(phone, 'GET', '/api/v1/me/apps')).body.apps as Json[];
    expect(apps[0]).toMatchObject({ client: { name: 'Team Wiki' }, via: 'device', browser: expect.stringMatching(/Chrome/) });
  });

  it("device grant: the phone is shown the screen that watches the request's channel, not the back end that started it", async () => {
    const started = (await (
      await fetch(`${node.url}/oauth/device_authorization`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'node-fetch/1.0 (some back end)' },
        body: new URLSearchParams({ client_id: spa.client_id, scope: 'openid', live: 'true' }),
      })
    ).json()) as Json;
    const TV = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
    const q = new URLSearchParams({ channel: started.live.channel, token: started.live.token, after: '0', wait: '0' });
    expect((await fetch(`${node.url}/v1/live/poll?${q}`, { headers: { 'user-agent': TV } })).status).toBe(200);
    // A second watcher (or anyone later) does not change who the screen is.
    await fetch(`${node.url}/v1/live/poll?${q}`, { headers: { 'user-agent': 'curl/8.0' } });
    const opened = await api(phone, 'GET', `/api/v1/login-requests/${encodeURIComponent(started.user_code)}`);
    expect(opened.body.screen).toMatchObject({ user_agent: TV, browser: 'Chrome on Linux' });
  });
});
