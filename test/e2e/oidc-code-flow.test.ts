import { randomBytes } from 'node:crypto';
import http from 'node:http';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, recordCspViolations, requirePage, screenshot } from '../support/browser.js';
import { callAs } from '../support/json-api.js';
import { decodeQrPng } from '../support/qr-decode.js';
import { freePort, signIn, startTestNode } from '../support/test-node.js';

/**
 * OpenID Connect's authorization code flow in real Chromium, driven by
 * openid-client as a real relying party would: a small web app (node:http)
 * sends the browser to /oauth/authorize, our page shows a QR, a signed-in
 * phone scans it, picks the number the page shows and approves, and the
 * browser comes back to the app's callback, which redeems the code with its
 * PKCE verifier. Then refresh-token rotation and RP-initiated logout; the
 * page in Chinese; a denial on the phone; a browser already signed in here.
 */

const APP_NAME = 'Team Wiki';
const MEMBER = { email: 'cora.flow@example.org', password: 'code flow password', name: 'Cora Flow' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const SCOPE = 'openid profile email offline_access';

type Node = Awaited<ReturnType<typeof startTestNode>>;

interface RpSession {
  verifier: string;
  state: string;
  nonce: string;
  tokens?: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  logoutState?: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const htmlPage = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Team Wiki</title></head><body>${body}</body></html>`;

/**
 * The application: /login starts a sign-in (PKCE S256, state, nonce) and
 * sends the browser to scanpass; /callback redeems the code; /logout signs
 * out at scanpass (RP-initiated logout) and /logged-out is where it returns.
 * Its session is a cookie naming what it keeps in memory.
 */
async function startRelyingParty(config: client.Configuration, url: string) {
  const sessions = new Map<string, RpSession>();
  const sessionOf = (req: http.IncomingMessage) => {
    const sid = /(?:^|;\s*)rp_sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid ? sessions.get(sid) : undefined;
  };
  const send = (res: http.ServerResponse, status: number, body: string): void => void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(htmlPage(body));
  const routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse, current: URL) => Promise<void>> = {
    '/login': async (_req, res) => {
      const s: RpSession = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
      const sid = randomBytes(16).toString('hex');
      sessions.set(sid, s);
      const to = client.buildAuthorizationUrl(config, {
        redirect_uri: `${url}/callback`,
        scope: SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(s.verifier),
        code_challenge_method: 'S256',
        state: s.state,
        nonce: s.nonce,
      });
      res.writeHead(302, { location: to.href, 'set-cookie': `rp_sid=${sid}; Path=/; HttpOnly; SameSite=Lax` }).end();
    },
    '/callback': async (req, res, current) => {
      const s = sessionOf(req);
      if (!s) return send(res, 400, '<h1>No sign-in under way</h1>');
      try {
        s.tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce, idTokenExpected: true });
      } catch (err) {
        if (err instanceof client.AuthorizationResponseError) return send(res, 400, `<h1>Sign-in failed</h1><p id="error">${escapeHtml(err.error)}</p>`);
        throw err;
      }
      send(res, 200, `<h1>Signed in as ${escapeHtml(String(s.tokens.claims()?.name))}</h1>`);
    },
    '/logout': async (req, res) => {
      const s = sessionOf(req);
      if (!s?.tokens?.id_token) return send(res, 400, '<h1>Not signed in</h1>');
      s.logoutState = client.randomState();
      const to = client.buildEndSessionUrl(config, { id_token_hint: s.tokens.id_token, post_logout_redirect_uri: `${url}/logged-out`, state: s.logoutState });
      res.writeHead(302, { location: to.href }).end();
    },
    '/logged-out': async (req, res, current) => {
      const s = sessionOf(req);
      if (!s?.logoutState || current.searchParams.get('state') !== s.logoutState) return send(res, 400, '<h1>Unexpected logout</h1>');
      delete s.tokens;
      send(res, 200, '<h1>Signed out</h1>');
    },
  };
  const errors: string[] = [];
  const server = http.createServer((req, res) => {
    const current = new URL(req.url ?? '/', url);
    const route = routes[current.pathname];
    if (!route) return send(res, 404, '<h1>Not found</h1>');
    route(req, res, current).catch((err: unknown) => {
      errors.push(String(err));
      send(res, 500, `<h1>Error</h1><pre>${escapeHtml(String(err))}</pre>`);
    });
  });
  const port = Number(new URL(url).port);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url,
    /** Errors the app hit (a failed code exchange, say): shown on its page and kept for the assertion. */
    errors,
    /** What the app keeps for the browser of `page`. */
    async sessionOf(page: Page): Promise<RpSession> {
      const sid = (await page.context().cookies(url)).find((c) => c.name === 'rp_sid')?.value;
      const s = sid ? sessions.get(sid) : undefined;
      if (!s) throw new Error('the app has no session for this browser');
      return s;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!hasChromium())('OpenID authorization code flow in Chromium, with openid-client as the application', () => {
  let node: Node;
  let browser: Browser;
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let config: client.Configuration;
  let memberPhone: BrowserContext;
  const contexts: BrowserContext[] = [];
  const csp: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requirePage('authorize.html');
    const rpUrl = `http://127.0.0.1:${await freePort()}`;
    [node, browser] = await Promise.all([startTestNode(), launchChromium()]);
    const admin = await signIn(node.url);
    await callAs(node.url, admin, 'POST', '/api/v1/users', { ...MEMBER, role: 'member' }, 201);
    const registered = await callAs<{ client: { client_id: string }; client_secret: string }>(
      node.url,
      admin,
      'POST',
      '/api/v1/clients',
      { name: APP_NAME, confidential: true, scopes: ['openid', 'profile', 'email'], redirect_uris: [`${rpUrl}/callback`], post_logout_redirect_uris: [`${rpUrl}/logged-out`] },
      201,
    );
    const secret = registered.client_secret;
    config = await client.discovery(new URL(node.url), registered.client.client_id, secret, client.ClientSecretBasic(secret), { execute: [client.allowInsecureRequests] });
    rp = await startRelyingParty(config, rpUrl);
    memberPhone = await newContext(browser, node.url, { ...PHONE, locale: 'en-US' });
    contexts.push(memberPhone);
    await recordCspViolations(memberPhone, csp);
    expect((await memberPhone.request.post('/api/v1/session', { data: { email: MEMBER.email, password: MEMBER.password } })).status()).toBe(200);
  });

  beforeEach(() => {
    csp.length = 0;
    pageErrors.length = 0;
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close(), rp?.close()]);
  });

  /** The application's browser (a desktop), optionally signed in to scanpass already. */
  async function appBrowser(locale = 'en-US', signedIn = false): Promise<Page> {
    const context = await newContext(browser, node.url, { locale, viewport: { width: 1024, height: 820 } });
    contexts.push(context);
    await recordCspViolations(context, csp);
    if (signedIn) expect((await context.request.post('/api/v1/session', { data: { email: MEMBER.email, password: MEMBER.password } })).status()).toBe(200);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${locale}: ${err.message}`));
    return page;
  }

  /** The app's "Sign in" button: through the app's /login to our page. */
  async function startAtApp(page: Page): Promise<void> {
    await page.goto(`${rp.url}/login`);
    await page.waitForURL((u) => u.origin === node.url && u.pathname === '/authorize');
    expect(new URL(page.url()).searchParams.get('id')).toMatch(/\S/);
  }

  /** The QR the page shows, read from a screenshot as a phone's camera would, and the code shown beside it. */
  async function shownQr(page: Page): Promise<{ url: string; userCode: string }> {
    const el = page.getByTestId('qr-login');
    await expect.poll(() => el.getAttribute('data-state'), { timeout: 10_000 }).toBe('pending');
    const userCode = (await el.getAttribute('data-user-code'))!;
    expect(userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    await page.getByText(userCode, { exact: true }).waitFor();
    const img = el.locator('img[part=qr]');
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0), { timeout: 10_000 }).toBe(true);
    const texts = await decodeQrPng(await el.screenshot());
    expect(texts).toEqual([`${node.url}/device?user_code=${userCode}`]);
    return { url: texts[0]!, userCode };
  }

  /** The member's phone opens the QR's link and sees who is asking; approves with the number the app's page shows, or denies. */
  async function phoneDecides(app: Page, qr: { url: string; userCode: string }, decision: 'approve' | 'deny', shot?: string): Promise<void> {
    const phone = await memberPhone.newPage();
    phone.on('pageerror', (err) => pageErrors.push(`phone: ${err.message}`));
    await phone.goto(qr.url);
    await phone.getByTestId('request-app').waitFor();
    expect(await phone.getByTestId('request-app').innerText()).toBe(APP_NAME);
    expect(await phone.getByTestId('request-code').innerText()).toBe(qr.userCode);
    const result = phone.getByTestId('result');
    if (decision === 'approve') {
      // The scan reaches the app's page live: it now shows the number to pick.
      const el = app.getByTestId('qr-login');
      await expect.poll(() => el.getAttribute('data-state'), { timeout: 10_000 }).toBe('scanned');
      const n = (await el.getAttribute('data-match-number'))!;
      expect(n).toMatch(/^\d+$/);
      expect(await el.locator('[part=match-number]').innerText()).toBe(n);
      if (shot) await screenshot(app, shot);
      await phone.getByTestId('match-choice').filter({ hasText: new RegExp(`^${n}$`) }).click();
      await phone.getByTestId('approve').click();
      await result.waitFor();
      expect(await result.getAttribute('data-status')).toBe('approved');
    } else {
      await phone.getByTestId('deny').click();
      await result.waitFor();
      expect(await result.getAttribute('data-status')).toBe('denied');
    }
    await phone.close();
  }

  async function backAtApp(page: Page, path: string): Promise<URL> {
    await page.waitForURL((u) => u.origin === rp.url && u.pathname === path);
    return new URL(page.url());
  }

  const heading = (page: Page) => page.locator('h1:visible').first().innerText();

  it('signs in through the QR and a phone; refresh tokens rotate and a replay ends the sign-in; logout without a return page', async () => {
    const app = await appBrowser();
    await startAtApp(app);
    await app.getByRole('heading', { name: `Sign in to ${APP_NAME}`, exact: true }).waitFor();
    expect(await app.title()).toBe(`Sign in to ${APP_NAME} · scanpass`);
    expect(await app.getByText('Scan the code with a phone that is signed in to scanpass, then pick the number this page shows.').isVisible()).toBe(true);
    expect(await app.getByTestId('here').isVisible()).toBe(false);
    const qr = await shownQr(app);
    await screenshot(app, 'authorize-qr');

    await phoneDecides(app, qr, 'approve', 'authorize-scanned');
    const callback = await backAtApp(app, '/callback');
    expect(callback.searchParams.get('iss')).toBe(node.url);
    expect(callback.searchParams.get('code')).toMatch(/\S{20,}/);
    expect(await heading(app)).toBe(`Signed in as ${MEMBER.name}`);
    expect(rp.errors).toEqual([]);
    await screenshot(app, 'authorize-back-at-app');

    const session = await rp.sessionOf(app);
    const first = session.tokens!;
    expect(first.claims()).toMatchObject({ iss: node.url, name: MEMBER.name, email: MEMBER.email, nonce: session.nonce });
    expect(first.scope).toBe(SCOPE);
    expect((await client.fetchUserInfo(config, first.access_token, first.claims()!.sub)).email).toBe(MEMBER.email);

    // Refresh: a new refresh token each time; the spent one is refused.
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).toMatch(/\S{20,}/);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.claims()?.sub).toBe(first.claims()?.sub);
    session.tokens = second;
    await expect(client.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // A replayed refresh token ends the sign-in: the new one goes with it.
    await expect(client.refreshTokenGrant(config, second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    // Logging out with no page of the application to return to: our page says so.
    await app.goto(client.buildEndSessionUrl(config, { id_token_hint: second.id_token! }).href);
    await app.getByRole('heading', { name: 'Signed out', exact: true }).waitFor();
    expect(await app.getByTestId('over-text').innerText()).toBe('You are signed out of the application. You can close this page.');

    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('the page in Chinese', async () => {
    const app = await appBrowser('zh-CN');
    await startAtApp(app);
    await app.getByRole('heading', { name: `登录 ${APP_NAME}`, exact: true }).waitFor();
    expect(await app.title()).toBe(`登录 ${APP_NAME} · scanpass`);
    expect(await app.getByText('请用已登录 scanpass 的手机扫描二维码，然后选择本页显示的数字。').isVisible()).toBe(true);
    await shownQr(app);
    expect(await app.getByText('请用手机相机扫描二维码。', { exact: true }).isVisible()).toBe(true);
    expect(await app.getByTestId('cancel').innerText()).toBe('取消并返回');
    expect(await app.getByTestId('password').innerText()).toBe('改用密码登录');
    await screenshot(app, 'authorize-qr-zh-CN');
    // Both ways: the heading, the title and the QR's own texts follow a switch.
    await app.getByRole('button', { name: 'English' }).click();
    await app.getByRole('heading', { name: `Sign in to ${APP_NAME}`, exact: true }).waitFor();
    expect(await app.title()).toBe(`Sign in to ${APP_NAME} · scanpass`);
    await app.getByText('Scan the code with your phone\'s camera.').waitFor();
    await app.getByRole('button', { name: '中文' }).click();
    await app.getByRole('heading', { name: `登录 ${APP_NAME}`, exact: true }).waitFor();
    expect(await app.title()).toBe(`登录 ${APP_NAME} · scanpass`);
    await app.getByTestId('cancel').click();
    const back = await backAtApp(app, '/callback');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('a denial on the phone: the page says so and offers a new code; cancel takes the browser back with access_denied', async () => {
    const app = await appBrowser();
    await startAtApp(app);
    const qr = await shownQr(app);
    await phoneDecides(app, qr, 'deny');

    const denied = app.getByTestId('denied');
    await denied.waitFor();
    expect(await denied.getByRole('heading').innerText()).toBe('Sign-in declined');
    expect(await denied.innerText()).toContain('The phone declined, or picked a number that is not on this page.');
    // One way on: the page's button, not the QR element's own "Try again" beside it.
    expect(await app.getByTestId('qr-login').isVisible()).toBe(false);
    expect(await app.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    await screenshot(app, 'authorize-denied');

    // A new code: the box goes, a fresh QR comes.
    await denied.getByRole('button', { name: 'Show a new code' }).click();
    expect(await denied.isVisible()).toBe(false);
    expect(await app.getByTestId('qr-login').isVisible()).toBe(true);
    const again = await shownQr(app);
    expect(again.userCode).not.toBe(qr.userCode);

    await app.getByRole('button', { name: 'Cancel and go back' }).click();
    const back = await backAtApp(app, '/callback');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe((await rp.sessionOf(app)).state);
    expect(back.searchParams.get('iss')).toBe(node.url);
    expect(await heading(app)).toBe('Sign-in failed');
    expect(await app.locator('#error').innerText()).toBe('access_denied');
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('a browser already signed in to scanpass continues on the spot; the application logs out through scanpass', async () => {
    const app = await appBrowser('en-US', true);
    await startAtApp(app);
    const here = app.getByTestId('here');
    await here.waitFor();
    expect(await here.getByRole('heading').innerText()).toBe('Already signed in here');
    expect(await app.getByTestId('password').isVisible()).toBe(false);
    await screenshot(app, 'authorize-continue-as');
    await here.getByRole('button', { name: `Continue as ${MEMBER.name} (${MEMBER.email})`, exact: true }).click();
    await backAtApp(app, '/callback');
    expect(await heading(app)).toBe(`Signed in as ${MEMBER.name}`);
    const tokens = (await rp.sessionOf(app)).tokens!;
    expect(tokens.claims()).toMatchObject({ name: MEMBER.name, email: MEMBER.email });
    expect(rp.errors).toEqual([]);
    expect((await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).name).toBe(MEMBER.name);

    // RP-initiated logout: the application sends the browser to scanpass, which ends the sign-in and sends it back with the state.
    await app.goto(`${rp.url}/logout`);
    const loggedOut = await backAtApp(app, '/logged-out');
    expect(loggedOut.searchParams.get('state')).toBe((await rp.sessionOf(app)).logoutState);
    expect(await heading(app)).toBe('Signed out');
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).rejects.toMatchObject({ status: 401 });
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('"Use a password instead": sign in with a password and come back to the same page, then continue', async () => {
    const app = await appBrowser();
    await startAtApp(app);
    const back = app.url();
    await shownQr(app);
    await app.getByRole('link', { name: 'Use a password instead' }).click();
    await app.waitForURL((u) => u.pathname === '/signin');
    await app.getByLabel('Email', { exact: true }).fill(MEMBER.email);
    await app.getByLabel('Password', { exact: true }).fill(MEMBER.password);
    await app.getByRole('button', { name: 'Sign in', exact: true }).click();
    await app.waitForURL(back);
    await app.getByRole('button', { name: `Continue as ${MEMBER.name} (${MEMBER.email})`, exact: true }).click();
    await backAtApp(app, '/callback');
    expect(await heading(app)).toBe(`Signed in as ${MEMBER.name}`);
    expect(rp.errors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('an application asking to return to an unregistered address is stopped on our page, with the reason', async () => {
    const app = await appBrowser();
    const evil = client.buildAuthorizationUrl(config, { redirect_uri: 'https://evil.example/cb', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    await app.goto(evil.href);
    await app.waitForURL((u) => u.origin === node.url && u.pathname === '/authorize');
    await app.getByRole('heading', { name: 'The application sent an invalid request', exact: true }).waitFor();
    expect(await app.getByTestId('over-text').innerText()).toBe(
      'The application asked to return to an address it has not registered, so scanpass will not send you there. Tell whoever runs the application.',
    );
    await screenshot(app, 'authorize-refused');
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });
});
