import path from 'node:path';
import fs from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, requirePage } from '../support/browser.js';
import { callAs } from '../support/json-api.js';
import { ADMIN, signIn, startTestNode } from '../support/test-node.js';

/**
 * The scanner at the door, on a tablet (1024x768), in real Chromium, in
 * English and Chinese: the result fills the screen, green / amber ("already
 * checked in") / red; the attendee's note and sessions show on it; staff type
 * a code by hand or find someone by name and check them in from the result;
 * a session not open yet says when it opens, on the scanner and in the
 * organiser's console alike; the offline counter says "1 scan" / "2 scans".
 *
 * A provisioned device scans (no sign-in), without a camera: codes are typed,
 * or sent as a keyboard-wedge burst. Times are checked in the browser's time
 * zone, one chosen so that "in 90 minutes" is still today there.
 */

const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;
const MIN = 60_000;
const TABLET = { width: 1024, height: 768 };
const GREEN = 'rgb(21, 128, 61)';
const AMBER = 'rgb(245, 158, 11)';
const RED = 'rgb(185, 28, 28)';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** A time zone where it is between 01:00 and 20:59 now, so that now + 2 h is the same day there. */
function daytimeZone(now: number): string {
  for (const tz of ['Asia/Shanghai', 'Europe/London', 'America/New_York', 'Pacific/Auckland', 'America/Los_Angeles', 'Asia/Kolkata']) {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: tz }).format(now));
    if (hour >= 1 && hour <= 20) return tz;
  }
  throw new Error('no daytime zone found');
}

