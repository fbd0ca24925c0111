import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../web/locales/en.js';
import { zhCN } from '../../web/locales/zh-CN.js';
import { hasChromium, launchChromium, newContext, recordCspViolations, requirePage } from '../support/browser.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/** Set to a folder to keep screenshots of the sign-in page in each language. */
const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;

describe('page dictionaries', () => {
  it('zh-CN has every English key, none empty, and the pages use only known keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    for (const v of Object.values(zhCN)) expect(v.trim()).not.toBe('');
    const webDir = path.resolve(import.meta.dirname, '../../web');
    for (const file of fs.readdirSync(webDir).filter((f) => f.endsWith('.html'))) {
      const html = fs.readFileSync(path.join(webDir, file), 'utf8');
      const keys = [...html.matchAll(/data-i18n="([^"]+)"/g), ...html.matchAll(/data-i18n-attr="[^"]*?:([^";]+)"/g)].map((m) => m[1]!);
      for (const k of keys) expect(en, `${file} uses ${k}`).toHaveProperty([k]);
    }
  });
});

describe.skipIf(!hasChromium())('sign-in pages in Chromium', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Content-Security-Policy violations on any page: none expected. */
  const csp: string[] = [];

  beforeAll(async () => {
    requirePage('signin.html');
    [node, browser] = await Promise.all([startTestNode(), launchChromium()]);
  });

  afterAll(async () => {
    expect(csp, 'Content-Security-Policy violations').toEqual([]);
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close()]);
  });

  async function open(url: string, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, node.url, { locale });
    contexts.push(context);
    await recordCspViolations(context, csp);
    // Nothing may leave the machine; an escaped redirect shows up as a wrong URL.
    await context.route((u) => u.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
    const page = await context.newPage();
    await page.goto(url);
    return { context, page };
  }

  async function fillAndSubmit(page: Page, labels: { email: string; password: string; submit: string }, email: string, password: string) {
    await page.getByLabel(labels.email, { exact: true }).fill(email);
    await page.getByLabel(labels.password, { exact: true }).fill(password);
    await page.getByRole('button', { name: labels.submit, exact: true }).click();
  }
  const EN = { email: 'Email', password: 'Password', submit: 'Sign in' };
  const ZH = { email: '邮箱', password: '密码', submit: '登录' };

  const shows = (page: Page, text: string) => page.getByText(text, { exact: true }).waitFor({ state: 'visible' });
  const sessionCookie = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === 'scanpass_session');

  it('signs in with the right password, lands on `next`, and home shows who is signed in', async () => {
    const { page } = await open(`/signin?next=${encodeURIComponent('/signout?from=signin')}`);
    await fillAndSubmit(page, EN, ADMIN.email, ADMIN.password);
    await page.waitForURL((u) => u.pathname === '/signout' && u.search === '?from=signin');
    await shows(page, `You are signed in as Administrator (${ADMIN.email}).`);

    await page.goto('/');
    await shows(page, 'You are signed in.');
    const facts = await page.locator('dl').innerText();
    expect(facts).toContain(ADMIN.email);
    expect(facts).toContain('Administrator');
    expect(await page.getByRole('link', { name: 'Sign out' }).getAttribute('href')).toBe('/signout');
    expect(await page.getByRole('link', { name: 'API documentation' }).getAttribute('href')).toBe('/docs');
  });

  it('a wrong password shows a clear error and sets no session cookie', async () => {
    const { context, page } = await open('/signin');
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'signin-en.png'), fullPage: true });

    // Empty form: checked in the page, in the page's language.
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await shows(page, 'Enter your email address.');
    await shows(page, 'Enter your password.');

    await fillAndSubmit(page, EN, ADMIN.email, 'not the password');
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'The email or password is incorrect.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(await sessionCookie(context)).toBeUndefined();
    expect((await page.request.get('/api/v1/me')).status()).toBe(401);
  });

  it('in zh-CN (?lang=zh-CN) the labels and the errors are Chinese', async () => {
    const { page } = await open('/signin?lang=zh-CN');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.title()).toBe('登录 · scanpass');
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await fillAndSubmit(page, ZH, ADMIN.email, 'not the password');
    await page.getByRole('alert').filter({ hasText: '邮箱或密码不正确。' }).waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'signin-zh-CN.png'), fullPage: true });

    // The choice is remembered: the next page without ?lang= is Chinese too.
    await page.goto('/');
    await shows(page, '欢迎使用 scanpass');
    await shows(page, '您尚未登录。');
  });

  it('follows the browser language, and the language switch changes the page and is remembered', async () => {
    const { context, page } = await open('/signin', 'zh-CN');
    await page.getByRole('heading', { name: '登录' }).waitFor();
    expect(await page.getByLabel('邮箱', { exact: true }).count()).toBe(1);

    const group = page.getByRole('group', { name: '语言' });
    await group.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByLabel('Email', { exact: true }).count()).toBe(1);
    expect(await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    expect((await context.cookies()).find((c) => c.name === 'scanpass_lang')?.value).toBe('en');

    // The saved choice beats the browser's language.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Errors shown after a switch are in the new language, and switch back with the page.
    await fillAndSubmit(page, EN, ADMIN.email, 'not the password');
    await page.getByRole('alert').filter({ hasText: 'The email or password is incorrect.' }).waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('alert').filter({ hasText: '邮箱或密码不正确。' }).waitFor();
  });

  it('tells the user when there were too many attempts or the server cannot be reached', async () => {
    const { page } = await open('/signin');
    await page.route('**/api/v1/session', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'retry-after': '42' },
        contentType: 'application/json',
        body: JSON.stringify({ error: 'rate_limited', message: 'too many requests; retry in 42 s' }),
      }),
    );
    await fillAndSubmit(page, EN, ADMIN.email, ADMIN.password);
    await page.getByRole('alert').filter({ hasText: 'Too many attempts. Try again in 42 seconds.' }).waitFor();

    await page.unroute('**/api/v1/session');
    await page.route('**/api/v1/session', (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Cannot reach the server. Check your connection and try again.' }).waitFor();
  });

  it('signs out from /signout: the API then says 401 and home offers to sign in', async () => {
    const { context, page } = await open('/signin?next=/signout');
    await fillAndSubmit(page, EN, ADMIN.email, ADMIN.password);
    await page.waitForURL((u) => u.pathname === '/signout');
    expect(await sessionCookie(context)).toBeDefined();

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await shows(page, 'You have signed out.');
    expect(await page.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toBe('/signin');
    const me = await page.request.get('/api/v1/me');
    expect(me.status()).toBe(401);
    expect(await me.json()).toMatchObject({ error: 'unauthorized' });
    expect(await sessionCookie(context)).toBeUndefined();

    await page.goto('/');
    await shows(page, 'You are not signed in.');
    expect(await page.getByRole('link', { name: 'Sign in', exact: true }).getAttribute('href')).toBe('/signin');

    await page.goto('/signout');
    await shows(page, 'You are not signed in.');
  });

  it('ignores a `next` that leaves the site and lands on /', async () => {
    const { page } = await open(`/signin?next=${encodeURIComponent('//evil.example')}`);
    await fillAndSubmit(page, EN, ADMIN.email, ADMIN.password);
    await page.waitForURL((u) => u.pathname !== '/signin');
    expect(page.url()).toBe(`${node.url}/`);
    await shows(page, ADMIN.email);

    // Dot segments that collapse into `//evil...` once parsed (the unit suite has the full list).
    for (const evil of ['https://evil.example/', '/\\evil.example', '/..//evil.example/phish', '/.//evil.example/phish', '/.%2e/..//evil.example/phish', '/%2e%2e//evil.example/phish']) {
      await page.goto(`/signin?next=${encodeURIComponent(evil)}`);
      // Already signed in: the page offers "Continue", which must not leave the site either.
      expect(await page.locator('#continue-link').getAttribute('href'), evil).toBe('/');
      await fillAndSubmit(page, EN, ADMIN.email, ADMIN.password);
      await page.waitForURL((u) => u.pathname !== '/signin');
      expect(page.url(), evil).toBe(`${node.url}/`);
    }
  });
});
