import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGES } from '../../src/http/web-pages.js';
import { hasChromium, launchChromium, newContext, recordCspViolations, requirePage, screenshot } from '../support/browser.js';
import { callAs, type SignedIn } from '../support/json-api.js';
import { ADMIN, signIn, startTestNode } from '../support/test-node.js';

/**
 * Everyone finds their way, in real Chromium: an unknown address shows the
 * not-found page (status 404) in the person's language with a working way
 * home; the home page offers what each role can do (member, staff, admin,
 * signed out) and every entry opens its page; and no page is a dead end:
 * each one has a visible link home.
 */

const PASSWORD = 'a long enough password';
const MEMBER = { email: 'mia@test.local', name: 'Mia Member' };
const STAFF = { email: 'sam@test.local', name: 'Sam Staff' };
const MIN = 60_000;

type Node = Awaited<ReturnType<typeof startTestNode>>;

describe.skipIf(!hasChromium())('home page and not-found page in Chromium', () => {
  let node: Node;
  let browser: Browser;
  let admin: SignedIn;
  const contexts: BrowserContext[] = [];
  /** Content-Security-Policy violations on any page: none expected. */
  const csp: string[] = [];
  /** The staff member's session, and one they are not assigned to (an admin sees both). */
  const sessions = {} as Record<'keynote' | 'workshop', string>;
  let eventId: string;

  beforeAll(async () => {
    requirePage('not-found.html');
    [node, browser] = await Promise.all([startTestNode(), launchChromium()]);
    admin = await signIn(node.url);
    const call = <T>(method: string, url: string, body: unknown, status = 201) => callAs<T>(node.url, admin, method, url, body, status);
    await call('POST', '/api/v1/users', { ...MEMBER, password: PASSWORD, role: 'member' });
    const sam = await call<{ id: string }>('POST', '/api/v1/users', { ...STAFF, password: PASSWORD, role: 'staff' });
    const now = Date.now();
    const event = await call<{ id: string }>('POST', '/api/v1/events', { name: 'Summit', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN });
    const session = (name: string) => call<{ id: string }>('POST', `/api/v1/events/${event.id}/sessions`, { name, starts_at: now - 10 * MIN, ends_at: now + 120 * MIN, all_attendees: true });
    eventId = event.id;
    sessions.keynote = (await session('Keynote')).id;
    sessions.workshop = (await session('Workshop')).id;
    await call('POST', `/api/v1/sessions/${sessions.keynote}/staff`, { user_id: sam.id }, 200);
    // The organiser added Mia by e-mail (another case, no account): her account finds the pass.
    await call('POST', `/api/v1/events/${event.id}/attendees`, { name: 'Mia M.', email: 'MIA@test.local' });
  });

  afterAll(async () => {
    expect(csp, 'Content-Security-Policy violations').toEqual([]);
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close()]);
  });

  /** A fresh browser profile in `locale`, signed in as `who` (through the API, sharing the profile's cookies). */
  async function browse(locale: string, who?: { email: string; password: string }): Promise<Page> {
    const context = await newContext(browser, node.url, { locale });
    contexts.push(context);
    await recordCspViolations(context, csp);
    const page = await context.newPage();
    if (who) expect((await page.request.post('/api/v1/session', { data: who })).status()).toBe(200);
    return page;
  }

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true, level: 1 }).waitFor();

  describe('an unknown address', () => {
    it('shows the not-found page in English with a working link home', async () => {
      const page = await browse('en-US');
      const res = await page.goto('/no-such-page/at%20all?x=1');
      expect(res?.status()).toBe(404);
      await heading(page, 'Page not found');
      expect(await page.title()).toBe('Page not found · scanpass');
      await page.getByText('There is no page at /no-such-page/at all. The address may be mistyped, or the link is out of date.', { exact: true }).waitFor();
      // The shared chrome: the brand link home and the language switch.
      expect(await page.locator('header.topbar a.brand').getAttribute('href')).toBe('/');
      await page.getByRole('group', { name: 'Language' }).waitFor();
      await screenshot(page, 'not-found-en');

      await page.getByRole('link', { name: 'Go to the home page' }).click();
      await page.waitForURL((u) => u.pathname === '/');
      await heading(page, 'Welcome to scanpass');
    });

    it('shows it in Chinese for a Chinese browser, and for ?lang=zh-CN at any depth, with a working link home', async () => {
      const page = await browse('zh-CN');
      expect((await page.goto('/nothing-here'))?.status()).toBe(404);
      await heading(page, '页面不存在');
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      expect(await page.title()).toBe('页面不存在 · scanpass');
      await page.getByText('/nothing-here 没有页面。可能是地址输错了，或者链接已经过期。', { exact: true }).waitFor();
      await screenshot(page, 'not-found-zh-CN');
      await page.getByRole('link', { name: '返回首页' }).click();
      await page.waitForURL((u) => u.pathname === '/');
      await heading(page, '欢迎使用 scanpass');

      const english = await browse('en-US');
      expect((await english.goto('/a/b/c/d?lang=zh-CN'))?.status()).toBe(404);
      await heading(english, '页面不存在');
      // The choice is remembered: home is in Chinese too.
      await english.getByRole('link', { name: '返回首页' }).click();
      await english.waitForURL((u) => u.pathname === '/');
      await heading(english, '欢迎使用 scanpass');
      await english.getByText('您尚未登录。', { exact: true }).waitFor();
    });

    it('an unknown API path opened in the browser still answers the JSON 404 with its code', async () => {
      const page = await browse('en-US');
      const res = await page.goto('/api/v1/no-such-thing');
      expect(res?.status()).toBe(404);
      expect(res?.headers()['content-type']).toMatch(/^application\/json/);
      expect(await res?.json()).toMatchObject({ error: 'not_found' });
    });
  });

  describe('the home page', () => {
    /** The entry's link, its href, and where clicking it lands (then back home). */
    async function follows(page: Page, name: string, href: string, lands: (p: Page) => Promise<void>): Promise<void> {
      const link = page.getByRole('link', { name, exact: true });
      await link.waitFor();
      expect(await link.getAttribute('href'), name).toBe(href);
      await link.click();
      await page.waitForURL((u) => `${u.pathname}${u.search}` === href);
      await lands(page);
      await page.goto('/');
    }

    it('signed out: sign in, and the code entries', async () => {
      const page = await browse('en-US');
      await page.goto('/');
      await page.getByText('You are not signed in.', { exact: true }).waitFor();
      await page.getByText('Sign in to share your details, see your passes and more.', { exact: true }).waitFor();
      await page.getByRole('heading', { name: 'Have a code?', exact: true }).waitFor();
      await screenshot(page, 'home-signed-out-en');
      for (const hidden of ['Share your details', 'Check-in scanner', 'Admin console', 'Sign out']) expect(await page.getByRole('link', { name: hidden }).count(), hidden).toBe(0);
      await follows(page, 'Sign in', '/signin', (p) => heading(p, 'Sign in'));
      await follows(page, 'Sign in on a screen', '/device', (p) => heading(p, 'Sign in on a screen'));
      await follows(page, 'Enter a share code', '/share/receive', (p) => heading(p, 'Shared with you'));
      expect(await page.getByRole('link', { name: 'API documentation' }).getAttribute('href')).toBe('/docs');
    });

    it('a member: share, the code entries, sign out; no scanner, dashboards or console', async () => {
      const page = await browse('en-US', { email: MEMBER.email, password: PASSWORD });
      await page.goto('/');
      await page.getByText('You are signed in.', { exact: true }).waitFor();
      expect(await page.locator('#user-role').innerText()).toBe('Member');
      await page.getByRole('heading', { name: 'Codes and sharing', exact: true }).waitFor();
      await screenshot(page, 'home-member-en');
      for (const hidden of ['Check-in scanner', 'Admin console', 'Sign in']) expect(await page.getByRole('link', { name: hidden, exact: true }).count(), hidden).toBe(0);
      expect(await page.getByTestId('staff-entries').isVisible()).toBe(false);
      expect(await page.getByTestId('admin-entry').isVisible()).toBe(false);
      // The pass an organiser added with her e-mail is hers.
      await page.getByTestId('my-passes').getByRole('heading', { name: 'My passes', exact: true }).waitFor();
      expect(await page.getByTestId('my-passes').getByRole('link').allInnerTexts()).toEqual(['Pass: Summit']);

      await follows(page, 'Pass: Summit', `/pass?event=${eventId}`, async (p) => {
        await p.getByTestId('pass-name').filter({ hasText: 'Mia M.' }).waitFor();
        expect(await p.getByTestId('pass-event').innerText()).toContain('Summit');
        expect(await p.getByTestId('pass-error').isVisible()).toBe(false);
      });
      await follows(page, 'Share your details', '/share', (p) => heading(p, 'Share your details'));
      await follows(page, 'Sign in on a screen', '/device', (p) => heading(p, 'Sign in on a screen'));
      await follows(page, 'Enter a share code', '/share/receive', (p) => heading(p, 'Shared with you'));
      await follows(page, 'Sign out', '/signout', (p) => heading(p, 'Sign out'));
    });

    it('staff: the scanner and the dashboard of their own session; no console', async () => {
      const page = await browse('en-US', { email: STAFF.email, password: PASSWORD });
      await page.goto('/');
      const staff = page.getByTestId('staff-entries');
      await staff.getByRole('heading', { name: 'Check-in', exact: true }).waitFor();
      const dashboards = page.getByTestId('dashboard-links').getByRole('link');
      await dashboards.first().waitFor();
      expect(await dashboards.allInnerTexts()).toEqual(['Dashboard: Keynote · Summit']);
      expect(await page.getByRole('link', { name: 'Admin console' }).count()).toBe(0);
      await screenshot(page, 'home-staff-en');

      await follows(page, 'Check-in scanner', '/scanner', (p) => heading(p, 'Check-in scanner'));
      await follows(page, 'Dashboard: Keynote · Summit', `/dashboard?session=${sessions.keynote}`, async (p) => {
        await heading(p, 'Session dashboard');
        await p.getByTestId('count-expected').waitFor();
      });
      await follows(page, 'Share your details', '/share', (p) => heading(p, 'Share your details'));
    });

    it('an admin: the console, the scanner and every session’s dashboard', async () => {
      const page = await browse('en-US', ADMIN);
      await page.goto('/');
      const dashboards = page.getByTestId('dashboard-links').getByRole('link');
      await dashboards.nth(1).waitFor();
      expect((await dashboards.allInnerTexts()).sort()).toEqual(['Dashboard: Keynote · Summit', 'Dashboard: Workshop · Summit']);
      await screenshot(page, 'home-admin-en');

      await follows(page, 'Admin console', '/admin', (p) => p.getByRole('navigation', { name: 'Console sections' }).waitFor());
      await follows(page, 'Check-in scanner', '/scanner', (p) => heading(p, 'Check-in scanner'));
      await follows(page, 'Dashboard: Workshop · Summit', `/dashboard?session=${sessions.workshop}`, (p) => heading(p, 'Session dashboard'));
    });

    it('in Chinese: the same entries, translated, and they work', async () => {
      const member = await browse('zh-CN', { email: MEMBER.email, password: PASSWORD });
      await member.goto('/');
      await member.getByText('您已登录。', { exact: true }).waitFor();
      await member.getByRole('heading', { name: '代码与分享', exact: true }).waitFor();
      await screenshot(member, 'home-member-zh-CN');
      expect(await member.getByRole('link', { name: '管理控制台' }).count()).toBe(0);
      await follows(member, '签到码：Summit', `/pass?event=${eventId}`, (p) => p.getByTestId('pass-name').filter({ hasText: 'Mia M.' }).waitFor());
      await follows(member, '分享我的信息', '/share', (p) => heading(p, '分享我的信息'));
      await follows(member, '在屏幕上登录', '/device', (p) => heading(p, '在屏幕上登录'));
      await follows(member, '输入分享码', '/share/receive', (p) => heading(p, '分享给您的信息'));

      const staff = await browse('zh-CN', { email: STAFF.email, password: PASSWORD });
      await staff.goto('/');
      await staff.getByTestId('staff-entries').getByRole('heading', { name: '签到', exact: true }).waitFor();
      // Sam attends nothing: the section says so rather than hiding.
      await staff.getByTestId('my-passes').getByText('暂时没有签到码。', { exact: true }).waitFor();
      await follows(staff, '签到扫码', '/scanner', (p) => heading(p, '签到扫码'));
      await follows(staff, '看板：Keynote · Summit', `/dashboard?session=${sessions.keynote}`, (p) => heading(p, '场次看板'));

      const adminPage = await browse('zh-CN', ADMIN);
      await adminPage.goto('/');
      await adminPage.getByTestId('admin-entry').getByRole('heading', { name: '管理', exact: true }).waitFor();
      await screenshot(adminPage, 'home-admin-zh-CN');
      await follows(adminPage, '管理控制台', '/admin', async (p) => expect(new URL(p.url()).pathname).toBe('/admin'));
    });
  });

  it('no page is a dead end: every page shows a link home that works', async () => {
    const page = await browse('en-US', ADMIN);
    for (const url of [...Object.keys(PAGES).filter((u) => u !== '/'), '/no-such-page']) {
      await page.goto(url);
      const home = page.locator('a[href="/"]:visible').first();
      await home.waitFor({ timeout: 10_000 }).catch(() => {
        throw new Error(`${url} shows no link home`);
      });
      // The display board has no top bar: its own link, shown while there is no board (here: no ?q=).
      if (url === '/queue-board') await screenshot(page, 'way-home-queue-board-en');
      await home.click();
      await page.waitForURL((u) => u.pathname === '/');
      await heading(page, 'Welcome to scanpass');
    }
  });
});
