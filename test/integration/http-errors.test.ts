import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

describe('HTTP boundary', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode({ signInLimitPerMinute: 3 });
  });
  afterAll(async () => node?.close());

  it('answers unknown routes with not_found', async () => {
    const res = await node.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: 'no route for GET /api/v1/nothing-here' });
  });

  it('answers malformed JSON, wrong media types and oversized bodies with their codes', async () => {
    const bad = await node.app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid_request');
    const media = await node.app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(media.statusCode).toBe(415);
    expect(media.json().error).toBe('unsupported_media_type');
    const big = await node.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'a@b.c', password: 'x'.repeat(70_000) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('payload_too_large');
  });

  it('rate-limits sign-in attempts per address with a stable code', async () => {
    const attempt = () => node.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: '10.9.9.9', payload: { email: 'x@y.z', password: 'guess-guess' } });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await attempt()).statusCode);
    expect(codes.slice(0, 3)).toEqual([401, 401, 401]);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('rate_limited');
    // Another address is not affected.
    const other = await node.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: '10.9.9.10', payload: { email: 'x@y.z', password: 'guess-guess' } });
    expect(other.statusCode).toBe(401);
  });

  it('tells a plain GET of the WebSocket path to upgrade', async () => {
    const res = await node.app.inject({ method: 'GET', url: '/v1/live' });
    expect(res.statusCode).toBe(426);
    expect(res.json().error).toBe('upgrade_required');
  });

  it('reports liveness, readiness with its parts, and Prometheus metrics', async () => {
    expect((await node.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await node.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', checks: { store: 'ok', bus: 'ok' }, store: 'sqlite', bus: 'memory' });
    const metrics = await node.app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('scanpass_live_websockets');
    expect(metrics.body).toContain('scanpass_http_request_duration_seconds_bucket');
    // SQLite's writer, held for the WAL to start over: none yet on a new node.
    expect(metrics.body).toMatch(/^scanpass_sqlite_writer_holds_total 0$/m);
    expect(metrics.body).toMatch(/^scanpass_sqlite_writer_held_seconds_total 0$/m);
    // SQLite's writer at work for units of work: how many, and its time in SQLite for them.
    expect(metrics.body).toMatch(/^scanpass_sqlite_writer_units_total \d+$/m);
    expect(metrics.body).toMatch(/^scanpass_sqlite_writer_busy_seconds_total [0-9.e-]+$/m);
  });

  it('serves the OpenAPI document and its UI without a CDN', async () => {
    const doc = (await node.app.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/session', '/api/v1/me', '/api/v1/api-keys', '/v1/live/sse', '/v1/live/poll']));
    const ui = await node.app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
  });
});
