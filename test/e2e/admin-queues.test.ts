import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminConsoleSuite, DESKTOP } from '../support/admin-console.js';
import { hasChromium, screenshot } from '../support/browser.js';
import { ADMIN, signIn } from '../support/test-node.js';

const STAFF = { email: 'quinn@test.local', password: 'staff password 123', name: 'Quinn Staff', role: 'staff' };

interface QueueOut {
  id: string;
  name: string;
  timezone: string;
  services: { id: string; name: string; prefix: string; ask: string; max_waiting: number; near_ahead: number; no_show_seconds: number; open: boolean }[];
  counters: { id: string; name: string; service_ids: string[] }[];
}

describe.skipIf(!hasChromium())('admin console: queues, in Chromium', () => {
  const suite = adminConsoleSuite(STAFF);
  type Node = typeof suite.node;

  async function adminPage(options: BrowserContextOptions = {}, node?: Node): Promise<Page> {
    const context = await suite.profile({ ...DESKTOP, ...options }, ADMIN, node);
    return context.newPage();
  }

  /** GET as `who` (the admin by default). */
  async function getAs<T>(node: Node, path: string, who = ADMIN): Promise<{ status: number; body: T }> {
    const s = await signIn(node.url, who.email, who.password);
    const res = await fetch(`${node.url}${path}`, { headers: { cookie: s.cookie } });
    return { status: res.status, body: (await res.json()) as T };
  }

  it('creates a place with two services and two counters, lists it, closes a service, assigns staff, shows the entrance QR and its poster', async () => {
    // A node of its own: "No places yet" holds only where no other test created one.
    const node = await suite.ownNode();
    const page = await adminPage({ timezoneId: 'Asia/Shanghai' }, node);
    await page.goto('/admin#queues');
    await page.getByRole('heading', { name: 'Queues', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    expect(await nav.getByRole('link', { name: 'Queues' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Events' }).getAttribute('aria-current')).toBeNull();
    await page.getByText('No places yet. Create the first one above.').waitFor();

    const form = page.getByTestId('queue-form');
    // Nothing typed: the form says what is missing.
    await form.getByRole('button', { name: 'Create place' }).click();
    await page.getByTestId('queue-form-error').getByText('Enter a name for the place.').waitFor();
    expect(await form.getByLabel('Place name').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Place name').fill('City Bank');
    // The browser's own zone is preselected.
    expect(await form.getByLabel('Time zone', { exact: true }).inputValue()).toBe('Asia/Shanghai');
    const s1 = form.getByTestId('service-row').nth(0);
    await s1.getByLabel('Name', { exact: true }).fill('Deposits');
    await s1.getByLabel('Prefix').fill('a'); // upper-cased as typed
    expect(await s1.getByLabel('Prefix').inputValue()).toBe('A');
    await s1.getByLabel('Asked on joining').selectOption('name');
    expect(await s1.getByLabel('Near-turn alert').inputValue()).toBe('3');
    expect(await s1.getByLabel('No-show after').inputValue()).toBe('180');
    await form.getByRole('button', { name: 'Add a service' }).click();
    const s2 = form.getByTestId('service-row').nth(1);
    expect(await s2.getByLabel('Prefix').inputValue()).toBe('B'); // the next free letter
    await s2.getByLabel('Name', { exact: true }).fill('Loans');
    await s2.getByLabel('Cap on waiting').fill('20');
    await s2.getByLabel('No-show after').fill('120');

    const c1 = form.getByTestId('counter-row').nth(0);
    await c1.getByLabel('Name', { exact: true }).fill('Counter 1');
    // A counter serves every service until told otherwise.
    expect(await c1.getByLabel('A · Deposits').isChecked()).toBe(true);
    expect(await c1.getByLabel('B · Loans').isChecked()).toBe(true);
    await form.getByRole('button', { name: 'Add a counter' }).click();
    const c2 = form.getByTestId('counter-row').nth(1);
    await c2.getByLabel('Name', { exact: true }).fill('Counter 2');
    await c2.getByLabel('A · Deposits').uncheck();
    await screenshot(page, 'admin-queues-form');

    await form.getByRole('button', { name: 'Create place' }).click();
    await page.getByTestId('queue-created').getByText('Place “City Bank” created.').waitFor();
    // The form starts again from scratch.
    expect(await form.getByLabel('Place name').inputValue()).toBe('');
    expect(await form.getByTestId('service-row').count()).toBe(1);
    expect(await form.getByTestId('counter-row').count()).toBe(1);
    expect(await form.getByTestId('service-row').getByLabel('Name', { exact: true }).inputValue()).toBe('');

    // Listed, and stored as filled in.
    const row = page.getByTestId('queue-row').filter({ hasText: 'City Bank' });
    await row.waitFor();
    expect(await row.innerText()).toContain('Asia/Shanghai');
    expect(await row.innerText()).toContain('A · Deposits');
    const id = (await row.getAttribute('data-queue-id'))!;
    const stored = (await getAs<QueueOut>(node, `/api/v1/queues/${id}`)).body;
    expect(stored.timezone).toBe('Asia/Shanghai');
    expect(stored.services.map((s) => [s.name, s.prefix, s.ask, s.max_waiting, s.near_ahead, s.no_show_seconds])).toEqual([
      ['Deposits', 'A', 'name', 500, 3, 180],
      ['Loans', 'B', 'none', 20, 3, 120],
    ]);
    const [deposits, loans] = stored.services;
    expect(stored.counters.map((c) => [c.name, [...c.service_ids].sort()])).toEqual([
      ['Counter 1', [deposits!.id, loans!.id].sort()],
      ['Counter 2', [loans!.id]],
    ]);

    // The place's page.
    await row.getByRole('link', { name: 'City Bank' }).click();
    await page.waitForURL((u) => u.hash === `#queue=${id}`);
    await page.getByRole('heading', { name: 'City Bank', level: 1 }).waitFor();
    expect(await nav.getByRole('link', { name: 'Queues' }).getAttribute('aria-current')).toBe('page');
    expect(await page.getByTestId('board-link').getAttribute('href')).toBe(`/queue-board?q=${id}`);
    expect(await page.getByTestId('counter-link').getAttribute('href')).toBe(`/queue-counter?q=${id}`);
    expect(await page.getByTestId('counters').innerText()).toContain('Counter 2');

    // Close a service: stored, and shown.
    const depositsRow = page.locator(`tr[data-service-id="${deposits!.id}"]`);
    expect(await depositsRow.locator('[data-status]').getAttribute('data-status')).toBe('open');
    await depositsRow.getByRole('button', { name: 'Close Deposits' }).click();
    await depositsRow.locator('[data-status="closed"]').waitFor();
    expect((await getAs<QueueOut>(node, `/api/v1/queues/${id}`)).body.services.map((s) => s.open)).toEqual([false, true]);

    // Staff by email: an unknown one is refused here; the staff account then sees the place.
    const staffForm = page.getByTestId('queue-staff-form');
    expect(await page.getByTestId('queue-staff-none').innerText()).toBe('Nobody staffs this place yet.');
    await staffForm.getByLabel('Staff account’s email').fill('nobody@test.local');
    await staffForm.getByRole('button', { name: 'Assign' }).click();
    await page.getByTestId('queue-staff-error').getByText('There is no account with the email nobody@test.local.').waitFor();
    expect((await getAs<{ queues: QueueOut[] }>(node, '/api/v1/queues', STAFF)).body.queues).toEqual([]);
    await staffForm.getByLabel('Staff account’s email').fill(STAFF.email);
    await staffForm.getByRole('button', { name: 'Assign' }).click();
    await page.getByTestId('queue-staff-list').locator('li[data-staff="true"]').getByText(STAFF.name).waitFor();
    expect(await page.getByTestId('queue-staff-error').isHidden()).toBe(true);
    expect((await getAs<{ queues: QueueOut[] }>(node, '/api/v1/queues', STAFF)).body.queues.map((q) => q.id)).toEqual([id]);
    // The page lists the place's staff as the server has them, after a reload too.
    await page.reload();
    await page.getByTestId('queue-staff-list').locator('li[data-staff="true"]').getByText(STAFF.name).waitFor();
    expect(await page.getByTestId('queue-staff-none').isHidden()).toBe(true);

    // The entrance QR carries the join URL the server hands out.
    const qr = page.locator('[data-testid="entrance-qr"][data-ready="true"]');
    await qr.waitFor();
    const qrText = (await qr.getAttribute('data-qr-text'))!;
    expect(qrText).toMatch(new RegExp(`^${node.url}/queue\\?q=${id}&c=`));
    expect(await page.getByTestId('entrance-url').inputValue()).toBe(qrText);
    const dark = await qr.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 64) n++;
      return n;
    });
    expect(dark).toBeGreaterThan(1000);
    await screenshot(page, 'admin-queue-page');

    // The poster: the same code, with what a printed copy costs.
    await page.getByRole('button', { name: 'Print poster' }).click();
    const poster = page.getByTestId('queue-poster');
    await poster.getByRole('heading', { name: 'City Bank' }).waitFor();
    await poster.locator('[data-testid="poster-qr"][data-ready="true"]').waitFor();
    expect(await poster.getByTestId('poster-qr').getAttribute('data-qr-text')).toBe(qrText);
    await poster.getByText('This code changes every minute', { exact: false }).waitFor();
    await screenshot(page, 'admin-queue-poster');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('main').isVisible()).toBe(false);
    expect(await poster.getByTestId('poster-qr').isVisible()).toBe(true);
    await screenshot(page, 'admin-queue-poster-print');
    await page.emulateMedia({ media: 'screen' });
    await poster.getByRole('button', { name: 'Close' }).click();
    await poster.waitFor({ state: 'detached' });

    // Removing the staff account takes the place away from it.
    await page.getByRole('button', { name: `Remove ${STAFF.name} from this place` }).click();
    await page.getByTestId('queue-staff-list').locator('li[data-staff="false"]').getByText(STAFF.name).waitFor();
    expect((await getAs<{ queues: QueueOut[] }>(node, '/api/v1/queues', STAFF)).body.queues).toEqual([]);

    // Back to the list.
    await page.getByRole('link', { name: '← All places' }).click();
    await page.getByTestId('queue-row').filter({ hasText: 'City Bank' }).waitFor();
  });

  it('the same form in Chinese, with a zone the list does not offer preselected', async () => {
    const page = await adminPage({ locale: 'zh-CN', timezoneId: 'America/Bogota' });
    await page.goto('/admin?lang=zh-CN#queues');
    await page.getByRole('heading', { name: '排队', level: 1 }).waitFor();
    const form = page.getByTestId('queue-form');
    expect(await form.getByLabel('时区', { exact: true }).inputValue()).toBe('America/Bogota');
    await form.getByLabel('场所名称').fill('市民中心');
    const s1 = form.getByTestId('service-row').nth(0);
    await s1.getByLabel('名称', { exact: true }).fill('户籍');
    await s1.getByLabel('前缀').fill('H1');
    await s1.getByLabel('取号时填写').selectOption('phone');
    await form.getByRole('button', { name: '添加服务' }).click();
    const s2 = form.getByTestId('service-row').nth(1);
    await s2.getByLabel('名称', { exact: true }).fill('社保');
    await s2.getByLabel('前缀').fill('SB');
    await s2.getByLabel('即将轮到提醒').fill('5');
    await form.getByTestId('counter-row').nth(0).getByLabel('名称', { exact: true }).fill('1 号窗口');
    await form.getByRole('button', { name: '添加窗口' }).click();
    await form.getByTestId('counter-row').nth(1).getByLabel('名称', { exact: true }).fill('2 号窗口');
    await form.getByTestId('counter-row').nth(1).getByLabel('SB · 社保').uncheck();

    // Switching the language keeps what was typed and ticked.
    await page.getByRole('button', { name: 'English' }).click();
    await s2.getByText('Service 2', { exact: true }).waitFor();
    expect(await s2.getByLabel('Name', { exact: true }).inputValue()).toBe('社保');
    expect(await form.getByLabel('Time zone', { exact: true }).inputValue()).toBe('America/Bogota');
    expect(await form.getByTestId('counter-row').nth(1).getByLabel('SB · 社保').isChecked()).toBe(false);
    await page.getByRole('button', { name: '中文' }).click();
    await s2.getByText('服务 2', { exact: true }).waitFor();

    // A prefix with a digit is caught before sending, in Chinese.
    await form.getByRole('button', { name: '创建场所' }).click();
    await page.getByTestId('queue-form-error').getByText('服务 1：前缀须为 1 到 3 个字母 A–Z。').waitFor();
    expect(await s1.getByLabel('前缀').getAttribute('aria-invalid')).toBe('true');
    await s1.getByLabel('前缀').fill('H');
    await screenshot(page, 'admin-queues-form-zh-CN');
    await form.getByRole('button', { name: '创建场所' }).click();
    await page.getByTestId('queue-created').getByText('已创建场所“市民中心”。').waitFor();
    const row = page.getByTestId('queue-row').filter({ hasText: '市民中心' });
    await row.waitFor();
    expect(await row.innerText()).toContain('America/Bogota');
    const id = (await row.getAttribute('data-queue-id'))!;
    const stored = (await getAs<QueueOut>(suite.node, `/api/v1/queues/${id}`)).body;
    expect(stored.services.map((s) => [s.name, s.prefix, s.ask, s.near_ahead])).toEqual([
      ['户籍', 'H', 'phone', 3],
      ['社保', 'SB', 'none', 5],
    ]);
    expect(stored.counters.map((c) => [c.name, c.service_ids.length])).toEqual([
      ['1 号窗口', 2],
      ['2 号窗口', 1],
    ]);

    await row.getByRole('link', { name: '市民中心' }).click();
    await page.getByRole('heading', { name: '市民中心', level: 1 }).waitFor();
    await page.getByRole('button', { name: '关闭 户籍' }).click();
    await page.locator(`tr[data-service-id="${stored.services[0]!.id}"] [data-status="closed"]`).getByText('已关闭').waitFor();
    await page.getByRole('link', { name: '打开叫号屏' }).waitFor();
    await screenshot(page, 'admin-queue-page-zh-CN');
  });

  it('a refused form shows the server’s reason and keeps what was typed', async () => {
    const page = await adminPage();
    await page.goto('/admin#queues');
    const form = page.getByTestId('queue-form');
    await form.getByLabel('Place name').fill('Town Hall');
    // A zone nobody knows, typed by hand, is caught here.
    await form.getByLabel('Time zone', { exact: true }).selectOption('__other');
    await form.getByLabel('Other time zone').fill('Mars/Olympus');
    const s1 = form.getByTestId('service-row').nth(0);
    await s1.getByLabel('Name', { exact: true }).fill('Permits');
    await form.getByRole('button', { name: 'Add a service' }).click();
    const s2 = form.getByTestId('service-row').nth(1);
    await s2.getByLabel('Name', { exact: true }).fill('Parking');
    await s2.getByLabel('Prefix').fill('A'); // the same prefix as Permits
    await form.getByTestId('counter-row').getByLabel('Name', { exact: true }).fill('Desk');
    // A row added by mistake goes again, and the counter no longer offers it.
    await form.getByRole('button', { name: 'Add a service' }).click();
    await form.getByTestId('counter-row').getByLabel('B · Service 3').waitFor();
    await form.getByRole('button', { name: 'Remove service 3' }).click();
    expect(await form.getByTestId('service-row').count()).toBe(2);
    expect(await form.getByTestId('counter-row').locator('input[type="checkbox"]').count()).toBe(2);
    await form.getByRole('button', { name: 'Create place' }).click();
    await page.getByTestId('queue-form-error').getByText('“Mars/Olympus” is not a time zone this browser knows.', { exact: false }).waitFor();
    await form.getByLabel('Other time zone').fill('Europe/Lisbon');

    // Two services with prefix A: the server refuses, and says why.
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/queues') && r.request().method() === 'POST'),
      form.getByRole('button', { name: 'Create place' }).click(),
    ]);
    const answer = (await refused.json()) as { error: string; message: string };
    expect([refused.status(), answer.error]).toEqual([400, 'invalid_request']);
    const error = page.getByTestId('queue-form-error');
    await error.getByText(`The server refused this: ${answer.message}`).waitFor();
    expect(answer.message).toMatch(/prefix/);
    expect(await error.getAttribute('data-code')).toBe('invalid_request');
    // Nothing was lost: fix the prefix and send again.
    expect(await form.getByLabel('Place name').inputValue()).toBe('Town Hall');
    await screenshot(page, 'admin-queues-refused');
    await s2.getByLabel('Prefix').fill('P');
    await form.getByRole('button', { name: 'Create place' }).click();
    await page.getByTestId('queue-created').getByText('Place “Town Hall” created.').waitFor();
    expect(await error.isHidden()).toBe(true);
    const row = page.getByTestId('queue-row').filter({ hasText: 'Town Hall' });
    expect(await row.innerText()).toContain('Europe/Lisbon');

    // On a phone nothing runs off the side.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByTestId('queue-form').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await screenshot(page, 'admin-queues-phone');
  });
});
