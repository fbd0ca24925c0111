import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, requirePage } from '../support/browser.js';
import { callAs, type SignedIn } from '../support/json-api.js';
import { ADMIN, signIn, startTestNode } from '../support/test-node.js';

/**
 * The session dashboard in real Chromium with 2-second channel tokens: the
 * page renews its token from the API as each one runs out and keeps showing
 * new attendees, pushed; once the staff member is removed from the session
 * the page stops receiving at once and says they may no longer watch.
 */

const MIN = 60_000;
const PASSWORD = 'a long enough password';

type Node = Awaited<ReturnType<typeof startTestNode>>;

describe.skipIf(!hasChromium())('dashboard renewal and revocation in Chromium', () => {
  let node: Node;
  let browser: Browser;
  let admin: SignedIn;
  const ids = {} as Record<'event' | 'session' | 'sam', string>;
  const call = <T>(method: string, url: string, body?: unknown, status = 200) => callAs<T>(node.url, admin, method, url, body, status);
  const addAttendee = (name: string) => call('POST', `/api/v1/events/${ids.event}/attendees`, { name, session_ids: [ids.session] }, 201);

  beforeAll(async () => {
    requirePage('dashboard.html');
    node = await startTestNode({ liveTokenTtlSeconds: 2 });
    admin = await signIn(node.url, ADMIN.email, ADMIN.password);
    const now = Date.now();
    ids.event = (await call<{ id: string }>('POST', '/api/v1/events', { name: 'Renewal Summit', starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    ids.session = (await call<{ id: string }>('POST', `/api/v1/events/${ids.event}/sessions`, { name: 'Hall', starts_at: now - 10 * MIN, ends_at: now + 120 * MIN }, 201)).id;
    ids.sam = (await call<{ id: string }>('POST', '/api/v1/users', { email: 'sam@test.local', password: PASSWORD, name: 'Sam Staff', role: 'staff' }, 201)).id;
    await call('POST', `/api/v1/sessions/${ids.session}/staff`, { user_id: ids.sam });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await node?.close();
  });

  const expected = (page: Page) => page.getByTestId('count-expected').getAttribute('data-value');

  it('keeps pushing past token expiry, and stops for good when the staff member is removed', async () => {
    const context = await newContext(browser, node.url, { viewport: { width: 900, height: 1000 } });
    const page = await context.newPage();
    let countFetches = 0;
    page.on('request', (r) => {
      if (r.url().includes(`/api/v1/sessions/${ids.session}/counts`)) countFetches++;
    });
    await page.goto(`/dashboard?session=${ids.session}`);
    await page.waitForURL(/\/signin\?next=/);
    await page.getByLabel(/email/i).fill('sam@test.local');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#submit').click();
    await page.waitForURL((u) => u.pathname === '/dashboard');
    await expect.poll(() => expected(page)).toBe('0');

    // Three tokens later (the first fetch plus two renewals), the page still follows the session.
    await expect.poll(() => countFetches, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    await addAttendee('Rene Renewed');
    await expect.poll(() => expected(page)).toBe('1');
    await expect.poll(() => page.getByTestId('live-status').getAttribute('data-status')).toBe('open');

    await call('DELETE', `/api/v1/sessions/${ids.session}/staff/${ids.sam}`);
    await expect.poll(() => page.getByTestId('dash-error').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('dash-error').textContent()).toContain('Only organisers and the staff of this session');
    await addAttendee('Never Shown');
    // The organiser's own view moves; the removed staff member's does not.
    await expect.poll(async () => (await call<{ counts: { expected: number } }>('GET', `/api/v1/sessions/${ids.session}/counts`)).counts.expected).toBe(2);
    // Nothing on this node follows the session any more, so nothing can reach the page.
    expect(node.services.live.stats().subscriptions).toBe(0);
    expect(await expected(page)).toBe('1');
    await context.close();
  });
});
