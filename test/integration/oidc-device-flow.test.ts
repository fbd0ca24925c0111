import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { TestClock } from '../support/test-clock.js';
import { signIn, startTestNode } from '../support/test-node.js';

/**
 * The login flow as any OAuth client sees it: the real `openid-client`
 * package drives RFC 8628 against a running node, while a signed-in phone
 * approves or denies through the phone API.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Session = { cookie: string; csrf: string };
/** The fields of our JSON answers these tests read. */
type ApiBody = { id: string; status: string; client: { client_id: string }; client_secret: string; [k: string]: unknown };

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const USER = { email: 'phone.user@example.org', password: 'phone user password', name: 'Phone User' };

const dialects = [
  { name: 'sqlite', database: async () => ({ url: undefined as string | undefined, drop: async () => {} }) },
  ...(available('postgres', !!TEST_DATABASE_URL) ? [{ name: 'postgres', database: () => createTestDatabase(TEST_DATABASE_URL!) }] : []),
];

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe.each(dialects)('OpenID device flow with openid-client on $name', ({ database }) => {
  let node: Node;
  let dbUrl: string | undefined;
  let drop = async () => {};
  let admin: Session;
  let phone: Session;
  let userId: string;
  let publicId: string;
  let confidential: { id: string; secret: string };

  const api = async (s: Session, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${node.url}${path}`, {
      method,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as ApiBody };
  };

  /** What a phone does after scanning: open (claim) the request, then approve or deny it. */
  const decide = async (userCode: string, decision: 'approve' | 'deny') => {
    const opened = await api(phone, 'GET', `/api/v1/login-requests/${encodeURIComponent(userCode)}`);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ status: 'scanned', match_required: false });
    const done = await api(phone, 'POST', `/api/v1/login-requests/${encodeURIComponent(userCode)}/${decision}`, {});
    expect(done.status).toBe(200);
    expect(done.body.status).toBe(decision === 'approve' ? 'approved' : 'denied');
    return opened.body;
  };

  const configFor = async (baseUrl: string, clientId: string, secret?: string) => {
    const config = await client.discovery(new URL(baseUrl), clientId, undefined, secret ? client.ClientSecretPost(secret) : client.None(), {
      execute: [client.allowInsecureRequests],
    });
    // Verify id_token signatures against the jwks_uri too, not just the claims.
    client.enableNonRepudiationChecks(config);
    return config;
  };

  /** Runs the grant: starts polling, lets the phone act, and returns what the poll settled to. */
  const runGrant = async (config: client.Configuration, scope: string, phoneStep: (userCode: string) => Promise<unknown>) => {
    const auth = await client.initiateDeviceAuthorization(config, { scope });
    const polling = client.pollDeviceAuthorizationGrant(config, auth, undefined, { signal: AbortSignal.timeout(25_000) });
    polling.catch(() => {}); // observed below; avoid an unhandled rejection while the phone acts
    const phoneResult = await phoneStep(auth.user_code);
    return { auth, polling, phoneResult };
  };

  const rejection = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err;
    }
    throw new Error('expected the promise to reject');
  };

  beforeAll(async () => {
    const db = await database();
    dbUrl = db.url;
    drop = db.drop;
    node = await startTestNode({ loginIntervalSeconds: 1, ...(dbUrl ? { databaseUrl: dbUrl } : {}) });
    admin = await signIn(node.url);
    const created = await api(admin, 'POST', '/api/v1/users', { ...USER, role: 'member' });
    expect(created.status).toBe(201);
    userId = created.body.id;
    phone = await signIn(node.url, USER.email, USER.password);
    const pub = await api(admin, 'POST', '/api/v1/clients', { name: 'Living-room TV', scopes: ['openid', 'profile'] });
    expect(pub.status).toBe(201);
    expect(pub.body.client_secret).toBeUndefined();
    publicId = pub.body.client.client_id;
    const conf = await api(admin, 'POST', '/api/v1/clients', { name: 'Kiosk backend', confidential: true, scopes: ['openid', 'profile', 'email'] });
    expect(conf.status).toBe(201);
    confidential = { id: conf.body.client.client_id, secret: conf.body.client_secret };
    expect(confidential.secret).toMatch(/^[\w-]{40,}$/);
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it('a public client gets tokens once the phone approves; the id_token verifies against the JWKS', async () => {
    const config = await configFor(node.url, publicId);
    expect(config.serverMetadata().issuer).toBe(node.url);
    const { auth, polling, phoneResult } = await runGrant(config, 'openid profile', (code) => decide(code, 'approve'));
    expect(auth.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(auth.verification_uri).toBe(`${node.url}/device`);
    expect(auth.verification_uri_complete).toBe(`${node.url}/device?user_code=${auth.user_code}`);
    expect(auth.interval).toBe(1);
    expect(phoneResult).toMatchObject({ client: { client_id: publicId, name: 'Living-room TV' }, scopes: ['openid', 'profile'] });

    const tokens = await polling;
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('openid profile');
    expect(tokens.expires_in).toBeGreaterThan(0);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: node.url, aud: publicId, sub: userId, name: USER.name });
    // No email scope: the address appears in no claim at all.
    expect(claims.email).toBeUndefined();
    expect(JSON.stringify(claims)).not.toContain(USER.email);

    // Independently of openid-client: the signature checks out against the published keys.
    const jwks = createRemoteJWKSet(new URL(`${node.url}/oauth/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: node.url, audience: publicId });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe(userId);
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');

    const info = await client.fetchUserInfo(config, tokens.access_token, userId);
    expect(info).toMatchObject({ sub: userId, name: USER.name });
    expect(JSON.stringify(info)).not.toContain(USER.email);

    // The device_code is single-use.
    const again = await fetch(`${node.url}/oauth/token`, form({ grant_type: DEVICE_GRANT, device_code: auth.device_code, client_id: publicId }));
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.any(String) });
  });

  it('a confidential client authenticates with client_secret_post and gets the email claims of its scope', async () => {
    const config = await configFor(node.url, confidential.id, confidential.secret);
    const { polling } = await runGrant(config, 'openid profile email', (code) => decide(code, 'approve'));
    const tokens = await polling;
    expect(tokens.claims()).toMatchObject({ iss: node.url, aud: confidential.id, sub: userId, name: USER.name, email: USER.email });
    const info = await client.fetchUserInfo(config, tokens.access_token, userId);
    expect(info).toMatchObject({ sub: userId, name: USER.name, email: USER.email });
  });

  it('userinfo refuses anything but an access token with a Bearer challenge (RFC 6750)', async () => {
    const config = await configFor(node.url, publicId);
    const { polling } = await runGrant(config, 'openid', (code) => decide(code, 'approve'));
    const tokens = await polling;
    // An id_token is not an access token.
    const err = await rejection(client.fetchUserInfo(config, tokens.id_token!, userId));
    expect(err).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect((err as client.WWWAuthenticateChallengeError).cause[0]).toMatchObject({ scheme: 'bearer', parameters: { error: 'invalid_token' } });
    const missing = await fetch(`${node.url}/oauth/userinfo`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(await missing.json()).toMatchObject({ error: 'invalid_token' });
    // The token response itself must not be cached.
    const replay = await fetch(`${node.url}/oauth/token`, form({ grant_type: DEVICE_GRANT, device_code: 'x', client_id: publicId }));
    expect(replay.headers.get('cache-control')).toBe('no-store');
  });

  it('a deny on the phone ends the client with access_denied', async () => {
    const config = await configFor(node.url, publicId);
    const { polling } = await runGrant(config, 'openid', (code) => decide(code, 'deny'));
    const err = await rejection(polling);
    expect(err).toBeInstanceOf(client.ResponseBodyError);
    expect(err).toMatchObject({ error: 'access_denied', status: 400 });
  });

  it('a request nobody decides ends with expired_token', async () => {
    // A second node on the same store with a short lifetime: what one node creates, any node answers.
    const clock = new TestClock();
    const short = await startTestNode({ loginIntervalSeconds: 1, loginTtlSeconds: 3, dataDir: node.dataDir, ...(dbUrl ? { databaseUrl: dbUrl } : {}) }, { clock });
    try {
      const config = await configFor(short.url, publicId);
      // Nobody acts while the request's three seconds pass.
      const { polling } = await runGrant(config, 'openid', async () => clock.advance(3100));
      const err = await rejection(polling);
      expect(err).toBeInstanceOf(client.ResponseBodyError);
      expect(err).toMatchObject({ error: 'expired_token', status: 400 });
    } finally {
      await short.close();
    }
  });

  it('polling faster than the interval gets slow_down with a larger interval', async () => {
    const res = await fetch(`${node.url}/oauth/device_authorization`, form({ client_id: publicId, scope: 'openid' }));
    expect(res.status).toBe(200);
    const auth = (await res.json()) as { device_code: string; interval: number };
    const poll = async () => {
      const r = await fetch(`${node.url}/oauth/token`, form({ grant_type: DEVICE_GRANT, device_code: auth.device_code, client_id: publicId }));
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    expect(await poll()).toEqual({ status: 400, body: { error: 'authorization_pending', error_description: expect.any(String) } });
    const fast = await poll();
    expect(fast.status).toBe(400);
    expect(fast.body).toMatchObject({ error: 'slow_down', interval: auth.interval + 5 });
    const faster = await poll();
    expect(faster.body).toMatchObject({ error: 'slow_down', interval: auth.interval + 10 });
  });

  describe('clients that read RFC 8414 metadata only', () => {
    const issuer = () => new URL(node.url);
    const insecure = { [oauth.allowInsecureRequests]: true };
    const discover = async () => oauth.processDiscoveryResponse(issuer(), await oauth.discoveryRequest(issuer(), { algorithm: 'oauth2', ...insecure }));

    it('oauth4webapi discovers /.well-known/oauth-authorization-server and runs the device grant with client_secret_post', async () => {
      const as = await discover();
      expect(as).toMatchObject({
        issuer: node.url,
        device_authorization_endpoint: `${node.url}/oauth/device_authorization`,
        token_endpoint: `${node.url}/oauth/token`,
        jwks_uri: `${node.url}/oauth/jwks`,
      });
      expect(as.grant_types_supported).toEqual([DEVICE_GRANT, 'authorization_code', 'refresh_token']);
      // OpenID-only fields stay in the OpenID document.
      expect(as).not.toHaveProperty('userinfo_endpoint');
      expect(as).not.toHaveProperty('id_token_signing_alg_values_supported');

      const c: oauth.Client = { client_id: confidential.id };
      const auth = oauth.ClientSecretPost(confidential.secret);
      const started = await oauth.processDeviceAuthorizationResponse(as, c, await oauth.deviceAuthorizationRequest(as, c, auth, { scope: 'profile email' }, insecure));
      await decide(started.user_code, 'approve');
      const tokens = await oauth.processDeviceCodeResponse(as, c, await oauth.deviceCodeGrantRequest(as, c, auth, started.device_code, insecure));
      expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'profile email', access_token: expect.any(String) });

      // A resource server validating it as RFC 9068 says: typ at+jwt, iss, exp, aud, sub, client_id, iat and jti.
      const resource = new Request(`${node.url}/some/resource`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      const claims = await oauth.validateJwtAccessToken(as, resource, node.url, insecure);
      expect(claims).toMatchObject({ iss: node.url, aud: node.url, client_id: confidential.id, sub: userId, jti: expect.any(String) });
      // A second sign-in's token has its own id.
      const again = await oauth.processDeviceAuthorizationResponse(as, c, await oauth.deviceAuthorizationRequest(as, c, auth, { scope: 'profile' }, insecure));
      await decide(again.user_code, 'approve');
      const second = await oauth.processDeviceCodeResponse(as, c, await oauth.deviceCodeGrantRequest(as, c, auth, again.device_code, insecure));
      const secondClaims = await oauth.validateJwtAccessToken(as, new Request(resource.url, { headers: { authorization: `Bearer ${second.access_token}` } }), node.url, insecure);
      expect(secondClaims.jti).not.toBe(claims.jti);
    });

    it("openid-client's discovery with algorithm oauth2 finds the same issuer", async () => {
      const config = await client.discovery(issuer(), publicId, undefined, client.None(), { algorithm: 'oauth2', execute: [client.allowInsecureRequests] });
      expect(config.serverMetadata()).toMatchObject({ issuer: node.url, device_authorization_endpoint: `${node.url}/oauth/device_authorization` });
    });

    it('a wrong client_secret_post secret surfaces as invalid_client, not as an authentication challenge', async () => {
      const config = await configFor(node.url, confidential.id, 'not the secret');
      const err = await rejection(client.initiateDeviceAuthorization(config, { scope: 'openid' }));
      expect(err).toBeInstanceOf(client.ResponseBodyError);
      expect(err).toMatchObject({ error: 'invalid_client', status: 401 });

      const as = await discover();
      const c: oauth.Client = { client_id: confidential.id };
      const res = await oauth.deviceAuthorizationRequest(as, c, oauth.ClientSecretPost('not the secret'), { scope: 'profile' }, insecure);
      const raw = await rejection(oauth.processDeviceAuthorizationResponse(as, c, res));
      expect(raw).toBeInstanceOf(oauth.ResponseBodyError);
      expect(raw).toMatchObject({ error: 'invalid_client', status: 401 });
    });

    it('a wrong client_secret_basic secret gets the Basic challenge the header asked for', async () => {
      const config = await client.discovery(issuer(), confidential.id, undefined, client.ClientSecretBasic('not the secret'), { execute: [client.allowInsecureRequests] });
      const err = await rejection(client.initiateDeviceAuthorization(config, { scope: 'openid' }));
      expect(err).toBeInstanceOf(client.WWWAuthenticateChallengeError);
      expect((err as client.WWWAuthenticateChallengeError).cause[0]).toMatchObject({ scheme: 'basic' });
    });
  });

  describe('refusals in RFC 6749 shape', () => {
    const expectOAuthError = async (res: Response, status: number, error: string) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({ error, error_description: expect.any(String) });
      return res;
    };
    const token = (fields: Record<string, string>) => fetch(`${node.url}/oauth/token`, form(fields));
    const authorize = (fields: Record<string, string>) => fetch(`${node.url}/oauth/device_authorization`, form(fields));

    it('unsupported grant_type', async () => {
      await expectOAuthError(await token({ grant_type: 'password', client_id: publicId }), 400, 'unsupported_grant_type');
      // A grant scanpass has, but this client (registered without redirect URIs) may not use: RFC 6749 5.2.
      await expectOAuthError(await token({ grant_type: 'authorization_code', code: 'x', client_id: publicId }), 400, 'unauthorized_client');
    });

    it('missing device_code or grant_type', async () => {
      await expectOAuthError(await token({ grant_type: DEVICE_GRANT, client_id: publicId }), 400, 'invalid_request');
      await expectOAuthError(await token({ client_id: publicId }), 400, 'invalid_request');
    });

    it('unknown or mismatched device_code', async () => {
      await expectOAuthError(await token({ grant_type: DEVICE_GRANT, device_code: 'not-a-device-code', client_id: publicId }), 400, 'invalid_grant');
      // A device_code issued to one client is no good to another.
      const res = await authorize({ client_id: publicId, scope: 'openid' });
      const { device_code } = (await res.json()) as { device_code: string };
      const other = await token({ grant_type: DEVICE_GRANT, device_code, client_id: confidential.id, client_secret: confidential.secret });
      await expectOAuthError(other, 400, 'invalid_grant');
    });

    it('unknown client, wrong or missing secret: invalid_client with 401', async () => {
      // No Basic challenge for a client that did not use the Authorization header (RFC 6749 5.2).
      const unknown = await expectOAuthError(await authorize({ client_id: 'no-such-client' }), 401, 'invalid_client');
      expect(unknown.headers.get('www-authenticate')).toBeNull();
      await expectOAuthError(await authorize({}), 401, 'invalid_client');
      await expectOAuthError(await authorize({ client_id: confidential.id, client_secret: 'wrong secret' }), 401, 'invalid_client');
      await expectOAuthError(await authorize({ client_id: confidential.id }), 401, 'invalid_client');
      await expectOAuthError(await token({ grant_type: DEVICE_GRANT, device_code: 'x', client_id: confidential.id, client_secret: 'wrong secret' }), 401, 'invalid_client');
      await expectOAuthError(await token({ grant_type: DEVICE_GRANT, device_code: 'x', client_id: 'no-such-client' }), 401, 'invalid_client');
      // client_secret_basic with the wrong secret too.
      const basic = await fetch(`${node.url}/oauth/device_authorization`, {
        ...form({ scope: 'openid' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${confidential.id}:nope`).toString('base64')}` },
      });
      await expectOAuthError(basic, 401, 'invalid_client');
      expect(basic.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      // A malformed %-escape in Basic credentials is the caller's error, not a 500.
      const garbled = await fetch(`${node.url}/oauth/device_authorization`, {
        ...form({ scope: 'openid' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${confidential.id}:%zz`).toString('base64')}` },
      });
      await expectOAuthError(garbled, 401, 'invalid_client');
    });

    it('client_secret_basic with the right secret is accepted', async () => {
      const basic = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
      const res = await fetch(`${node.url}/oauth/device_authorization`, {
        ...form({ scope: 'openid email' }),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${basic(confidential.id)}:${basic(confidential.secret)}`).toString('base64')}`,
        },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ device_code: expect.any(String), interval: 1 });
    });

    it('a malformed request body: invalid_request', async () => {
      await expectOAuthError(await fetch(`${node.url}/oauth/token`, { method: 'POST' }), 400, 'invalid_request');
      await expectOAuthError(await authorize({ client_id: publicId, live: 'sometimes' }), 400, 'invalid_request');
    });

    it('a scope the client may not ask for: invalid_scope', async () => {
      await expectOAuthError(await authorize({ client_id: publicId, scope: 'openid email' }), 400, 'invalid_scope');
      await expectOAuthError(await authorize({ client_id: publicId, scope: 'admin' }), 400, 'invalid_scope');
    });
  });
});
