import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminConsoleSuite, DESKTOP } from '../support/admin-console.js';
import { hasChromium } from '../support/browser.js';
import { ADMIN } from '../support/test-node.js';

/** Set to a folder to keep screenshots of the console. */
const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;
const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const MEMBER = { email: 'member@test.local', password: 'member password 123', name: 'Mia Member' };

describe.skipIf(!hasChromium())('admin console: applications, in Chromium', () => {
  const suite = adminConsoleSuite({ ...MEMBER, role: 'member' });

  type Node = typeof suite.node;

  /** A browser profile, signed in as `user` when given, on the suite's node or on `node`. */
  async function profile(opts: { user?: { email: string; password: string }; locale?: string; desktop?: boolean; node?: Node } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await suite.profile({ locale: opts.locale ?? 'en-US', ...(opts.desktop ? DESKTOP : {}) }, opts.user, opts.node);
    return { context, page: await context.newPage() };
  }

  /** What a screen does to start a QR login (at the suite's node, or at `node`). */
  async function deviceAuthorization(fields: Record<string, string>, node: Node = suite.node): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${node.url}/oauth/device_authorization`, { method: 'POST', body: new URLSearchParams(fields) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const row = (page: Page, clientId: string) => page.locator(`tr[data-client-id="${clientId}"]`);

  async function register(page: Page, input: { name: string; clientId?: string; confidential?: boolean; scopes?: Record<string, boolean> }, labels = EN): Promise<void> {
    await page.getByLabel(labels.name, { exact: true }).fill(input.name);
    await page.getByLabel(labels.clientId, { exact: true }).fill(input.clientId ?? '');
    await page.getByLabel(labels.confidential).setChecked(input.confidential ?? false);
    for (const [scope, on] of Object.entries(input.scopes ?? {})) await page.locator(`input[name="scope"][value="${scope}"]`).setChecked(on);
    await page.getByRole('button', { name: labels.register, exact: true }).click();
  }
  const EN = { name: 'Name', clientId: 'Client ID (optional)', confidential: 'Confidential (has a secret)', register: 'Register' };
  const ZH = { name: '名称', clientId: '客户端 ID（可选）', confidential: '机密客户端（有密钥）', register: '注册' };

  it('signed out, /admin goes to sign-in and back; home links admins to the console', async () => {
    // A node of its own: the console is empty only where no other test registered an application.
    const { page } = await profile({ desktop: true, node: await suite.ownNode() });
    await page.goto('/admin');
    await page.waitForURL((u) => u.pathname === '/signin');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/admin');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin');
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    expect(await nav.getByRole('link', { name: 'Applications' }).getAttribute('aria-current')).toBe('page');
    await page.getByText('No applications yet. Register the first one above.').waitFor();

    await page.goto('/');
    const link = page.getByRole('link', { name: 'Admin console' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('/admin');
  });

  it('registers a public and a confidential client; the secret is shown once; both are listed and work at the device endpoint', async () => {
    // A node of its own: the list holds exactly the two registered here.
    const node = await suite.ownNode();
    const { context, page } = await profile({ user: ADMIN, desktop: true, node });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: node.url });
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Register an application' }).waitFor();

    // Defaults: openid and profile ticked, public.
    const ticked = await page.locator('input[name="scope"]').evaluateAll((els) => (els as HTMLInputElement[]).filter((e) => e.checked).map((e) => e.value));
    expect(ticked).toEqual(['openid', 'profile']);
    expect(await page.getByLabel('Confidential (has a secret)').isChecked()).toBe(false);

    // Checked in the page first.
    await register(page, { name: '  ', clientId: 'has space', scopes: { openid: false, profile: false } });
    await page.getByText('Enter a name for the application.').waitFor();
    await page.getByText('A client ID has 3–64 letters, digits, dots, dashes or underscores, and no spaces.').waitFor();
    await page.getByText('Tick at least one scope.').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    // A public client with a chosen id.
    await register(page, { name: 'Lobby screen', clientId: 'lobby-screen', scopes: { openid: true, profile: true } });
    const created = page.getByTestId('created');
    await created.getByText('Lobby screen is registered. Configure it with this client ID.').waitFor();
    expect(await page.getByLabel('Client ID', { exact: true }).inputValue()).toBe('lobby-screen');
    await created.getByText('This is a public client: it has no secret. Send only the client ID.').waitFor();
    expect(await page.getByTestId('created-secret').isVisible()).toBe(false);
    const lobby = row(page, 'lobby-screen');
    await lobby.waitFor();
    expect(await lobby.innerText()).toMatch(/Lobby screen[\s\S]*lobby-screen[\s\S]*Public[\s\S]*openid[\s\S]*profile/);
    // The form is ready for the next one, back to the defaults.
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('');

    // It works at once for a screen, with its scopes only.
    const started = await deviceAuthorization({ client_id: 'lobby-screen', scope: 'openid profile' }, node);
    expect(started.status).toBe(200);
    expect(started.body.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect((await deviceAuthorization({ client_id: 'lobby-screen', scope: 'openid email' }, node)).body.error).toBe('invalid_scope');

    // The same id again: a friendly error, and nothing is lost.
    await register(page, { name: 'Another lobby', clientId: 'lobby-screen' });
    const formError = page.getByTestId('form-error');
    await formError.getByText('An application with this client ID already exists. Choose another client ID, or leave it empty.').waitFor();
    expect(await formError.getAttribute('data-code')).toBe('client_exists');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Another lobby');

    // A confidential client with a made-up id: its secret is shown once, with a warning and a copy button.
    await register(page, { name: 'Billing server', confidential: true, scopes: { email: true } });
    expect(await formError.isVisible()).toBe(false);
    await created.getByText('Billing server is registered. Configure it with this client ID.').waitFor();
    const billingId = await page.getByLabel('Client ID', { exact: true }).inputValue();
    expect(billingId).toMatch(/^app_[A-Za-z0-9_-]+$/);
    const secretInput = page.getByLabel('Client secret', { exact: true });
    const secret = await secretInput.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(40);
    await created.getByText('Store the secret now, in your server’s configuration or a password manager. It is not shown again', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Copy the secret' }).click();
    await created.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-clients-en.png'), fullPage: true });

    const billing = row(page, billingId);
    await billing.waitFor();
    expect(await billing.innerText()).toMatch(/Billing server[\s\S]*Confidential[\s\S]*openid[\s\S]*profile[\s\S]*email/);
    expect(await page.getByTestId('client-row').count()).toBe(2);

    // The secret authenticates the client; without it the client is refused.
    expect((await deviceAuthorization({ client_id: billingId, client_secret: secret, scope: 'openid email' }, node)).status).toBe(200);
    const noSecret = await deviceAuthorization({ client_id: billingId }, node);
    expect([noSecret.status, noSecret.body.error]).toEqual([401, 'invalid_client']);

    // "Done" forgets it; a reload never shows it again, but the list still has both.
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await created.isVisible()).toBe(false);
    expect(await secretInput.inputValue()).toBe('');
    await page.reload();
    await row(page, billingId).waitFor();
    await row(page, 'lobby-screen').waitFor();
    expect(await created.isVisible()).toBe(false);
    expect(await page.content()).not.toContain(secret);
    const listed = (await (await page.request.get('/api/v1/clients')).json()) as { clients: Array<Record<string, unknown>> };
    expect(listed.clients.map((c) => c.client_id).sort()).toEqual([billingId, 'lobby-screen'].sort());
    expect(JSON.stringify(listed)).not.toContain(secret);
  });

  it('removes a client after a confirmation; the API then refuses it', async () => {
    const { page } = await profile({ user: ADMIN, desktop: true });
    await page.goto('/admin');
    await register(page, { name: 'Old kiosk', clientId: 'old-kiosk' });
    const kiosk = row(page, 'old-kiosk');
    await kiosk.waitFor();
    expect((await deviceAuthorization({ client_id: 'old-kiosk' })).status).toBe(200);

    // Cancel keeps it.
    await kiosk.getByRole('button', { name: 'Remove Old kiosk' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove this application?' });
    await dialog.getByText('Old kiosk (old-kiosk) can no longer start a sign-in or get tokens. This cannot be undone.').waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-remove-confirm.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await kiosk.count()).toBe(1);
    expect((await deviceAuthorization({ client_id: 'old-kiosk' })).status).toBe(200);

    // Remove removes it.
    await kiosk.getByRole('button', { name: 'Remove Old kiosk' }).click();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('list-notice').getByText('Old kiosk was removed.').waitFor();
    await kiosk.waitFor({ state: 'detached' });
    const refused = await deviceAuthorization({ client_id: 'old-kiosk' });
    expect([refused.status, refused.body.error]).toEqual([401, 'invalid_client']);
    const listed = (await (await page.request.get('/api/v1/clients')).json()) as { clients: Array<{ client_id: string }> };
    expect(listed.clients.map((c) => c.client_id)).not.toContain('old-kiosk');

    // Removed elsewhere while the dialog was open: said plainly, and the list catches up.
    await register(page, { name: 'Twice removed', clientId: 'twice-removed' });
    await row(page, 'twice-removed').getByRole('button', { name: 'Remove Twice removed' }).click();
    const me = (await (await page.request.get('/api/v1/me')).json()) as { csrf_token: string };
    expect((await page.request.delete('/api/v1/clients/twice-removed', { headers: { 'x-csrf-token': me.csrf_token } })).status()).toBe(204);
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    const listError = page.getByTestId('list-error');
    await listError.getByText('This application no longer exists; someone may have removed it already. The list is now up to date.').waitFor();
    expect(await listError.getAttribute('data-code')).toBe('unknown_client');
    await row(page, 'twice-removed').waitFor({ state: 'detached' });
  });

  it('shows the friendly text of other API errors', async () => {
    const { page } = await profile({ user: ADMIN, desktop: true });
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Register an application' }).waitFor();
    const formError = page.getByTestId('form-error');
    for (const [code, text] of [
      ['invalid_scope', 'One of the scopes is not supported. Choose among openid, profile, email and phone.'],
      ['invalid_request', 'Some details are not valid. Check the name (at most 120 characters) and the client ID (3–64 letters, digits, dots, dashes or underscores).'],
      ['csrf_failed', 'This page is out of date. Reload it and try again.'],
    ] as const) {
      await page.route('**/api/v1/clients', (route) =>
        route.request().method() === 'POST' ? route.fulfill({ status: code === 'csrf_failed' ? 403 : 400, contentType: 'application/json', body: JSON.stringify({ error: code, message: code }) }) : route.fallback(),
      );
      await register(page, { name: `Refused ${code}` });
      await formError.getByText(text).waitFor();
      expect(await formError.getAttribute('data-code')).toBe(code);
      await page.unroute('**/api/v1/clients');
    }
    // The page sends the CSRF token: without the route, the same form goes through.
    await register(page, { name: 'Accepted at last', clientId: 'accepted-at-last' });
    await row(page, 'accepted-at-last').waitFor();
    expect(await formError.isVisible()).toBe(false);
  });

  it('registers redirect URIs and grants, shows them in the list, refuses a bad URI with the server\'s words, and changes them in the Edit dialog', async () => {
    const node = await suite.ownNode();
    const { page } = await profile({ user: ADMIN, desktop: true, node });
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Register an application' }).waitFor();
    const form = page.locator('#register-form');
    const grants = (scope: Page | ReturnType<Page['locator']>) =>
      scope.locator('input[name="grant"]').evaluateAll((els) => (els as HTMLInputElement[]).filter((e) => e.checked).map((e) => e.value));
    expect(await grants(form)).toEqual([DEVICE]);

    // Typing a redirect URI ticks the redirect sign-in grants, as the server's default does.
    await form.getByLabel('Redirect URIs (one per line)', { exact: true }).fill('https://shop.example/cb\nhttp://127.0.0.1/native\n');
    expect(await grants(form)).toEqual([DEVICE, 'authorization_code', 'refresh_token']);
    await form.getByLabel('Post-logout redirect URIs (one per line)').fill('https://shop.example/bye');
    await form.getByLabel('Back-channel logout URI (optional)').fill('https://shop.example/backchannel');
    await register(page, { name: 'Web shop', clientId: 'web-shop' });
    const shop = row(page, 'web-shop');
    await shop.waitFor();
    expect(await shop.innerText()).toMatch(/Redirect sign-in[\s\S]*Stay signed in[\s\S]*QR code on a screen[\s\S]*https:\/\/shop\.example\/cb[\s\S]*http:\/\/127\.0\.0\.1\/native[\s\S]*https:\/\/shop\.example\/bye[\s\S]*https:\/\/shop\.example\/backchannel/);
    // The form is back to its defaults.
    expect(await form.getByLabel('Redirect URIs (one per line)', { exact: true }).inputValue()).toBe('');
    expect(await grants(form)).toEqual([DEVICE]);

    // The page says what it can before sending...
    await form.locator('input[name="grant"][value="authorization_code"]').check();
    await register(page, { name: 'No redirect' });
    await form.getByText('Redirect sign-in needs at least one redirect URI.').waitFor();
    // ...and the server's message names the URI it refuses.
    await form.getByLabel('Redirect URIs (one per line)', { exact: true }).fill('javascript:alert(1)');
    await register(page, { name: 'Bad redirect', clientId: 'bad-redirect' });
    const formError = page.getByTestId('form-error');
    await formError.getByText('This address cannot be registered.', { exact: false }).waitFor();
    expect(await formError.getAttribute('data-code')).toBe('invalid_redirect_uri');
    expect(await formError.innerText()).toContain('"javascript:alert(1)"');
    expect(await row(page, 'bad-redirect').count()).toBe(0);

    // Edit: a fragment is refused in the dialog, then a good change is saved (PATCH).
    await shop.getByRole('button', { name: 'Edit redirects and grants of Web shop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Redirects and grants' });
    const redirects = dialog.getByLabel('Redirect URIs (one per line)', { exact: true });
    expect(await redirects.inputValue()).toBe('https://shop.example/cb\nhttp://127.0.0.1/native');
    await redirects.fill('https://shop.example/cb#done');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const editError = page.getByTestId('edit-error');
    await editError.getByText('has a fragment', { exact: false }).waitFor();
    expect(await editError.getAttribute('data-code')).toBe('invalid_redirect_uri');
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-client-uris-edit.png') });
    await redirects.fill('https://shop.example/new');
    await dialog.locator('input[name="grant"][value="refresh_token"]').uncheck();
    await dialog.getByLabel('Back-channel logout URI (optional)').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('list-notice').getByText('Web shop was changed.').waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-client-uris-list.png'), fullPage: true });
    expect(await shop.innerText()).toContain('https://shop.example/new');
    expect(await shop.innerText()).not.toContain('Stay signed in');
    const listed = (await (await page.request.get('/api/v1/clients')).json()) as { clients: Array<Record<string, unknown>> };
    expect(listed.clients.find((c) => c.client_id === 'web-shop')).toMatchObject({
      redirect_uris: ['https://shop.example/new'],
      post_logout_redirect_uris: ['https://shop.example/bye'],
      grant_types: ['authorization_code', DEVICE],
      backchannel_logout_uri: null,
    });
  });

  it('words the redirect and grant fields in Chinese', async () => {
    const { page } = await profile({ user: ADMIN, desktop: true, locale: 'zh-CN' });
    await page.goto('/admin');
    const form = page.locator('#register-form');
    await form.getByLabel('重定向 URI（每行一个）', { exact: true }).waitFor();
    await form.getByText('登录方式（授权类型）').waitFor();
    await form.getByLabel('跳转登录（授权码）').waitFor();
    await form.getByLabel('后端通道退出 URI（可选）').waitFor();
  });

  it('a member sees that the console needs the admin role, and has no link to it', async () => {
    const { page } = await profile({ user: MEMBER });
    await page.goto('/admin');
    const box = page.getByTestId('need-admin');
    await box.getByRole('heading', { name: 'This needs the admin role' }).waitFor();
    await box.getByText(`You are signed in as ${MEMBER.email} (Member). Only an administrator can use the admin console.`, { exact: false }).waitFor();
    expect(await page.getByRole('heading', { name: 'Applications' }).count()).toBe(0);
    expect(await page.locator('#console').isVisible()).toBe(false);
    expect((await page.request.get('/api/v1/clients')).status()).toBe(403);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-need-role.png'), fullPage: true });

    await page.goto('/');
    await page.getByText('You are signed in.').waitFor();
    expect(await page.getByRole('link', { name: 'Admin console' }).count()).toBe(0);

    // In Chinese too.
    await page.goto('/admin?lang=zh-CN');
    await box.getByRole('heading', { name: '此页面需要管理员角色' }).waitFor();
    await box.getByText(`您当前以 ${MEMBER.email}（成员）登录。`, { exact: false }).waitFor();
  });

  it('in zh-CN the console, its labels and its errors are Chinese; switching language re-labels the list', async () => {
    const { page } = await profile({ user: ADMIN, locale: 'zh-CN', desktop: true });
    await page.goto('/admin');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.title()).toBe('管理控制台 · scanpass');
    await page.getByRole('heading', { name: '应用', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: '控制台栏目' }).getByRole('link', { name: '应用' }).waitFor();
    await page.getByRole('heading', { name: '注册应用' }).waitFor();
    await page.getByText('openid：登录用户').waitFor();

    await register(page, { name: '大堂屏幕', clientId: 'zh-lobby', confidential: true }, ZH);
    const created = page.getByTestId('created');
    await created.getByText('大堂屏幕 已注册。请使用以下客户端 ID 进行配置。').waitFor();
    expect((await page.getByLabel('客户端密钥', { exact: true }).inputValue()).length).toBeGreaterThanOrEqual(40);
    await created.getByText('请立即保存此密钥', { exact: false }).waitFor();
    const zhRow = row(page, 'zh-lobby');
    await zhRow.getByText('机密', { exact: true }).waitFor();
    await zhRow.getByRole('button', { name: '删除 大堂屏幕' }).waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-clients-zh-CN.png'), fullPage: true });

    await register(page, { name: '重复', clientId: 'zh-lobby' }, ZH);
    await page.getByTestId('form-error').getByText('已存在使用此客户端 ID 的应用。请换一个客户端 ID，或留空。').waitFor();

    await page.getByRole('group', { name: '语言' }).getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    await zhRow.getByText('Confidential', { exact: true }).waitFor();
    await zhRow.getByRole('button', { name: 'Remove 大堂屏幕' }).waitFor();
    await page.getByTestId('form-error').getByText('An application with this client ID already exists.', { exact: false }).waitFor();
  });

  it('fits a phone, even with a long client ID: one block per application', async () => {
    const { page } = await profile({ user: ADMIN });
    await page.goto('/admin');
    const longId = `phone.${'x'.repeat(58)}`;
    await register(page, { name: 'Phone-sized', clientId: longId });
    const r = row(page, longId);
    await r.waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-clients-phone.png'), fullPage: true });
  });
});
