import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/domain/clock.js';
import { hasChromium, launchChromium, newContext, requirePage, screenshot } from '../support/browser.js';
import { signIn, startTestNode } from '../support/test-node.js';

/**
 * The phone's account page (/account) in Chromium: the screens and apps
 * signed in through the account (one by the device grant a day ago, one by
 * the OpenID Connect code flow just now), signing one of them out with the
 * confirm step, and what that did to its tokens; the page in Chinese; and
 * the page when nobody is signed in.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Session = { cookie: string; csrf: string };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PHONE_USER = { email: 'account.page@test.local', password: 'account page password', name: 'Ada Account' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, timezoneId: 'UTC' };
const REDIRECT = 'https://wiki.example.org/callback';
/** The TV that signed in by device grant ("Chrome on Linux"), and the app's browser of the code flow ("Firefox on Windows"). */
const TV_UA = 'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/76.0 TV Safari/537.36';
const APP_BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const HOUR = 3_600_000;

/** The server's time, set back to make a sign-in of yesterday; the browser keeps real time. */
class OffsetClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

describe.skipIf(!hasChromium())('the /account page in Chromium', () => {
  let node: Node;
  let browser: Browser;
  const clock = new OffsetClock();
  let phone: Session;
  let tv: Json;
  let wiki: Json;
  let wikiTokens: Json;
  let tvSignedInAt: number;
  const contexts: BrowserContext[] = [];
  /** The logout tokens the TV's back-channel endpoint received. */
  const backchannel: string[] = [];
  let receiver: http.Server;

  const api = async (s: Session | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${node.url}${path}`, {
      method,
      headers: { ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const token = async (form: Record<string, string>) => {
    const res = await fetch(`${node.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };
  const userinfo = async (accessToken: string) => (await fetch(`${node.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })).status;

  /** The TV asks (RFC 8628), the phone approves over the API, the TV gets its tokens. */
  async function deviceGrant(clientId: string): Promise<Json> {
    const res = await fetch(`${node.url}/oauth/device_authorization`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': TV_UA },
      body: new URLSearchParams({ client_id: clientId, scope: 'openid offline_access' }),
    });
    expect(res.status).toBe(200);
    const started = (await res.json()) as Json;
    const code = encodeURIComponent(started.user_code);
    expect((await api(phone, 'GET', `/api/v1/login-requests/${code}`)).status).toBe(200);
    expect((await api(phone, 'POST', `/api/v1/login-requests/${code}/approve`, {})).status).toBe(200);
    return token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started.device_code, client_id: clientId });
  }

  /** The app sends a browser to /oauth/authorize, the phone scans its QR, picks the number and approves; the app exchanges the code. */
  async function codeFlow(clientId: string): Promise<Json> {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const url = new URL('/oauth/authorize', node.url);
    const params = { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile', state: 'st', nonce: 'nn', code_challenge: challenge, code_challenge_method: 'S256' };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const visit = await fetch(url, { redirect: 'manual', headers: { 'user-agent': APP_BROWSER_UA } });
    expect(visit.status).toBe(303);
    const id = new URL(visit.headers.get('location')!, node.url).searchParams.get('id')!;
    const page: Session = { cookie: visit.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), csrf: '' };
    const qr = await api(page, 'POST', `/oauth/authorize/${id}/qr`, {}, { 'user-agent': APP_BROWSER_UA });
    expect(qr.status).toBe(200);
    const code = encodeURIComponent(qr.body.user_code);
    expect((await api(phone, 'GET', `/api/v1/login-requests/${code}`)).status).toBe(200);
    const q = new URLSearchParams({ channel: qr.body.live.channel, token: qr.body.live.token, after: '1', wait: '0' });
    const live = (await (await fetch(`${node.url}/v1/live/poll?${q}`)).json()) as Json;
    expect((await api(phone, 'POST', `/api/v1/login-requests/${code}/approve`, { match: live.data.match_number })).status).toBe(200);
    const fin = await api(page, 'POST', `/oauth/authorize/${id}/finish`, { handle: qr.body.handle }, { 'user-agent': APP_BROWSER_UA });
    expect(fin.status).toBe(200);
    const back = new URL(fin.body.redirect_to as string);
    return token({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier });
  }

  async function phonePage(opts: { locale?: string; signedIn?: boolean } = {}): Promise<Page> {
    const context = await newContext(browser, node.url, { ...PHONE, locale: opts.locale ?? 'en-US' });
    contexts.push(context);
    await context.route((u) => u.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
    if (opts.signedIn ?? true) {
      // The context's request client shares the browser's cookie jar.
      const res = await context.request.post('/api/v1/session', { data: { email: PHONE_USER.email, password: PHONE_USER.password } });
      expect(res.status()).toBe(200);
    }
    return context.newPage();
  }

  const entry = (page: Page, app: string): Locator => page.getByTestId('app').filter({ has: page.getByRole('heading', { name: app, exact: true }) });
  /** Each line of an entry, as a person reads it. */
  const lines = async (l: Locator) => (await l.innerText()).split('\n').map((s) => s.trim()).filter(Boolean);

  beforeAll(async () => {
    requirePage('account.html');
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        backchannel.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const backchannelUri = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel`;
    [node, browser] = await Promise.all([startTestNode({}, { clock }), launchChromium()]);
    const admin = await signIn(node.url);
    const created = await api(admin, 'POST', '/api/v1/users', { ...PHONE_USER, role: 'member' });
    expect(created.status).toBe(201);
    const tvReg = await api(admin, 'POST', '/api/v1/clients', { name: 'Living-room TV', scopes: ['openid'], grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], backchannel_logout_uri: backchannelUri });
    const wikiReg = await api(admin, 'POST', '/api/v1/clients', { name: 'Team Wiki', scopes: ['openid', 'profile'], redirect_uris: [REDIRECT] });
    expect([tvReg.status, wikiReg.status]).toEqual([201, 201]);
    tv = tvReg.body.client;
    wiki = wikiReg.body.client;

    // Yesterday: the TV signed in; two hours ago it last refreshed its tokens.
    clock.offsetMs = -26 * HOUR;
    tvSignedInAt = clock.now();
    phone = await signIn(node.url, PHONE_USER.email, PHONE_USER.password);
    const tvTokens = await deviceGrant(tv.client_id);
    clock.offsetMs = -2 * HOUR;
    await token({ grant_type: 'refresh_token', refresh_token: tvTokens.refresh_token, client_id: tv.client_id });
    // Now: the wiki, through its own sign-in page.
    clock.offsetMs = 0;
    wikiTokens = await codeFlow(wiki.client_id);
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close(), new Promise((r) => receiver?.close(r))]);
  });

  it('lists both sign-ins, newest first, and signs the wiki out after the confirm step: its entry goes, the page says what the wiki heard, its token is refused', async () => {
    const page = await phonePage();
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Signed-in screens and apps', level: 1 }).waitFor();
    await expect.poll(() => page.getByTestId('app').count()).toBe(2);
    expect(await page.getByTestId('app').locator('h2').allInnerTexts()).toEqual(['Team Wiki', 'Living-room TV']);

    expect(await lines(entry(page, 'Team Wiki'))).toEqual(['Team Wiki', 'Browser sent here by the app', 'Firefox on Windows', 'Signed in just now · last used just now', 'Sign out']);
    const yesterday = new Date(tvSignedInAt).toLocaleDateString('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' });
    const tvLines = await lines(entry(page, 'Living-room TV'));
    expect(tvLines.slice(0, 3)).toEqual(['Living-room TV', 'Screen that showed a QR code', 'Chrome on Linux']);
    expect(tvLines[3]).toMatch(new RegExp(`^Signed in ${yesterday}, \\d{1,2}:\\d\\d\\s[AP]M · last used 2 hours ago$`));
    await screenshot(page, 'account-en');

    // "Keep" undoes the first step; nothing is signed out.
    const wikiEntry = entry(page, 'Team Wiki');
    await wikiEntry.getByRole('button', { name: 'Sign out' }).click();
    expect(await wikiEntry.getByText('Sign out of Team Wiki?', { exact: true }).isVisible()).toBe(true);
    await wikiEntry.getByRole('button', { name: 'Keep' }).click();
    expect(await wikiEntry.getByText('Sign out of Team Wiki?', { exact: true }).isVisible()).toBe(false);
    expect(await userinfo(wikiTokens.access_token)).toBe(200);

    await wikiEntry.getByRole('button', { name: 'Sign out' }).click();
    await wikiEntry.getByTestId('confirm-sign-out').click();
    await expect.poll(() => page.getByTestId('app').count()).toBe(1);
    expect(await page.getByTestId('app').locator('h2').allInnerTexts()).toEqual(['Living-room TV']);
    // The wiki registered no back-channel logout URI: the person is told to sign out there too.
    expect(await page.getByTestId('outcome').innerText()).toBe('Signed out of Team Wiki. Team Wiki does not take sign-out notices; sign out there too if it is still open.');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[data-testid="outcome"]') !== null)).toBe(true);
    expect(await userinfo(wikiTokens.access_token)).toBe(401);
    expect((await api(phone, 'GET', '/api/v1/me/apps')).body.apps.map((a: Json) => a.client.name)).toEqual(['Living-room TV']);
    await screenshot(page, 'account-signed-out-one');
  });

  it('in Chinese: the heading, an entry and its confirm step', async () => {
    const page = await phonePage({ locale: 'zh-CN' });
    await page.goto('/account');
    await page.getByRole('heading', { name: '已登录的屏幕和应用', level: 1 }).waitFor();
    await expect.poll(() => page.getByTestId('app').count()).toBe(1);
    const tvEntry = entry(page, 'Living-room TV');
    expect((await lines(tvEntry)).slice(0, 4)).toEqual(['Living-room TV', '显示二维码的屏幕', 'Linux 上的 Chrome', expect.stringMatching(/^.+登录 · 最近使用：2小时前$/)]);
    await tvEntry.getByRole('button', { name: '退出登录' }).click();
    expect(await tvEntry.getByText('要退出 Living-room TV 吗？', { exact: true }).isVisible()).toBe(true);
    expect(await tvEntry.getByRole('button', { name: '保留' }).isVisible()).toBe(true);
    await screenshot(page, 'account-zh-CN');
  });

  it('not signed in: says so and links to sign in, which comes back here', async () => {
    const page = await phonePage({ signedIn: false });
    await page.goto('/account');
    const box = page.getByTestId('signed-out');
    await box.waitFor({ state: 'visible' });
    expect(await box.getByText('You are not signed in.', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByTestId('app').count()).toBe(0);
    await screenshot(page, 'account-signed-out');

    await box.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
    await page.getByLabel('Email', { exact: true }).fill(PHONE_USER.email);
    await page.getByLabel('Password', { exact: true }).fill(PHONE_USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/account');
    await expect.poll(() => page.getByTestId('app').count()).toBe(1);
  });

  it('a failed attempt shows an alert and keeps the entry; then the TV is signed out, was told over its back channel, and nothing is left', async () => {
    const page = await phonePage();
    await page.goto('/account');
    await expect.poll(() => page.getByTestId('app').count()).toBe(1);
    const tvEntry = entry(page, 'Living-room TV');

    // The server is briefly unavailable: the entry stays, with the reason, and can be tried again.
    await page.route('**/api/v1/me/apps/*', (route) =>
      route.request().method() === 'DELETE' ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'unavailable', message: 'busy' }) }) : route.continue(),
    );
    await tvEntry.getByRole('button', { name: 'Sign out' }).click();
    await tvEntry.getByTestId('confirm-sign-out').click();
    await expect.poll(() => tvEntry.getByRole('alert').innerText().catch(() => '')).toBe('The service is busy or restarting. Try again in a moment.');
    expect(await tvEntry.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(backchannel).toHaveLength(0);
    await page.unroute('**/api/v1/me/apps/*');

    await tvEntry.getByRole('button', { name: 'Sign out' }).click();
    await tvEntry.getByTestId('confirm-sign-out').click();
    const none = page.getByTestId('empty');
    await none.waitFor({ state: 'visible' });
    expect(await page.getByTestId('outcome').innerText()).toBe('Signed out of Living-room TV. Living-room TV was told.');
    expect(await page.getByTestId('app').count()).toBe(0);
    expect(backchannel).toHaveLength(1);

    // Opened afterwards: nothing to list, and the way home.
    await page.reload();
    await none.waitFor({ state: 'visible' });
    expect(await none.getByText('No screens or apps are signed in through your account.', { exact: true }).isVisible()).toBe(true);
    expect(await none.getByRole('link', { name: 'Go to the home page' }).getAttribute('href')).toBe('/');
    expect(await page.getByTestId('apps').isVisible()).toBe(false);
    await screenshot(page, 'account-none');
  });

  it('the home page links here for a signed-in person', async () => {
    const page = await phonePage();
    await page.goto('/');
    const link = page.getByRole('link', { name: 'Signed-in screens and apps' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('/account');
  });

  it('after approving a screen, /device links here; after denying, it does not', async () => {
    const start = async () => {
      const res = await fetch(`${node.url}/oauth/device_authorization`, { method: 'POST', headers: { 'user-agent': TV_UA }, body: new URLSearchParams({ client_id: tv.client_id, scope: 'openid' }) });
      return ((await res.json()) as Json).user_code as string;
    };
    const page = await phonePage();
    for (const [decision, linked] of [['deny', false], ['approve', true]] as const) {
      await page.goto(`/device?user_code=${encodeURIComponent(await start())}`);
      await page.getByTestId(decision).click();
      await page.getByTestId('result').waitFor({ state: 'visible' });
      expect(await page.getByTestId('account-link').isVisible()).toBe(linked);
    }
    await page.getByRole('link', { name: 'See where you are signed in' }).click();
    await page.waitForURL((u) => u.pathname === '/account');
    await page.getByRole('heading', { name: 'Signed-in screens and apps', level: 1 }).waitFor();
  });
});
