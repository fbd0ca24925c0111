import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, recordCspViolations, requirePage, screenshot } from '../support/browser.js';
import { callAs, type SignedIn } from '../support/json-api.js';
import { decodeQrPng } from '../support/qr-decode.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { signIn, startTestNode } from '../support/test-node.js';

/**
 * The QR queue in real Chromium, with one browser profile per person: the
 * display board (a TV signed in as staff of the place) shows the entrance QR;
 * a phone reads that QR's URL, takes a number and watches its place move as
 * the counter console calls others; the board shows each call; the phone
 * turns into "Your turn — Counter 3". Then recall, no-show, transfer, "I need
 * more time", leaving, a stale entrance code, and the same in Chinese.
 */

const PASSWORD = 'a long enough password';

type Node = Awaited<ReturnType<typeof startTestNode>>;
interface Place {
  id: string;
  services: { id: string; name: string; prefix: string }[];
  counters: { id: string; name: string; service_ids: string[] }[];
}

describe.skipIf(!hasChromium())('QR queue: board, phone and counter console in Chromium', () => {
  let node: Node;
  let browser: Browser;
  let admin: SignedIn;
  let sam: SignedIn;
  let samId: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const csp: string[] = [];

  const call = <T>(who: SignedIn, method: string, url: string, body?: unknown, status = 200) => callAs<T>(node.url, who, method, url, body, status);

  beforeAll(async () => {
    for (const page of ['queue.html', 'queue-board.html', 'queue-counter.html']) requirePage(page);
    [node, browser] = await Promise.all([startTestNode(), launchChromium()]);
    admin = await signIn(node.url);
    samId = (await call<{ id: string }>(admin, 'POST', '/api/v1/users', { email: 'sam@test.local', password: PASSWORD, name: 'Sam Staff', role: 'staff' }, 201)).id;
    sam = await signIn(node.url, 'sam@test.local', PASSWORD);
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close()]);
  });

  /** A place of the test's own, Sam its staff. */
  async function place(name: string, services: unknown[], counters: { name: string; services: string[] }[]): Promise<Place> {
    const q = await call<Place>(admin, 'POST', '/api/v1/queues', { name, timezone: 'Asia/Shanghai', services, counters }, 201);
    await call(admin, 'PUT', `/api/v1/queues/${q.id}/staff/${samId}`);
    return q;
  }

  /** A visitor who joined without this test watching (through the API, as another phone would). */
  async function joinByApi(q: Place, prefix: string, extra: { name?: string } = {}): Promise<string> {
    const { code } = await call<{ code: string }>(admin, 'GET', `/api/v1/queues/${q.id}/entrance-code`);
    const serviceId = q.services.find((s) => s.prefix === prefix)!.id;
    const res = await fetch(`${node.url}/api/v1/queues/${q.id}/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service_id: serviceId, entrance_code: code, ...extra }) });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { number: string }).number;
  }

  async function open(opts: { who?: SignedIn; locale?: string; viewport?: { width: number; height: number }; baseUrl?: string } = {}): Promise<Page> {
    const context = await newContext(browser, opts.baseUrl ?? node.url, { locale: opts.locale ?? 'en-US', ...(opts.viewport ? { viewport: opts.viewport } : {}) });
    contexts.push(context);
    await recordCspViolations(context, csp);
    if (opts.who) {
      await context.addCookies(
        opts.who.cookie.split('; ').map((c) => {
          const eq = c.indexOf('=');
          return { name: c.slice(0, eq), value: c.slice(eq + 1), url: node.url };
        }),
      );
    }
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return page;
  }

  const board = (locale = 'en-US') => open({ who: sam, locale, viewport: { width: 1280, height: 720 } });
  const phone = (locale = 'en-US') => open({ locale });
  const counter = (locale = 'en-US') => open({ who: sam, locale, viewport: { width: 800, height: 1000 } });

  /** The URL in the board's entrance QR, read from the pixels on screen. */
  async function scanBoardQr(b: Page): Promise<string> {
    const qr = b.getByTestId('board-qr');
    await expect.poll(() => qr.getAttribute('data-url'), { timeout: 10_000 }).toMatch(/\/queue\?q=/);
    const texts = await decodeQrPng(await qr.screenshot());
    expect(texts).toEqual([await qr.getAttribute('data-url')]);
    return texts[0]!;
  }

  const ahead = (p: Page) => p.getByTestId('ticket-ahead').getAttribute('data-value');
  const text = (p: Page, id: string) => p.getByTestId(id).innerText();
  /**
   * N at a counter once it takes it (its previous action, a done say, may still be in flight: then
   * Call next is disabled and N does nothing), then wait until the counter itself holds the call:
   * its R, D, S and T keys do nothing while a call is in flight.
   */
  const callNextAt = async (c: Page, number: string) => {
    await expect.poll(() => c.getByTestId('call-next').isEnabled()).toBe(true);
    await c.keyboard.press('n');
    await expect.poll(() => text(c, 'current-number')).toBe(number);
    await expect.poll(() => c.getByTestId('done').isEnabled()).toBe(true);
  };
  const serviceButton = (p: Page, name: string) => p.getByTestId('service').filter({ hasText: name });

  it('the phone reads the entrance QR on the board, takes a number, sees its place move, and is called to Counter 3; recall and done', async () => {
    const q = await place(
      'City Hall',
      [
        { name: 'Deposits', prefix: 'A' },
        { name: 'Loans', prefix: 'B', ask: 'name' },
      ],
      [
        { name: 'Counter 1', services: ['B'] },
        { name: 'Counter 3', services: ['A', 'B'] },
      ],
    );
    const counter3 = q.counters.find((c) => c.name === 'Counter 3')!.id;
    const b = await board();
    await b.goto(`/queue-board?q=${q.id}`);
    await expect.poll(() => text(b, 'board-place')).toBe('City Hall');
    const entrance = await scanBoardQr(b);
    expect(entrance).toMatch(new RegExp(`^${node.url}/queue\\?q=${q.id}&c=`));
    expect(await b.locator('#board-now-empty').innerText()).toBe('Nobody called yet');

    // Two people joined before this phone.
    expect(await joinByApi(q, 'A')).toBe('A001');
    expect(await joinByApi(q, 'A')).toBe('A002');

    const p = await phone();
    await p.goto(new URL(entrance).pathname + new URL(entrance).search);
    await expect.poll(() => serviceButton(p, 'Deposits').innerText()).toMatch(/^Deposits\n2 waiting · about \d+–\d+ min$/);
    expect(await text(p, 'join-place')).toBe('City Hall');
    await screenshot(p, 'queue-join');
    await serviceButton(p, 'Deposits').click();
    await expect.poll(() => text(p, 'ticket-number')).toBe('A003');
    expect(await ahead(p)).toBe('2');
    expect(await p.locator('#ticket-ahead-label').innerText()).toBe('people ahead');
    expect(await text(p, 'ticket-eta')).toMatch(/^\d+–\d+ min$/);
    expect(await text(p, 'ticket-service')).toBe('Deposits');
    // The ticket is in the URL: a reload keeps it.
    expect(p.url()).toMatch(/[?&]ticket=[^&]+&token=/);
    await p.reload();
    await expect.poll(() => text(p, 'ticket-number')).toBe('A003');
    expect(await ahead(p)).toBe('2');
    // A notification's link carries the ticket but not its token: this browser kept the token.
    const withToken = p.url();
    const link = new URL(withToken);
    link.searchParams.delete('token');
    await p.goto(link.pathname + link.search);
    await expect.poll(() => text(p, 'ticket-number')).toBe('A003');
    expect(await ahead(p)).toBe('2');
    await p.goto(withToken);
    await expect.poll(() => text(p, 'ticket-number')).toBe('A003');
    expect(await p.title()).toMatch(/^A003: 2 ahead/);
    // Web Push is offered (test/e2e/queue-push.test.ts follows a notification through).
    expect(await text(p, 'push-enable')).toBe('Turn on notifications');
    await screenshot(p, 'queue-ticket-waiting');

    // The counter console calls: the board shows it, the phone's place moves, live.
    // Staff find the place's console and board on the home page.
    const c = await counter();
    await c.goto('/');
    const home = c.getByTestId('queue-links');
    await expect.poll(() => home.getByRole('link', { name: 'Counter console: City Hall' }).getAttribute('href')).toBe(`/queue-counter?q=${q.id}`);
    expect(await home.getByRole('link', { name: 'Display board: City Hall' }).getAttribute('href')).toBe(`/queue-board?q=${q.id}`);
    await screenshot(c, 'queue-home-staff');
    await c.goto(`/queue-counter?q=${q.id}&counter=${counter3}`);
    await expect.poll(() => c.getByTestId('waiting-row').first().getAttribute('data-waiting')).toBe('3');
    expect(await c.getByTestId('call-next').innerText()).toMatch(/Call next\s+N/);
    await c.keyboard.press('n');
    await expect.poll(() => text(c, 'current-number')).toBe('A001');
    await expect.poll(() => text(b, 'board-now-number')).toBe('A001');
    expect(await text(b, 'board-now-counter')).toBe('Counter 3');
    await expect.poll(() => ahead(p)).toBe('1');
    expect(await p.locator('#ticket-ahead-label').innerText()).toBe('person ahead');
    // Near-turn alert at the service's threshold (3 ahead by default).
    expect(await text(p, 'ticket-near')).toBe('Almost your turn: 1 ahead. Please come back to the waiting area.');
    await screenshot(c, 'queue-counter-called');

    await c.keyboard.press('d');
    await expect.poll(() => c.getByTestId('current-state').innerText()).toBe('Done');
    await c.getByTestId('call-next').click();
    await expect.poll(() => text(c, 'current-number')).toBe('A002');
    await expect.poll(() => ahead(p)).toBe('0');
    expect(await text(p, 'ticket-state')).toBe('You are next');
    await c.keyboard.press('d');
    await expect.poll(() => c.getByTestId('current-state').innerText()).toBe('Done');
    await c.keyboard.press('n');
    await expect.poll(() => text(c, 'current-number')).toBe('A003');

    // The phone: full screen, and a title a background tab shows.
    await expect.poll(() => p.getByTestId('called').isVisible()).toBe(true);
    expect(await text(p, 'called-heading')).toBe('Your turn — Counter 3');
    expect(await text(p, 'called-number')).toBe('Number A003');
    expect(await p.title()).toBe('🔔 A003: your turn — Counter 3');
    await screenshot(p, 'queue-your-turn');
    await expect.poll(() => text(b, 'board-now-number')).toBe('A003');
    expect(await b.getByTestId('board-recent-item').allInnerTexts()).toEqual(['A002\nCounter 3', 'A001\nCounter 3']);
    expect(await b.getByTestId('board').getAttribute('data-announcement')).toBe('请 A003 号到 Counter 3 / Number A003, please go to Counter 3');
    expect(await b.getByTestId('board').getAttribute('data-announced-with')).toMatch(/^(chime|zh-CN|en|zh-CN,en)$/);
    await screenshot(b, 'queue-board-calling');

    // Recall: announced again on the board, shown again on the phone.
    await p.getByTestId('called-ok').click();
    const announced = await b.getByTestId('board').getAttribute('data-announced');
    await c.keyboard.press('r');
    await expect.poll(() => b.getByTestId('board').getAttribute('data-recalls')).toBe('1');
    await expect.poll(() => b.getByTestId('board').getAttribute('data-announced')).not.toBe(announced);
    await expect.poll(() => p.getByTestId('called').isVisible()).toBe(true);
    expect(await text(p, 'called-recall')).toBe('Called again: please go now.');
    await expect.poll(() => c.getByTestId('current-state').innerText()).toBe('Called again (1×)');

    // Done: the phone says so and offers a new number: no dead end.
    await c.keyboard.press('d');
    await expect.poll(() => text(p, 'ticket-state')).toBe('Served. Thank you!');
    expect(await p.getByTestId('called').isVisible()).toBe(false);
    await screenshot(p, 'queue-done');
    await p.getByTestId('new-number').click();
    await expect.poll(() => serviceButton(p, 'Deposits').isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('no-show, transfer to the back of another line, "I need more time" once, leaving, and a stale entrance code', async () => {
    const q = await place(
      'Tax Office',
      [
        { name: 'Filing', prefix: 'A', more_time_places: 3 },
        { name: 'Payments', prefix: 'P', ask: 'name' },
      ],
      [
        { name: 'Counter 1', services: ['P'] },
        { name: 'Counter 3', services: ['A'] },
      ],
    );
    const [counter1, counter3] = ['Counter 1', 'Counter 3'].map((n) => q.counters.find((c) => c.name === n)!.id);
    const { url } = await call<{ url: string }>(sam, 'GET', `/api/v1/queues/${q.id}/entrance-code`);
    const entrance = new URL(url);

    // A photo of an old code: said plainly.
    const stale = await phone();
    await stale.goto(`/queue?q=${q.id}&c=AAAAAAAAAA`);
    await expect.poll(() => text(stale, 'queue-error')).toBe('This code has expired — scan the code at the entrance again.');
    expect(await stale.getByTestId('join').isVisible()).toBe(false);
    await screenshot(stale, 'queue-code-expired');

    // Payments asks for a name; the visitor is called to Counter 1 and does not come.
    const paula = await phone();
    await paula.goto(entrance.pathname + entrance.search);
    await serviceButton(paula, 'Payments').click();
    await paula.getByTestId('ask-submit').click();
    expect(await paula.locator('#ask-error').innerText()).toBe('Enter your name.');
    await paula.getByTestId('ask-name').fill('Paula');
    await screenshot(paula, 'queue-ask-name');
    await paula.getByTestId('ask-submit').click();
    await expect.poll(() => text(paula, 'ticket-number')).toBe('P001');

    const c1 = await counter();
    await c1.goto(`/queue-counter?q=${q.id}&counter=${counter1}`);
    await expect.poll(() => c1.getByTestId('console').isVisible()).toBe(true);
    await callNextAt(c1, 'P001');
    await expect.poll(() => paula.getByTestId('called').isVisible()).toBe(true);
    expect(await text(paula, 'called-heading')).toBe('Your turn — Counter 1');
    await c1.keyboard.press('s');
    await expect.poll(() => text(paula, 'ticket-state')).toBe('You were called but did not come, so this number has lapsed.');
    expect(await paula.getByTestId('called').isVisible()).toBe(false);
    expect(await paula.getByTestId('new-number').isVisible()).toBe(true);
    await expect.poll(() => c1.getByTestId('current-state').innerText()).toBe('No-show');
    await screenshot(paula, 'queue-no-show');
    // Nobody else waits for Counter 1.
    await c1.keyboard.press('n');
    await expect.poll(() => c1.getByTestId('action-error').innerText()).toBe('Nobody is waiting for this counter.');

    // Filing: this phone is first, then three more join; it asks for more time once and moves back three places.
    const ada = await phone();
    await ada.goto(entrance.pathname + entrance.search);
    await serviceButton(ada, 'Filing').click();
    await expect.poll(() => text(ada, 'ticket-number')).toBe('A001');
    expect(await ahead(ada)).toBe('0');
    for (const n of ['A002', 'A003', 'A004']) expect(await joinByApi(q, 'A')).toBe(n);
    await ada.getByTestId('more-time').click();
    await expect.poll(() => ahead(ada)).toBe('3');
    expect(await ada.getByTestId('more-time').isVisible()).toBe(false);
    expect(await text(ada, 'more-time-hint')).toBe('You have already asked for more time once.');
    await screenshot(ada, 'queue-more-time');

    // Counter 3 serves the three now in front; each call moves the phone up, live.
    const c3 = await counter();
    await c3.goto(`/queue-counter?q=${q.id}&counter=${counter3}`);
    await expect.poll(() => c3.getByTestId('console').isVisible()).toBe(true);
    for (const [number, left] of [
      ['A002', '2'],
      ['A003', '1'],
      ['A004', '0'],
    ] as const) {
      await c3.keyboard.press('n');
      await expect.poll(() => text(c3, 'current-number')).toBe(number);
      await expect.poll(() => ahead(ada)).toBe(left);
      await c3.keyboard.press('d');
      await expect.poll(() => c3.getByTestId('current-state').innerText()).toBe('Done');
    }
    await callNextAt(c3, 'A001');
    await expect.poll(() => text(ada, 'called-heading')).toBe('Your turn — Counter 3');

    // Transfer to the back of Payments: the phone waits in that line now.
    expect(await joinByApi(q, 'P', { name: 'Pat' })).toBe('P002');
    await c3.keyboard.press('t');
    await c3.getByTestId('transfer-service').selectOption({ label: 'P · Payments' });
    await c3.getByTestId('transfer-back').check();
    await screenshot(c3, 'queue-counter-transfer');
    await c3.getByTestId('transfer-submit').click();
    await expect.poll(() => text(c3, 'action-message')).toBe('A001 moved to the back of Payments.');
    await expect.poll(() => text(ada, 'ticket-service')).toBe('Payments');
    expect(await ada.getByTestId('called').isVisible()).toBe(false);
    await expect.poll(() => ahead(ada)).toBe('1');
    expect(await text(ada, 'ticket-state')).toBe('Waiting');

    // Leaving asks first, then says so and offers a new number.
    ada.once('dialog', (d) => void d.accept());
    await ada.getByTestId('leave').click();
    await expect.poll(() => text(ada, 'ticket-state')).toBe('You left the queue.');
    expect(await ada.getByTestId('new-number').isVisible()).toBe(true);
    await screenshot(ada, 'queue-left');
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('in Chinese: the board, the phone and the console', async () => {
    const q = await place(
      '市民服务中心',
      [
        { name: '社保', prefix: 'S' },
        { name: '医保', prefix: 'Y' },
      ],
      [{ name: '3 号窗口', services: ['S', 'Y'] }],
    );
    const b = await board('zh-CN');
    await b.goto(`/queue-board?q=${q.id}`);
    await expect.poll(() => b.locator('#board-now-empty').innerText()).toBe('尚未叫号');
    expect(await b.locator('#board-scan').innerText()).toBe('扫码取号');
    const entrance = new URL(await scanBoardQr(b));

    const stale = await phone('zh-CN');
    await stale.goto(`/queue?q=${q.id}&c=AAAAAAAAAA`);
    await expect.poll(() => text(stale, 'queue-error')).toBe('此二维码已过期，请重新扫描入口处的二维码。');

    const p = await phone('zh-CN');
    await p.goto(entrance.pathname + entrance.search);
    await expect.poll(() => serviceButton(p, '社保').innerText()).toBe('社保\n无人等候');
    await screenshot(p, 'queue-join-zh-CN');
    await serviceButton(p, '社保').click();
    await expect.poll(() => text(p, 'ticket-number')).toBe('S001');
    expect(await text(p, 'ticket-state')).toBe('下一位就是您');
    expect(await p.locator('#ticket-ahead-label').innerText()).toBe('人在您前面');
    await screenshot(p, 'queue-ticket-zh-CN');

    const c = await counter('zh-CN');
    await c.goto(`/queue-counter?q=${q.id}`);
    await expect.poll(() => c.getByTestId('console').isVisible()).toBe(true);
    expect(await c.getByTestId('call-next').innerText()).toMatch(/叫下一位\s+N/);
    await callNextAt(c, 'S001');
    await expect.poll(() => p.getByTestId('called').isVisible()).toBe(true);
    expect(await text(p, 'called-heading')).toBe('轮到您了 — 3 号窗口');
    expect(await p.title()).toBe('🔔 S001：轮到您了 — 3 号窗口');
    await screenshot(p, 'queue-your-turn-zh-CN');
    await expect.poll(() => text(b, 'board-now-number')).toBe('S001');
    expect(await text(b, 'board-now-counter')).toBe('3 号窗口');
    expect(await b.getByTestId('board').getAttribute('data-announcement')).toBe('请 S001 号到 3 号窗口 / Number S001, please go to counter 3');
    await screenshot(b, 'queue-board-zh-CN');

    // Issue a ticket by hand: a printable ticket whose QR opens the ticket page.
    await c.getByTestId('issue').click();
    await expect.poll(() => text(c, 'printed-number')).toBe('S002');
    const printed = await decodeQrPng(await c.getByTestId('printed-qr').screenshot());
    expect(printed).toEqual([await c.getByTestId('printed-qr').getAttribute('data-url')]);
    await screenshot(c, 'queue-counter-zh-CN');
    const walkIn = await phone('zh-CN');
    await walkIn.goto(new URL(printed[0]!).pathname + new URL(printed[0]!).search);
    await expect.poll(() => text(walkIn, 'ticket-number')).toBe('S002');
    expect(await text(walkIn, 'ticket-state')).toBe('下一位就是您');

    // Recall, done.
    await c.keyboard.press('r');
    await expect.poll(() => text(p, 'called-recall')).toBe('再次叫号：请马上前往。');
    await expect.poll(() => c.getByTestId('current-state').innerText()).toBe('已重呼（1 次）');
    await c.keyboard.press('d');
    await expect.poll(() => text(p, 'ticket-state')).toBe('已办理完毕，谢谢！');
    expect(await p.getByTestId('new-number').innerText()).toBe('重新取号');

    // The walk-in is called, transferred to the front of another service, called again and does not come.
    await callNextAt(c, 'S002');
    await expect.poll(() => text(walkIn, 'called-heading')).toBe('轮到您了 — 3 号窗口');
    await c.keyboard.press('t');
    await c.getByTestId('transfer-service').selectOption({ label: 'Y · 医保' });
    await c.getByTestId('transfer-submit').click();
    await expect.poll(() => text(c, 'action-message')).toBe('S002 已转到 医保，排在最前。');
    await expect.poll(() => text(walkIn, 'ticket-service')).toBe('医保');
    expect(await text(walkIn, 'ticket-state')).toBe('下一位就是您');
    await callNextAt(c, 'S002');
    await expect.poll(() => walkIn.getByTestId('called').isVisible()).toBe(true);
    await c.keyboard.press('s');
    await expect.poll(() => text(walkIn, 'ticket-state')).toBe('叫号时您未到场，此号已过号。');
    await expect.poll(() => c.getByTestId('current-state').innerText()).toBe('过号');
    await screenshot(walkIn, 'queue-no-show-zh-CN');

    // A new number from the same entrance code, then leaving the queue.
    await p.getByTestId('new-number').click();
    await serviceButton(p, '社保').click();
    await expect.poll(() => text(p, 'ticket-number')).toBe('S003');
    p.once('dialog', (d) => void d.accept());
    await p.getByTestId('leave').click();
    await expect.poll(() => text(p, 'ticket-state')).toBe('您已退出排队。');
    await screenshot(p, 'queue-left-zh-CN');
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('a priority ticket issued at the counter goes before everyone waiting, and the box does not stay ticked; the counter opens and closes', async () => {
    const q = await place('Post Office', [{ name: 'Parcels', prefix: 'P' }], [{ name: 'Counter 3', services: ['P'] }]);
    await joinByApi(q, 'P');
    const c = await counter();
    await c.goto(`/queue-counter?q=${q.id}`);
    await expect.poll(() => c.getByTestId('console').isVisible()).toBe(true);
    await c.getByTestId('issue-priority').check();
    expect(await c.getByText('Priority (served before everyone without priority)').isVisible()).toBe(true);
    await c.getByTestId('issue').click();
    await expect.poll(() => text(c, 'printed-number')).toBe('P002');
    expect(await c.getByTestId('issue-priority').isChecked()).toBe(false);
    // The priority walk-in's ticket page says it is next, though P001 came first.
    const url = (await c.getByTestId('printed-qr').getAttribute('data-url'))!;
    const walkIn = await phone();
    await walkIn.goto(new URL(url).pathname + new URL(url).search);
    await expect.poll(() => text(walkIn, 'ticket-number')).toBe('P002');
    expect(await ahead(walkIn)).toBe('0');
    await c.keyboard.press('n');
    await expect.poll(() => text(walkIn, 'called-heading')).toBe('Your turn — Counter 3');

    // The counter is open while staff work at it; closing it takes it out of the wait visitors are shown.
    expect(await text(c, 'counter-open-state')).toBe('Open: counted in the wait visitors are shown.');
    await c.getByTestId('counter-open').click();
    await expect.poll(() => text(c, 'counter-open-state')).toBe('Closed: not counted in the wait visitors are shown.');
    expect(await text(c, 'counter-open')).toBe('Open this counter');
    expect((await call<Place & { counters: { open: boolean }[] }>(admin, 'GET', `/api/v1/queues/${q.id}`)).counters[0]!.open).toBe(false);
    // Picking it again (a reload: staff are back) opens it.
    await c.reload();
    await expect.poll(() => text(c, 'counter-open-state')).toBe('Open: counted in the wait visitors are shown.');
    expect((await call<Place & { counters: { open: boolean }[] }>(admin, 'GET', `/api/v1/queues/${q.id}`)).counters[0]!.open).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('the board survives losing the server: a discreet "reconnecting" mark, then the latest call without anyone touching it', async () => {
    const q = await place('Clinic', [{ name: 'Consultation', prefix: 'C' }], [{ name: 'Room 2', services: ['C'] }]);
    // The board reaches the server through a proxy the test can cut, as a restart or a network loss looks from the TV.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(node.url).port) });
    try {
      const b = await open({ who: sam, viewport: { width: 1280, height: 720 }, baseUrl: `http://127.0.0.1:${proxy.port}` });
      await b.goto(`/queue-board?q=${q.id}`);
      await expect.poll(() => b.locator('#board-now-empty').isVisible()).toBe(true);
      await scanBoardQr(b);
      expect(await b.getByTestId('board-live').isVisible()).toBe(false);

      await proxy.cut();
      await expect.poll(() => b.getByTestId('board-live').isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await text(b, 'board-live')).toBe('reconnecting…');
      await screenshot(b, 'queue-board-reconnecting');

      // Meanwhile a counter calls two numbers.
      await joinByApi(q, 'C');
      await joinByApi(q, 'C');
      for (let i = 0; i < 2; i++) await call(sam, 'POST', `/api/v1/counters/${q.counters[0]!.id}/call`);

      await proxy.restore();
      await expect.poll(() => text(b, 'board-now-number'), { timeout: 20_000 }).toBe('C002');
      expect(await text(b, 'board-now-counter')).toBe('Room 2');
      expect(await b.getByTestId('board-recent-item').allInnerTexts()).toEqual(['C001\nRoom 2']);
      await expect.poll(() => b.getByTestId('board-live').isVisible()).toBe(false);
      expect(pageErrors).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
