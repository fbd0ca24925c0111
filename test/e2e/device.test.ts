import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUserCode } from '../../web/lib/user-code.js';
import { hasChromium, launchChromium, newContext, requirePage } from '../support/browser.js';
import { TestClock } from '../support/test-clock.js';
import { ADMIN, signIn, startTestNode } from '../support/test-node.js';

/** Set to a folder to keep screenshots of the approve page in each language. */
const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;

/** What the screen's browser says it is; the phone should show "Chrome on Windows". */
const SCREEN_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const MEMBER = { email: 'second-phone@test.local', password: 'another long password' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

type Node = Awaited<ReturnType<typeof startTestNode>>;

interface Started {
  device_code: string;
  user_code: string;
  verification_uri_complete: string;
  live: { channel: string; token: string };
}

describe('typed user codes (parseUserCode)', () => {
  it.each([
    ['BCDF-GHJK', 'BCDF-GHJK'],
    ['bcdfghjk', 'BCDF-GHJK'],
    [' bcdf ghjk ', 'BCDF-GHJK'],
    ['bcdf\u2013ghjk', 'BCDF-GHJK'],
    ['BCDF-GHJ', null],
    ['ABCD-EFGH', null],
    ['', null],
  ])('%j -> %j', (raw, want) => {
    expect(parseUserCode(raw)).toBe(want);
  });
});

describe.skipIf(!hasChromium())('the /device approve page in Chromium', () => {
  let node: Node;
  let browser: Browser;
  let clientId: string;
  /** Phones already signed in: the admin's and a member's. */
  let adminPhone: BrowserContext;
  let memberPhone: BrowserContext;
  const contexts: BrowserContext[] = [];
  const nodes: Node[] = [];

  async function createClient(n: Node): Promise<string> {
    const admin = await signIn(n.url);
    const res = await fetch(`${n.url}/api/v1/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ name: 'Living-room TV', scopes: ['openid', 'profile', 'email'] }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { client: { client_id: string } }).client.client_id;
  }

  async function phone(baseUrl: string, opts: { locale?: string; user?: { email: string; password: string } } = {}): Promise<BrowserContext> {
    const context = await newContext(browser, baseUrl, { ...PHONE, locale: opts.locale ?? 'en-US' });
    contexts.push(context);
    await context.route((u) => u.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
    if (opts.user) {
      // The context's request client shares the browser's cookie jar.
      const res = await context.request.post('/api/v1/session', { data: opts.user });
      expect(res.status()).toBe(200);
    }
    return context;
  }

  beforeAll(async () => {
    requirePage('device.html');
    [node, browser] = await Promise.all([startTestNode({ userCodeAttemptsPerMinute: 10_000 }), launchChromium()]);
    nodes.push(node);
    clientId = await createClient(node);
    const admin = await signIn(node.url);
    const created = await fetch(`${node.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ ...MEMBER, role: 'member', name: 'Second Phone' }),
    });
    expect(created.status).toBe(201);
    [adminPhone, memberPhone] = await Promise.all([phone(node.url, { user: ADMIN }), phone(node.url, { user: MEMBER })]);
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), ...nodes.map((n) => n.close())]);
  });

  /** What a screen does: ask for a login, as a browser on Windows. */
  async function startLogin(opts: { live?: boolean; n?: Node; client?: string } = {}): Promise<Started> {
    const n = opts.n ?? node;
    const form = new URLSearchParams({ client_id: opts.client ?? clientId, scope: 'openid profile' });
    if (opts.live) form.set('live', 'true');
    const res = await fetch(`${n.url}/oauth/device_authorization`, { method: 'POST', headers: { 'user-agent': SCREEN_UA }, body: form });
    expect(res.status).toBe(200);
    return (await res.json()) as Started;
  }

  /** The number the screen shows once the phone has opened the request. */
  async function screenNumber(s: Started): Promise<number> {
    const q = new URLSearchParams({ channel: s.live.channel, token: s.live.token, wait: '0' });
    const res = await fetch(`${node.url}/v1/live/poll?${q}`);
    expect(res.status).toBe(200);
    const frame = (await res.json()) as { type: string; data: { match_number: number | null } };
    expect(frame.type).toBe('scanned');
    expect(frame.data.match_number).toEqual(expect.any(Number));
    return frame.data.match_number!;
  }

  /** What the screen gets from the token endpoint. */
  async function redeem(s: Started): Promise<{ status: number; body: Record<string, unknown> }> {
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: s.device_code, client_id: clientId });
    const res = await fetch(`${node.url}/oauth/token`, { method: 'POST', body: form });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** The path of the link in the QR code. */
  const qrPath = (s: Started) => {
    const u = new URL(s.verification_uri_complete);
    expect(u.origin).toBe(node.url);
    expect(u.pathname).toBe('/device');
    return `${u.pathname}${u.search}`;
  };

  async function waitForRequest(page: Page): Promise<void> {
    await page.getByTestId('request-app').waitFor({ state: 'visible' });
  }

  async function expectResult(page: Page, status: string, text: string): Promise<void> {
    const result = page.getByTestId('result');
    await result.waitFor({ state: 'visible' });
    expect(await result.getAttribute('data-status')).toBe(status);
    expect(await result.innerText()).toContain(text);
  }

  async function expectError(page: Page, code: string, text: string): Promise<void> {
    const box = page.getByTestId('error');
    await box.waitFor({ state: 'visible' });
    expect(await box.getAttribute('data-code')).toBe(code);
    expect(await page.getByRole('alert').innerText()).toBe(text);
  }

  it('not signed in: sign in first, then see who is asking, pick the right number, approve; the screen gets its tokens', async () => {
    const s = await startLogin({ live: true });
    const page = await (await phone(node.url)).newPage();
    await page.goto(qrPath(s));

    // Redirected to sign in, and back onto the request afterwards.
    await page.waitForURL((u) => u.pathname === '/signin');
    expect(new URL(page.url()).searchParams.get('next')).toBe(`/device?user_code=${s.user_code}`);
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/device');
    await waitForRequest(page);

    await page.getByRole('heading', { name: 'Sign in on another screen?' }).waitFor();
    expect(await page.getByTestId('request-app').innerText()).toBe('Living-room TV');
    expect(await page.getByTestId('request-scopes').locator('li').allInnerTexts()).toEqual(['Sign you in', 'See your name']);
    expect(await page.getByTestId('request-screen').innerText()).toBe('Chrome on Windows · 127.0.0.1');
    expect(await page.getByTestId('request-code').innerText()).toBe(s.user_code);
    expect(await page.getByTestId('request-started').innerText()).toMatch(/^(now|\d+ seconds? ago)$/);
    expect(await page.getByTestId('countdown').innerText()).toMatch(/^This request expires in [45]:\d\d\.$/);

    // Approve waits for the number; Approve and Deny look equally important.
    await page.getByText('Pick the number shown on the screen', { exact: true }).waitFor();
    const choices = page.getByTestId('match-choice');
    expect(await choices.count()).toBe(3);
    expect(await page.getByTestId('approve').isDisabled()).toBe(true);
    expect(await page.getByTestId('deny').isEnabled()).toBe(true);
    const look = (sel: string) =>
      page.getByTestId(sel).evaluate((el) => {
        const r = el.getBoundingClientRect();
        const cs = getComputedStyle(el);
        return { w: Math.round(r.width), h: Math.round(r.height), weight: cs.fontWeight, size: cs.fontSize, border: cs.borderWidth, tag: el.tagName };
      });
    const [approveLook, denyLook] = await Promise.all([look('approve'), look('deny')]);
    expect(approveLook).toEqual(denyLook);
    expect(approveLook.h).toBeGreaterThanOrEqual(48);

    const n = await screenNumber(s);
    expect((await choices.allInnerTexts()).map(Number)).toContain(n);
    await choices.filter({ hasText: new RegExp(`^${n}$`) }).click();
    expect(await page.getByTestId('approve').isEnabled()).toBe(true);
    await page.getByTestId('approve').click();
    await expectResult(page, 'approved', 'You are signed in on the screen. You can close this page.');

    const tokens = await redeem(s);
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), id_token: expect.any(String), scope: 'openid profile' });
  });

  it('Deny: the page says so and the screen gets access_denied', async () => {
    const s = await startLogin({ live: true });
    const page = await adminPhone.newPage();
    await page.goto(qrPath(s));
    await waitForRequest(page);
    await page.getByTestId('deny').click();
    await expectResult(page, 'denied', 'Request denied. The screen was not signed in.');
    expect(await redeem(s)).toMatchObject({ status: 400, body: { error: 'access_denied' } });
    await page.close();
  });

  it('a second phone opening the same code is refused; the first phone picking a wrong number cancels the request', async () => {
    const s = await startLogin({ live: true });
    const first = await adminPhone.newPage();
    await first.goto(qrPath(s));
    await waitForRequest(first);

    const second = await memberPhone.newPage();
    await second.goto(qrPath(s));
    await expectError(
      second,
      'claimed_elsewhere',
      'Someone else has already scanned this code, so this phone cannot approve it. If that was not you, do not approve anything: someone may be trying to sign in as you. Ask the screen for a new code.',
    );
    await second.getByRole('heading', { name: 'Someone else scanned this code' }).waitFor();
    if (SCREENSHOTS) await second.screenshot({ path: path.join(SCREENSHOTS, 'device-claimed-elsewhere.png'), fullPage: true });
    expect(await second.getByTestId('approve').isVisible()).toBe(false);

    const n = await screenNumber(s);
    const wrong = (await first.getByTestId('match-choice').allInnerTexts()).find((t) => Number(t) !== n)!;
    await first.getByTestId('match-choice').filter({ hasText: new RegExp(`^${wrong}$`) }).click();
    await first.getByTestId('approve').click();
    await expectResult(first, 'cancelled', 'That was not the number on the screen. The request was cancelled for your safety.');
    if (SCREENSHOTS) await first.screenshot({ path: path.join(SCREENSHOTS, 'device-cancelled.png'), fullPage: true });
    expect(await redeem(s)).toMatchObject({ status: 400, body: { error: 'access_denied' } });

    // Opening it again afterwards: the code is spent.
    await second.reload();
    await expectError(second, 'code_used', 'This code has already been used. Ask the screen for a new code if you still want to sign in.');
    await Promise.all([first.close(), second.close()]);
  });

  it('typed code (lower case, no dash) without a live screen: no number to pick, Approve works at once', async () => {
    const s = await startLogin();
    const page = await adminPhone.newPage();
    await page.goto('/device');
    await page.getByRole('heading', { name: 'Sign in on a screen' }).waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'device-entry.png'), fullPage: true });
    const input = page.getByRole('textbox', { name: 'Code' });
    expect(await input.getAttribute('name')).toBe('user_code');
    expect(await input.getAttribute('autocapitalize')).toBe('characters');

    // Nothing typed, then something that cannot be a code: told in the page.
    await page.getByTestId('continue').click();
    await page.getByText('Enter the code shown on the screen.', { exact: true }).waitFor();
    await input.fill('hello');
    await page.getByTestId('continue').click();
    await page.getByText('That does not look like a code. It has 8 letters, like BCDF-GHJK.', { exact: true }).waitFor();

    await input.fill(s.user_code.replace('-', '').toLowerCase());
    await page.getByTestId('continue').click();
    await waitForRequest(page);
    expect(new URL(page.url()).searchParams.get('user_code')).toBe(s.user_code);
    expect(await page.getByTestId('request-code').innerText()).toBe(s.user_code);
    expect(await page.getByTestId('match-choice').count()).toBe(0);
    expect(await page.getByText('Pick the number shown on the screen', { exact: true }).isVisible()).toBe(false);
    await page.getByTestId('approve').click();
    await expectResult(page, 'approved', 'You are signed in on the screen. You can close this page.');
    expect((await redeem(s)).status).toBe(200);
    await page.close();
  });

  it('an unknown code says so and offers to type it again', async () => {
    const page = await adminPhone.newPage();
    await page.goto('/device?user_code=BCDF-GHJK');
    await expectError(page, 'unknown_code', 'There is no sign-in request with this code. Check the code on the screen and type it again.');
    await page.getByRole('button', { name: 'Type the code again' }).click();
    const input = page.getByRole('textbox', { name: 'Code' });
    await input.waitFor();
    expect(await input.inputValue()).toBe('BCDF-GHJK');
    expect(new URL(page.url()).searchParams.has('user_code')).toBe(false);
    await page.close();
  });

  it('too many attempts and a lost connection are explained, with a way to try again', async () => {
    const s = await startLogin();
    const page = await adminPhone.newPage();
    const url = `**/api/v1/login-requests/${s.user_code}`;
    await page.route(url, (route) =>
      route.fulfill({ status: 429, headers: { 'retry-after': '30' }, contentType: 'application/json', body: JSON.stringify({ error: 'rate_limited', message: 'too many requests' }) }),
    );
    await page.goto(qrPath(s));
    await expectError(page, 'rate_limited', 'Too many attempts. Try again in 30 seconds.');

    await page.unroute(url);
    await page.route(url, (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: 'Try again' }).click();
    await expectError(page, 'network_error', 'Cannot reach the server. Check your connection and try again.');

    await page.unroute(url);
    await page.getByRole('button', { name: 'Try again' }).click();
    await waitForRequest(page);
    await page.close();
  });

  it('in Chinese (?lang=zh-CN) the request view is Chinese', async () => {
    const s = await startLogin({ live: true });
    // A phone of its own: ?lang= is remembered in a cookie, and the shared phones' other tests read English.
    const page = await (await phone(node.url, { user: ADMIN })).newPage();
    await page.goto(`${qrPath(s)}&lang=zh-CN`);
    await waitForRequest(page);
    expect(await page.title()).toBe('在屏幕上登录 · scanpass');
    await page.getByRole('heading', { name: '要在另一块屏幕上登录吗？' }).waitFor();
    expect(await page.getByTestId('request-scopes').locator('li').allInnerTexts()).toEqual(['为您登录', '查看您的姓名']);
    expect(await page.getByTestId('request-screen').innerText()).toBe('Windows 上的 Chrome · 127.0.0.1');
    expect(await page.getByTestId('countdown').innerText()).toMatch(/^此请求将在 [45]:\d\d 后过期。$/);
    await page.getByText('请选择屏幕上显示的数字', { exact: true }).waitFor();
    expect(await page.getByTestId('approve').innerText()).toBe('批准');
    expect(await page.getByTestId('deny').innerText()).toBe('拒绝');
    if (SCREENSHOTS) {
      await page.getByTestId('match-choice').first().click();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'device-zh-CN.png'), fullPage: true });
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'Sign in on another screen?' }).waitFor();
      expect(await page.getByTestId('request-screen').innerText()).toBe('Chrome on Windows · 127.0.0.1');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'device-en.png'), fullPage: true });
      await page.getByRole('button', { name: '中文' }).click();
    }
    await page.getByTestId('deny').click();
    await expectResult(page, 'denied', '请求已拒绝，屏幕未登录。');
    await page.close();
  });

  it('an expired code says so: expired before it was opened, or while the page was open', async () => {
    const clock = new TestClock();
    const short = await startTestNode({ loginTtlSeconds: 2, userCodeAttemptsPerMinute: 10_000 }, { clock });
    nodes.push(short);
    const client = await createClient(short);
    const page = await (await phone(short.url, { user: ADMIN })).newPage();

    const s = await startLogin({ n: short, client });
    clock.advance(2300);
    await page.goto(`/device?user_code=${s.user_code}`);
    await expectError(page, 'code_expired', 'This code has expired. Ask the screen for a new code, then scan it again.');
    await page.getByRole('heading', { name: 'This code has expired' }).waitFor();
    await page.getByRole('button', { name: 'Enter another code' }).waitFor();

    await page.close();

    // Open on time (five minutes on the main node), then let the phone's clock run past the end.
    const s2 = await startLogin();
    const open = await adminPhone.newPage();
    await open.clock.install();
    await open.goto(qrPath(s2));
    await waitForRequest(open);
    await open.clock.fastForward('05:01');
    await expectError(open, 'code_expired', 'This code has expired. Ask the screen for a new code, then scan it again.');
    await open.close();
  });
});
