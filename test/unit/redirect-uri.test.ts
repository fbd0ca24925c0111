import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidUri, MAX_URI_LENGTH, redirectUriMatches, uriProblem } from '../../src/domain/redirect-uri.js';

describe('which redirect URIs an application may register', () => {
  it.each([
    'https://app.example/cb',
    'https://app.example:8443/oauth/callback?tenant=a',
    'http://127.0.0.1/cb',
    'http://127.0.0.1:51004/oauth2redirect',
    'http://[::1]:8080/cb',
    'http://localhost:3000/callback',
    'com.example.app:/oauth2redirect/example-provider',
    'com.example.app://cb',
  ])('accepts %s', (uri) => {
    expect(uriProblem(uri)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['/relative/cb', /absolute/],
    ['app.example/cb', /absolute/],
    ['https://app.example/cb#done', /fragment/],
    ['https://app.example/cb#', /fragment/],
    ['http://app.example/cb', /http: on a host other than the loopback/],
    ['http://192.168.1.10/cb', /loopback/],
    ['http://127.0.0.1.evil.example/cb', /loopback/],
    ['http://localhost.evil.example/cb', /loopback/],
    ['http://0x7f.1/cb', /loopback/],
    ['http://localhost:3000@evil.example/cb', /user name/],
    ['https://user:pass@app.example/cb', /user name/],
    ['https://user@app.example/cb', /user name/],
    ['https://@app.example/cb', /user name/],
    ['javascript:alert(1)', /javascript:/],
    ['JavaScript:alert(1)', /javascript:/],
    ['data:text/html,<script>alert(1)</script>', /data:/],
    ['file:///etc/passwd', /file:/],
    ['vbscript:msgbox', /vbscript:/],
    ['myapp:/cb', /reversed domain name/],
    ['myapp://cb', /reversed domain name/],
    ['https://app.example/c b', /spaces/],
    ['https://app.example/\u00e9', /non-ASCII/],
    [` https://app.example/cb`, /spaces/],
    [`https://app.example/${'a'.repeat(MAX_URI_LENGTH)}`, /longer than 2000/],
  ])('refuses %j, saying why', (uri, why) => {
    expect(uriProblem(uri)).toMatch(why);
  });

  it('takes a URI of exactly 2000 characters and refuses 2001', () => {
    const base = 'https://app.example/';
    expect(isValidUri(base + 'a'.repeat(MAX_URI_LENGTH - base.length))).toBe(true);
    expect(isValidUri(base + 'a'.repeat(MAX_URI_LENGTH - base.length + 1))).toBe(false);
  });

  it('accepts only https or loopback http for the back-channel logout URI', () => {
    expect(uriProblem('https://app.example/logout', 'backchannel_logout')).toBeNull();
    expect(uriProblem('http://127.0.0.1:9000/logout', 'backchannel_logout')).toBeNull();
    expect(uriProblem('com.example.app:/logout', 'backchannel_logout')).toMatch(/https:/);
    expect(uriProblem('http://app.example/logout', 'backchannel_logout')).toMatch(/loopback/);
    // A post-logout redirect follows the redirect rules.
    expect(uriProblem('com.example.app:/bye', 'post_logout_redirect')).toBeNull();
    expect(uriProblem('https://app.example/bye#x', 'post_logout_redirect')).toMatch(/fragment/);
  });

  it('never throws, and whatever it accepts is short, fragment-free, without userinfo, on an allowed scheme', () => {
    const anyUri = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.webUrl({ withFragments: true, withQueryParameters: true }),
      fc.tuple(fc.constantFrom('http', 'https', 'javascript', 'data', 'file', 'com.example.app', 'app', 'HTTP'), fc.constantFrom(':', '://', ':/'), fc.string({ maxLength: 40 })).map(([s, sep, rest]) => s + sep + rest),
    );
    fc.assert(
      fc.property(anyUri, (uri) => {
        if (!isValidUri(uri)) return;
        expect(uri.length).toBeLessThanOrEqual(MAX_URI_LENGTH);
        expect(uri).not.toContain('#');
        const url = new URL(uri);
        expect(url.username + url.password).toBe('');
        const scheme = url.protocol.slice(0, -1);
        if (scheme === 'http') expect(['127.0.0.1', '[::1]', 'localhost']).toContain(url.hostname);
        else if (scheme !== 'https') expect(scheme).toMatch(/\./);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts the https web URLs fast-check makes up, without fragment or user info', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['https'], withQueryParameters: true }), (uri) => {
        expect(uriProblem(uri)).toBeNull();
      }),
    );
  });
});

describe('redirectUriMatches: a request\'s redirect_uri against the registered ones', () => {
  const registered = ['https://app.example/cb', 'http://127.0.0.1/native', 'http://[::1]:8080/v6', 'com.example.app:/cb'];

  it.each([
    ['https://app.example/cb', true],
    ['com.example.app:/cb', true],
    // Exact: no normalising of case, slashes, default ports, queries or fragments.
    ['https://app.example/cb/', false],
    ['https://APP.example/cb', false],
    ['https://app.example:443/cb', false],
    ['https://app.example/cb?x=1', false],
    ['https://app.example/cb#x', false],
    ['https://app.example/CB', false],
    ['http://app.example/cb', false],
    // Loopback http: any port (RFC 8252 7.3), but the rest exact.
    ['http://127.0.0.1/native', true],
    ['http://127.0.0.1:49152/native', true],
    ['http://[::1]/v6', true],
    ['http://[::1]:1/v6', true],
    ['http://127.0.0.1:49152/native/', false],
    ['http://localhost:49152/native', false],
    ['http://127.0.0.1:99999/native', false],
    ['http://127.0.0.1:49152@evil.example/native', false],
    ['https://127.0.0.1:49152/native', false],
  ])('%s -> %s', (given, want) => {
    expect(redirectUriMatches(registered, given)).toBe(want);
  });

  it('matches nothing when nothing is registered', () => {
    expect(redirectUriMatches([], 'https://app.example/cb')).toBe(false);
  });

  it('matches every registered URI, and no other string unless it is the same loopback URI on another port', () => {
    const validUri = fc.oneof(
      fc.webUrl({ validSchemes: ['https'], withQueryParameters: true }),
      fc.tuple(fc.constantFrom('127.0.0.1', '[::1]', 'localhost'), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.webPath()).map(([h, p, path]) => `http://${h}${p ? `:${p}` : ''}${path}`),
    ).filter((u) => isValidUri(u));
    fc.assert(
      fc.property(fc.array(validUri, { minLength: 1, maxLength: 5 }), fc.string({ maxLength: 60 }), fc.integer({ min: 1, max: 65535 }), (list, other, port) => {
        for (const r of list) expect(redirectUriMatches(list, r)).toBe(true);
        if (!list.includes(other) && !other.startsWith('http://')) expect(redirectUriMatches(list, other)).toBe(false);
        for (const r of list) {
          const moved = r.replace(/^(http:\/\/(?:127\.0\.0\.1|\[::1\]|localhost))(?::\d+)?/, `$1:${port}`);
          if (moved !== r) expect(redirectUriMatches(list, moved)).toBe(true);
          // Another path is never the same redirect URI.
          expect(redirectUriMatches([r], `${r}x`)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});
