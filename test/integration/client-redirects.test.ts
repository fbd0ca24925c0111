import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createAccount, dialects, signInByInject, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * Applications' redirect URIs, post-logout redirect URIs, grant types and
 * back-channel logout URI through the API, on SQLite and Postgres: registered,
 * listed, changed with PATCH (audited), and every refusal leaving the
 * application as it was.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';

describe.each(dialects)('application redirect URIs and grants on $name', ({ database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;

  const call = async (method: string, url: string, payload?: unknown, who: Session = admin) => {
    const res = await node.app.inject({ method: method as InjectOptions['method'], url, ...as(who), ...(payload !== undefined ? { payload: payload as InjectOptions['payload'] } : {}) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> & { client: Record<string, unknown> } };
  };
  const register = (payload: Record<string, unknown>) => call('POST', '/api/v1/clients', payload);
  const patch = (clientId: string, payload: unknown) => call('PATCH', `/api/v1/clients/${clientId}`, payload);
  const listed = async (clientId: string) => ((await call('GET', '/api/v1/clients')).body.clients as { client_id: string }[]).find((c) => c.client_id === clientId);
  const refused = async (p: Promise<{ status: number; body: Record<string, unknown> }>, status: number, code: string, message?: RegExp) => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error).toBe(code);
    if (message) expect(r.body.message).toMatch(message);
    return r.body;
  };

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

  it('registers redirect and logout URIs; with redirect URIs the code and refresh grants come by default', async () => {
    const r = await register({
      name: 'Web shop',
      client_id: 'web-shop',
      redirect_uris: ['https://shop.example/cb', 'http://127.0.0.1/native', 'com.example.shop:/cb'],
      post_logout_redirect_uris: ['https://shop.example/bye'],
      backchannel_logout_uri: 'https://shop.example/backchannel',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const want = {
      client_id: 'web-shop',
      redirect_uris: ['https://shop.example/cb', 'http://127.0.0.1/native', 'com.example.shop:/cb'],
      post_logout_redirect_uris: ['https://shop.example/bye'],
      grant_types: ['authorization_code', 'refresh_token', DEVICE],
      backchannel_logout_uri: 'https://shop.example/backchannel',
    };
    expect(r.body.client).toMatchObject(want);
    expect(await listed('web-shop')).toMatchObject(want);
  });

  it('without redirect URIs an application keeps the device grant only, as before', async () => {
    const r = await register({ name: 'Lobby TV', client_id: 'lobby-tv' });
    expect(r.status).toBe(201);
    expect(r.body.client).toMatchObject({ redirect_uris: [], post_logout_redirect_uris: [], grant_types: [DEVICE], backchannel_logout_uri: null });
    // And it still starts a device login.
    const res = await node.app.inject({ method: 'POST', url: '/oauth/device_authorization', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'client_id=lobby-tv&scope=openid' });
    expect(res.statusCode).toBe(200);
  });

  it('refuses the code grant without a redirect URI, naming the field', async () => {
    const body = await refused(register({ name: 'No URI', client_id: 'no-uri', grant_types: ['authorization_code'] }), 400, 'invalid_request', /redirect_uris/);
    expect(body.field).toBe('redirect_uris');
    expect(await listed('no-uri')).toBeUndefined();
  });

  it.each([
    ['javascript:alert(1)', /javascript:/],
    ['data:text/html,hi', /data:/],
    ['file:///etc/passwd', /file:/],
    ['https://shop.example/cb#frag', /fragment/],
    ['http://shop.example/cb', /loopback/],
    ['myapp:/cb', /reversed domain/],
    ['https://user:pw@shop.example/cb', /user name/],
    ['/relative', /absolute/],
    [`https://shop.example/${'x'.repeat(2000)}`, /2000/],
  ])('refuses the redirect URI %j with invalid_redirect_uri naming it', async (uri, why) => {
    const body = await refused(register({ name: 'Bad', client_id: 'bad-uri', redirect_uris: ['https://ok.example/cb', uri] }), 400, 'invalid_redirect_uri', why);
    expect(body.message).toContain(JSON.stringify(uri.slice(0, 40)).slice(0, -1));
    expect(await listed('bad-uri')).toBeUndefined();
  });

  it('refuses wrong types, too many URIs and unknown grants', async () => {
    const base = { name: 'Bad', client_id: 'bad-shape' };
    await refused(register({ ...base, redirect_uris: { uri: 'https://shop.example/cb' } }), 400, 'invalid_request', /redirect_uris/);
    await refused(register({ ...base, redirect_uris: [{ uri: 'https://shop.example/cb' }] }), 400, 'invalid_request', /redirect_uris/);
    await refused(register({ ...base, redirect_uris: ['https://shop.example/cb'], backchannel_logout_uri: { url: 'https://shop.example/x' } }), 400, 'invalid_request', /backchannel_logout_uri/);
    await refused(register({ ...base, post_logout_redirect_uris: Array.from({ length: 11 }, (_, i) => `https://shop.example/bye/${i}`) }), 400, 'invalid_request', /post_logout_redirect_uris/);
    await refused(register({ ...base, grant_types: ['password'] }), 400, 'invalid_request', /grant_types/);
    await refused(register({ ...base, grant_types: [] }), 400, 'invalid_request', /grant_types/);
    await refused(register({ ...base, backchannel_logout_uri: 'com.example.shop:/logout' }), 400, 'invalid_redirect_uri', /https:/);
    await refused(register({ ...base, post_logout_redirect_uris: ['https://shop.example/bye#x'] }), 400, 'invalid_redirect_uri', /fragment/);
    // Ten is the most; a repeated URI is kept once.
    const ten = Array.from({ length: 10 }, (_, i) => `https://shop.example/cb/${i}`);
    const ok = await register({ ...base, redirect_uris: ten, post_logout_redirect_uris: ['https://shop.example/bye', 'https://shop.example/bye'] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.client).toMatchObject({ redirect_uris: ten, post_logout_redirect_uris: ['https://shop.example/bye'] });
    await refused(register({ name: 'Eleven', redirect_uris: [...ten, 'https://shop.example/cb/10'] }), 400, 'invalid_request', /redirect_uris must NOT have more than 10/);
  });

  it('changes an application with PATCH, leaving out what is not sent, and records it in the audit log', async () => {
    expect((await register({ name: 'Kiosk', client_id: 'kiosk-app' })).status).toBe(201);
    const r = await patch('kiosk-app', { name: 'Front kiosk', scopes: ['openid', 'email'], redirect_uris: ['https://kiosk.example/cb'], grant_types: [DEVICE, 'authorization_code'] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const want = { name: 'Front kiosk', scopes: ['openid', 'email'], redirect_uris: ['https://kiosk.example/cb'], grant_types: ['authorization_code', DEVICE], post_logout_redirect_uris: [], backchannel_logout_uri: null };
    expect(r.body.client).toMatchObject(want);
    expect(await listed('kiosk-app')).toMatchObject(want);

    const more = await patch('kiosk-app', { post_logout_redirect_uris: ['https://kiosk.example/bye'], backchannel_logout_uri: 'http://[::1]:9000/logout' });
    expect(more.body.client).toMatchObject({ ...want, post_logout_redirect_uris: ['https://kiosk.example/bye'], backchannel_logout_uri: 'http://[::1]:9000/logout' });
    expect((await patch('kiosk-app', { backchannel_logout_uri: null })).body.client.backchannel_logout_uri).toBeNull();

    const entries = await node.services.audit.recent(50, 'client:kiosk-app');
    expect(entries.filter((e) => e.action === 'client_update').map((e) => [e.actorId, e.outcome])).toEqual([
      [admin.id, 'ok'],
      [admin.id, 'ok'],
      [admin.id, 'ok'],
    ]);
  });

  it('refuses a PATCH that would break the application, changing nothing', async () => {
    expect((await register({ name: 'Shop two', client_id: 'shop-two', redirect_uris: ['https://two.example/cb'] })).status).toBe(201);
    const before = await listed('shop-two');
    // The code grant would be left without a redirect URI.
    await refused(patch('shop-two', { redirect_uris: [] }), 400, 'invalid_request', /needs at least one redirect URI/);
    await refused(patch('shop-two', { redirect_uris: ['https://two.example/cb', 'javascript:alert(1)'], name: 'Renamed' }), 400, 'invalid_redirect_uri', /javascript/);
    await refused(patch('shop-two', { name: { en: 'x' } }), 400, 'invalid_request', /name/);
    await refused(patch('shop-two', { scopes: ['admin'] }), 400, 'invalid_request');
    const unknown = await refused(patch('shop-two', { redirect_uri: ['https://two.example/cb'] }), 400, 'invalid_request');
    expect(unknown.field).toBe('redirect_uri');
    await refused(patch('shop-two', {}), 400, 'invalid_request');
    expect(await listed('shop-two')).toEqual(before);
    // Dropping the code grant first, then the URIs, is fine.
    const step = await patch('shop-two', { grant_types: [DEVICE], redirect_uris: [] });
    expect(step.status, JSON.stringify(step.body)).toBe(200);
    expect(step.body.client).toMatchObject({ grant_types: [DEVICE], redirect_uris: [] });
  });

  it('answers unknown_client for a PATCH of an application that is not there or was removed', async () => {
    await refused(patch('nobody-here', { name: 'x' }), 404, 'unknown_client');
    expect((await register({ name: 'Gone', client_id: 'gone-app' })).status).toBe(201);
    expect((await node.app.inject({ method: 'DELETE', url: '/api/v1/clients/gone-app', ...as(admin) })).statusCode).toBe(204);
    await refused(patch('gone-app', { name: 'Back' }), 404, 'unknown_client');
  });

  it('lets only admins change an application', async () => {
    const staff = await createAccount(node, admin, 'Sam Staff', 'staff');
    await refused(call('PATCH', '/api/v1/clients/lobby-tv', { name: 'Mine' }, staff), 403, 'forbidden');
  });
});
