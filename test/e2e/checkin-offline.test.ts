import { generateKeyPairSync, sign } from 'node:crypto';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePassToken, windowAt } from '../../src/domain/pass-token.js';
import { EventKeyCache } from '../../src/flows/checkin/event-keys.js';
import { hasChromium, launchChromium, newContext, requirePage } from '../support/browser.js';
import { callAs } from '../support/json-api.js';
import { signIn, startTestNode } from '../support/test-node.js';
import type { LatestScan } from '../../web/lib/dashboard-api.js';

/**
 * Offline scanning in real Chromium: two provisioned scanners (Gate A, Gate B)
 * load their session online, lose the network, and go on deciding here with
 * the event's public key and attendee list; their scans wait in IndexedDB and
 * go up when the network is back, each with its own nonce, so a lost answer
 * retried makes no second check-in; one attendee checked in at both gates
 * while offline ends up checked in once, the other scan recorded as
 * `already_checked_in`. Who may come to a session offline is what the server
 * says (`all_attendees`), not a guess from the attendee list.
 *
 * No camera: codes come as keyboard-wedge bursts dispatched inside the page
 * (see test/e2e/checkin-scan.test.ts), signed in-process with the event's key.
 */

const MIN = 60_000;
type Node = Awaited<ReturnType<typeof startTestNode>>;

