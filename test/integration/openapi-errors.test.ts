/** The OpenAPI document tells, per route and status, which stable error codes a caller can get. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';

type Schema = { enum?: string[]; properties?: Record<string, Schema> };
type Operation = { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> };
type Doc = { paths: Record<string, Record<string, Operation>> };

describe('OpenAPI error codes', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let doc: Doc;
  beforeAll(async () => {
    node = await startTestNode();
    doc = (await node.app.inject({ url: '/docs/json' })).json();
  });
  afterAll(async () => node?.close());

  /** status -> the codes the document lists for that operation (a CSV route's errors are still JSON, documented under its one media type). */
  const codesOf = (method: string, path: string): Record<string, string[]> => {
    const op = doc.paths[path]?.[method];
    expect(op, `${method.toUpperCase()} ${path} is documented`).toBeDefined();
    return Object.fromEntries(
      Object.entries(op!.responses ?? {})
        .filter(([status]) => Number(status) >= 400)
        .map(([status, r]) => [status, Object.values(r.content ?? {})[0]?.schema?.properties?.error?.enum ?? []]),
    );
  };

  it('lists the refusals of a scan', () => {
    const codes = codesOf('post', '/api/v1/checkins');
    expect(codes['400']).toEqual(expect.arrayContaining(['invalid_request']));
    expect(codes['401']).toEqual(expect.arrayContaining(['unauthorized', 'device_revoked']));
    expect(codes['403']).toEqual(expect.arrayContaining(['forbidden', 'csrf_failed']));
    expect(codes['404']).toEqual(['not_found']);
    expect(codes['429']).toEqual(['rate_limited']);
    expect(codes['503']).toEqual(['unavailable']);
  });

  it("lists what opening a login request by its user code can answer", () => {
    const codes = codesOf('get', '/api/v1/login-requests/{user_code}');
    expect(codes['404']).toEqual(expect.arrayContaining(['unknown_code']));
    expect(codes['409']).toEqual(expect.arrayContaining(['claimed_elsewhere', 'code_used']));
    expect(codes['410']).toEqual(['code_expired']);
    expect(codes['403']).toEqual(expect.arrayContaining(['insufficient_scope', 'forbidden']));
  });

  it("lists the queue's refusals", () => {
    const join = codesOf('post', '/api/v1/queues/{id}/tickets');
    expect(join['403']).toEqual(expect.arrayContaining(['invalid_entrance_code']));
    expect(join['409']).toEqual(expect.arrayContaining(['service_closed', 'queue_full']));
    expect(codesOf('post', '/api/v1/counters/{id}/call')['404']).toEqual(expect.arrayContaining(['queue_empty', 'not_found']));
    expect(codesOf('post', '/api/v1/tickets/{id}/more-time')['409']).toEqual(expect.arrayContaining(['more_time_used']));
    expect(codesOf('post', '/api/v1/tickets/{id}/done')['409']).toEqual(expect.arrayContaining(['invalid_ticket_state']));
  });

  it('lists feature codes next to the generic ones', () => {
    expect(codesOf('post', '/api/v1/session')['401']).toEqual(expect.arrayContaining(['invalid_credentials']));
    expect(codesOf('post', '/api/v1/users')['409']).toEqual(['email_taken']);
    expect(codesOf('post', '/api/v1/shares/claim')['410']).toEqual(expect.arrayContaining(['code_expired', 'share_revoked']));
    expect(codesOf('post', '/api/v1/events/{id}/webhook/test')['409']).toEqual(['webhook_disabled']);
    expect(codesOf('post', '/api/v1/events/{id}/attendees/import')['400']).toEqual(expect.arrayContaining(['invalid_request', 'invalid_csv']));
    expect(codesOf('get', '/v1/live/sse')['401']).toEqual(expect.arrayContaining(['invalid_token', 'token_expired']));
    // The OAuth endpoints list RFC 6749 / 8628's own codes.
    expect(codesOf('post', '/oauth/token')['400']).toEqual(expect.arrayContaining(['authorization_pending', 'slow_down', 'expired_token', 'access_denied']));
    expect(codesOf('post', '/oauth/token')['401']).toEqual(['invalid_client']);
  });

  it('gives every error response of the API and the OAuth endpoints an enum of codes, never a bare string', () => {
    const bare: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!/^\/(api|v1|oauth)\//.test(path)) continue;
      for (const method of Object.keys(ops)) {
        for (const [status, codes] of Object.entries(codesOf(method, path))) if (codes.length === 0) bare.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    expect(bare).toEqual([]);
  });
});
