import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, requirePage } from '../support/browser.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.js';
import { ADMIN, freePort, signIn, startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

/**
 * Passes by e-mail in real Chromium: the organiser adds two attendees (one
 * whose e-mail is in Chinese), sends every pass from the console, watches
 * the progress reach done, and each message arrives at the SMTP server this
 * test runs; the link in it opens the attendee's pass on a phone. The links
 * CSV gives the same links, and asking for a new link warns that the mailed one stops working.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
/** Set to a folder to keep a screenshot of the card. */
const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;
const HOUR = 3600_000;

describe.skipIf(!hasChromium())('passes by e-mail, in Chromium', () => {
  let smtp: SmtpReceiver;
  let node: Node;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    requirePage('admin.html');
    smtp = await startSmtpReceiver();
    [node, browser] = await Promise.all([startTestNode({ smtpUrl: smtp.url, mailFrom: 'Expo Desk <desk@expo.test>' }), launchChromium()]);
  });
  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close(), smtp?.close()]);
  });

  it('sends every pass from the console; the progress reaches done and each e-mailed link opens the pass', async () => {
    const admin = await signIn(node.url);
    const now = Date.now();
    const res = await fetch(`${node.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ name: 'Mail Expo', starts_at: now + HOUR, ends_at: now + 8 * HOUR }),
    });
    const eventId = ((await res.json()) as { id: string }).id;

    const context = await newContext(browser, node.url, { viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    contexts.push(context);
    expect((await context.request.post('/api/v1/session', { data: { email: ADMIN.email, password: ADMIN.password } })).status()).toBe(200);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await page.goto(`/admin#event=${eventId}`);
    await page.getByRole('heading', { name: 'Mail Expo', level: 1 }).waitFor();

    // Two attendees by hand: one English, one whose e-mail is in Chinese.
    const form = page.getByTestId('attendee-form');
    for (const [name, email, lang] of [['Ada Lovelace', 'ada@expo.test', 'en'], ['王小明', 'wang@expo.test', 'zh-CN']] as const) {
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel('Email (optional)').fill(email);
      await form.getByLabel('Language of their pass e-mail').selectOption(lang);
      await form.getByRole('button', { name: 'Add attendee' }).click();
      await page.getByTestId('pass-link').getByText(`Personal pass link for ${name}`).waitFor();
    }
    const passes = page.locator('#ev-passes');
    await passes.locator('tr[data-testid="pass-row"][data-status="not_sent"]').nth(1).waitFor();

    // Send: one confirmation that says how many, then the progress runs to done.
    await passes.getByRole('button', { name: 'Send passes by e-mail' }).click();
    await page.locator('[data-testid="pass-progress"][data-done="true"]').waitFor({ timeout: 20_000 });
    expect(dialogs.at(-1)).toBe('E-mail their pass to 2 attendees who have not received it yet?');
    expect(await page.getByTestId('pass-progress').innerText()).toBe('Done: 2 sent, 0 failed.');
    expect(await page.getByTestId('pass-progress-bar').getAttribute('data-done')).toBe('true');
    await passes.locator('tr[data-testid="pass-row"][data-status="sent"]').nth(1).waitFor();
    expect(await passes.locator('tr[data-testid="pass-row"]').filter({ hasText: '王小明' }).innerText()).toContain('Sent');
    if (SCREENSHOTS) await passes.screenshot({ path: path.join(SCREENSHOTS, 'passes-by-email.png') });

    // What arrived: each recipient once, in their language, with their link.
    const [toAda] = await until(() => (smtp.to('ada@expo.test').length ? smtp.to('ada@expo.test') : false), 'the mail to Ada');
    const [toWang] = await until(() => (smtp.to('wang@expo.test').length ? smtp.to('wang@expo.test') : false), 'the mail to Wang');
    expect(toAda!.mail.subject).toBe('Your pass for Mail Expo');
    expect(toWang!.mail.subject).toBe('您的入场凭证：Mail Expo');
    expect(toWang!.mail.text).toContain('王小明，您好');
    const adaLink = /(http:\/\/\S+\/pass\?link=[A-Za-z0-9_-]+)/.exec(toAda!.mail.text!)![1]!;
    const wangLink = /(http:\/\/\S+\/pass\?link=[A-Za-z0-9_-]+)/.exec(toWang!.mail.text!)![1]!;

    // The links CSV gives the mailed links as they are.
    const [download] = await Promise.all([page.waitForEvent('download'), passes.getByTestId('export-links').click()]);
    const rows = parse(await streamText(await download.createReadStream()), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.email === 'ada@expo.test')!.link_url).toBe(adaLink);
    expect(rows.find((r) => r.email === 'wang@expo.test')).toMatchObject({ language: 'zh-CN', link_url: wangLink });

    // The e-mailed links open the passes on a phone, in the phone's language.
    for (const [link, name, locale] of [[adaLink, 'Ada Lovelace', 'en-US'], [wangLink, '王小明', 'zh-CN']] as const) {
      const phone = await newContext(browser, node.url, { locale });
      contexts.push(phone);
      const p = await phone.newPage();
      await p.goto(link);
      await p.getByTestId('pass-name').getByText(name).waitFor();
      await p.getByTestId('pass-event').getByText('Mail Expo').waitFor();
    }

    // A new link for Ada warns that the one mailed to her stops working.
    await page.getByTestId('attendee-row').filter({ hasText: 'Ada Lovelace' }).getByRole('button', { name: 'New pass link' }).click();
    await page.getByTestId('pass-link').getByText('Personal pass link for Ada Lovelace').waitFor();
    expect(dialogs.at(-1)).toBe('Issue a new pass link for Ada Lovelace? The link already e-mailed to them stops working; send them the new one.');
  });

  it('with a wrong SMTP setting the job ends and the console says why, instead of a progress bar that never finishes', async () => {
    const wrong = await startTestNode({ smtpUrl: `smtp://127.0.0.1:${await freePort()}` });
    try {
      const admin = await signIn(wrong.url);
      const headers = { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf };
      const now = Date.now();
      const ev = (await (await fetch(`${wrong.url}/api/v1/events`, { method: 'POST', headers, body: JSON.stringify({ name: 'No Mail Day', starts_at: now + HOUR, ends_at: now + 2 * HOUR }) })).json()) as { id: string };
      for (const i of [1, 2, 3]) await fetch(`${wrong.url}/api/v1/events/${ev.id}/attendees`, { method: 'POST', headers, body: JSON.stringify({ name: `Guest ${i}`, email: `guest${i}@expo.test` }) });
      const context = await newContext(browser, wrong.url, { viewport: { width: 1200, height: 900 } });
      contexts.push(context);
      expect((await context.request.post('/api/v1/session', { data: { email: ADMIN.email, password: ADMIN.password } })).status()).toBe(200);
      const page = await context.newPage();
      page.on('dialog', (d) => void d.accept());
      await page.goto(`/admin#event=${ev.id}`);
      await page.locator('#ev-passes tr[data-testid="pass-row"]').nth(2).waitFor();
      await page.getByRole('button', { name: 'Send passes by e-mail' }).click();
      await page.locator('[data-testid="pass-progress"][data-done="true"]').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('pass-progress').innerText()).toBe('Done: 0 sent, 3 failed.');
      expect(await page.getByTestId('pass-failure').innerText()).toMatch(/^3 not sent because: E(CONNECTION|SOCKET): .*ECONNREFUSED/);
      expect(await page.locator('#ev-passes tr[data-status="failed"]').count()).toBe(3);
      expect(await page.getByTestId('resend-failed').innerText()).toBe('Resend to all failed (3)');
    } finally {
      await wrong.close();
    }
  });
});

async function streamText(s: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
