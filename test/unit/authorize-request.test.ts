import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cancel, issueCode, redeem, s256, type Authorization } from '../../src/domain/authorization.js';
import { isAuthorizeRefusal, parseAuthorizeParams } from '../../src/domain/authorize-request.js';

const PUBLIC = { confidential: false, scopes: ['openid', 'profile', 'email'], grant_types: ['authorization_code', 'refresh_token'] };
const CHALLENGE = s256('a'.repeat(43));

describe('authorization request parameters (OpenID Core 3.1.2.1, RFC 7636)', () => {
  const ok = { response_type: 'code', scope: 'openid email', code_challenge: CHALLENGE, code_challenge_method: 'S256' };

  it('takes a well-formed request, keeping state, nonce, prompt, max_age and login_hint', () => {
    expect(parseAuthorizeParams({ ...ok, state: 'xyz', nonce: 'n-0S6', prompt: 'login consent', max_age: '300', login_hint: ' ada@example.org ' }, PUBLIC)).toEqual({
      scopes: ['openid', 'email'],
      state: 'xyz',
      nonce: 'n-0S6',
      codeChallenge: CHALLENGE,
      maxAge: 300,
      loginHint: 'ada@example.org',
      prompt: ['login', 'consent'],
    });
  });

  it('offline_access comes with the refresh_token grant and is dropped without it (OpenID Core 11)', () => {
    expect(parseAuthorizeParams({ ...ok, scope: 'openid offline_access' }, PUBLIC)).toMatchObject({ scopes: ['openid', 'offline_access'] });
    expect(parseAuthorizeParams({ ...ok, scope: 'openid offline_access' }, { ...PUBLIC, grant_types: ['authorization_code'] })).toMatchObject({ scopes: ['openid'] });
  });

  it.each([
    [{ response_type: undefined }, 'invalid_request'],
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ response_mode: 'form_post' }, 'invalid_request'],
    [{ scope: 'openid phone' }, 'invalid_scope'],
    [{ scope: '' }, 'invalid_scope'],
    [{ code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ code_challenge_method: undefined }, 'invalid_request'],
    [{ code_challenge: 'short' }, 'invalid_request'],
    [{ prompt: 'none login' }, 'invalid_request'],
    [{ max_age: '-1' }, 'invalid_request'],
    [{ max_age: '1e3' }, 'invalid_request'],
    [{ state: 'x'.repeat(2049) }, 'invalid_request'],
    [{ scope: ['openid', 'email'] }, 'invalid_request'],
    [{ nonce: { $gt: '' } }, 'invalid_request'],
    [{ request: 'eyJ...' }, 'request_not_supported'],
    [{ request_uri: 'https://x' }, 'request_uri_not_supported'],
  ])('%j is refused with %s', (change, error) => {
    const query: Record<string, unknown> = { ...ok, ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete query[k];
    const out = parseAuthorizeParams(query, PUBLIC);
    expect(isAuthorizeRefusal(out) && out.error).toBe(error);
  });

  it('a confidential client may leave PKCE out; unknown prompt values are ignored', () => {
    const { code_challenge: _c, code_challenge_method: _m, ...noPkce } = ok;
    expect(parseAuthorizeParams({ ...noPkce, prompt: 'consent whatever' }, { ...PUBLIC, confidential: true })).toMatchObject({ codeChallenge: null, prompt: ['consent'] });
  });

  it('never throws, whatever the query holds (any keys, any value types)', () => {
    const value = fc.oneof(fc.string(), fc.array(fc.string()), fc.object(), fc.integer(), fc.constant(null), fc.constant(undefined));
    const keys = fc.constantFrom('response_type', 'response_mode', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'login_hint', 'request', 'request_uri', 'x');
    fc.assert(
      fc.property(fc.dictionary(keys, value), fc.boolean(), (query, confidential) => {
        const out = parseAuthorizeParams(query, { ...PUBLIC, confidential });
        if (isAuthorizeRefusal(out)) expect(typeof out.description).toBe('string');
        else for (const v of [out.state, out.nonce, out.loginHint]) expect(v === null || typeof v === 'string').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('an authorization code, once (RFC 6749 4.1.2-4.1.3)', () => {
  const verifier = 'v'.repeat(50);
  const base: Authorization = {
    id: 'a1', clientId: 'app', browserHash: 'h', redirectUri: 'https://app/cb', scopes: ['openid'], state: null, nonce: null,
    codeChallenge: s256(verifier), maxAge: null, loginHint: null, prompt: [], status: 'open', version: 1, createdAt: 0, expiresAt: 900_000,
    codeHash: null, codeExpiresAt: null, approval: null, grantId: null, screenIp: '', screenUserAgent: '',
  };
  const approval = { subject: 'u1', claims: {}, approvedBy: 'u1', authTime: 10 };
  const issued = issueCode(base, approval, 'hash', 1000);
  const input = { clientId: 'app', redirectUri: 'https://app/cb', verifier };

  it('is issued once, and only while the page is open and unexpired', () => {
    expect(issued).toMatchObject({ status: 'code_issued', version: 2, codeHash: 'hash', codeExpiresAt: 61_000 });
    expect(() => issueCode(issued, approval, 'h2', 2000)).toThrow(expect.objectContaining({ code: 'code_used' }));
    expect(() => issueCode(base, approval, 'h2', 900_000)).toThrow(expect.objectContaining({ code: 'code_expired' }));
    expect(cancel(issued)).toBeNull();
    expect(cancel(base)).toMatchObject({ status: 'cancelled' });
  });

  it('is redeemed with the right client, redirect URI and verifier, within its minute; a second use is a replay', () => {
    const first = redeem(issued, input, 2000);
    expect(first).toMatchObject({ kind: 'tokens', approval });
    const spent = { ...(first as { next: Authorization }).next, grantId: 'g1' };
    expect(redeem(spent, input, 3000)).toEqual({ kind: 'replayed', grantId: 'g1' });
    expect(redeem(issued, { ...input, clientId: 'other' }, 2000).kind).toBe('refused');
    expect(redeem(issued, { ...input, redirectUri: 'https://app/cb2' }, 2000).kind).toBe('refused');
    expect(redeem(issued, { ...input, verifier: 'w'.repeat(50) }, 2000).kind).toBe('refused');
    expect(redeem(issued, { ...input, verifier: undefined }, 2000).kind).toBe('refused');
    expect(redeem(issued, input, 61_000).kind).toBe('refused');
    expect(redeem(base, input, 2000).kind).toBe('refused');
  });
});
