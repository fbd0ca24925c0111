import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePassToken, windowAt } from '../../src/domain/pass-token.js';
import { EventKeyCache } from '../../src/flows/checkin/event-keys.js';
import { hasChromium, launchChromium, newContext, recordCspViolations, requirePage, screenshot } from '../support/browser.js';
import { callAs } from '../support/json-api.js';
import { signIn, startTestNode } from '../support/test-node.js';

/**
 * The pass never contradicts itself: each session shows its own check-in
 * state, and the latest scan is a separate, labelled event. A refusal after a
 * check-in leaves the session checked in; an undo makes it "not checked in".
 * Scans go through the API as a scanner would send them; the pass page under
 * test is real Chromium, told of each change live.
 */

const MIN = 60_000;

describe.skipIf(!hasChromium())('pass page: session state apart from the latest scan', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let browser: Browser;
  let context: BrowserContext;
  let pass: Page;
  let admin: { cookie: string; csrf: string };
  const ids = {} as Record<'event' | 'keynote' | 'workshop' | 'attendee', string>;
  let linkUrl: string;
  const pageErrors: string[] = [];
  let csp: string[] = [];

  const adminCall = <T>(method: string, url: string, body?: unknown, status = 200) => callAs<T>(node.url, admin, method, url, body, status);
  type Answer = { result: string; reason: string | null; checkin: { id: string } | null };
  const scan = (code: string, sessionId: string, gate: string) =>
    adminCall<Answer>('POST', '/api/v1/checkins', { code, session_id: sessionId, gate, nonce: `e2e-${randomUUID()}` });

  beforeAll(async () => {
    requirePage('pass.html');
    [node, browser] = await Promise.all([startTestNode(), launchChromium()]);
    admin = await signIn(node.url);
    const now = Date.now();
    ids.event = (await adminCall<{ id: string }>('POST', '/api/v1/events', { name: 'Open Source Summit', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    const session = (name: string) =>
      adminCall<{ id: string }>('POST', `/api/v1/events/${ids.event}/sessions`, { name, place: 'Hall A', starts_at: now - 10 * MIN, ends_at: now + 120 * MIN }, 201);
    ids.keynote = (await session('Keynote')).id;
    ids.workshop = (await session('Workshop')).id;
    const attendee = await adminCall<{ id: string; link_url: string }>('POST', `/api/v1/events/${ids.event}/attendees`, { name: 'Ada Lovelace', session_ids: [ids.keynote, ids.workshop] }, 201);
    ids.attendee = attendee.id;
    linkUrl = attendee.link_url;
    context = await newContext(browser, node.url);
    csp = await recordCspViolations(context);
    pass = await context.newPage();
    pass.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await Promise.allSettled([browser?.close(), node?.close()]);
  });

  const sessionItem = (sessionId: string) => pass.locator(`[data-testid=pass-sessions] li[data-session-id="${sessionId}"]`);
  const sessionState = (sessionId: string) => sessionItem(sessionId).getAttribute('data-state');
  const sessionText = (sessionId: string) => sessionItem(sessionId).getByTestId('pass-session-state').innerText();
  const shownCode = async () => {
    const el = pass.getByTestId('pass-code');
    await expect.poll(() => el.getAttribute('data-code'), { timeout: 10_000 }).toMatch(/^sp1\./);
    return (await el.getAttribute('data-code'))!;
  };

  it('a refused scan after a check-in leaves the session checked in and shows the refusal apart; an undo makes it not checked in', async () => {
    await pass.goto(new URL(linkUrl).pathname + new URL(linkUrl).search);
    await expect.poll(() => pass.getByTestId('pass-name').textContent(), { timeout: 10_000 }).toBe('Ada Lovelace');
    expect(await sessionState(ids.keynote)).toBe('not_checked_in');
    expect(await sessionText(ids.keynote)).toBe('Not checked in yet');
    expect(await sessionState(ids.workshop)).toBe('not_checked_in');
    const result = pass.getByTestId('pass-result');
    expect(await result.isVisible()).toBe(false);

    // Checked in at gate X.
    const code = await shownCode();
    const ok = await scan(code, ids.keynote, 'Gate X');
    expect(ok.result).toBe('ok');
    await expect.poll(() => sessionState(ids.keynote), { timeout: 5000 }).toBe('checked_in');
    expect(await sessionText(ids.keynote)).toMatch(/^Checked in at .+ · Gate X$/);
    await screenshot(pass, 'pass-checked-in');
    expect(await sessionState(ids.workshop)).toBe('not_checked_in');
    await expect.poll(() => result.getAttribute('data-result')).toBe('ok');
    expect(await pass.locator('#pass-result-heading').innerText()).toMatch(/^Last scan .+: accepted$/);

    // Refused: already checked in. The session still says so; the refusal is the last scan, labelled as such.
    const again = await scan(code, ids.keynote, 'Gate Y');
    expect(again).toMatchObject({ result: 'rejected', reason: 'already_checked_in' });
    await expect.poll(() => result.getAttribute('data-reason'), { timeout: 5000 }).toBe('already_checked_in');
    expect(await result.getAttribute('data-result')).toBe('rejected');
    expect(await pass.locator('#pass-result-heading').innerText()).toMatch(/^Last scan .+: refused$/);
    expect(await pass.locator('#pass-result-reason').innerText()).toBe('Already checked in.');
    expect(await pass.locator('#pass-result-where').innerText()).toBe('Keynote · Gate Y');
    expect(await pass.getByTestId('pass-result-standing').innerText()).toMatch(/^You are still checked in to Keynote \(since .+\)\.$/);
    expect(await result.innerText()).not.toContain('Not checked in');
    await screenshot(pass, 'pass-refused-still-checked-in');
    expect(await sessionState(ids.keynote)).toBe('checked_in');
    expect(await sessionText(ids.keynote)).toMatch(/^Checked in at .+ · Gate X$/);

    // Refused: an expired code (signed with the event's own key, a minute old). Still checked in.
    const ev = await node.services.store.db.selectFrom('events').select(['private_key']).where('id', '=', ids.event).executeTakeFirstOrThrow();
    const stale = encodePassToken({ eventId: ids.event, attendeeId: ids.attendee, window: windowAt(Date.now()) - 4 }, new EventKeyCache().signer(ids.event, ev.private_key));
    expect(await scan(stale, ids.keynote, 'Gate Z')).toMatchObject({ result: 'rejected', reason: 'expired_code' });
    await expect.poll(() => result.getAttribute('data-reason'), { timeout: 5000 }).toBe('expired_code');
    expect(await sessionState(ids.keynote)).toBe('checked_in');
    expect(await pass.getByTestId('pass-result-standing').isVisible()).toBe(true);
    const lastShownAt = await result.getAttribute('data-at');

    // Staff undo the check-in: the session is "not checked in" again, and the old refusal is not announced as new.
    expect(await adminCall('DELETE', `/api/v1/checkins/${ok.checkin!.id}`)).toMatchObject({ undone: true });
    await expect.poll(() => sessionState(ids.keynote), { timeout: 5000 }).toBe('not_checked_in');
    expect(await sessionText(ids.keynote)).toBe('Not checked in yet');
    expect(await pass.getByTestId('pass-history').locator('li').count()).toBe(0);
    expect(await result.getAttribute('data-at')).toBe(lastShownAt);
    expect(await pass.getByTestId('pass-result-standing').isVisible()).toBe(false);
    await screenshot(pass, 'pass-after-undo');

    // The same, in Chinese.
    await pass.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => sessionText(ids.keynote)).toBe('尚未签到');
    expect(await pass.locator('#pass-result-heading').innerText()).toMatch(/^最近一次扫码 .+：未通过$/);
    expect(await scan(await shownCode(), ids.keynote, 'Gate X')).toMatchObject({ result: 'ok' });
    await expect.poll(() => sessionText(ids.keynote), { timeout: 5000 }).toMatch(/^已于 .+ 在 Gate X 签到$/);
    await screenshot(pass, 'pass-checked-in-zh-CN');
    expect(pageErrors).toEqual([]);
    // The pass (its QR drawn on a canvas, the live channel) runs under the pages' Content-Security-Policy.
    expect(csp).toEqual([]);
  });
});
