import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** A raw request: no client normalises the path or refuses the headers. */
function rawGet(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Requests refused before they reach a route (found by test/fuzz): Fastify's
 * own answers had `"error":"Request Header Fields Too Large"` and the like,
 * not a stable code; the OAuth endpoints answered in our shape, not RFC 6749's.
 */
describe('requests refused before any route', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode();
  });
  afterAll(async () => node?.close());

  it('answers headers too large for the parser with headers_too_large, in both error shapes', async () => {
    const res = await rawGet(node.url, `/api/v1/me?x=${'x'.repeat(70_000)}`);
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toEqual({ error: 'headers_too_large', message: expect.any(String), error_description: expect.any(String) });
  });

  it('answers a path parameter past the router limit and a bad %-sequence with invalid_request', async () => {
    const long = await rawGet(node.url, `/api/v1/events/${'a'.repeat(200)}`);
    expect(long.status).toBe(414);
    expect(JSON.parse(long.body)).toMatchObject({ error: 'invalid_request', message: expect.any(String) });
    const bad = await rawGet(node.url, '/api/v1/events/%zz');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: 'invalid_request', message: expect.any(String) });
  });

  it('answers an API key sent to the userinfo endpoint as a wrong access token, in RFC 6750 terms', async () => {
    const res = await node.app.inject({ url: '/oauth/userinfo', headers: { authorization: 'Bearer spk_nope' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
    expect(res.headers['www-authenticate']).toContain('invalid_token');
  });

  it('answers malformed and oversized bodies on the token endpoint as {error, error_description}', async () => {
    const malformed = await node.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    const big = await node.app.inject({ method: 'POST', url: '/oauth/device_authorization', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `client_id=${'x'.repeat(70_000)}` });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ error: 'payload_too_large', error_description: expect.any(String) });
  });
});
