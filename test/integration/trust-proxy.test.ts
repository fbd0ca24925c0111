import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * SCANPASS_TRUST_PROXY through the real HTTP app: only the hops the operator
 * named are believed, so a client that writes its own X-Forwarded-For entries
 * changes neither the address the node records nor the key its sign-in limit
 * counts under.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;

describe.each([
  { name: 'a hop count', trustProxy: 1, proxy: '10.1.2.3' },
  { name: 'a list of proxy addresses', trustProxy: '10.0.0.0/8,::1', proxy: '10.1.2.3' },
])('trusting $name', ({ trustProxy, proxy }) => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode({ trustProxy, signInLimitPerMinute: 3 });
  });
  afterAll(() => node?.close());

  /** A request that came through our proxy: it appended the address it saw to whatever the client sent. */
  const viaProxy = (client: string, forged: string[], payload: Record<string, string>) =>
    node.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      remoteAddress: proxy,
      headers: { 'x-forwarded-for': [...forged, client].join(', ') },
      payload,
    });
  const wrong = (i: number) => ({ email: `guess-${i}@test.local`, password: 'not the password' });

  it('records the address our proxy saw, whatever the client forged before it', async () => {
    const res = await viaProxy('203.0.113.7', ['198.51.100.1', '127.0.0.1'], { email: ADMIN.email, password: ADMIN.password });
    expect(res.statusCode).toBe(200);
    const signIn = await node.services.store.db.selectFrom('sign_ins').select('ip').executeTakeFirstOrThrow();
    expect(signIn.ip).toBe('203.0.113.7');
  });

  it('keeps counting sign-ins under that address while the forged hops rotate', async () => {
    // A client of this test's own, so no other test's attempts count here: three attempts fill the limit of 3, each with a new forged hop.
    const client = '203.0.113.9';
    for (let i = 1; i <= 3; i++) expect((await viaProxy(client, [`192.0.2.${i}`], wrong(i))).statusCode).toBe(401);
    const limited = await viaProxy(client, ['192.0.2.99'], wrong(3));
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('rate_limited');
    // Another client behind the same proxy has its own count.
    expect((await viaProxy('203.0.113.8', [client], wrong(4))).statusCode).toBe(401);
  });
});

describe('a client that reaches the node directly', () => {
  let node: Node;
  afterAll(() => node?.close());

  it('is known by its own address when it is not a listed proxy', async () => {
    node = await startTestNode({ trustProxy: '10.0.0.0/8' });
    const res = await node.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      remoteAddress: '198.51.100.20',
      headers: { 'x-forwarded-for': '10.9.9.9, 203.0.113.50' },
      payload: { email: ADMIN.email, password: ADMIN.password },
    });
    expect(res.statusCode).toBe(200);
    const signIn = await node.services.store.db.selectFrom('sign_ins').select('ip').executeTakeFirstOrThrow();
    expect(signIn.ip).toBe('198.51.100.20');
  });
});
