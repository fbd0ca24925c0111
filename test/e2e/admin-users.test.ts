import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminConsoleSuite, DESKTOP } from '../support/admin-console.js';
import { hasChromium, screenshot } from '../support/browser.js';
import { callAs } from '../support/json-api.js';
import { ADMIN, signIn } from '../support/test-node.js';

/**
 * The console's Users section in real Chromium: an admin adds an account,
 * makes it staff, and that person (signed in all along) can then open the
 * scanner at the session they are given; in Chinese, an admin disables a
 * signed-in account, which is signed out at once and cannot sign in again
 * until enabled, and the console refuses to demote the last admin.
 */

const SAM = { email: 'sam.staff@test.local', password: 'sam staff password', name: 'Sam Staff', role: 'staff' };
const MIA = { email: 'mia.member@test.local', password: 'mia member password', name: 'Mia Member' };
const MIN = 60_000;

describe.skipIf(!hasChromium())('admin console: users, in Chromium', () => {
  const suite = adminConsoleSuite(SAM);

  async function adminPage(url: string, locale = 'en-US'): Promise<Page> {
    const page = await (await suite.profile({ ...DESKTOP, locale }, ADMIN)).newPage();
    await page.goto(url);
    return page;
  }

  const rowOf = (page: Page, email: string) => page.locator(`[data-testid="user-row"][data-email="${email}"]`);

  it('adds a member, makes them staff, and they can then open the scanner without signing in again', async () => {
    const page = await adminPage('/admin#users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    expect(await nav.getByRole('link', { name: 'Users' }).getAttribute('aria-current')).toBe('page');

    // Add Mia as a member, with a password typed here.
    const form = page.getByTestId('user-form');
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByTestId('user-form-error').getByText('Enter the email address they will sign in with.').waitFor();
    await form.getByLabel('Email').fill(MIA.email);
    await form.getByLabel('Name (optional)').fill(MIA.name);
    expect(await form.getByLabel('Role').inputValue()).toBe('member');
    await form.getByLabel('I will type it').check();
    await form.getByLabel('Password', { exact: true }).fill('short');
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByTestId('user-form-error').getByText('A password needs at least 8 characters.').waitFor();
    await form.getByLabel('Password', { exact: true }).fill(MIA.password);
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByTestId('user-created').getByText(`${MIA.email} can sign in now as Member.`).waitFor();
    expect(await page.getByTestId('initial-password').count()).toBe(0);
    await page.getByTestId('user-created').getByRole('button', { name: 'Done' }).click();

    // A second account with a password the server makes up: shown once, and it signs in.
    await form.getByLabel('Email').fill('ravi@test.local');
    await form.getByLabel('Role').selectOption('staff');
    await page.getByText('Staff: also scans at the sessions and serves at the places they are assigned to.').waitFor();
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByTestId('user-created').getByText('ravi@test.local can sign in now as Staff.').waitFor();
    const made = await page.getByTestId('initial-password').inputValue();
    expect(made).toMatch(/^[\w-]{16}$/);
    await signIn(suite.node.url, 'ravi@test.local', made);
    await page.getByTestId('user-created').getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('initial-password').count()).toBe(0);

    // Search finds Mia by a part of her name, in any case.
    await page.getByLabel('Search by email or name').fill('MIA');
    await page.getByTestId('users-count').getByText('Accounts: 1').waitFor();
    const mia = rowOf(page, MIA.email);
    expect(await mia.getByTestId('user-role').inputValue()).toBe('member');

    // Mia, signed in meanwhile, has nothing to scan.
    const miaPage = await (await suite.profile({}, { email: MIA.email, password: MIA.password })).newPage();
    await miaPage.goto('/scanner');
    await miaPage.getByText('You are not assigned to any session. Ask an organiser.').waitFor();

    // Make her staff: the console asks first, and changes nothing on Cancel.
    await mia.getByLabel('Role of Mia Member').selectOption('staff');
    const dialog = page.getByRole('dialog', { name: 'Change the role of Mia Member?' });
    await dialog.getByText('Mia Member (mia.member@test.local) changes from Member to Staff.', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await mia.getByTestId('user-role').inputValue()).toBe('member');
    await mia.getByLabel('Role of Mia Member').selectOption('staff');
    await screenshot(page, 'admin-users-role');
    await dialog.getByRole('button', { name: 'Change role' }).click();
    await page.getByTestId('users-notice').getByText('Mia Member is now Staff.').waitFor();
    expect(await rowOf(page, MIA.email).getByTestId('user-role').inputValue()).toBe('staff');

    // Given a session (now that she is staff), Mia's scanner shows it, without signing in again.
    const admin = await signIn(suite.node.url);
    const now = Date.now();
    const event = await callAs<{ id: string }>(suite.node.url, admin, 'POST', '/api/v1/events', { name: 'Users Day', starts_at: now - MIN, ends_at: now + 60 * MIN }, 201);
    const session = await callAs<{ id: string }>(suite.node.url, admin, 'POST', `/api/v1/events/${event.id}/sessions`, { name: 'Keynote', starts_at: now - MIN, ends_at: now + 60 * MIN }, 201);
    const miaId = (await rowOf(page, MIA.email).getAttribute('data-user-id'))!;
    await callAs(suite.node.url, admin, 'POST', `/api/v1/sessions/${session.id}/staff`, { user_id: miaId });
    await miaPage.reload();
    await miaPage.getByText('Scanning as Mia Member').waitFor();
    await miaPage.getByTestId('session-picker').locator('option', { hasText: 'Keynote' }).waitFor({ state: 'attached' });
    expect(await miaPage.getByTestId('session-picker').inputValue()).toBe(session.id);
    expect(await miaPage.getByTestId('setup-error').isHidden()).toBe(true);
  });

  it('in Chinese: disables a signed-in account, which is signed out at once and cannot sign in; the last admin stays admin', async () => {
    // Sam, signed in, has the console open (it says it needs the admin role).
    const samPage = await (await suite.profile({ locale: 'zh-CN' }, SAM)).newPage();
    await samPage.goto('/admin');
    await samPage.getByRole('heading', { name: '此页面需要管理员角色' }).waitFor();

    const page = await adminPage('/admin?lang=zh-CN#users', 'zh-CN');
    await page.getByRole('heading', { name: '用户', level: 1 }).waitFor();
    await page.getByLabel('按邮箱或姓名搜索').fill('sam.staff');
    await page.getByTestId('users-count').getByText('共 1 个账户').waitFor();
    const sam = rowOf(page, SAM.email);
    await sam.getByRole('button', { name: '停用 Sam Staff' }).click();
    const dialog = page.getByRole('dialog', { name: '停用 Sam Staff？' });
    await dialog.getByText('Sam Staff（sam.staff@test.local）将立即在所有设备上退出登录', { exact: false }).waitFor();
    await screenshot(page, 'admin-users-disable-zh-CN');
    await dialog.getByRole('button', { name: '停用', exact: true }).click();
    await page.getByTestId('users-notice').getByText('Sam Staff 已停用，并已在所有设备上退出登录。').waitFor();
    await sam.getByText('已停用').waitFor();

    // Sam's next page finds no sign-in and goes to sign in; the right password says the account is disabled.
    await samPage.reload();
    await samPage.waitForURL((u) => u.pathname === '/signin');
    await samPage.getByRole('heading', { name: '登录' }).waitFor();
    await samPage.getByLabel('邮箱', { exact: true }).fill(SAM.email);
    await samPage.getByLabel('密码', { exact: true }).fill(SAM.password);
    await samPage.getByRole('button', { name: '登录', exact: true }).click();
    await samPage.getByRole('alert').filter({ hasText: '此账户已停用。请联系管理员启用。' }).waitFor();
    expect(new URL(samPage.url()).pathname).toBe('/signin');

    // Enabled again (no confirmation needed): Sam signs in.
    await sam.getByRole('button', { name: '启用 Sam Staff' }).click();
    await page.getByTestId('users-notice').getByText('Sam Staff 可以重新登录了。').waitFor();
    await sam.getByText('正常', { exact: true }).waitFor();
    await samPage.getByRole('button', { name: '登录', exact: true }).click();
    await samPage.waitForURL((u) => u.pathname !== '/signin');

    // The admin's own row has no Disable button, and the only admin cannot step down.
    await page.getByLabel('按邮箱或姓名搜索').fill(ADMIN.email);
    await page.getByTestId('users-count').getByText('共 1 个账户').waitFor();
    const self = rowOf(page, ADMIN.email);
    await self.getByText('您本人').waitFor();
    expect(await self.getByRole('button', { name: /停用/ }).count()).toBe(0);
    await self.getByTestId('user-role').selectOption('member');
    const roleDialog = page.getByRole('dialog', { name: /更改 .* 的角色？/ });
    await roleDialog.getByText('这是您自己的账户：您将无法再使用本控制台。').waitFor();
    await roleDialog.getByRole('button', { name: '更改角色' }).click();
    await roleDialog.getByTestId('users-confirm-error').getByText('这是唯一一个正常的管理员。请先把另一个账户设为管理员。').waitFor();
    await roleDialog.getByRole('button', { name: '取消' }).click();
    expect(await self.getByTestId('user-role').inputValue()).toBe('admin');
  });
});
