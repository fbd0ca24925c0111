import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminConsoleSuite, DESKTOP } from '../support/admin-console.js';
import { hasChromium } from '../support/browser.js';
import { ADMIN, signIn } from '../support/test-node.js';

/** Set to a folder to keep screenshots of the console. */
const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;
const STAFF = { email: 'sam@test.local', password: 'staff password 123', name: 'Sam Staff', role: 'staff' };

describe.skipIf(!hasChromium())('admin console: events, in Chromium', () => {
  const suite = adminConsoleSuite(STAFF);

  type Node = typeof suite.node;

  /** The admin's console, on the suite's node or on `node`. */
  async function adminPage(node?: Node): Promise<{ context: BrowserContext; page: Page }> {
    const context = await suite.profile({ ...DESKTOP, acceptDownloads: true }, ADMIN, node);
    const page = await context.newPage();
    // Revoking asks for a confirmation first.
    page.on('dialog', (d) => void d.accept());
    return { context, page };
  }

  const scannerSessions = (token: string, node: Node = suite.node) => fetch(`${node.url}/api/v1/scanner/sessions`, { headers: { authorization: `Bearer ${token}` } });

  it('creates an event and a session, adds and imports attendees, assigns staff, provisions and revokes a scanner, exports attendance', async () => {
    // A node of its own: "No events yet" holds only where no other test created one.
    const node = await suite.ownNode();
    const { page } = await adminPage(node);
    await page.goto('/admin#events');
    await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    expect(await nav.getByRole('link', { name: 'Events' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Applications' }).getAttribute('aria-current')).toBeNull();
    await page.getByText('No events yet. Create the first one above.').waitFor();

    // The event.
    const eventForm = page.getByTestId('event-form');
    await eventForm.getByRole('button', { name: 'Create event' }).click();
    await page.getByText('Enter a name.').waitFor();
    await eventForm.getByLabel('Name', { exact: true }).fill('Annual conference');
    await eventForm.getByLabel('Starts').fill('2030-05-04T09:00');
    await eventForm.getByLabel('Ends').fill('2030-05-04T18:00');
    await eventForm.getByRole('button', { name: 'Create event' }).click();
    await page.waitForURL((u) => u.hash.startsWith('#event='));
    const eventId = decodeURIComponent(new URL(page.url()).hash.slice('#event='.length));
    await page.getByRole('heading', { name: 'Annual conference', level: 1 }).waitFor();

    // A session, with its dashboard link and the close/reopen toggle.
    const sessionForm = page.getByTestId('session-form');
    await sessionForm.getByLabel('Session', { exact: true }).fill('Morning talk');
    await sessionForm.getByLabel('Place', { exact: true }).fill('Hall A');
    await sessionForm.getByLabel('Starts', { exact: true }).fill('2030-05-04T09:00');
    await sessionForm.getByLabel('Ends', { exact: true }).fill('2030-05-04T10:30');
    await sessionForm.getByRole('button', { name: 'Add session' }).click();
    const sessionRow = page.getByTestId('sessions').locator('tr[data-session-id]');
    await sessionRow.getByText('Morning talk').waitFor();
    const sessionId = (await sessionRow.getAttribute('data-session-id'))!;
    expect(await sessionRow.getByRole('link', { name: 'Live dashboard' }).getAttribute('href')).toBe(`/dashboard?session=${sessionId}`);
    expect(await sessionRow.innerText()).toContain('Hall A');
    await sessionRow.getByRole('button', { name: 'Close check-in' }).click();
    await sessionRow.locator('[data-status="closed"]').waitFor();
    await sessionRow.getByRole('button', { name: 'Reopen check-in' }).click();
    await sessionRow.locator('[data-status="open"]').waitFor();

    // An attendee by hand, registered for the session; their pass link is shown once.
    const attendeeForm = page.getByTestId('attendee-form');
    await attendeeForm.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
    await attendeeForm.getByLabel('Email (optional)').fill('ada@example.com');
    await attendeeForm.getByLabel('Morning talk').check();
    await attendeeForm.getByRole('button', { name: 'Add attendee' }).click();
    await page.getByTestId('pass-link').getByText('Personal pass link for Ada Lovelace').waitFor();
    expect(await page.getByTestId('pass-link-url').inputValue()).toMatch(new RegExp(`^${node.url}/pass\\?link=`));
    const ada = page.getByTestId('attendee-row').filter({ hasText: 'Ada Lovelace' });
    expect(await ada.locator(`input[data-session-id="${sessionId}"]`).isChecked()).toBe(true);

    // A CSV with one bad row: the dry run reports it, then the good rows are imported.
    const csv = 'name,email,sessions\nGrace Hopper,grace@example.com,Morning talk\n,nobody@example.com,\nAlan Turing,alan@example.com,\n';
    await page.getByTestId('import-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    const report = page.getByTestId('import-report');
    await report.getByText('Checked: 2 rows can be imported (2 new, 0 updated, 0 unchanged); 1 rows have problems and will be left out.').waitFor();
    const bad = page.getByTestId('import-errors').locator('tr[data-line="3"]');
    expect(await bad.getAttribute('data-code')).toBe('missing_name');
    expect(await bad.innerText()).toContain('The name is empty.');
    expect(await page.getByTestId('attendee-row').count()).toBe(1); // nothing written yet
    await report.getByRole('button', { name: 'Import 2 rows' }).click();
    await report.getByText('Imported: 2 new, 0 updated, 0 unchanged; 1 rows left out.').waitFor();
    await page.getByTestId('attendee-row').filter({ hasText: 'Grace Hopper' }).waitFor();
    expect(await page.getByTestId('attendee-row').count()).toBe(3);
    expect(await page.getByTestId('attendee-row').filter({ hasText: 'Grace Hopper' }).locator(`input[data-session-id="${sessionId}"]`).isChecked()).toBe(true);
    // Search narrows the list.
    await page.getByTestId('attendee-search').fill('alan');
    await page.getByText('1 of 3 attendees').waitFor();
    expect(await page.getByTestId('attendee-row').count()).toBe(1);
    await page.getByTestId('attendee-search').fill('');

    // A staff account for the session, by email.
    const staffBox = page.locator(`.ev-staff-session[data-session-id="${sessionId}"]`);
    await staffBox.getByTestId('staff-email').fill('nobody@test.local');
    await staffBox.getByRole('button', { name: 'Assign' }).click();
    await page.getByTestId('staff-error').getByText('There is no account with the email nobody@test.local.', { exact: false }).waitFor();
    await staffBox.getByTestId('staff-email').fill(STAFF.email);
    await staffBox.getByRole('button', { name: 'Assign' }).click();
    await staffBox.getByTestId('staff-list').getByText(STAFF.name).waitFor();
    expect(page.getByTestId('staff-error')).toBeTruthy();
    expect(await page.getByTestId('staff-error').isHidden()).toBe(true);

    // A scanner device: its QR carries the provisioning link; revoking it stops the token.
    const deviceForm = page.getByTestId('device-form');
    await deviceForm.getByLabel('Device name').fill('Door A tablet');
    await deviceForm.getByLabel('Scans for').selectOption(sessionId);
    await deviceForm.getByRole('button', { name: 'Provision' }).click();
    const qr = page.getByTestId('device-qr');
    await qr.waitFor();
    await page.locator('[data-testid="device-qr"][data-ready="true"]').waitFor();
    const qrText = (await qr.getAttribute('data-qr-text'))!;
    expect(qrText).toMatch(new RegExp(`^${node.url}/scanner\\?device_token=spd_`));
    expect(await page.getByTestId('device-url').inputValue()).toBe(qrText);
    // The canvas is drawn (black modules on white), not blank.
    const dark = await qr.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 64) n++;
      return n;
    });
    expect(dark).toBeGreaterThan(1000);
    const token = new URL(qrText).searchParams.get('device_token')!;
    const before = await scannerSessions(token, node);
    expect(before.status).toBe(200);
    expect(((await before.json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id)).toEqual([sessionId]);
    if (SCREENSHOTS) {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-event.png'), fullPage: true });
    }
    await page.getByTestId('device-provisioned').getByRole('button', { name: 'Done' }).click();
    expect(await page.locator('[data-testid="device-qr"]').count()).toBe(0);
    const deviceRow = page.getByTestId('device-row').filter({ hasText: 'Door A tablet' });
    await deviceRow.getByRole('button', { name: 'Revoke Door A tablet' }).click();
    await page.locator('[data-testid="device-row"][data-revoked="true"]').waitFor();
    const after = await scannerSessions(token, node);
    expect(after.status).toBe(401);

    // The export downloads a CSV with the attendees.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const file = await download.path();
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('Ada Lovelace');
    expect(text).toContain('Grace Hopper');
    expect(await page.getByTestId('export-csv').getAttribute('href')).toBe(`/api/v1/events/${eventId}/attendance.csv`);

    // The event is listed.
    await page.getByRole('link', { name: '← All events' }).click();
    await page.getByTestId('events').getByRole('link', { name: 'Annual conference' }).waitFor();
  });

  it('sets the webhook, shows and rotates its secret, sends a test ping; errors have friendly texts', async () => {
    const { page } = await adminPage();
    const admin = await signIn(suite.node.url);
    const created = await fetch(`${suite.node.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ name: 'Training day', starts_at: Date.UTC(2030, 0, 1, 9), ends_at: Date.UTC(2030, 0, 1, 17) }),
    });
    const event = (await created.json()) as { id: string };
    await page.goto(`/admin#event=${event.id}`);
    await page.getByRole('heading', { name: 'Training day', level: 1 }).waitFor();
    const form = page.getByTestId('webhook-form');
    await form.getByLabel('Endpoint URL').fill('ftp://example.com/x');
    await form.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByTestId('webhook-error').getByText('This URL cannot receive webhooks. Use an absolute http:// or https:// address.').waitFor();
    // A loopback target is refused too (no lab setting here), with the same friendly text.
    await form.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/hook');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/events/${event.id}/webhook`) && r.request().method() === 'PUT'),
      form.getByRole('button', { name: 'Save webhook' }).click(),
    ]);
    expect([refused.status(), ((await refused.json()) as { error: string }).error]).toEqual([400, 'invalid_webhook_url']);
    await page.getByTestId('webhook-error').getByText('This URL cannot receive webhooks. Use an absolute http:// or https:// address.').waitFor();
    await form.getByLabel('Endpoint URL').fill('https://hooks.example.org/hook');
    await form.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByTestId('webhook-notice').getByText('Webhook saved.').waitFor();
    const secret = page.getByTestId('webhook-secret');
    const first = await secret.inputValue();
    expect(first).toMatch(/^whsec_/);
    expect(await secret.getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    expect(await secret.getAttribute('type')).toBe('text');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByTestId('webhook-notice').getByText('A new secret was issued.').waitFor();
    expect(await page.getByTestId('webhook-secret').inputValue()).not.toBe(first);
    await page.getByRole('button', { name: 'Send a test ping' }).click();
    await page.getByTestId('deliveries').locator('tr').filter({ hasText: 'ping' }).waitFor();

    // In Chinese too.
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: 'Webhook', level: 2 }).waitFor();
    await page.getByRole('heading', { name: '场次', level: 2 }).waitFor();
    await page.getByRole('navigation', { name: '控制台栏目' }).getByRole('link', { name: '活动' }).waitFor();
    await page.getByTestId('deliveries').getByText('待发送').or(page.getByTestId('deliveries').getByText('失败')).or(page.getByTestId('deliveries').getByText('已送达')).first().waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-event-zh-CN.png'), fullPage: true });
    await page.getByRole('button', { name: 'English' }).click();

    // On a phone nothing runs off the side.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('heading', { name: 'Training day', level: 1 }).waitFor();
    await page.getByTestId('deliveries').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-event-phone.png'), fullPage: true });
  });
});
