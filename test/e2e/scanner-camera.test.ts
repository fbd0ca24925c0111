import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, recordCspViolations, requirePage } from '../support/browser.js';
import { writeQrY4m } from '../support/fake-camera.js';
import { startTestNode } from '../support/test-node.js';

/**
 * The camera scanner (/scan-test) in real Chromium, whose fake camera plays a
 * Y4M file showing a QR code. Linux Chromium has no BarcodeDetector, so this
 * exercises the zxing-wasm reader served by scanpass itself.
 */

/** Set to a folder to keep a screenshot of the page while it scans. */
const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;

const CODE_A = 'scanpass:checkin:7Q4MZ-ALPHA-0001';
const CODE_B = 'scanpass:checkin:9XK2P-BRAVO-0002';

type Node = Awaited<ReturnType<typeof startTestNode>>;

interface Opened {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every URL the browser asked for. */
  requests: string[];
  /** Content-Security-Policy violations seen on the page. */
  csp: string[];
}

/**
 * A keyboard-wedge scanner's burst, sent from inside the page in one go: each
 * key is a keydown and, unless the page cancels it, lands in the focused
 * field as typing would. Playwright's own typing waits for the page between
 * keys, and on a loaded machine those waits exceed the 50 ms that tells a
 * scanner from a person; real key presses are used for the person below.
 */
const wedge = (page: Page, text: string, fieldSelector?: string) =>
  page.evaluate(
    ([t, sel]) => {
      const field = sel ? (document.querySelector(sel) as HTMLInputElement) : null;
      const target: EventTarget = field ?? document;
      for (const key of [...t, 'Enter']) {
        const ev = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
        if (target.dispatchEvent(ev) && field && key.length === 1) field.value += key;
      }
    },
    [text, fieldSelector ?? ''] as const,
  );

/**
 * A keyboard-wedge scan whose first key reaches the page late: the key is made
 * (its event time is taken) while the main thread is held for `busyMs`, as a
 * frame decode holds it while the camera runs, and is handled only after; the
 * sender then sends each further key as soon as the previous one was taken,
 * as senders that wait for each key (CDP, some Bluetooth stacks) do.
 */
const wedgeBehindBusyPage = (page: Page, text: string, busyMs: number) =>
  page.evaluate(
    ([t, busy]) => {
      const [first, ...rest] = [...t, 'Enter'];
      const late = new KeyboardEvent('keydown', { key: first, bubbles: true, cancelable: true });
      const until = performance.now() + busy;
      while (performance.now() < until) {
        // the decode of one frame on a slow phone
      }
      document.dispatchEvent(late);
      for (const key of rest) document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    },
    [text, busyMs] as const,
  );

