import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleSite } from '../../examples/login-site/server.js';
import { WEB_ROOT } from '../../src/http/web-pages.js';
import { hasChromium, launchChromium, newContext } from '../support/browser.js';
import { ADMIN, freePort, signIn, startTestNode } from '../support/test-node.js';

/**
 * The example site (examples/login-site) with <scanpass-login> against a real
 * scanpass node: a "screen" browser shows the QR, a "phone" browser approves
 * through scanpass's /device page.
 */

/** Set to a folder to keep screenshots of the example page in each language. */
const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Site = Awaited<ReturnType<typeof startExampleSite>>;
const MEMBER = { email: 'second-phone@test.local', password: 'another long password', name: 'Second Phone' };

/** A scanpass node, a public client for the example site, the site itself, and a second user. */
async function setUp(overrides: Parameters<typeof startTestNode>[0] = {}): Promise<{ node: Node; site: Site; clientId: string }> {
  const node = await startTestNode(overrides);
  const admin = await signIn(node.url);
  const headers = { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf };
  const res = await fetch(`${node.url}/api/v1/clients`, { method: 'POST', headers, body: JSON.stringify({ name: 'Example site', scopes: ['openid', 'profile', 'email'] }) });
  expect(res.status).toBe(201);
  const { client } = (await res.json()) as { client: { client_id: string; confidential: boolean } };
  expect(client.confidential).toBe(false);
  const user = await fetch(`${node.url}/api/v1/users`, { method: 'POST', headers, body: JSON.stringify({ ...MEMBER, role: 'member' }) });
  expect(user.status).toBe(201);
  const site = await startExampleSite({ scanpassUrl: node.url, clientId: client.client_id, port: await freePort() });
  return { node, site, clientId: client.client_id };
}

