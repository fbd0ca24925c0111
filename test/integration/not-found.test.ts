import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageContentSecurityPolicy } from '../../src/http/security-headers.js';
import { requirePage } from '../support/browser.js';
import { startTestNode } from '../support/test-node.js';

/**
 * Unknown URLs over real HTTP: a person's browser gets the built not-found
 * page with status 404; programs (the API, OAuth, discovery, the live
 * endpoints, assets) and callers asking for JSON keep the JSON 404 with its
 * stable code; the pages that exist are untouched.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** What Chromium sends when a person opens a URL. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('unknown URLs', () => {
  let node: Node;
  beforeAll(async () => {
    requirePage('not-found.html');
    node = await startTestNode();
  });
  afterAll(async () => node?.close());

  const get = (path: string, accept?: string, method = 'GET') => fetch(`${node.url}${path}`, { method, headers: accept ? { accept } : {}, redirect: 'manual' });

  it('answers an unknown /api/v1/ path with the JSON 404 and its code, even from a browser', async () => {
    for (const accept of [BROWSER_ACCEPT, 'application/json', undefined]) {
      const res = await get('/api/v1/no-such-thing?x=1', accept);
      expect(res.status, String(accept)).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ error: 'not_found', message: 'no route for GET /api/v1/no-such-thing' });
    }
  });

  it('keeps JSON for the other program paths: OAuth, discovery, the live endpoints, assets, the SDK, probes', async () => {
    for (const path of ['/oauth/no-such-thing', '/.well-known/no-such-thing', '/v1/live/no-such-thing', '/v1', '/api', '/assets/no-such-file.js', '/sdk/no-such-file.js', '/healthz/extra']) {
      const res = await get(path, BROWSER_ACCEPT);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(await res.json(), path).toMatchObject({ error: 'not_found' });
    }
  });

  it('shows a person the not-found page: status 404, the pages’ security policy, not cached', async () => {
    for (const path of ['/no-such-page', '/deep/no/such/page?lang=zh-CN', '/pass/extra', '/queue-nope']) {
      for (const accept of [BROWSER_ACCEPT, '*/*', undefined]) {
        const res = await get(path, accept);
        expect(res.status, `${path} ${accept}`).toBe(404);
        expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
        expect(res.headers.get('content-security-policy')).toBe(pageContentSecurityPolicy(node.url));
        expect(res.headers.get('cache-control')).toBe('no-cache');
        const html = await res.text();
        expect(html).toContain('data-i18n="notFound.heading"');
        expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/not-found-[\w-]+\.js">/);
      }
    }
    // A revalidating browser still learns the page is missing (no 304).
    const again = await fetch(`${node.url}/no-such-page`, { headers: { accept: BROWSER_ACCEPT, 'if-modified-since': new Date(Date.now() + 86400_000).toUTCString(), 'if-none-match': '*' } });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain('data-i18n="notFound.heading"');
    const ranged = await fetch(`${node.url}/no-such-page`, { headers: { accept: BROWSER_ACCEPT, range: 'bytes=0-9', 'if-unmodified-since': new Date(0).toUTCString() } });
    expect(ranged.status).toBe(404);
    expect(await ranged.text()).toContain('data-i18n="notFound.heading"');
    const head = await get('/no-such-page', BROWSER_ACCEPT, 'HEAD');
    expect(head.status).toBe(404);
    expect(head.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('answers JSON to a caller that asks for JSON alone, and to writes', async () => {
    const json = await get('/no-such-page', 'application/json');
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({ error: 'not_found', message: 'no route for GET /no-such-page' });
    const post = await fetch(`${node.url}/no-such-page`, { method: 'POST', headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ error: 'not_found' });
  });

  it('leaves the pages that exist as they were', async () => {
    for (const path of ['/', '/pass', '/queue', '/scanner', '/dashboard', '/share/receive', '/admin']) {
      const res = await get(path, BROWSER_ACCEPT);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).not.toContain('notFound.heading');
    }
  });
});
