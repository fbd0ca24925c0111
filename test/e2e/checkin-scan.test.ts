import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePassToken, windowAt } from '../../src/domain/pass-token.js';
import { EventKeyCache } from '../../src/flows/checkin/event-keys.js';
import { hasChromium, launchChromium, newContext, requirePage } from '../support/browser.js';
import { writeQrY4m } from '../support/fake-camera.js';
import { callAs } from '../support/json-api.js';
import { signIn, startTestNode } from '../support/test-node.js';

/**
 * QR check-in end to end in real Chromium: the attendee's pass page (opened
 * through the personal link) shows a code that changes every 15 s; the staff
 * scanner page, whose fake camera films that code, checks it in; the pass page
 * shows the result pushed live, without a reload. Then a fresh code of the same
 * attendee is refused as already checked in (both pages, in Chinese), a
 * provisioned device scans too, and a keyboard-wedge scan of a code more than
 * 30 s old (signed in-process with the event's own key) is refused as expired.
 *
 * One browser: its fake camera plays a Y4M file that the test rewrites with the
 * code the pass page shows just before a scanner page opens the camera.
 */

const SCREENSHOTS = process.env.SCANPASS_TEST_SCREENSHOTS;
const MIN = 60_000;

type Node = Awaited<ReturnType<typeof startTestNode>>;

