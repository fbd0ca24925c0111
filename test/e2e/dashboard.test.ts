import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, requirePage } from '../support/browser.js';
import { callAs, type SignedIn } from '../support/json-api.js';
import { ADMIN, signIn, startTestNode } from '../support/test-node.js';

/**
 * The session dashboard in real Chromium: the staff member watching a
 * session sees the counts; a check-in made elsewhere (through the API, by
 * another staff member) appears with that scanner's name and the counts move,
 * pushed, without a reload; a refused scan shows in red with its reason; undo
 * from the page brings the count back; a person without a phone is found by
 * name and checked in by hand. An admin checks a CSV with bad rows, sees the
 * report, then imports it.
 */

const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;
const MIN = 60_000;
const PASSWORD = 'a long enough password';

type Node = Awaited<ReturnType<typeof startTestNode>>;

describe.skipIf(!hasChromium())('session dashboard in Chromium', () => {
  let node: Node;
  let browser: Browser;
  let admin: { cookie: string; csrf: string };
  let olga: { cookie: string; csrf: string };
  const ids = {} as Record<'sam' | 'olga', string>;

  const call = <T>(who: SignedIn, method: string, url: string, body?: unknown, status = 200) => callAs<T>(node.url, who, method, url, body, status);

  beforeAll(async () => {
    requirePage('dashboard.html');
    node = await startTestNode();
    admin = await signIn(node.url);
    ids.sam = (await call<{ id: string }>(admin, 'POST', '/api/v1/users', { email: 'sam@test.local', password: PASSWORD, name: 'Sam Staff', role: 'staff' }, 201)).id;
    ids.olga = (await call<{ id: string }>(admin, 'POST', '/api/v1/users', { email: 'olga@test.local', password: PASSWORD, name: 'Olga Scanner', role: 'staff' }, 201)).id;
    olga = await signIn(node.url, 'olga@test.local', PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await node?.close();
  });

  /**
   * An event of the test's own with its Keynote (Ada and Grace registered, Sam and Olga its staff): each test's counts,
   * scans and imports are its own, so none depends on what another did before it.
   */
  async function keynote(): Promise<Record<'event' | 'session' | 'ada' | 'grace', string>> {
    const now = Date.now();
    const event = (await call<{ id: string }>(admin, 'POST', '/api/v1/events', { name: 'Open Source Summit', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    const session = (await call<{ id: string }>(admin, 'POST', `/api/v1/events/${event}/sessions`, { name: 'Keynote', place: 'Hall A', starts_at: now - 10 * MIN, ends_at: now + 120 * MIN }, 201)).id;
    const ada = (await call<{ id: string }>(admin, 'POST', `/api/v1/events/${event}/attendees`, { name: 'Ada Lovelace', email: 'ada@example.com', session_ids: [session] }, 201)).id;
    const grace = (await call<{ id: string }>(admin, 'POST', `/api/v1/events/${event}/attendees`, { name: 'Grace Hopper', session_ids: [session] }, 201)).id;
    for (const u of [ids.sam, ids.olga]) await call(admin, 'POST', `/api/v1/sessions/${session}/staff`, { user_id: u });
    return { event, session, ada, grace };
  }

  async function signedIn(session: string, email: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, node.url, { viewport: { width: 900, height: 1000 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 40[01]/.test(m.text())) console.warn(`[page error] ${m.text()}`);
    });
    const target = `/dashboard?session=${session}`;
    await page.goto(target);
    await page.waitForURL(/\/signin\?next=/);
    await page.getByLabel(/email/i).fill(email);
    await page.locator('#password').fill(password);
    await page.locator('#submit').click();
    await page.waitForURL((u) => u.pathname === '/dashboard');
    return { context, page };
  }

  const count = (page: Page, which: 'expected' | 'checked-in' | 'not-yet') => page.getByTestId(`count-${which}`).getAttribute('data-value');
  const first = (page: Page) => page.getByTestId('latest-item').first();
  const shot = (page: Page, name: string) => (SCREENSHOTS ? page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true }) : undefined);

  it('shows the counts, then every scan pushed live with who scanned; undo and check-in by name', async () => {
    const k = await keynote();
    const { context, page } = await signedIn(k.session, 'sam@test.local', PASSWORD);
    await expect.poll(() => count(page, 'expected')).toBe('2');
    expect(await count(page, 'checked-in')).toBe('0');
    expect(await count(page, 'not-yet')).toBe('2');
    expect(await page.getByTestId('dash-session').textContent()).toContain('Keynote');
    expect(await page.getByTestId('export-link').getAttribute('href')).toBe(`/api/v1/sessions/${k.session}/attendance.csv`);
    expect(await page.getByTestId('event-export-link').isVisible()).toBe(false);
    expect(await page.locator('#import-box').isVisible()).toBe(false);
    await expect.poll(() => page.getByTestId('live-status').getAttribute('data-status')).toBe('open');
    // Anything that reloads the page would lose this.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    // Another staff member checks Ada in through the API: the dashboard shows it by itself.
    const scan = await call<{ result: string; checkin: { id: string } }>(olga, 'POST', '/api/v1/checkins/manual', { session_id: k.session, attendee_id: k.ada, nonce: crypto.randomUUID(), gate: 'North door' });
    expect(scan.result).toBe('ok');
    await expect.poll(() => count(page, 'checked-in')).toBe('1');
    expect(await count(page, 'not-yet')).toBe('1');
    expect(await first(page).getAttribute('data-result')).toBe('ok');
    expect(await first(page).getByTestId('latest-name').textContent()).toBe('Ada Lovelace');
    expect(await first(page).getByTestId('latest-by').textContent()).toBe('by Olga Scanner · North door');

    // A refusal shows in red, with its reason in words.
    await call(olga, 'POST', '/api/v1/checkins', { code: 'not a pass', session_id: k.session, nonce: crypto.randomUUID() });
    await expect.poll(() => first(page).getAttribute('data-result')).toBe('rejected');
    expect(await first(page).getAttribute('data-reason')).toBe('invalid_code');
    expect(await first(page).getByTestId('latest-outcome').textContent()).toBe('This is not a valid check-in code.');
    await shot(page, 'dashboard.en.png');

    // Undo, after confirming: the count goes back, and the scan says it was undone.
    const adaItem = page.getByTestId('latest-item').filter({ has: page.getByTestId('undo') });
    expect(await adaItem.count()).toBe(1);
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await adaItem.getByTestId('undo').click();
    await expect.poll(() => count(page, 'checked-in')).toBe('0');
    expect(asked).toContain('Ada Lovelace');
    await expect.poll(() => page.getByTestId('latest-undone').count()).toBe(1);
    expect(await page.getByTestId('undo').count()).toBe(0);
    const stored = await node.services.store.db.selectFrom('checkins').select(['undone_at', 'undone_by']).where('id', '=', scan.checkin.id).executeTakeFirstOrThrow();
    expect(stored.undone_by).toBe(ids.sam);

    // Grace has no phone: found by name, checked in by hand.
    await page.getByTestId('search').fill('grac');
    const grace = page.getByTestId('search-item');
    await expect.poll(() => grace.count()).toBe(1);
    expect(await grace.getAttribute('data-status')).toBe('not_yet');
    await grace.getByTestId('manual-checkin').click();
    await expect.poll(() => page.getByTestId('manual-result').getAttribute('data-result')).toBe('ok');
    expect(await page.getByTestId('manual-result').textContent()).toBe('Grace Hopper is checked in.');
    await expect.poll(() => grace.getAttribute('data-status')).toBe('checked_in');
    await expect.poll(() => count(page, 'checked-in')).toBe('1');
    expect(await first(page).getByTestId('latest-name').textContent()).toBe('Grace Hopper');
    expect(await first(page).getByTestId('latest-by').textContent()).toBe('by Sam Staff');
    expect(await first(page).getByTestId('latest-earlier').count()).toBe(0);

    // Olga's scanner was offline two minutes ago when it let Grace in at the South door; its upload
    // arrives now and is refused: the dashboard says when Grace was let in first, and that it came late.
    const late = await call<{ result: string; reason: string }>(olga, 'POST', '/api/v1/checkins/manual', {
      session_id: k.session,
      attendee_id: k.grace,
      nonce: crypto.randomUUID(),
      gate: 'South door',
      scanned_at: Date.now() - 120_000,
      offline: true,
    });
    expect(late).toMatchObject({ result: 'rejected', reason: 'already_checked_in' });
    await expect.poll(() => first(page).getAttribute('data-reason')).toBe('already_checked_in');
    expect(await first(page).getByTestId('latest-outcome').textContent()).toBe('Already checked in.');
    expect(await first(page).getByTestId('latest-by').textContent()).toBe('by Olga Scanner · South door');
    expect(await first(page).getByTestId('latest-earlier').textContent()).toMatch(/^First checked in at \d{2}:\d{2}:\d{2}( [AP]M)?$/);
    expect(await first(page).getByTestId('latest-late').textContent()).toBe('sent later');
    // The refusal changed nothing.
    expect(await count(page, 'checked-in')).toBe('1');

    // Same page, in Chinese: no reload either.
    await page.getByRole('button', { name: '中文' }).click();
    expect(await page.getByTestId('latest-outcome').first().textContent()).toBe('已经签到过了。');
    expect(await page.getByTestId('latest-outcome').nth(1).textContent()).toBe('签到成功');
    expect(await first(page).getByTestId('latest-earlier').textContent()).toMatch(/^已于 .+ 签到$/);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await shot(page, 'dashboard.zh-CN.png');
    await context.close();
  }, 60_000);

  it('lets an admin check a CSV, shows the rows it leaves out, then imports it', async () => {
    const k = await keynote();
    const { context, page } = await signedIn(k.session, ADMIN.email, ADMIN.password);
    await expect.poll(() => count(page, 'expected')).toBe('2');
    expect(await page.getByTestId('event-export-link').getAttribute('href')).toBe(`/api/v1/events/${k.event}/attendance.csv`);
    const csv = '\uFEFFname;email\nLinus Torvalds;linus@example.com\nNo Mail;not-an-email\n;empty@example.com\n';
    await page.getByTestId('import-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    // The file is checked first, as in the console: the report, and nothing written yet.
    await page.getByTestId('import-check').click();
    await expect.poll(() => page.getByTestId('import-report').isVisible()).toBe(true);
    expect(await page.getByTestId('import-summary').textContent()).toBe('Checked: 1 rows can be imported (1 new, 0 updated, 0 unchanged); 2 rows have problems and will be left out.');
    const rows = page.getByTestId('import-errors').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).getAttribute('data-code')).toBe('invalid_email');
    expect(await rows.nth(0).locator('td').allTextContents()).toEqual(['3', 'email', 'not-an-email', 'This is not a valid email address.']);
    expect(await rows.nth(1).getAttribute('data-code')).toBe('missing_name');
    expect(await count(page, 'expected')).toBe('2');
    await page.getByTestId('import-run').click();
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toBe('Imported: 1 new, 0 updated, 0 unchanged; 2 rows left out.');
    // Registered for this session too (the box is ticked): the expected count moves, pushed.
    await expect.poll(() => count(page, 'expected')).toBe('3');
    await shot(page, 'dashboard-import.en.png');

    // A file that is not UTF-8 is refused as a whole, in words.
    await page.getByTestId('import-file').setInputFiles({ name: 'gbk.csv', mimeType: 'text/csv', buffer: Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xc4, 0xe3, 0xba, 0xc3, 0x0a]) });
    await page.getByTestId('import-check').click();
    await expect.poll(() => page.getByTestId('import-error').isVisible()).toBe(true);
    expect(await page.getByTestId('import-error').textContent()).toContain('UTF-8');
    await context.close();
  }, 60_000);
});
