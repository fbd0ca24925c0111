import fs from 'node:fs';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageContentSecurityPolicy } from '../../src/http/security-headers.js';
import { PAGES as PAGE_FILES, WEB_ROOT } from '../../src/http/web-pages.js';
import { requirePage } from '../support/browser.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * What every answer tells the browser: pages come with a Content-Security-Policy
 * that the built pages satisfy and may not be framed; nothing is MIME-sniffed;
 * answers with per-user data, CSRF tokens or codes are never stored by a cache.
 * (The e2e suites run the pages under this policy and fail on any violation.)
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;

const PAGES = Object.keys(PAGE_FILES);

/** The directives of a policy, by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('security headers', () => {
  let node: Node;
  let cookie: string;
  let csrf: string;
  const inject = (o: InjectOptions): Promise<LightMyRequestResponse> => node.app.inject(o);
  const asAdmin = () => ({ cookie, 'x-csrf-token': csrf });

  beforeAll(async () => {
    requirePage('signin.html');
    node = await startTestNode({ userCodeAttemptsPerMinute: 10_000 });
    const res = await inject({ method: 'POST', url: '/api/v1/session', payload: { email: ADMIN.email, password: ADMIN.password } });
    expect(res.statusCode).toBe(200);
    cookie = `scanpass_session=${res.cookies.find((c) => c.name === 'scanpass_session')!.value}`;
    csrf = res.json().csrf_token;
  });
  afterAll(async () => node?.close());

  it('serves every page with a strict policy, no framing, no sniffing and a referrer policy', async () => {
    for (const url of PAGES) {
      const res = await inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy'], url).toBe(pageContentSecurityPolicy(node.url));
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('same-origin');
    }
    const csp = directives(pageContentSecurityPolicy(node.url));
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    // The QR reader compiles WebAssembly; nothing else is evaluated, nothing inline runs.
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'", `ws://${new URL(node.url).host}`]);
    expect(pageContentSecurityPolicy('https://scan.example.org')).toContain("connect-src 'self' wss://scan.example.org;");
  });

  it('the built pages need nothing the policy forbids: no inline script, style or handler, nothing from elsewhere', () => {
    const files = fs.readdirSync(WEB_ROOT).filter((f) => f.endsWith('.html'));
    expect(files.length).toBeGreaterThanOrEqual(PAGES.length);
    for (const file of files) {
      const html = fs.readFileSync(path.join(WEB_ROOT, file), 'utf8');
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag, file).toMatch(/\bsrc="\/assets\/[^"]+\.js"/);
      expect(html, file).not.toMatch(/<style\b/);
      expect(html, file).not.toMatch(/\sstyle=/);
      expect(html, file).not.toMatch(/\son[a-z]+=/);
      expect(html, file).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
      expect(html, file).not.toMatch(/javascript:/);
    }
  });

  it('stores nothing per-user or secret in a cache: me, session, login requests, device authorization', async () => {
    const me = await inject({ url: '/api/v1/me', headers: asAdmin() });
    expect(me.statusCode).toBe(200);
    expect(me.json().csrf_token).toBeTruthy();
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.headers['x-content-type-options']).toBe('nosniff');

    const session = await inject({ method: 'POST', url: '/api/v1/session', payload: { email: ADMIN.email, password: ADMIN.password } });
    expect(session.statusCode).toBe(200);
    expect(session.headers['cache-control']).toBe('no-store');

    const client = await inject({ method: 'POST', url: '/api/v1/clients', headers: asAdmin(), payload: { name: 'Lobby screen', scopes: ['openid'] } });
    expect(client.statusCode).toBe(201);
    expect(client.headers['cache-control']).toBe('no-store');
    const screen = await inject({
      method: 'POST',
      url: '/oauth/device_authorization',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ client_id: client.json().client.client_id }).toString(),
    });
    expect(screen.statusCode).toBe(200);
    expect(screen.headers['cache-control']).toBe('no-store');
    const code = screen.json().user_code as string;

    const view = await inject({ url: `/api/v1/login-requests/${code}`, headers: asAdmin() });
    expect(view.statusCode).toBe(200);
    expect(view.headers['cache-control']).toBe('no-store');
    const deny = await inject({ method: 'POST', url: `/api/v1/login-requests/${code}/deny`, headers: asAdmin(), payload: {} });
    expect(deny.statusCode).toBe(200);
    expect(deny.headers['cache-control']).toBe('no-store');

    // Refusals too, and a signed-out /me.
    const out = await inject({ url: '/api/v1/me' });
    expect(out.statusCode).toBe(401);
    expect(out.headers['cache-control']).toBe('no-store');
    expect(out.headers['x-content-type-options']).toBe('nosniff');
  });

  it('leaves caching that a route chose alone, and sniffs nothing anywhere', async () => {
    const discovery = await inject({ url: '/.well-known/openid-configuration' });
    expect(discovery.statusCode).toBe(200);
    expect(discovery.headers['cache-control']).not.toBe('no-store');
    expect(discovery.headers['x-content-type-options']).toBe('nosniff');

    const page = await inject({ url: '/signin' });
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    const asset = await inject({ url: script });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    expect(asset.headers['cache-control']).toContain('immutable');

    const notFound = await inject({ url: '/no-such-page' });
    expect(notFound.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the API documentation page may not be framed either', async () => {
    const docs = await inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
    expect(docs.headers['x-frame-options']).toBe('DENY');
    expect(directives(String(docs.headers['content-security-policy'])).get('frame-ancestors')).toEqual(["'none'"]);
  });
});