describe('example login site', () => {
  let node: Node;
  let site: Site;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(WEB_ROOT, 'sdk', 'scanpass-login.js'))) {
      throw new Error(`the element bundle is not built (${WEB_ROOT}/sdk); run \`npx vite build\` (npm test does it in pretest)`);
    }
    ({ node, site } = await setUp());
  });

  afterAll(async () => {
    await Promise.allSettled([site?.close(), node?.close()]);
  });

  it('never sends the device_code to the browser, and only the starting browser may finish, once', async () => {
    const start = await fetch(`${site.url}/auth/qr/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(start.status).toBe(200);
    const text = await start.text();
    expect(text).not.toContain('device_code');
    const body = JSON.parse(text) as Record<string, unknown> & { handle: string; live: { channel: string; token: string } };
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'handle', 'interval', 'live', 'user_code', 'verification_uri', 'verification_uri_complete']);
    expect(body.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(body.handle).toMatch(/^[\w-]{32}$/);
    const browserCookie = start.headers.getSetCookie().find((c) => c.startsWith('site_browser='));
    expect(browserCookie).toMatch(/HttpOnly/i);

    const finish = (handle: string, cookie?: string) =>
      fetch(`${site.url}/auth/qr/finish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ handle }),
      });
    // Another browser (no cookie, or another one) cannot use the handle; an unknown handle is refused.
    expect((await finish(body.handle)).status).toBe(400);
    expect((await finish(body.handle, 'site_browser=someone-else')).status).toBe(400);
    expect((await finish('not-a-handle', browserCookie!.split(';')[0])).status).toBe(400);
    // Before approval the token endpoint says authorization_pending; the handle is spent either way.
    const early = await finish(body.handle, browserCookie!.split(';')[0]);
    expect(early.status).toBe(400);
    expect(await early.json()).toEqual({ error: 'authorization_pending' });
    expect((await finish(body.handle, browserCookie!.split(';')[0])).status).toBe(400);

    const home = await (await fetch(`${site.url}/`)).text();
    expect(home).toContain(`<script type="module" src="${node.url}/sdk/scanpass-login.js"></script>`);
    expect(home).toContain(`<scanpass-login server="${node.url}" start="/auth/qr/start">`);
  });

  it('scanpass serves the element as a cross-origin ES module at a stable URL', async () => {
    const res = await fetch(`${node.url}/sdk/scanpass-login.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    const js = await res.text();
    expect(js).toContain('scanpass-login');
    expect(js).not.toMatch(/^\s*import\s/m); // self-contained
  });

  describe.skipIf(!hasChromium())('in Chromium', () => {
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      browser = await launchChromium();
    });

    afterAll(async () => {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await browser?.close();
    });

    async function context(baseURL: string, locale = 'en-US'): Promise<BrowserContext> {
      const c = await newContext(browser, baseURL, { locale, viewport: { width: 520, height: 760 } });
      contexts.push(c);
      // Nothing may leave the machine.
      await c.route((u) => u.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
      return c;
    }

    /** The example site's home page, recording the element's events in `window.scanpassEvents`. */
    async function openScreen(siteUrl: string, locale = 'en-US'): Promise<Page> {
      const page = await (await context(siteUrl, locale)).newPage();
      await page.addInitScript(() => {
        const w = window as unknown as { scanpassEvents: string[] };
        w.scanpassEvents = [];
        for (const type of ['scanpass-approved', 'scanpass-denied', 'scanpass-expired', 'scanpass-error']) {
          document.addEventListener(type, () => w.scanpassEvents.push(type));
        }
      });
      await page.goto('/');
      await page.locator('scanpass-login[data-state="pending"]').waitFor();
      return page;
    }

    const element = (page: Page) => page.locator('scanpass-login');
    const attr = async (page: Page, name: string) => (await element(page).getAttribute(name))!;
    const events = (page: Page) => page.evaluate(() => (window as unknown as { scanpassEvents: string[] }).scanpassEvents);

    /** A phone signed in to scanpass through its sign-in page. */
    async function phone(scanpassUrl: string, who: { email: string; password: string } = ADMIN): Promise<Page> {
      const page = await (await context(scanpassUrl)).newPage();
      await page.goto(`/signin?next=${encodeURIComponent('/')}`);
      await page.getByLabel('Email', { exact: true }).fill(who.email);
      await page.getByLabel('Password', { exact: true }).fill(who.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/');
      return page;
    }

    /** The phone scans the screen's code: opens /device?user_code=..., claiming the request. */
    async function scan(phonePage: Page, screen: Page): Promise<void> {
      const uri = await attr(screen, 'data-verification-uri');
      await phonePage.goto(`${uri}?user_code=${encodeURIComponent(await attr(screen, 'data-user-code'))}`);
    }

    /** Waits for the screen to show "scanned" with its number, and returns the number. */
    async function scannedNumber(screen: Page): Promise<number> {
      await screen.locator('scanpass-login[data-state="scanned"]').waitFor();
      await screen.locator('scanpass-login [part="status"]').filter({ hasText: 'Scanned — confirm on your phone' }).waitFor();
      const shown = await screen.locator('scanpass-login [part="match-number"]').innerText();
      expect(shown).toMatch(/^\d{2}$/);
      expect(await attr(screen, 'data-match-number')).toBe(shown);
      return Number(shown);
    }

    async function approveOnPhone(phonePage: Page, match: number): Promise<void> {
      await phonePage.locator('[data-testid="match-choice"]', { hasText: String(match) }).click();
      await phonePage.locator('[data-testid="approve"]').click();
      await phonePage.locator('[data-testid="result"][data-status="approved"]').waitFor();
    }

    it('shows the QR, the code and the time left, in English and in Chinese', async () => {
      for (const [locale, texts, countdown] of [
        ['en-US', ['Sign in with your phone', "Scan the code with your phone's camera.", 'Or open 127.0.0.1'], /Code expires in (5:00|4:[0-5]\d)/],
        ['zh-CN', ['用手机扫码登录', '请用手机相机扫描二维码。', '或在手机上打开 127.0.0.1'], /二维码将在 (5:00|4:[0-5]\d) 后失效/],
      ] as const) {
        const screen = await openScreen(site.url, locale);
        const code = await attr(screen, 'data-user-code');
        expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
        expect(await attr(screen, 'data-verification-uri')).toBe(`${node.url}/device`);
        const qr = screen.locator('scanpass-login img[part="qr"]');
        expect(await qr.getAttribute('src')).toBe(`${node.url}/oauth/device/qr/${code}?format=svg`);
        await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
        expect(await screen.locator('scanpass-login [part="user-code"]').innerText()).toBe(code);
        const shadowText = await element(screen).evaluate((el) => el.shadowRoot!.textContent);
        for (const t of texts) expect(shadowText).toContain(t);
        expect(await screen.locator('scanpass-login [part="countdown"]').innerText()).toMatch(countdown);
        if (SCREENSHOTS) await screen.screenshot({ path: path.join(SCREENSHOTS, `login-example-${locale}.png`), fullPage: true });
        await screen.context().close();
      }
    });

    it('approval: the screen shows "scanned" and the number, then the site shows who signed in', async () => {
      const screen = await openScreen(site.url);
      const phonePage = await phone(node.url);
      await scan(phonePage, screen);
      const match = await scannedNumber(screen);
      const choices = await phonePage.locator('[data-testid="match-choice"]').allInnerTexts();
      expect(choices.map((c) => Number(c.trim()))).toContain(match);
      expect(choices).toHaveLength(3);
      if (SCREENSHOTS) await screen.screenshot({ path: path.join(SCREENSHOTS, 'login-example-scanned.png') });

      await approveOnPhone(phonePage, match);
      const signedIn = screen.locator('[data-testid="signed-in"]');
      await signedIn.waitFor();
      expect(await signedIn.innerText()).toBe(`Signed in as Administrator (${ADMIN.email})`);
      const session = (await screen.context().cookies()).find((c) => c.name === 'site_session');
      expect(session?.httpOnly).toBe(true);
    });

    it('deny: the screen shows the denial and "Try again" gets a new code', async () => {
      const screen = await openScreen(site.url);
      const first = await attr(screen, 'data-user-code');
      const phonePage = await phone(node.url);
      await scan(phonePage, screen);
      await scannedNumber(screen);
      await phonePage.locator('[data-testid="deny"]').click();
      await phonePage.locator('[data-testid="result"][data-status="denied"]').waitFor();

      await screen.locator('scanpass-login[data-state="denied"]').waitFor();
      await screen.locator('scanpass-login [part="status"]').filter({ hasText: 'Sign-in was denied on the phone.' }).waitFor();
      expect(await events(screen)).toEqual(['scanpass-denied']);
      if (SCREENSHOTS) await screen.screenshot({ path: path.join(SCREENSHOTS, 'login-example-denied.png') });
      await screen.locator('scanpass-login [part="button"]').filter({ hasText: 'Try again' }).click();
      await screen.locator('scanpass-login[data-state="pending"]').waitFor();
      expect(await attr(screen, 'data-user-code')).not.toBe(first);
      expect(await screen.locator('[data-testid="signed-in"]').count()).toBe(0);
    });

    it('a second phone is refused (claimed_elsewhere) once the first one has scanned', async () => {
      const screen = await openScreen(site.url);
      const code = await attr(screen, 'data-user-code');
      const [first, second] = await Promise.all([phone(node.url), phone(node.url, MEMBER)]);
      await scan(first, screen);
      const match = await scannedNumber(screen);

      await scan(second, screen);
      await second.locator('[data-testid="error"][data-code="claimed_elsewhere"]').waitFor();
      const api = await second.request.get(`${node.url}/api/v1/login-requests/${code}`);
      expect(api.status()).toBe(409);
      expect(await api.json()).toMatchObject({ error: 'claimed_elsewhere' });

      // The screen still shows the same number, and the first phone can still approve.
      expect(await attr(screen, 'data-match-number')).toBe(String(match));
      await approveOnPhone(first, match);
      expect(await screen.locator('[data-testid="signed-in"]').innerText()).toBe(`Signed in as Administrator (${ADMIN.email})`);
    });

    it('without WebSocket (blocked) the element falls back to SSE or polling and still signs in', async () => {
      const c = await context(site.url);
      let refused = 0;
      await c.routeWebSocket(/\/v1\/live/, (ws) => {
        refused++;
        ws.close({ code: 1011 });
      });
      const screen = await c.newPage();
      await screen.goto('/');
      await screen.locator('scanpass-login[data-state="pending"]').waitFor();
      const code = await attr(screen, 'data-user-code');

      // This phone uses the API directly: claim, read the number off the screen, approve.
      const admin = await signIn(node.url);
      const headers = { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' };
      expect((await fetch(`${node.url}/api/v1/login-requests/${code}`, { headers: { cookie: admin.cookie } })).status).toBe(200);
      const match = await scannedNumber(screen);
      const res = await fetch(`${node.url}/api/v1/login-requests/${code}/approve`, { method: 'POST', headers, body: JSON.stringify({ match }) });
      expect(res.status).toBe(200);
      await screen.locator('[data-testid="signed-in"]').waitFor();
      expect(refused).toBeGreaterThan(0);
    });

    describe('with 5-second codes', () => {
      let shortNode: Node;
      let shortSite: Site;

      beforeAll(async () => {
        ({ node: shortNode, site: shortSite } = await setUp({ loginTtlSeconds: 5 }));
      });

      afterAll(async () => {
        await Promise.allSettled([shortSite?.close(), shortNode?.close()]);
      });

      it('an expired code is replaced by a new one on its own, and the new one can be approved', async () => {
        const phonePage = await phone(shortNode.url);
        const screen = await openScreen(shortSite.url);
        const first = await attr(screen, 'data-user-code');
        await screen.waitForFunction((old) => {
          const el = document.querySelector('scanpass-login');
          return el?.getAttribute('data-state') === 'pending' && el.getAttribute('data-user-code') !== old;
        }, first, { timeout: 12000, polling: 50 });
        expect(await events(screen)).toContain('scanpass-expired');
        const qr = await screen.locator('scanpass-login img[part="qr"]').getAttribute('src');
        expect(qr).toContain(await attr(screen, 'data-user-code'));

        // Scan and approve the new code before it expires in turn.
        await scan(phonePage, screen);
        await approveOnPhone(phonePage, await scannedNumber(screen));
        await screen.locator('[data-testid="signed-in"]').waitFor();
      });
    });
  });
});