describe.skipIf(!hasChromium())('check-in: offline scanning in Chromium', () => {
  let node: Node;
  let browser: Browser;
  let admin: { cookie: string; csrf: string };
  const ids = {} as Record<'event', string>;
  let signer: { sign(m: Uint8Array): Uint8Array };
  const contexts: BrowserContext[] = [];

  const adminCall = <T>(method: string, url: string, body?: unknown, status = 200) => callAs<T>(node.url, admin, method, url, body, status);
  const counts = (session: string) => adminCall<{ counts: { checked_in: number }; latest: LatestScan[] }>('GET', `/api/v1/sessions/${session}/counts`);
  const codeOf = (attendeeId: string) => encodePassToken({ eventId: ids.event, attendeeId, window: windowAt(Date.now()) }, signer);

  beforeAll(async () => {
    requirePage('scanner.html');
    node = await startTestNode();
    admin = await signIn(node.url);
    const now = Date.now();
    ids.event = (await adminCall<{ id: string }>('POST', '/api/v1/events', { name: 'Offline Conf', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    const ev = await node.services.store.db.selectFrom('events').select(['private_key']).where('id', '=', ids.event).executeTakeFirstOrThrow();
    signer = new EventKeyCache().signer(ids.event, ev.private_key);
    // No camera at all: the scanners take keyboard-wedge codes only.
    browser = await launchChromium({ extraArgs: ['--use-fake-ui-for-media-stream'] });
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await node?.close();
  });

  /**
   * A main hall of the test's own, with Ada, Grace and Alan registered and Gates A and B scanning at it: each test's
   * check-ins, counts and latest scans are its own, whatever the others checked in before it.
   */
  async function mainHall(): Promise<{ session: string; ada: string; grace: string; alan: string; tokens: Record<'a' | 'b', string> }> {
    const now = Date.now();
    const session = (await adminCall<{ id: string }>('POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Main hall', starts_at: now - 10 * MIN, ends_at: now + 120 * MIN }, 201)).id;
    const attendee = async (name: string) => (await adminCall<{ id: string }>('POST', `/api/v1/events/${ids.event}/attendees`, { name, session_ids: [session] }, 201)).id;
    const [ada, grace, alan] = [await attendee('Ada Lovelace'), await attendee('Grace Hopper'), await attendee('Alan Turing')];
    const device = async (name: string) => (await adminCall<{ token: string }>('POST', `/api/v1/events/${ids.event}/devices`, { name, session_id: session }, 201)).token;
    return { session, ada, grace, alan, tokens: { a: await device('Gate A'), b: await device('Gate B') } };
  }

  /** A device scanner page (one browser profile each, so one IndexedDB each), its session loaded online. */
  async function scanner(token: string, gate: string, session: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, node.url, { viewport: { width: 420, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
    await page.goto(`/scanner?device_token=${token}&session=${session}`);
    await expect.poll(() => page.getByTestId('scanner-who').textContent()).toContain(gate);
    await expect.poll(() => page.evaluate(() => document.body.dataset.sessionId)).toBe(session);
    // The event's key and attendee list are downloaded for offline use.
    await expect.poll(() => page.getByTestId('offline-status').getAttribute('data-ready')).toBe('true');
    return { context, page };
  }

  /**
   * A keyboard-wedge burst, its events made before any is sent: the first key
   * press of a page unlocks its audio, which may take longer than the gap that
   * tells a scanner from a person.
   */
  const wedge = (page: Page, text: string) =>
    page.evaluate((t) => {
      const events = [...t, 'Enter'].map((key) => new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
      for (const e of events) document.dispatchEvent(e);
    }, text);
  const historyCount = (page: Page) => page.getByTestId('history').locator('li').count();
  /** Scans one code and waits for its result (a new history line). */
  async function scan(page: Page, code: string) {
    const before = await historyCount(page);
    await wedge(page, code);
    await expect.poll(() => historyCount(page)).toBe(before + 1);
    const result = page.getByTestId('scan-result');
    return {
      result: await result.getAttribute('data-result'),
      reason: await result.getAttribute('data-reason'),
      offline: await result.getAttribute('data-offline'),
      name: await page.getByTestId('scan-name').textContent(),
      badge: await page.getByTestId('scan-offline').isVisible(),
    };
  }
  const pending = (page: Page) => page.getByTestId('offline-status').getAttribute('data-pending');

  it('decides offline, queues, uploads once even when an answer is lost', async () => {
    const hall = await mainHall();
    const { context, page } = await scanner(hall.tokens.a, 'Gate A', hall.session);
    await context.setOffline(true);
    await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false);

    expect(await scan(page, codeOf(hall.ada))).toEqual({ result: 'ok', reason: '', offline: 'true', name: 'Ada Lovelace', badge: true });
    expect(await scan(page, codeOf(hall.grace))).toMatchObject({ result: 'ok', offline: 'true', name: 'Grace Hopper' });
    // Signed with a key that is not the event's: refused here.
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = encodePassToken({ eventId: ids.event, attendeeId: hall.alan, window: windowAt(Date.now()) }, { sign: (m) => new Uint8Array(sign(null, m, privateKey)) });
    expect(await scan(page, forged)).toMatchObject({ result: 'rejected', reason: 'invalid_code', offline: 'true', badge: true });
    // Ada again: this device knows she is in.
    expect(await scan(page, codeOf(hall.ada))).toMatchObject({ result: 'rejected', reason: 'already_checked_in', name: 'Ada Lovelace' });
    expect(await page.getByTestId('scan-previous').textContent()).toMatch(/^Checked in at /);

    const status = page.getByTestId('offline-status');
    expect(await pending(page)).toBe('4');
    expect(await status.getAttribute('data-online')).toBe('false');
    expect(await status.textContent()).toBe('Offline · 4 scans waiting to upload');
    // Nothing reached the server yet.
    expect((await counts(hall.session)).counts.checked_in).toBe(0);

    // Back online. The first upload reaches the server, but its answer is lost on the way back.
    const posted: { nonce: string; scanned_at: number; offline: unknown; replay: string | undefined }[] = [];
    let lost = false;
    await page.route('**/api/v1/checkins', async (route: Route) => {
      const body = route.request().postDataJSON() as { nonce: string; scanned_at: number; offline: unknown };
      const res = await route.fetch();
      posted.push({ nonce: body.nonce, scanned_at: body.scanned_at, offline: body.offline, replay: res.headers()['x-idempotent-replay'] });
      if (!lost) {
        lost = true;
        return route.abort('connectionreset');
      }
      return route.fulfill({ response: res });
    });
    await context.setOffline(false);
    await expect.poll(() => pending(page), { timeout: 20_000 }).toBe('0');
    expect(await status.isVisible()).toBe(false);

    // Five requests for four scans: the lost one again, with its nonce, answered as a replay.
    expect(posted).toHaveLength(5);
    expect(posted[1]!.nonce).toBe(posted[0]!.nonce);
    expect(posted[0]!.replay).toBeUndefined();
    expect(posted[1]!.replay).toBe('true');
    expect(new Set(posted.map((p) => p.nonce)).size).toBe(4);
    // Oldest first, with the time of the scan.
    const times = posted.slice(1).map((p) => p.scanned_at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    // Marked as offline uploads, so the server keeps the time of the scan, not of the upload.
    expect(posted.every((p) => p.offline === true)).toBe(true);

    const c = await counts(hall.session);
    expect(c.counts.checked_in).toBe(2);
    // One row per scan: the replay recorded nothing.
    expect(c.latest.map((r) => [r.attendee?.name ?? null, r.result, r.reason, r.gate]).reverse()).toEqual([
      ['Ada Lovelace', 'ok', null, 'Gate A'],
      ['Grace Hopper', 'ok', null, 'Gate A'],
      [null, 'rejected', 'invalid_code', 'Gate A'],
      ['Ada Lovelace', 'rejected', 'already_checked_in', 'Gate A'],
    ]);
    // The uploads' answers are in the history: no conflict here.
    expect(await page.locator('[data-testid=history] li[data-uploaded=true]').count()).toBe(4);
    expect(await page.locator('[data-testid=history] li[data-conflict=true]').count()).toBe(0);

    // Online again: scans go straight to the server, without the badge.
    await page.unroute('**/api/v1/checkins');
    expect(await scan(page, codeOf(hall.grace))).toMatchObject({ result: 'rejected', reason: 'already_checked_in', offline: 'false', badge: false });
  }, 90_000);

  it('one attendee checked in at two gates while offline: one check-in, the other refused as already checked in', async () => {
    // Ada and Grace were checked in at this hall before (online, by hand), so Alan's makes three.
    const hall = await mainHall();
    for (const attendee_id of [hall.ada, hall.grace]) {
      expect((await adminCall<{ result: string }>('POST', '/api/v1/checkins/manual', { session_id: hall.session, attendee_id, nonce: crypto.randomUUID() })).result).toBe('ok');
    }
    const a = await scanner(hall.tokens.a, 'Gate A', hall.session);
    const b = await scanner(hall.tokens.b, 'Gate B', hall.session);
    await a.context.setOffline(true);
    await b.context.setOffline(true);
    const code = codeOf(hall.alan);
    expect(await scan(a.page, code)).toMatchObject({ result: 'ok', offline: 'true', name: 'Alan Turing' });
    expect(await scan(b.page, code)).toMatchObject({ result: 'ok', offline: 'true', name: 'Alan Turing' });

    // Gate A uploads first.
    await a.context.setOffline(false);
    await expect.poll(() => pending(a.page), { timeout: 20_000 }).toBe('0');
    expect((await counts(hall.session)).counts.checked_in).toBe(3);

    // Gate B comes back while its uploads still fail, and reloads: the queue survives.
    await b.page.route('**/api/v1/checkins', (route) => route.abort('connectionrefused'));
    await b.context.setOffline(false);
    await b.page.reload();
    await expect.poll(() => b.page.evaluate(() => document.body.dataset.sessionId)).toBe(hall.session);
    await expect.poll(() => pending(b.page)).toBe('1');
    await b.page.unroute('**/api/v1/checkins');
    await expect.poll(() => pending(b.page), { timeout: 20_000 }).toBe('0');

    // Exactly one check-in; Gate B's scan is recorded as refused, and Gate B says where Alan was checked in.
    const c = await counts(hall.session);
    expect(c.counts.checked_in).toBe(3);
    const alan = c.latest.filter((r) => r.attendee?.id === hall.alan);
    expect(alan.map((r) => [r.result, r.reason, r.gate])).toEqual([
      ['rejected', 'already_checked_in', 'Gate B'],
      ['ok', null, 'Gate A'],
    ]);
    // The dashboard's record of the conflict: Gate A's check-in is the one in the way, and both scans were recorded after they were made.
    expect(alan[0]!.earlier).toEqual({ at: alan[1]!.at, gate: 'Gate A' });
    expect(alan[0]!.checkin_id).toBe(alan[1]!.checkin_id);
    for (const r of alan) expect(r.recorded_at).toBeGreaterThan(r.at);
    const conflict = b.page.locator('[data-testid=history] li[data-conflict=true]');
    await expect.poll(() => conflict.count()).toBe(1);
    expect(await conflict.textContent()).toMatch(/Alan Turing · Conflict: already checked in at Gate A at /);
  }, 90_000);

  it('decides offline who may come as the server says: anyone at an all-attendees session, only the registered elsewhere', async () => {
    const { alan } = await mainHall();
    const now = Date.now();
    const session = async (body: Record<string, unknown>) => (await adminCall<{ id: string }>('POST', `/api/v1/events/${ids.event}/sessions`, body, 201)).id;
    const lounge = await session({ name: 'Lounge', starts_at: now - 10 * MIN, ends_at: now + 120 * MIN, all_attendees: true });
    const workshop = await session({ name: 'Workshop', starts_at: now - 10 * MIN, ends_at: now + 120 * MIN });
    // Someone registered for the lounge and nobody for the workshop: the attendee list alone would suggest the opposite.
    await adminCall('POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Hedy Lamarr', session_ids: [lounge] }, 201);
    const token = (await adminCall<{ token: string }>('POST', `/api/v1/events/${ids.event}/devices`, { name: 'Gate C' }, 201)).token;
    const { context, page } = await scanner(token, 'Gate C', lounge);
    await context.setOffline(true);
    await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false);

    // Alan is registered for the main hall only.
    expect(await scan(page, codeOf(alan))).toMatchObject({ result: 'ok', offline: 'true', name: 'Alan Turing' });
    await page.getByTestId('session-picker').selectOption(workshop);
    await expect.poll(() => page.evaluate(() => document.body.dataset.sessionId)).toBe(workshop);
    expect(await scan(page, codeOf(alan))).toMatchObject({ result: 'rejected', reason: 'not_registered', offline: 'true' });

    // The server, deciding again on upload, agrees.
    await context.setOffline(false);
    await expect.poll(() => pending(page), { timeout: 20_000 }).toBe('0');
    const latest = async (id: string) => (await adminCall<{ latest: LatestScan[] }>('GET', `/api/v1/sessions/${id}/counts`)).latest.map((r) => [r.result, r.reason, r.gate]);
    expect(await latest(lounge)).toEqual([['ok', null, 'Gate C']]);
    expect(await latest(workshop)).toEqual([['rejected', 'not_registered', 'Gate C']]);
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
  });
});
