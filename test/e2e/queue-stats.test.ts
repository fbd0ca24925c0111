import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, requirePage, screenshot } from '../support/browser.js';
import { TestClock } from '../support/test-clock.js';
import { ADMIN, signIn, startTestNode } from '../support/test-node.js';

/**
 * The Statistics card of a place in the console, in Chromium, in English and
 * Chinese: the numbers per service for today (in the place's zone), the busiest
 * hours as a bar chart with one bar per hour that had tickets, another day
 * picked, and the day's tickets downloaded as CSV.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MIN = 60_000;
const HOUR = 60 * MIN;

describe.skipIf(!hasChromium())('admin console: queue statistics, in Chromium', () => {
  const clock = new TestClock();
  let node: Node;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let q: Json;
  let day: string;

  // The scenario spans 2 h 7 min: started late in an hour it would end three hours on, in the bar after
  // the one it expects. So the node's clock starts at most half an hour into one.
  const intoHour = Date.now() % HOUR;
  if (intoHour > 30 * MIN) clock.advance(HOUR - intoHour + MIN);
  // A zone where it is 09:xx now (never UTC itself: then 10:xx), so three hours later is still today there.
  const utcHour = new Date(clock.now()).getUTCHours();
  const target = utcHour === 9 ? 10 : 9;
  const offset = ((target - utcHour + 36) % 24) - 12;
  const zone = `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;

  beforeAll(async () => {
    requirePage('admin.html');
    [node, browser] = await Promise.all([startTestNode({}, { clock }), launchChromium()]);
    const admin = await signIn(node.url);
    const api = async (method: string, path: string, body?: unknown, status = 200) => {
      const res = await fetch(`${node.url}${path}`, {
        method,
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      expect(res.status, await res.clone().text()).toBe(status);
      return (await res.json()) as Json;
    };
    q = await api(
      'POST',
      '/api/v1/queues',
      {
        name: 'City Bank',
        timezone: zone,
        services: [
          { name: 'Deposits', prefix: 'A', ask: 'name', no_show_seconds: 86_400 },
          { name: 'Loans', prefix: 'B', no_show_seconds: 86_400 },
        ],
        counters: [{ name: 'Counter 1', services: ['A', 'B'] }],
      },
      201,
    );
    const [A, B] = q.services;
    const join = async (serviceId: string, name?: string) => {
      const { code } = await api('GET', `/api/v1/queues/${q.id}/entrance-code`);
      const ticket = await api('POST', `/api/v1/queues/${q.id}/tickets`, { service_id: serviceId, entrance_code: code, ...(name ? { name } : {}) }, 201);
      // One after another, as people come: with the clock stopped they would share a millisecond.
      clock.advance(1);
      return ticket;
    };
    const callNext = async () => (await api('POST', `/api/v1/counters/${q.counters[0].id}/call`)).ticket as Json;
    // 09:xx: three take a number for A; the first is served after 4 min, the second does not come.
    // The clock stands still meanwhile: on a busy machine the requests themselves took over a second,
    // and the waits shown are checked to the minute.
    clock.stop();
    const a1 = await join(A.id, '=1+1');
    await join(A.id, '王小明');
    await join(A.id, 'Carla');
    day = new Date(a1.created_at + offset * HOUR).toISOString().slice(0, 10);
    clock.advance(4 * MIN);
    const c1 = await callNext();
    clock.advance(2 * MIN);
    await api('POST', `/api/v1/tickets/${c1.id}/done`);
    const c2 = await callNext();
    clock.advance(MIN);
    await api('POST', `/api/v1/tickets/${c2.id}/no-show`);
    // Two hours later: one more for A, one for B.
    clock.advance(2 * HOUR);
    await join(A.id, 'Dana');
    await join(B.id);
    clock.resume();
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close()]);
  });

  async function placePage(locale: 'en' | 'zh-CN'): Promise<Page> {
    const context = await newContext(browser, node.url, { viewport: { width: 1200, height: 900 }, locale: locale === 'en' ? 'en-US' : 'zh-CN', acceptDownloads: true });
    contexts.push(context);
    expect((await context.request.post('/api/v1/session', { data: ADMIN })).status()).toBe(200);
    const page = await context.newPage();
    await page.goto(`/admin${locale === 'en' ? '' : '?lang=zh-CN'}#queue=${q.id}`);
    await page.getByRole('heading', { name: 'City Bank', level: 1 }).waitFor();
    return page;
  }

  const cellOf = (page: Page, serviceId: string, stat: string) => page.locator(`#q-stats tr[data-service-id="${serviceId}"] [data-stat="${stat}"]`);
  const bars = async (page: Page, serviceId: string) =>
    page.locator(`#q-stats svg[data-service-id="${serviceId}"] rect.q-hours-bar`).evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-hour')), Number(e.getAttribute('data-count'))]));

  it('shows the day per service, the busiest hours as bars, another day, and downloads the CSV', async () => {
    const page = await placePage('en');
    const card = page.locator('#q-stats');
    await card.getByRole('heading', { name: 'Statistics' }).waitFor();
    const [A, B] = q.services;
    expect(await card.getByLabel('Day').inputValue()).toBe(day);
    await cellOf(page, A.id, 'tickets').getByText('4', { exact: true }).waitFor();
    expect(await cellOf(page, A.id, 'served').innerText()).toBe('1');
    expect(await cellOf(page, A.id, 'no_shows').innerText()).toBe('1');
    expect(await cellOf(page, A.id, 'cancelled').innerText()).toBe('0');
    expect(await cellOf(page, A.id, 'waiting_now').innerText()).toBe('2');
    // Waits 240 s and 360 s: p50 4 min, p90 6 min; one service of 2 min.
    expect(await cellOf(page, A.id, 'wait').innerText()).toBe('4 min / 6 min');
    expect(await cellOf(page, A.id, 'service').innerText()).toBe('2 min / 2 min');
    expect(await cellOf(page, B.id, 'tickets').innerText()).toBe('1');
    expect(await cellOf(page, B.id, 'wait').innerText()).toBe('—');
    // One bar per hour with tickets, with its count.
    expect(await bars(page, A.id)).toEqual([
      [target, 3],
      [target + 2, 1],
    ]);
    expect(await bars(page, B.id)).toEqual([[target + 2, 1]]);
    expect(await card.locator(`svg[data-service-id="${A.id}"]`).getAttribute('aria-label')).toBe(`A · Deposits: tickets taken per hour; busiest ${String(target).padStart(2, '0')}:00 with 3`);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-queue-stats');

    // The CSV of the day, as the link downloads it.
    const link = card.getByRole('link', { name: 'Download tickets (CSV)' });
    expect(await link.getAttribute('href')).toBe(`/api/v1/queues/${q.id}/tickets.csv?day=${day}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`tickets-City Bank-${day}.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('\uFEFFnumber,service,status,name,phone,created_at,called_at,finished_at,wait_seconds,service_seconds,counter');
    expect(lines.slice(1, -1).map((l) => l.split(',').slice(0, 4))).toEqual([
      ['A001', 'Deposits', 'done', "'=1+1"],
      ['A002', 'Deposits', 'no_show', '王小明'],
      ['A003', 'Deposits', 'waiting', 'Carla'],
      ['A004', 'Deposits', 'waiting', 'Dana'],
      ['B001', 'Loans', 'waiting', ''],
    ]);
    expect(lines.at(-1)).toBe('');

    // Another day: nothing, and the link follows the day.
    await card.getByLabel('Day').fill('2024-02-29');
    await card.getByTestId('stats-empty').getByText('No tickets were taken on this day.').waitFor();
    expect(await cellOf(page, A.id, 'tickets').innerText()).toBe('0');
    expect(await card.locator('rect.q-hours-bar').count()).toBe(0);
    expect(await link.getAttribute('href')).toBe(`/api/v1/queues/${q.id}/tickets.csv?day=2024-02-29`);
  });

  it('the same card in Chinese', async () => {
    const page = await placePage('zh-CN');
    const card = page.locator('#q-stats');
    await card.getByRole('heading', { name: '统计' }).waitFor();
    const [A, B] = q.services;
    await cellOf(page, A.id, 'tickets').getByText('4', { exact: true }).waitFor();
    expect(await card.locator('th').allInnerTexts()).toEqual(['名称', '取号', '已办理', '过号', '已离开', '仍在等候', '等候时间（p50 / p90）', '办理时间（p50 / p90）']);
    expect(await cellOf(page, A.id, 'wait').innerText()).toBe('4 分钟 / 6 分钟');
    expect(await bars(page, A.id)).toHaveLength(2);
    expect(await bars(page, B.id)).toHaveLength(1);
    await card.getByText(`高峰时段：每小时取号数（${zone}）`).waitFor();
    const link = card.getByRole('link', { name: '下载取号记录（CSV）' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(fs.readFileSync((await download.path())!, 'utf8').split('\r\n')).toHaveLength(7);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-queue-stats-zh-CN');
  });
});