describe.skipIf(!hasChromium())('the camera scanner in Chromium with a fake camera', () => {
  let node: Node;
  let dir: string;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    requirePage('scan-test.html');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-camera-'));
    // 1 s with the code in view, then 0.5 s without, over and over (10 frames a second).
    writeQrY4m(path.join(dir, 'a.y4m'), CODE_A, { frames: 10, emptyFrames: 5 });
    writeQrY4m(path.join(dir, 'b.y4m'), CODE_B);
    node = await startTestNode();
  });

  afterAll(async () => {
    await Promise.allSettled(browsers.map((b) => b.close()));
    await node?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A browser whose camera shows `video`, on /scan-test with `query`. */
  async function open(video: string, query: string): Promise<Opened> {
    const browser = await launchChromium({
      extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${path.join(dir, video)}`],
    });
    browsers.push(browser);
    const context = await newContext(browser, node.url, { viewport: { width: 420, height: 1100 } });
    await context.grantPermissions(['camera'], { origin: node.url });
    const csp = await recordCspViolations(context);
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    // Nothing may leave the test server; a CDN request is recorded above, then fails here.
    await context.route((u) => u.origin !== node.url, (route) => route.abort('blockedbyclient'));
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.warn(`[page ${m.type()}] ${m.text()}`);
    });
    await page.goto(`/scan-test?${query}`);
    return { browser, context, page, requests, csp };
  }

  const text = (page: Page, id: string) => page.getByTestId(id).textContent();
  const count = async (page: Page) => Number(await text(page, 'decoded-count'));
  const sightings = async (page: Page) => Number(await text(page, 'sightings'));

  it('reads the code from the camera with zxing-wasm, counts it once, and asks nothing of any other origin', async () => {
    const { page, requests, csp } = await open('a.y4m', 'kiosk=1&hold=300');

    await expect.poll(() => text(page, 'decoded'), { timeout: 20_000 }).toBe(CODE_A);
    expect(await text(page, 'decoder')).toBe('zxing-wasm');
    expect(await count(page)).toBe(1);
    const history = page.getByTestId('history').locator('li');
    await expect.poll(() => history.count()).toBe(1);
    expect(await history.first().getAttribute('data-source')).toBe('camera');

    // Kiosk mode: the result gives way to the ready state by itself, the camera
    // keeps reading the same code (which comes and goes every 1.5 s), and it is
    // not counted again within the dedupe window.
    const seen = await sightings(page);
    await page.waitForFunction(() => document.body.dataset.scanState === 'ready', undefined, { timeout: 5000 });
    await expect.poll(() => sightings(page), { timeout: 15_000 }).toBeGreaterThanOrEqual(seen + 12);
    expect(await count(page)).toBe(1);
    expect(await history.count()).toBe(1);

    // How long zxing-wasm takes for one 640x480 frame here (logged, not asserted).
    const timing = page.getByTestId('decode-ms');
    const attr = (name: string) => timing.getAttribute(`data-${name}`);
    const [mean, found, empty, size, frames] = await Promise.all([attr('mean-ms'), attr('mean-found-ms'), attr('mean-empty-ms'), attr('size'), text(page, 'frames')]);
    expect(size).toBe('640x480');
    console.log(`zxing-wasm in Chromium, one ${size} frame: ${mean} ms on average over ${frames} frames (${found} ms with the code, ${empty} ms without)`);

    // A keyboard-wedge scanner: a fast burst of keys and Enter is a scan.
    await wedge(page, 'WEDGE-0001-XYZ');
    await expect.poll(() => text(page, 'decoded')).toBe('WEDGE-0001-XYZ');
    expect(await count(page)).toBe(2);
    expect(await history.first().getAttribute('data-source')).toBe('keyboard');

    // A person typing in a field, Enter included, is not.
    const field = page.getByTestId('typing');
    await field.click();
    await page.keyboard.type('HUMAN', { delay: 160 });
    await page.waitForTimeout(160);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(await field.inputValue()).toBe('HUMAN');
    expect(await count(page)).toBe(2);
    expect(await text(page, 'decoded')).toBe('WEDGE-0001-XYZ');

    // A scanner typing into that focused field is a scan, and its keys are taken out of the field again.
    await wedge(page, 'WEDGE-0002-ABC', '[data-testid=typing]');
    await expect.poll(() => text(page, 'decoded')).toBe('WEDGE-0002-ABC');
    expect(await count(page)).toBe(3);
    expect(await field.inputValue()).toBe('HUMAN');

    // No CDN: every request went to the test server, the reader's .wasm included.
    const origin = new URL(node.url).origin;
    const foreign = requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
    expect(requests.filter((u) => u.startsWith('data:'))).toEqual([]);
    expect(requests.some((u) => /\/assets\/zxing_reader-[\w-]+\.wasm$/.test(u))).toBe(true);

    // All of it ran under the pages' Content-Security-Policy (the wasm compiled, the camera, the keys) without a violation;
    // and the policy is in force: an inline style is refused and reported.
    expect(csp).toEqual([]);
    await page.evaluate(() => document.head.append(Object.assign(document.createElement('style'), { textContent: 'body { color: red }' })));
    await expect.poll(() => csp.length).toBe(1);
    expect(csp[0]).toMatch(/^style-src-elem blocked inline in \/scan-test/);
  });

  it('a keyboard-wedge scan while the camera runs keeps its first character, also when the page handles that key late', async () => {
    const { page } = await open('a.y4m', 'kiosk=1&hold=300');
    // The camera is running and the reader decoding frames.
    await expect.poll(() => text(page, 'decoded'), { timeout: 20_000 }).toBe(CODE_A);
    const frames = Number(await text(page, 'frames'));
    await expect.poll(async () => Number(await text(page, 'frames')), { timeout: 10_000 }).toBeGreaterThan(frames);
    const history = page.getByTestId('history').locator('li[data-source=keyboard] .scan-code');

    // The first scan after the camera came up, its first key held behind a 150 ms decode: all of it arrives.
    await page.waitForFunction(() => document.body.dataset.scanState === 'ready', undefined, { timeout: 5000 });
    await wedgeBehindBusyPage(page, 'sp1.FIRST-KEY-LATE-0001', 150);
    await expect.poll(() => history.allTextContents()).toEqual(['sp1.FIRST-KEY-LATE-0001']);

    // Again, and an ordinary burst between: every code whole, none split or lost.
    await page.waitForFunction(() => document.body.dataset.scanState === 'ready', undefined, { timeout: 5000 });
    await wedge(page, 'sp1.ON-TIME-0002');
    await expect.poll(() => history.count()).toBe(2);
    await page.waitForFunction(() => document.body.dataset.scanState === 'ready', undefined, { timeout: 5000 });
    await wedgeBehindBusyPage(page, 'sp1.FIRST-KEY-LATE-0003', 400);
    await expect.poll(() => history.allTextContents()).toEqual(['sp1.FIRST-KEY-LATE-0003', 'sp1.ON-TIME-0002', 'sp1.FIRST-KEY-LATE-0001']);

    // A person still is not a scanner: typed keys with pauses, the page busy before the first one.
    const field = page.getByTestId('typing');
    await field.click();
    await page.evaluate(() => {
      const until = performance.now() + 150;
      while (performance.now() < until) {
        // busy
      }
    });
    await page.keyboard.type('HUMAN', { delay: 160 });
    await page.waitForTimeout(160);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(await field.inputValue()).toBe('HUMAN');
    expect(await history.count()).toBe(3);
  });

  it('reads a different code from a second camera; in staff mode it waits for "Scan next" (in Chinese)', async () => {
    const { page, requests } = await open('b.y4m', 'lang=zh-CN');
    const shots = SCREENSHOTS ?? dir;
    fs.mkdirSync(shots, { recursive: true });

    await expect.poll(() => text(page, 'decoded'), { timeout: 20_000 }).toBe(CODE_B);
    expect(await text(page, 'decoder')).toBe('zxing-wasm');
    expect(await count(page)).toBe(1);

    // Staff mode: the result stays until the tap, and no frames are read meanwhile.
    await expect(page.getByTestId('scan-result').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('scan-next').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(shots, 'scan-test-result.zh-CN.png'), fullPage: true });
    const seen = await sightings(page);
    await page.waitForTimeout(800);
    expect(await sightings(page)).toBe(seen);
    await page.getByTestId('scan-next').click();
    await page.waitForFunction(() => document.body.dataset.scanState === 'ready');
    // The same code, still in front of the camera, is not counted again.
    await expect.poll(() => sightings(page), { timeout: 15_000 }).toBeGreaterThanOrEqual(seen + 3);
    expect(await count(page)).toBe(1);
    expect(await page.getByTestId('scan-result').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(shots, 'scan-test-scanning.zh-CN.png'), fullPage: true });

    const origin = new URL(node.url).origin;
    expect(requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
  });
});
