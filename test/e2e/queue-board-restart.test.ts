import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, recordCspViolations, requirePage, screenshot } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { callAs, type SignedIn } from '../support/json-api.js';
import { spawnProduct, type NodeProcess } from '../support/processes.js';
import { signIn } from '../support/test-node.js';

/**
 * Issue 10: "The display board reconnects after the server restarts and shows
 * the latest call." The built product runs as a child process on a fixed port
 * with its SQLite folder; two provisioned board devices (a TV in English, one
 * in Chinese: the token in the URL fragment, no sign-in) show a call. The
 * server stops (SIGTERM) and the boards show their discreet "reconnecting"
 * mark; a new process starts on the same port and folder, a visitor joins and
 * the counter calls through the new process's API: the boards, untouched,
 * show that call and the mark goes away; a recall is announced again.
 * (queue-flow.test.ts cuts only a TCP proxy; this is the real restart.)
 */

interface Place {
  id: string;
  services: { id: string; prefix: string }[];
  counters: { id: string; name: string }[];
}

const LANGS = [
  { locale: 'en-US', nowCalling: 'Now calling', reconnecting: 'reconnecting…' },
  { locale: 'zh-CN', nowCalling: '正在叫号', reconnecting: '正在重新连接…' },
] as const;

describe.skipIf(!hasChromium())('the display board across a real server restart, in Chromium', () => {
  let port: number;
  let dataDir: string;
  let server: NodeProcess | undefined;
  let browser: Browser;
  let admin: SignedIn;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const csp: string[] = [];

  const url = () => `http://127.0.0.1:${port}`;
  const call = <T>(method: string, p: string, body?: unknown, status = 200) => callAs<T>(url(), admin, method, p, body, status);
  /** The product on the test's port and folder: the first start and every restart alike. */
  const startServer = () => spawnProduct({ SCANPASS_PORT: String(port), SCANPASS_PUBLIC_URL: url(), SCANPASS_DATA_DIR: dataDir });

  beforeAll(async () => {
    requirePage('queue-board.html');
    port = await freePort();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-board-restart-'));
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    admin = await signIn(url());
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), server?.stop()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A visitor's phone takes a number with the entrance code, as the QR on the board gives it. */
  async function join(q: Place): Promise<string> {
    const { code } = await call<{ code: string }>('GET', `/api/v1/queues/${q.id}/entrance-code`);
    const res = await fetch(`${url()}/api/v1/queues/${q.id}/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service_id: q.services[0]!.id, entrance_code: code }) });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { number: string }).number;
  }

  /** A TV that never signed in, opening the URL the console provisioned for it. */
  async function tv(q: Place, name: string, locale: string): Promise<Page> {
    const device = await call<{ url: string }>('POST', `/api/v1/queues/${q.id}/devices`, { name, kind: 'board' }, 201);
    expect(device.url).toContain('#device=sqd_');
    const context = await newContext(browser, url(), { locale, viewport: { width: 1280, height: 720 } });
    contexts.push(context);
    await recordCspViolations(context, csp);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${locale}: ${err.message}`));
    await page.goto(device.url);
    return page;
  }

  const text = (p: Page, id: string) => p.getByTestId(id).innerText();

  it('reconnects to the new process by itself and shows the call made there; a recall is announced again (en and zh-CN)', async () => {
    const q = await call<Place>('POST', '/api/v1/queues', { name: 'Clinic', timezone: 'Asia/Shanghai', services: [{ name: 'Consultation', prefix: 'C' }], counters: [{ name: 'Room 2', services: ['C'] }] }, 201);
    const room2 = q.counters[0]!.id;
    const boards = await Promise.all(LANGS.map((l, i) => tv(q, `Hall TV ${i + 1}`, l.locale)));
    for (const [i, b] of boards.entries()) {
      await expect.poll(() => text(b, 'board-place'), { timeout: 10_000 }).toBe('Clinic');
      await b.locator('[data-testid="board-qr"][data-url]').waitFor();
      expect(await b.locator('#board-now-label').innerText()).toBe(LANGS[i]!.nowCalling);
      expect(await b.getByTestId('board-live').isVisible()).toBe(false);
    }

    // Before the restart: a visitor joins and Room 2 calls; both boards show it.
    expect(await join(q)).toBe('C001');
    await call('POST', `/api/v1/counters/${room2}/call`);
    for (const b of boards) {
      await expect.poll(() => text(b, 'board-now-number'), { timeout: 5_000 }).toBe('C001');
      expect(await text(b, 'board-now-counter')).toBe('Room 2');
    }

    // The server stops as an operator stops it: SIGTERM, and it exits cleanly.
    await server!.stop();
    expect(server!.child.exitCode, server!.stderr()).toBe(0);
    server = undefined;
    for (const [i, b] of boards.entries()) {
      await expect.poll(() => b.getByTestId('board-live').isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await text(b, 'board-live')).toBe(LANGS[i]!.reconnecting);
      // The last call stays on screen meanwhile.
      expect(await text(b, 'board-now-number')).toBe('C001');
    }
    await screenshot(boards[0]!, 'queue-board-restart-reconnecting');

    // A new process on the same port and folder; the staff's sign-in is still good there.
    server = await startServer();
    expect(await join(q)).toBe('C002');
    const called = await call<{ ticket: { id: string; number: string } }>('POST', `/api/v1/counters/${room2}/call`);
    expect(called.ticket.number).toBe('C002');

    // Nobody touches the boards: they come back and show the latest call.
    for (const b of boards) {
      await expect.poll(() => text(b, 'board-now-number'), { timeout: 30_000 }).toBe('C002');
      expect(await text(b, 'board-now-counter')).toBe('Room 2');
      expect(await b.getByTestId('board-recent-item').allInnerTexts()).toEqual(['C001\nRoom 2']);
      await expect.poll(() => b.getByTestId('board-live').isVisible(), { timeout: 30_000 }).toBe(false);
    }
    await screenshot(boards[0]!, 'queue-board-restart-back');

    // Live again on the new process: a recall is shown and announced once more.
    const before = await Promise.all(boards.map((b) => b.getByTestId('board').getAttribute('data-announced')));
    await call('POST', `/api/v1/tickets/${called.ticket.id}/recall`);
    for (const [i, b] of boards.entries()) {
      await expect.poll(() => b.getByTestId('board').getAttribute('data-recalls'), { timeout: 5_000 }).toBe('1');
      await expect.poll(() => b.getByTestId('board').getAttribute('data-announced')).not.toBe(before[i]);
      expect(await b.getByTestId('board').getAttribute('data-announcement')).toBe('请 C002 号到 Room 2 / Number C002, please go to Room 2');
      expect(await text(b, 'board-now-number')).toBe('C002');
    }
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  }, 120_000);
});
