import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const OAUTH_SHAPE = (error: string) => ({ error, error_description: expect.any(String) });
const OUR_SHAPE = (error: string) => ({ error, message: expect.any(String) });

/**
 * The RFC 6749 shape belongs to the token, device authorization and userinfo
 * endpoints only (their plugin's error handler); discovery, the keys, the QR
 * images and every other route answer `{error, message}`, also for refusals
 * made before the handler runs (rate limit, body parser, input checks).
 */
describe('which routes answer errors in RFC 6749 shape', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode({ rateLimitPerMinute: 3 });
  });
  afterAll(async () => node?.close());

  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  // Every request but the rate-limit test's from its own address, so the low limit stays out of the way.
  let n = 0;
  const fresh = () => ({ remoteAddress: `10.8.0.${++n}` });

  it('answers a rate-limited token request as {error, error_description} and rate-limited discovery as {error, message}', async () => {
    const from = { remoteAddress: '10.7.7.7' };
    for (let i = 0; i < 3; i++) await node.app.inject({ url: '/oauth/jwks', ...from });
    const token = await node.app.inject({ method: 'POST', url: '/oauth/token', headers: form, payload: 'grant_type=x', ...from });
    expect(token.statusCode).toBe(429);
    expect(token.json()).toEqual(OAUTH_SHAPE('rate_limited'));
    const userinfo = await node.app.inject({ url: '/oauth/userinfo?x=1', ...from });
    expect(userinfo.statusCode).toBe(429);
    expect(userinfo.json()).toEqual(OAUTH_SHAPE('rate_limited'));
    for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oauth/jwks', '/oauth/device/qr/BCDF-GHJK']) {
      const res = await node.app.inject({ url, ...from });
      expect(res.statusCode, url).toBe(429);
      expect(res.json(), url).toEqual(OUR_SHAPE('rate_limited'));
    }
  });

  it('answers validation, media type and unstorable input on the OAuth endpoints as {error, error_description} with no-store', async () => {
    const missing = await node.app.inject({ ...fresh(), method: 'POST', url: '/oauth/token', headers: form, payload: 'device_code=x' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual(OAUTH_SHAPE('invalid_request'));
    expect(missing.headers['cache-control']).toBe('no-store');
    const media = await node.app.inject({ ...fresh(), method: 'POST', url: '/oauth/device_authorization', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(media.statusCode).toBe(400);
    expect(media.json()).toEqual(OAUTH_SHAPE('invalid_request'));
    const nul = await node.app.inject({ ...fresh(), method: 'POST', url: '/oauth/device_authorization', headers: form, payload: 'client_id=a%00b' });
    expect(nul.statusCode).toBe(400);
    expect(nul.json()).toEqual(OAUTH_SHAPE('invalid_request'));
  });

  it('answers unknown OAuth paths, the QR route and other routes in our shape', async () => {
    const unknown = await node.app.inject({ ...fresh(), url: '/oauth/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual(OUR_SHAPE('not_found'));
    const wrongMethod = await node.app.inject({ ...fresh(), method: 'PUT', url: '/oauth/token' });
    expect(wrongMethod.statusCode).toBe(404);
    expect(wrongMethod.json()).toEqual(OUR_SHAPE('not_found'));
    const qr = await node.app.inject({ ...fresh(), url: '/oauth/device/qr/BCDF-GHJK?format=gif' });
    expect(qr.statusCode).toBe(400);
    expect(qr.json()).toEqual(OUR_SHAPE('invalid_request'));
    const media = await node.app.inject({ ...fresh(), method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(media.statusCode).toBe(415);
    expect(media.json()).toEqual(OUR_SHAPE('unsupported_media_type'));
  });
});
