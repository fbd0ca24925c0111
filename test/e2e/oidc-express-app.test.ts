import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { auth, type ConfigParams } from 'express-openid-connect';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, requirePage, screenshot } from '../support/browser.js';
import { callAs } from '../support/json-api.js';
import { freePort, signIn, startTestNode } from '../support/test-node.js';

/**
 * A real web application on Express with express-openid-connect, the
 * maintained OpenID Connect middleware from npm, configured only through its
 * documented settings: it signs a user in through scanpass (authorization
 * code flow, PKCE, client_secret_basic) while a signed-in phone scans the QR
 * and approves, then logs out through scanpass's end-session endpoint
 * (idpLogout) and comes back to the application; and hears of a sign-in
 * ended from the phone through Back-Channel Logout (backchannelLogout).
 */

const APP_NAME = 'Express Notes';
const MEMBER = { email: 'ella.express@example.org', password: 'express app password', name: 'Ella <Express>' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

type Node = Awaited<ReturnType<typeof startTestNode>>;
type SignedInApp = { id: string; client: { client_id: string; name: string }; via: string };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The smallest express-session-compatible store (get, set, destroy), where the middleware keeps back-channel logouts. */
function memoryStore<T>() {
  const entries = new Map<string, T>();
  return {
    get: (key: string, cb: (err: unknown, value?: T | null) => void) => cb(null, entries.get(key)),
    set: (key: string, value: T, cb?: (err?: unknown) => void) => (entries.set(key, value), cb?.()),
    destroy: (key: string, cb?: (err?: unknown) => void) => (entries.delete(key), cb?.()),
  };
}

/** The application: `/` says who is signed in; /login, /callback, /logout and /backchannel-logout are the middleware's. */
async function startExpressApp(settings: ConfigParams, port: number) {
  const errors: string[] = [];
  const app = express();
  app.use(auth(settings));
  app.get('/', (req, res) => {
    const who = req.oidc.isAuthenticated() ? `Signed in as ${escapeHtml(String(req.oidc.user?.name))}` : 'Anonymous';
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${APP_NAME}</title></head><body><h1>${who}</h1></body></html>`);
  });
  // What the middleware throws (a refused code exchange, a bad id_token) is kept for the assertions, with its OAuth error.
  app.use((err: Error & { error?: string; error_description?: string }, _req: Request, res: Response, _next: NextFunction) => {
    errors.push([err.message, err.error, err.error_description].filter(Boolean).join(' | '));
    res.status(500).type('text').send(`error: ${err.message}`);
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return { errors, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.skipIf(!hasChromium())('a web app on express-openid-connect signs in through scanpass in Chromium', () => {
  let node: Node;
  let browser: Browser;
  let app: Awaited<ReturnType<typeof startExpressApp>>;
  let appUrl: string;
  let silentApp: Awaited<ReturnType<typeof startExpressApp>>;
  let silentUrl: string;
  let clientId: string;
  let memberPhone: BrowserContext;
  let phoneCsrf: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    requirePage('authorize.html');
    const [port, silentPort] = [await freePort(), await freePort()];
    appUrl = `http://127.0.0.1:${port}`;
    silentUrl = `http://127.0.0.1:${silentPort}`;
    [node, browser] = await Promise.all([startTestNode(), launchChromium()]);
    const admin = await signIn(node.url);
    await callAs(node.url, admin, 'POST', '/api/v1/users', { ...MEMBER, role: 'member' }, 201);
    // What the middleware sends: redirect_uri baseURL + routes.callback, post_logout_redirect_uri baseURL (routes.postLogoutRedirect unset).
    const registered = await callAs<{ client: { client_id: string }; client_secret: string }>(
      node.url,
      admin,
      'POST',
      '/api/v1/clients',
      { name: APP_NAME, confidential: true, scopes: ['openid', 'profile', 'email'], redirect_uris: [`${appUrl}/callback`, `${silentUrl}/callback`], post_logout_redirect_uris: [appUrl], backchannel_logout_uri: `${appUrl}/backchannel-logout` },
      201,
    );
    clientId = registered.client.client_id;
    const settings: ConfigParams = {
      issuerBaseURL: node.url,
      baseURL: appUrl,
      clientID: clientId,
      clientSecret: registered.client_secret,
      clientAuthMethod: 'client_secret_basic',
      secret: 'a long random value for the session cookie',
      authRequired: false,
      idpLogout: true,
      backchannelLogout: { store: memoryStore() },
      enableTelemetry: false,
      authorizationParams: { response_type: 'code', scope: 'openid profile email' },
    };
    // The same app, also trying a silent sign-in (prompt=none) on a first visit.
    [app, silentApp] = await Promise.all([startExpressApp(settings, port), startExpressApp({ ...settings, baseURL: silentUrl, attemptSilentLogin: true }, silentPort)]);
    memberPhone = await newContext(browser, node.url, { ...PHONE, locale: 'en-US' });
    contexts.push(memberPhone);
    const session = await memberPhone.request.post('/api/v1/session', { data: { email: MEMBER.email, password: MEMBER.password } });
    expect(session.status()).toBe(200);
    phoneCsrf = ((await session.json()) as { csrf_token: string }).csrf_token;
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close(), app?.close(), silentApp?.close()]);
  });

  /** The phone user's signed-in applications, as their account page lists them. */
  const appsOfPhone = async (): Promise<SignedInApp[]> => {
    const res = await memberPhone.request.get('/api/v1/me/apps');
    expect(res.status()).toBe(200);
    return ((await res.json()) as { apps: SignedInApp[] }).apps.filter((a) => a.client.client_id === clientId);
  };

  const heading = (page: Page) => page.locator('h1:visible').first().innerText();

  /** A fresh desktop browser on the app, recording the URLs it asks of scanpass at `path`. */
  async function appBrowser(baseUrl = appUrl): Promise<{ page: Page; requestsTo: (path: string) => URL[] }> {
    const context = await newContext(browser, baseUrl, { viewport: { width: 1024, height: 820 } });
    contexts.push(context);
    const page = await context.newPage();
    const seen: URL[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.origin === node.url) seen.push(u);
    });
    return { page, requestsTo: (path) => seen.filter((u) => u.pathname === path) };
  }

  /** From the app's /login to scanpass's QR page; the phone opens the QR's link, picks the number the page shows and approves. */
  async function signInThroughQr(page: Page): Promise<void> {
    await page.goto('/login');
    await page.waitForURL((u) => u.origin === node.url && u.pathname === '/authorize');
    await page.getByRole('heading', { name: `Sign in to ${APP_NAME}`, exact: true }).waitFor();
    const qr = page.getByTestId('qr-login');
    await expect.poll(() => qr.getAttribute('data-state'), { timeout: 10_000 }).toBe('pending');
    const userCode = (await qr.getAttribute('data-user-code'))!;
    expect(userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    await screenshot(page, 'express-app-qr');

    const phone = await memberPhone.newPage();
    await phone.goto(`/device?user_code=${userCode}`);
    await phone.getByTestId('request-app').waitFor();
    expect(await phone.getByTestId('request-app').innerText()).toBe(APP_NAME);
    await expect.poll(() => qr.getAttribute('data-state'), { timeout: 10_000 }).toBe('scanned');
    const n = (await qr.getAttribute('data-match-number'))!;
    expect(n).toMatch(/^\d+$/);
    await phone.getByTestId('match-choice').filter({ hasText: new RegExp(`^${n}$`) }).click();
    await phone.getByTestId('approve').click();
    await phone.getByTestId('result').waitFor();
    expect(await phone.getByTestId('result').getAttribute('data-status')).toBe('approved');
    await phone.close();

    // Back through the middleware's callback to the app's home page.
    await page.waitForURL((u) => u.origin === appUrl && u.pathname === '/', { timeout: 15_000 });
  }

  it("signs in through the QR and a phone that picks the page's number, then logs out through scanpass and back", async () => {
    const { page, requestsTo } = await appBrowser();
    await page.goto('/');
    expect(await heading(page)).toBe('Anonymous');
    const before = (await appsOfPhone()).map((a) => a.id);

    await signInThroughQr(page);
    expect(app.errors).toEqual([]);
    expect(await heading(page)).toBe(`Signed in as ${MEMBER.name}`);
    await screenshot(page, 'express-app-signed-in');
    // What the middleware asked for: the code flow with PKCE S256, back to its callback.
    const [authorize] = requestsTo('/oauth/authorize');
    expect(Object.fromEntries(authorize!.searchParams)).toMatchObject({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: `${appUrl}/callback`,
      scope: 'openid profile email',
      code_challenge_method: 'S256',
    });
    const added = (await appsOfPhone()).filter((a) => !before.includes(a.id));
    expect(added).toEqual([expect.objectContaining({ client: expect.objectContaining({ name: APP_NAME }), via: 'code' })]);

    // The app's logout (idpLogout) goes through scanpass's end-session endpoint and back to the app
    // (goto waits out the redirects; were it refused, scanpass's page and the reason would be in the URL).
    await page.goto('/logout');
    expect(page.url()).toBe(`${appUrl}/`);
    const [endSession] = requestsTo('/oauth/logout');
    expect(endSession!.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(endSession!.searchParams.get('post_logout_redirect_uri')).toBe(appUrl);
    expect(endSession!.searchParams.get('client_id')).toBe(clientId);
    expect(await heading(page)).toBe('Anonymous');
    expect(app.errors).toEqual([]);
    // The sign-in is over at scanpass too: gone from the phone user's list.
    expect((await appsOfPhone()).map((a) => a.id)).not.toContain(added[0]!.id);

    // Logging out again, signed out already: no id_token_hint, only client_id; scanpass still sends the browser back.
    await page.goto('/logout');
    expect(page.url()).toBe(`${appUrl}/`);
    const again = requestsTo('/oauth/logout')[1]!;
    expect(again.searchParams.has('id_token_hint')).toBe(false);
    expect(again.searchParams.get('client_id')).toBe(clientId);
    expect(await heading(page)).toBe('Anonymous');
  });

  it('a sign-in ended from the phone reaches the app by Back-Channel Logout: the app shows Anonymous again', async () => {
    const { page } = await appBrowser();
    await signInThroughQr(page);
    expect(await heading(page)).toBe(`Signed in as ${MEMBER.name}`);
    // The phone's list is newest first.
    const [signedIn] = await appsOfPhone();
    expect(signedIn).toMatchObject({ client: { name: APP_NAME }, via: 'code' });

    const ended = await memberPhone.request.delete(`/api/v1/me/apps/${signedIn!.id}`, { headers: { 'x-csrf-token': phoneCsrf } });
    expect(ended.status()).toBe(200);
    expect(await ended.json()).toEqual({ backchannel: 'delivered' });
    expect((await appsOfPhone()).map((a) => a.id)).not.toContain(signedIn!.id);

    await page.reload();
    expect(await heading(page)).toBe('Anonymous');
    expect(app.errors).toEqual([]);
  });

  it('attemptSilentLogin (prompt=none): a browser signed in to scanpass is signed in without a page; one that is not stays anonymous', async () => {
    const signedIn = await appBrowser(silentUrl);
    const session = await signedIn.page.context().request.post(`${node.url}/api/v1/session`, { data: { email: MEMBER.email, password: MEMBER.password } });
    expect(session.status()).toBe(200);
    await signedIn.page.goto('/');
    await expect.poll(() => heading(signedIn.page)).toBe(`Signed in as ${MEMBER.name}`);
    expect(new URL(signedIn.page.url()).origin).toBe(silentUrl);
    expect(signedIn.requestsTo('/oauth/authorize').map((u) => u.searchParams.get('prompt'))).toEqual(['none']);
    expect(signedIn.requestsTo('/authorize')).toEqual([]);

    const anonymous = await appBrowser(silentUrl);
    await anonymous.page.goto('/');
    expect(await heading(anonymous.page)).toBe('Anonymous');
    expect(anonymous.requestsTo('/oauth/authorize').map((u) => u.searchParams.get('prompt'))).toEqual(['none']);
    expect(anonymous.requestsTo('/authorize')).toEqual([]);
    expect(silentApp.errors).toEqual([]);
  });
});