describe.skipIf(!hasChromium())('the scanner at the door, on a tablet, in Chromium', () => {
  let node: Node;
  let browser: Browser;
  let admin: { cookie: string; csrf: string };
  let timezoneId: string;
  /** "HH:MM" when the reception's check-in opens, in that zone. */
  let opensClock: string;
  const ids = {} as Record<'event' | 'keynote' | 'reception' | 'ada' | 'grace' | 'alan' | 'linus', string>;
  const links = {} as Record<'ada' | 'grace' | 'alan' | 'linus', string>;
  let deviceToken: string;
  const contexts: BrowserContext[] = [];
  const ADA_NOTE = 'Wheelchair user: open the side door';

  const adminCall = <T>(method: string, url: string, body?: unknown, status = 200) => callAs<T>(node.url, admin, method, url, body, status);

  beforeAll(async () => {
    requirePage('scanner.html');
    node = await startTestNode();
    admin = await signIn(node.url);
    const now = Date.now();
    timezoneId = daytimeZone(now);
    // A round time, 60 to 90 minutes ahead: "opens at 10:30".
    const opensAt = Math.ceil((now + 60 * MIN) / (30 * MIN)) * 30 * MIN;
    opensClock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: timezoneId }).format(opensAt);

    ids.event = (await adminCall<{ id: string }>('POST', '/api/v1/events', { name: 'Door Summit', starts_at: now - 60 * MIN, ends_at: now + 10 * 60 * MIN }, 201)).id;
    ids.keynote = (await adminCall<{ id: string }>('POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Keynote', place: 'Hall A', starts_at: now - 10 * MIN, ends_at: now + 120 * MIN }, 201)).id;
    ids.reception = (
      await adminCall<{ id: string }>('POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Evening reception', starts_at: opensAt + 30 * MIN, ends_at: opensAt + 180 * MIN, opens_at: opensAt }, 201)
    ).id;
    const attendee = async (key: 'ada' | 'grace' | 'alan' | 'linus', body: Record<string, unknown>) => {
      const a = await adminCall<{ id: string; link_token: string; note: string | null }>('POST', `/api/v1/events/${ids.event}/attendees`, body, 201);
      ids[key] = a.id;
      links[key] = a.link_token;
      return a;
    };
    const ada = await attendee('ada', { name: 'Ada Lovelace', session_ids: [ids.keynote, ids.reception], note: `  ${ADA_NOTE} ` });
    expect(ada.note).toBe(ADA_NOTE);
    await attendee('grace', { name: 'Grace Hopper', session_ids: [ids.keynote] });
    await attendee('alan', { name: 'Alan Turing', session_ids: [ids.keynote] });
    await attendee('linus', { name: 'Linus Pauling', session_ids: [ids.keynote] });
    // The note can be changed (and cleared) later.
    expect((await adminCall<{ note: string | null }>('PATCH', `/api/v1/attendees/${ids.grace}`, { note: 'Speaker: give a badge' })).note).toBe('Speaker: give a badge');
    expect((await adminCall<{ note: string | null }>('PATCH', `/api/v1/attendees/${ids.grace}`, { note: '' })).note).toBeNull();
    deviceToken = (await adminCall<{ token: string }>('POST', `/api/v1/events/${ids.event}/devices`, { name: 'Front door' }, 201)).token;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await browser?.close().catch(() => {});
    await node?.close();
  });

  /** The attendee's current code, as their pass shows it. */
  async function codeOf(who: keyof typeof links): Promise<string> {
    const res = await fetch(`${node.url}/api/v1/passes/by-link/${links[who]}`);
    expect(res.status).toBe(200);
    const pass = (await res.json()) as { codes: { code: string; shown_from: number; shown_until: number }[] };
    const now = Date.now();
    return (pass.codes.find((c) => c.shown_from <= now && now < c.shown_until) ?? pass.codes[0]!).code;
  }

  async function tablet(url: string, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, node.url, { viewport: TABLET, timezoneId, locale });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
    await page.goto(url);
    return { context, page };
  }

  /** The device's scanner page on `session`, loaded and ready. */
  async function scannerPage(session: string) {
    const { context, page } = await tablet(`/scanner?device_token=${deviceToken}&session=${session}`);
    await expect.poll(() => page.getByTestId('scanner-who').textContent()).toContain('Front door');
    await expect.poll(() => page.evaluate(() => document.body.dataset.sessionId)).toBe(session);
    return { context, page };
  }

  /** The screen as it looks (`fullPage`: the whole page, e.g. a list below the fold). */
  const shot = async (page: Page, name: string, fullPage = false) => {
    if (!SCREENSHOTS) return;
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
  };

  const historyCount = (page: Page) => page.getByTestId('history').locator('li').count();

  /** Types a code into "Type a code" and waits for its answer (a new history line). */
  async function typeCode(page: Page, code: string): Promise<void> {
    const before = await historyCount(page);
    await page.getByTestId('type-code').fill(code);
    await page.getByTestId('type-submit').click();
    await expect.poll(() => historyCount(page)).toBe(before + 1);
  }

  /** The result shown now: its state, colours, size and words. */
  async function resultOf(page: Page) {
    const box = page.getByTestId('scan-result');
    await box.waitFor({ state: 'visible' });
    const style = await box.evaluate((el) => {
      const cs = getComputedStyle(el);
      const name = getComputedStyle(el.querySelector('#scan-name')!);
      return { background: cs.backgroundColor, color: cs.color, nameSize: parseFloat(name.fontSize) };
    });
    return {
      state: await box.getAttribute('data-state'),
      reason: await box.getAttribute('data-reason'),
      heading: await page.locator('#scan-result-heading').textContent(),
      name: await page.getByTestId('scan-name').textContent(),
      reasonText: await page.getByTestId('scan-reason').textContent(),
      previous: await page.getByTestId('scan-previous').textContent(),
      note: (await page.getByTestId('scan-note').isVisible()) ? await page.getByTestId('scan-note').textContent() : null,
      sessions: await page.getByTestId('scan-sessions').textContent(),
      rect: await box.boundingBox(),
      ...style,
    };
  }

  /** The result covers the whole tablet screen, its name in letters big enough for two metres (about 1 cm). */
  const expectFullScreen = (r: Awaited<ReturnType<typeof resultOf>>) => {
    expect(r.rect).toEqual({ x: 0, y: 0, width: TABLET.width, height: TABLET.height });
    expect(r.nameSize).toBeGreaterThanOrEqual(48);
  };

  /** A tap anywhere on the result goes on (no camera here: it simply goes away). */
  async function dismiss(page: Page): Promise<void> {
    await page.getByTestId('scan-result').click({ position: { x: 40, y: TABLET.height - 40 } });
    await page.getByTestId('scan-result').waitFor({ state: 'hidden' });
  }

  it('fills the screen: green admitted with the note and sessions, amber already checked in, red refused (en, zh-CN)', async () => {
    const { page } = await scannerPage(ids.keynote);
    const ada = await codeOf('ada');

    // Typed by hand on the scanner page itself.
    await typeCode(page, ada);
    const ok = await resultOf(page);
    expect(ok).toMatchObject({ state: 'ok', heading: 'Welcome', name: 'Ada Lovelace', background: GREEN, note: `Note: ${ADA_NOTE}`, sessions: 'Sessions: Keynote · Evening reception' });
    expectFullScreen(ok);
    expect(await page.getByText('Tap anywhere for the next scan').isVisible()).toBe(true);
    await shot(page, 'scanner-door-ok.en');
    await dismiss(page);

    // The same person again: amber, with when, never red.
    await typeCode(page, ada);
    const again = await resultOf(page);
    expect(again).toMatchObject({ state: 'warn', reason: 'already_checked_in', heading: 'Already checked in', name: 'Ada Lovelace', background: AMBER, note: `Note: ${ADA_NOTE}` });
    expect(again.previous).toMatch(/^Checked in at \d\d:\d\d:\d\d · Front door$/);
    expect(again.color).toBe('rgb(28, 19, 0)');
    expectFullScreen(again);
    await shot(page, 'scanner-door-already.en');
    await dismiss(page);

    // Not a code of ours: red.
    await typeCode(page, 'HELLO-NOT-A-PASS-0001');
    const bad = await resultOf(page);
    expect(bad).toMatchObject({ state: 'refused', reason: 'invalid_code', heading: 'Not admitted', reasonText: 'This is not a valid check-in code.', background: RED, note: null, sessions: '' });
    expectFullScreen(bad);
    await shot(page, 'scanner-door-refused.en');

    // In Chinese: the top bar stays above the result, so the language can change while it shows.
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => page.locator('#scan-result-heading').textContent()).toBe('不能入场');
    expect(await page.getByTestId('scan-reason').textContent()).toBe('这不是有效的签到码。');
    await shot(page, 'scanner-door-refused.zh-CN');
    await dismiss(page);
    await typeCode(page, ada);
    const zh = await resultOf(page);
    expect(zh).toMatchObject({ state: 'warn', heading: '已经签到过了', name: 'Ada Lovelace', background: AMBER, note: `备注：${ADA_NOTE}`, sessions: '场次：Keynote · Evening reception' });
    expect(zh.previous).toMatch(/^已于 \d\d:\d\d:\d\d 在 Front door 签到$/);
    expectFullScreen(zh);
    await shot(page, 'scanner-door-already.zh-CN');
    await dismiss(page);
    await typeCode(page, await codeOf('alan'));
    expect(await resultOf(page)).toMatchObject({ state: 'ok', heading: '欢迎', name: 'Alan Turing', background: GREEN, note: null, sessions: '场次：Keynote' });
    await shot(page, 'scanner-door-ok.zh-CN');
  }, 60_000);

  it('finds someone by name and checks them in from the result (en, zh-CN)', async () => {
    const { page } = await scannerPage(ids.keynote);
    const search = page.getByTestId('search');
    const items = page.getByTestId('search-item');
    const item = (name: string): Locator => items.filter({ hasText: name });

    await search.fill('grace');
    await expect.poll(() => items.count()).toBe(1);
    expect(await item('Grace Hopper').getAttribute('data-status')).toBe('not_yet');
    expect(await item('Grace Hopper').innerText()).toContain('Not yet');
    await shot(page, 'scanner-door-search.en', true);
    const before = await historyCount(page);
    await item('Grace Hopper').getByTestId('search-checkin').click();
    await expect.poll(() => historyCount(page)).toBe(before + 1);
    const r = await resultOf(page);
    expect(r).toMatchObject({ state: 'ok', name: 'Grace Hopper', background: GREEN, sessions: 'Sessions: Keynote' });
    expectFullScreen(r);
    await dismiss(page);
    // The list follows: she is in now.
    await expect.poll(() => item('Grace Hopper').getAttribute('data-status')).toBe('checked_in');
    expect(await item('Grace Hopper').innerText()).toMatch(/Checked in at \d\d:\d\d/);

    // Nobody: said so.
    await search.fill('nobody-like-this');
    await expect.poll(() => page.getByTestId('search-status').textContent()).toBe('Nobody matches “nobody-like-this”.');

    // In Chinese: Ada (checked in by the previous test) shows her note; checking her in again is amber.
    await page.getByRole('button', { name: '中文' }).click();
    await search.fill('lovelace');
    await expect.poll(() => item('Ada Lovelace').getAttribute('data-status')).toBe('checked_in');
    expect(await item('Ada Lovelace').getByTestId('search-note').textContent()).toBe(`备注：${ADA_NOTE}`);
    expect(await item('Ada Lovelace').innerText()).toMatch(/\d\d:\d\d 已签到/);
    await shot(page, 'scanner-door-search.zh-CN', true);
    await item('Ada Lovelace').getByTestId('search-checkin').click();
    await expect.poll(async () => (await resultOf(page)).state).toBe('warn');
    expect(await resultOf(page)).toMatchObject({ heading: '已经签到过了', name: 'Ada Lovelace', background: AMBER, note: `备注：${ADA_NOTE}` });
    await dismiss(page);
    await search.fill('pauling');
    await expect.poll(() => item('Linus Pauling').getAttribute('data-status')).toBe('not_yet');
    expect(await item('Linus Pauling').innerText()).toContain('未到');
    await item('Linus Pauling').getByTestId('search-checkin').click();
    await expect.poll(async () => (await resultOf(page)).name).toBe('Linus Pauling');
    expect(await resultOf(page)).toMatchObject({ state: 'ok', heading: '欢迎', background: GREEN });
  }, 60_000);

  it('a session not open yet says when it opens, on the scanner and in the console alike (en, zh-CN)', async () => {
    const { page } = await scannerPage(ids.reception);
    const banner = page.getByTestId('session-window');
    await expect.poll(() => banner.getAttribute('data-window-state')).toBe('not_yet_open');
    expect(await banner.textContent()).toBe(`Check-in opens at ${opensClock}`);
    expect(await banner.isVisible()).toBe(true);

    // A scan now: refused, saying when, not "closed".
    await typeCode(page, await codeOf('ada'));
    const r = await resultOf(page);
    expect(r).toMatchObject({ state: 'refused', reason: 'not_yet_open', name: 'Ada Lovelace', reasonText: 'Check-in for this session has not opened yet.', previous: `Opens at ${opensClock}`, background: RED });
    expect(`${r.heading} ${r.reasonText} ${r.previous}`).not.toMatch(/closed/i);
    expectFullScreen(r);
    await shot(page, 'scanner-door-not-open.en');
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => page.getByTestId('scan-previous').textContent()).toBe(`${opensClock} 开放`);
    expect(await page.getByTestId('scan-reason').textContent()).toBe('此场次的签到尚未开始。');
    await shot(page, 'scanner-door-not-open.zh-CN');
    await dismiss(page);
    expect(await banner.textContent()).toBe(`签到将于 ${opensClock} 开始`);

    // The organiser's console: the same state, the same time.
    const adminContext = await newContext(browser, node.url, { viewport: TABLET, timezoneId });
    contexts.push(adminContext);
    expect((await adminContext.request.post('/api/v1/session', { data: ADMIN })).status()).toBe(200);
    const console_ = await adminContext.newPage();
    await console_.goto(`/admin#event=${encodeURIComponent(ids.event)}`);
    const row = (id: string) => console_.locator(`[data-testid=sessions] tr[data-session-id="${id}"]`).getByTestId('session-window');
    await row(ids.reception).waitFor();
    expect(await row(ids.reception).getAttribute('data-window-state')).toBe('not_yet_open');
    expect(await row(ids.reception).textContent()).toBe(`Opens at ${opensClock}`);
    expect(await row(ids.keynote).getAttribute('data-window-state')).toBe('open');
    expect(await row(ids.keynote).textContent()).toBe('Open');
    await shot(console_, 'console-sessions-window.en');
    await console_.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => row(ids.reception).textContent()).toBe(`${opensClock} 开放`);
    expect(await row(ids.keynote).textContent()).toBe('开放中');

    // Closed by hand before it ever opened: "closed" on both, no "opens at".
    await adminCall('PATCH', `/api/v1/sessions/${ids.reception}`, { closed: true });
    await console_.reload();
    await expect.poll(() => row(ids.reception).getAttribute('data-window-state')).toBe('closed');
    expect(await row(ids.reception).textContent()).toBe('已关闭');
    await expect.poll(() => banner.getAttribute('data-window-state'), { timeout: 10_000 }).toBe('closed');
    expect(await banner.textContent()).toBe('此场次的签到已关闭');
    await adminCall('PATCH', `/api/v1/sessions/${ids.reception}`, { closed: false });
  }, 60_000);

  it('the offline counter says "1 scan waiting" and "2 scans waiting", and the Chinese forms', async () => {
    const { context, page } = await scannerPage(ids.keynote);
    // The event's key and attendee list are downloaded for offline use.
    const status = page.getByTestId('offline-status');
    await expect.poll(() => status.getAttribute('data-ready')).toBe('true');
    await context.setOffline(true);
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));

    await typeCode(page, await codeOf('linus'));
    await expect.poll(() => status.getAttribute('data-pending')).toBe('1');
    expect(await status.textContent()).toBe('Offline · 1 scan waiting to upload');
    await shot(page, 'scanner-door-offline-1.en');
    await dismiss(page);
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => status.textContent()).toBe('离线 · 1 条扫描等待上传');

    await typeCode(page, await codeOf('alan'));
    await expect.poll(() => status.getAttribute('data-pending')).toBe('2');
    expect(await status.textContent()).toBe('离线 · 2 条扫描等待上传');
    await dismiss(page);
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => status.textContent()).toBe('Offline · 2 scans waiting to upload');
    await shot(page, 'scanner-door-offline-2.en');

    // Back online: both go up, the counter goes away.
    await context.setOffline(false);
    await expect.poll(() => status.getAttribute('data-pending'), { timeout: 15_000 }).toBe('0');
    await expect.poll(() => status.isVisible()).toBe(false);
  }, 60_000);
});