describe.skipIf(!hasChromium())('check-in: pass page and scanner page in Chromium', () => {
  let node: Node;
  let dir: string;
  let video: string;
  let browser: Browser;
  let admin: { cookie: string; csrf: string };
  const staff = { email: 'sam.staff@test.local', password: 'a long enough password', name: 'Sam Staff' };
  const ids = {} as Record<'event' | 'session' | 'attendee' | 'staff', string>;
  let linkUrl: string;
  let deviceToken: string;

  const adminCall = <T>(method: string, url: string, body?: unknown, status = 200) => callAs<T>(node.url, admin, method, url, body, status);

  beforeAll(async () => {
    requirePage('scanner.html');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-checkin-'));
    video = path.join(dir, 'camera.y4m');
    writeQrY4m(video, 'not a code yet');
    node = await startTestNode();
    admin = await signIn(node.url);

    const now = Date.now();
    ids.event = (await adminCall<{ id: string }>('POST', '/api/v1/events', { name: 'Open Source Summit', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    ids.session = (await adminCall<{ id: string }>('POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Keynote', place: 'Hall A', starts_at: now - 10 * MIN, ends_at: now + 120 * MIN }, 201)).id;
    const attendee = await adminCall<{ id: string; link_url: string }>('POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Ada Lovelace', session_ids: [ids.session] }, 201);
    ids.attendee = attendee.id;
    linkUrl = attendee.link_url;
    ids.staff = (await adminCall<{ id: string }>('POST', '/api/v1/users', { ...staff, role: 'staff' }, 201)).id;
    await adminCall('POST', `/api/v1/sessions/${ids.session}/staff`, { user_id: ids.staff });
    deviceToken = (await adminCall<{ token: string }>('POST', `/api/v1/events/${ids.event}/devices`, { name: 'Gate B', session_id: ids.session }, 201)).token;

    browser = await launchChromium({
      extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await node?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function context(camera: boolean): Promise<{ context: BrowserContext; page: Page; foreign: string[] }> {
    const context = await newContext(browser, node.url, { viewport: { width: 420, height: 900 } });
    if (camera) await context.grantPermissions(['camera'], { origin: node.url });
    const foreign: string[] = [];
    await context.route(
      (u) => u.origin !== node.url,
      (route) => {
        foreign.push(route.request().url());
        return route.abort('blockedbyclient');
      },
    );
    const page = await context.newPage();
    page.on('console', (m) => {
      // 401s are expected: the pages ask who is signed in before sending a stranger to sign in.
      if (m.type() === 'error' && !m.text().includes('status of 401')) console.warn(`[page error] ${m.text()}`);
    });
    return { context, page, foreign };
  }

  /** The code the pass page shows now, and its window. */
  const shownCode = async (pass: Page) => {
    const el = pass.getByTestId('pass-code');
    await expect.poll(() => el.getAttribute('data-code'), { timeout: 10_000 }).toMatch(/^sp1\./);
    return { code: (await el.getAttribute('data-code'))!, window: Number(await el.getAttribute('data-window')) };
  };
  /**
   * A keyboard-wedge scanner: a burst of key presses ending in Enter. Sent from
   * inside the page, as one burst: Playwright's typing waits for the page
   * between keys, and while zxing decodes a frame that wait alone exceeds the
   * gap that tells a scanner from a person (real keys: test/e2e/scanner-camera.test.ts).
   */
  const wedge = (page: Page, text: string) =>
    page.evaluate((t) => {
      for (const key of [...t, 'Enter']) document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    }, text);
  const attr = (page: Page, id: string, name: string) => page.getByTestId(id).getAttribute(`data-${name}`);
  const shots = () => {
    const d = SCREENSHOTS ?? dir;
    fs.mkdirSync(d, { recursive: true });
    return d;
  };

  it('offers each scanner the sessions it may scan at', async () => {
    const list = async (headers: Record<string, string>) => {
      const res = await fetch(`${node.url}/api/v1/scanner/sessions`, { headers });
      return { status: res.status, body: (await res.json()) as { scanner?: { kind: string; name: string }; sessions?: { id: string; event_name: string; all_attendees: boolean }[] } };
    };
    const asDevice = await list({ authorization: `Bearer ${deviceToken}` });
    expect(asDevice.body.scanner).toEqual({ kind: 'device', name: 'Gate B' });
    expect(asDevice.body.sessions?.map((x) => x.id)).toEqual([ids.session]);
    const sam = await signIn(node.url, staff.email, staff.password);
    const asStaff = await list({ cookie: sam.cookie });
    expect(asStaff.body.sessions).toMatchObject([{ id: ids.session, event_name: 'Open Source Summit', all_attendees: false }]);
    await adminCall('POST', '/api/v1/users', { email: 'idle@test.local', password: staff.password, name: 'Idle Staff', role: 'staff' }, 201);
    const idle = await signIn(node.url, 'idle@test.local', staff.password);
    expect((await list({ cookie: idle.cookie })).body.sessions).toEqual([]);
    expect((await list({})).status).toBe(401);
    expect((await list({ authorization: 'Bearer spd_nope' })).status).toBe(401);
  });

  it('scans the pass shown on the phone: ok on the scanner, pushed to the pass; then already checked in and expired', async () => {
    // ---- the attendee: signed-in mode sends a stranger to sign in; the personal link shows the pass.
    const attendee = await context(false);
    const pass = attendee.page;
    await pass.goto(`/pass?event=${ids.event}`);
    await pass.waitForURL(/\/signin\?next=/);
    expect(decodeURIComponent(new URL(pass.url()).searchParams.get('next')!)).toBe(`/pass?event=${ids.event}`);

    await pass.goto(new URL(linkUrl).pathname + new URL(linkUrl).search);
    await expect.poll(() => pass.getByTestId('pass-name').textContent()).toBe('Ada Lovelace');
    expect(await pass.getByTestId('pass-event').textContent()).toBe('Open Source Summit');
    expect(await pass.getByTestId('pass-sessions').textContent()).toContain('Keynote');
    expect(await pass.getByTestId('pass-history').locator('li').count()).toBe(0);
    expect(await pass.getByTestId('pass-offline').isVisible()).toBe(false);
    let first = await shownCode(pass);
    // Not the last seconds of a window: the code stays accepted for 30 s from its window's start, and we want room.
    if ((first.window + 1) * 15_000 - Date.now() < 4000) {
      await expect.poll(async () => (await shownCode(pass)).window, { timeout: 10_000 }).toBeGreaterThan(first.window);
      first = await shownCode(pass);
    }
    expect(first.window).toBe(windowAt(Date.now()));
    await pass.screenshot({ path: path.join(shots(), 'pass.en.png'), fullPage: true });

    // ---- the staff scanner: the camera films that code.
    writeQrY4m(video, first.code);
    const scanner = await context(true);
    const scan = scanner.page;
    await scan.goto('/scanner');
    await scan.waitForURL(/\/signin\?next=%2Fscanner/);
    await scan.getByLabel(/email/i).fill(staff.email);
    await scan.locator('#password').fill(staff.password);
    await scan.locator('#submit').click();
    await scan.waitForURL(/\/scanner$/);
    await expect.poll(() => scan.getByTestId('scanner-who').textContent()).toContain('Sam Staff');
    const picker = scan.getByTestId('session-picker');
    // One session: picked by itself; picking it again is harmless.
    await picker.selectOption(ids.session);

    const result = scan.getByTestId('scan-result');
    await expect.poll(() => result.getAttribute('data-result'), { timeout: 25_000 }).toBe('ok');
    expect(await scan.getByTestId('scan-name').textContent()).toBe('Ada Lovelace');
    expect(await result.isVisible()).toBe(true);
    expect(await scan.evaluate(() => document.body.dataset.decoder)).toBe('zxing-wasm');
    await expect.poll(() => attr(scan, 'session-counts', 'checked-in')).toBe('1');

    // The phone shows it at once, pushed: no reload.
    const passResult = pass.getByTestId('pass-result');
    await expect.poll(() => passResult.getAttribute('data-result'), { timeout: 5000 }).toBe('ok');
    expect(await passResult.isVisible()).toBe(true);
    expect(await passResult.textContent()).toContain('Keynote');
    await expect.poll(() => pass.getByTestId('pass-history').locator('li').count()).toBe(1);
    await scan.screenshot({ path: path.join(shots(), 'scanner-ok.en.png'), fullPage: true });
    await pass.screenshot({ path: path.join(shots(), 'pass-ok.en.png'), fullPage: true });

    // Recorded: the session's counts say so.
    const counts = await adminCall<{ counts: { checked_in: number; expected: number } }>('GET', `/api/v1/sessions/${ids.session}/counts`);
    expect(counts.counts).toMatchObject({ checked_in: 1, expected: 1 });

    // ---- a fresh code of the same attendee (the next window), both pages in Chinese: already checked in.
    await pass.getByRole('button', { name: '中文' }).click();
    await scan.getByRole('button', { name: '中文' }).click();
    await expect.poll(async () => (await shownCode(pass)).window, { timeout: 20_000 }).toBeGreaterThan(first.window);
    const fresh = await shownCode(pass);
    expect(fresh.code).not.toBe(first.code);
    writeQrY4m(video, fresh.code);
    // The camera is opened again (a reload, as staff would), and reads the new file.
    await scan.reload();
    await expect.poll(() => result.getAttribute('data-reason'), { timeout: 25_000 }).toBe('already_checked_in');
    expect(await result.getAttribute('data-result')).toBe('rejected');
    expect(await scan.getByTestId('scan-name').textContent()).toBe('Ada Lovelace');
    expect(await scan.getByTestId('scan-reason').textContent()).toBe('已经签到过了。');
    expect(await scan.getByTestId('scan-previous').textContent()).toMatch(/^已于 .+ 签到$/);
    await expect.poll(() => passResult.getAttribute('data-reason'), { timeout: 5000 }).toBe('already_checked_in');
    expect(await passResult.getAttribute('data-result')).toBe('rejected');
    expect(await passResult.textContent()).toContain('已经签到过了');
    expect(await pass.getByTestId('pass-history').locator('li').count()).toBe(1);
    // The refusal is the last scan, labelled as such; the session itself still reads checked in.
    expect(await pass.locator('#pass-result-heading').textContent()).toMatch(/^最近一次扫码 .+：未通过$/);
    expect(await pass.locator(`[data-testid=pass-sessions] li[data-session-id="${ids.session}"]`).getAttribute('data-state')).toBe('checked_in');
    await scan.screenshot({ path: path.join(shots(), 'scanner-already.zh-CN.png'), fullPage: true });
    await pass.screenshot({ path: path.join(shots(), 'pass-already.zh-CN.png'), fullPage: true });
    await scanner.context.close();

    // ---- a provisioned device (one-time link, kiosk mode): its token leaves the address bar.
    const device = await context(true);
    const kiosk = device.page;
    await kiosk.goto(`/scanner?device_token=${deviceToken}&kiosk=1&hold=500`);
    await expect.poll(() => kiosk.getByTestId('scanner-who').textContent()).toContain('Gate B');
    expect(kiosk.url()).not.toContain('device_token');
    expect(await kiosk.evaluate(() => localStorage.getItem('scanpass_device_token'))).toBe(deviceToken);
    const kioskResult = kiosk.getByTestId('scan-result');
    // The camera still films the fresh code: refused again, at this gate.
    await expect.poll(() => kioskResult.getAttribute('data-reason'), { timeout: 25_000 }).toBe('already_checked_in');
    // Kiosk: back to scanning by itself.
    await kiosk.waitForFunction(() => document.body.dataset.scanState === 'ready', undefined, { timeout: 5000 });

    // A code of 60 s ago, signed with the event's own key, typed in by a keyboard-wedge scanner: expired.
    const ev = await node.services.store.db.selectFrom('events').select(['private_key']).where('id', '=', ids.event).executeTakeFirstOrThrow();
    const stale = encodePassToken({ eventId: ids.event, attendeeId: ids.attendee, window: windowAt(Date.now()) - 4 }, new EventKeyCache().signer(ids.event, ev.private_key));
    await wedge(kiosk, stale);
    await expect.poll(() => kioskResult.getAttribute('data-reason'), { timeout: 10_000 }).toBe('expired_code');
    expect(await kiosk.getByTestId('scan-name').textContent()).toBe('Ada Lovelace');
    await expect.poll(() => passResult.getAttribute('data-reason'), { timeout: 5000 }).toBe('expired_code');
    expect(await passResult.textContent()).toContain('Gate B');

    // Not a code of ours at all.
    await kiosk.waitForFunction(() => document.body.dataset.scanState === 'ready', undefined, { timeout: 5000 });
    await wedge(kiosk, 'HELLO-NOT-A-PASS-0001');
    await expect.poll(() => kioskResult.getAttribute('data-reason'), { timeout: 10_000 }).toBe('invalid_code');
    expect(await kiosk.getByTestId('history').locator('li').count()).toBe(3);

    // The phone loses the network: it keeps showing codes from the list it has, and says so, quietly.
    await attendee.context.setOffline(true);
    await expect.poll(() => pass.getByTestId('pass-offline').isVisible()).toBe(true);
    expect((await shownCode(pass)).window).toBe(windowAt(Date.now()));
    expect(await pass.getByTestId('pass-code').isVisible()).toBe(true);
    await attendee.context.setOffline(false);
    await expect.poll(() => pass.getByTestId('pass-offline').isVisible(), { timeout: 10_000 }).toBe(false);

    // Still one check-in; nothing asked of any other origin.
    const after = await adminCall<{ counts: { checked_in: number } }>('GET', `/api/v1/sessions/${ids.session}/counts`);
    expect(after.counts.checked_in).toBe(1);
    expect([...attendee.foreign, ...scanner.foreign, ...device.foreign]).toEqual([]);
  }, 120_000);
});
