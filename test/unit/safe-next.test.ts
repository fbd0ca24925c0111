import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeNext } from '../../web/lib/safe-next.js';

const origin = 'https://scanpass.example';

/** What a browser does with `location.replace(next)` on our page: where does it land? */
function landsOn(next: string, pageOrigin = origin): string {
  return new URL(next, pageOrigin).origin;
}

describe('safeNext: where the sign-in page goes afterwards', () => {
  it.each([
    ['/approve?code=BCDF-GHJK', '/approve?code=BCDF-GHJK'],
    ['/signout#x', '/signout#x'],
    ['/', '/'],
    ['/share/receive?code=abc', '/share/receive?code=abc'],
    ['/a/../signout', '/signout'],
    ['/oauth/authorize?redirect_uri=https%3A%2F%2Fapp.example%2Fcb', '/oauth/authorize?redirect_uri=https%3A%2F%2Fapp.example%2Fcb'],
    ['/pass?next=//evil.example', '/pass?next=//evil.example'],
  ])('keeps the same-origin path %j as %j', (raw, want) => {
    expect(safeNext(raw, origin)).toBe(want);
  });

  it.each([
    // Reported: dot segments that the parser collapses into a protocol-relative path.
    '/..//evil.example/phish',
    '/.//evil.example/phish',
    '/.%2e/..//evil.example/phish',
    '/%2e%2e//evil.example/phish',
    '/%2E%2E//evil.example/phish',
    '/a/..//evil.example',
    '/a/../..//evil.example',
    '/./..//evil.example',
    '/%2e//evil.example',
    '/%2e%2e/%2e%2e//evil.example',
    // Protocol-relative, backslashes (read like `/`), tabs and newlines (dropped by the parser).
    '//evil.example',
    '//evil.example/path',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/..\\evil.example',
    '/.\\/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r/evil.example',
    '/.\t./\t/evil.example',
    '/\u0000/evil.example',
    // Encoded slashes and backslashes: a decoding proxy could make them `//`.
    '/%2f/evil.example',
    '/%2F%2Fevil.example',
    '/%5c/evil.example',
    '/..%2f/evil.example',
    '/..%5c..%5cevil.example',
    // Not a path at all.
    'https://evil.example/',
    'HTTPS://evil.example/',
    'http:evil.example',
    'javascript:alert(1)',
    'evil.example',
    '@evil.example',
    '',
    null,
    undefined,
    `/${'a'.repeat(3000)}`,
  ])('refuses %j and falls back to /', (raw) => {
    expect(safeNext(raw, origin)).toBe('/');
  });

  it('uses the fallback it is given', () => {
    expect(safeNext('/..//evil.example', origin, '/admin')).toBe('/admin');
  });

  // Pieces an attacker would combine; the property runs over any string too.
  const piece = fc.constantFrom(
    '/', '//', '\\', '.', '..', '%2e', '%2E', '%2f', '%2F', '%5c', '\t', '\n', '\r', ' ', '%09', '%00',
    'evil.example', 'evil.example:443', '@', ':', '?', '#', 'http:', 'https:', 'javascript:', 'a', '%', '%252f', '\u3002',
  );
  const crafted = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
  const anyString = fc.oneof(crafted, fc.string({ unit: 'grapheme', maxLength: 40 }), fc.webUrl(), fc.webPath());

  it('for any string, the result is the fallback or a same-origin path that stays put when read again', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, anyString.map((s) => `/${s}`)), (raw) => {
        const out = safeNext(raw, origin);
        if (out === '/') return;
        expect(out.startsWith('/')).toBe(true);
        expect(out.startsWith('//')).toBe(false);
        // eslint-disable-next-line no-control-regex
        expect(out).not.toMatch(/[\\\u0000-\u001f\u007f]/);
        // Lands on our origin, and is a path: against any other origin it lands there too.
        expect(landsOn(out)).toBe(origin);
        expect(landsOn(out, 'http://other.example:8080')).toBe('http://other.example:8080');
        // Stable: the page it leads to would accept it again unchanged.
        expect(safeNext(out, origin)).toBe(out);
      }),
      { numRuns: 5000 },
    );
  });
});
