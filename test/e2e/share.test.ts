import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, recordCspViolations, requirePage, screenshot } from '../support/browser.js';
import { createUsers, type TestUser } from '../support/share-users.js';
import { startTestNode } from '../support/test-node.js';

const snap = screenshot;

/** Two people, two browser profiles: A shares, B scans (opens the receive URL). */
describe.skipIf(!hasChromium())('share pages in Chromium', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let browser: Browser;
  let alice: TestUser;
  let bob: TestUser;
  const contexts: BrowserContext[] = [];
  /** Content-Security-Policy violations on any page of any profile: none expected. */
  const csp: string[] = [];

  beforeAll(async () => {
    requirePage('share.html');
    [node, browser] = await Promise.all([startTestNode(), launchChromium()]);
    [alice, bob] = (await createUsers(node.url, ['Alice Chen', 'Bob Li'], 'e2e')) as [TestUser, TestUser];
  });

  afterAll(async () => {
    expect(csp, 'Content-Security-Policy violations').toEqual([]);
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close()]);
  });

  /** A fresh profile, signed in as `who` (or not at all), on `url`. */
  async function open(who: TestUser | null, url: string, init?: () => void): Promise<Page> {
    const context = await newContext(browser, node.url);
    contexts.push(context);
    await recordCspViolations(context, csp);
    if (init) await context.addInitScript(init);
    if (who) expect((await context.request.post('/api/v1/session', { data: { email: who.email, password: who.password } })).status()).toBe(200);
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }

  const status = (page: Page, s: string) => page.locator(`[data-testid=share-status][data-status=${s}]`).waitFor();

  /** A's share page, in a profile of this test's own: no test goes on from where another left A's page. */
  const alicePage = () => open(alice, '/share');

  /** A fills in the form (name and email come prefilled) and shows a code; returns it. */
  async function createShare(pageA: Page, phone?: string): Promise<string> {
    return (await createShareWithId(pageA, phone)).code;
  }

  async function createShareWithId(pageA: Page, phone?: string): Promise<{ code: string; id: string }> {
    if (await pageA.getByRole('button', { name: 'Share again' }).isVisible()) await pageA.getByRole('button', { name: 'Share again' }).click();
    await pageA.getByLabel('Name', { exact: true }).and(pageA.locator('input[type=text]')).waitFor();
    expect(await pageA.locator('#name').inputValue()).toBe('Alice Chen');
    expect(await pageA.locator('#email').inputValue()).toBe(alice.email);
    if (phone) await pageA.locator('#phone').fill(phone);
    await snap(pageA, 'share-compose');
    const created = pageA.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/shares' && r.request().method() === 'POST');
    await pageA.getByRole('button', { name: 'Show my code' }).click();
    const { id } = (await (await created).json()) as { id: string };
    await status(pageA, 'open');
    const code = (await pageA.getByTestId('share-code').innerText()).trim();
    expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    return { code, id };
  }

  /** What A's own API view says about the share (status and who asked). */
  async function ownerView(pageA: Page, id: string): Promise<{ status: string; requester: { name: string; email: string } | null }> {
    const res = await pageA.request.get(`/api/v1/shares/${id}`);
    expect(res.status()).toBe(200);
    return (await res.json()) as { status: string; requester: { name: string; email: string } | null };
  }

  /** B confirms on the receive page; only then is the share claimed. */
  async function request(page: Page, label = 'Request what is shared'): Promise<void> {
    await page.getByRole('button', { name: label, exact: true }).click();
  }

  it('A shares, B signs in and asks, A sees who at once and approves, B gets the fields pushed live', async () => {
    const pageA = await alicePage();
    const code = await createShare(pageA, '+86 138 0000 0000');
    const qrLoaded = await pageA.getByTestId('share-qr').evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth > 0));
    expect(qrLoaded).toBe(true);
    await snap(pageA, 'share-open');

    // B is not signed in yet: the receive page sends B to sign in and back.
    const pageB = await open(null, `/share/receive?code=${code}`);
    await pageB.waitForURL((u) => u.pathname === '/signin');
    await pageB.getByLabel('Email', { exact: true }).fill(bob.email);
    await pageB.getByLabel('Password', { exact: true }).fill(bob.password);
    await pageB.getByRole('button', { name: 'Sign in', exact: true }).click();
    await pageB.getByTestId('share-confirm').waitFor();
    await request(pageB);
    await status(pageB, 'requested');
    expect(await pageB.getByTestId('share-status').innerText()).toBe('Waiting for Alice Chen to approve…');
    expect(await pageB.getByTestId('shared-field').count()).toBe(0);
    await pageB.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    await pageA.getByTestId('share-requester').filter({ hasText: `Bob Li (${bob.email}) wants to see this.` }).waitFor({ timeout: 3000 });
    await snap(pageA, 'share-requested');
    await snap(pageB, 'receive-waiting');
    const [approveBox, denyBox] = await Promise.all([pageA.getByTestId('share-approve').boundingBox(), pageA.getByTestId('share-deny').boundingBox()]);
    expect([denyBox?.width, denyBox?.height]).toEqual([approveBox?.width, approveBox?.height]);
    // As on the login page: Deny on the left in red, Approve on the right in green.
    expect(denyBox!.x).toBeLessThan(approveBox!.x);
    const look = (id: string) => pageA.getByTestId(id).evaluate((b) => ({ cls: b.className, color: getComputedStyle(b).color }));
    const [approveLook, denyLook] = await Promise.all([look('share-approve'), look('share-deny')]);
    expect([approveLook.cls, denyLook.cls]).toEqual(['button decide approve', 'button decide deny']);
    expect(approveLook.color).not.toBe(denyLook.color);
    await pageA.getByTestId('share-approve').click();
    await status(pageA, 'approved');

    await status(pageB, 'approved');
    const field = (k: string) => pageB.locator(`[data-testid=shared-field][data-field=${k}]`).innerText();
    expect([await field('name'), await field('email'), await field('phone')]).toEqual(['Alice Chen', alice.email, '+86 138 0000 0000']);
    expect(await pageB.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42); // no reload
    await snap(pageB, 'receive-approved');

    // "Share again" on the finished share: the form comes back prefilled and gives a new code.
    expect(await createShare(pageA)).not.toBe(code);
  });

  it('A denies; B, on a browser without WebSocket, is told live and sees nothing', async () => {
    const pageA = await alicePage();
    const code = await createShare(pageA);
    const pageB = await open(bob, `/share/receive?code=${code}`, () => {
      Object.defineProperty(window, 'WebSocket', { value: undefined });
    });
    await request(pageB);
    await status(pageB, 'requested');
    await pageA.getByTestId('share-requester').filter({ hasText: 'Bob Li' }).waitFor({ timeout: 3000 });
    await pageA.getByTestId('share-deny').click();
    await status(pageA, 'denied');
    await status(pageB, 'denied');
    expect(await pageB.getByTestId('share-status').innerText()).toBe('Alice Chen declined to share.');
    expect(await pageB.getByTestId('shared-field').count()).toBe(0);
    const live = await pageB.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.startsWith('/v1/live')));
    expect(live.length).toBeGreaterThan(0);
    expect(live.every((p) => p === '/v1/live/sse' || p === '/v1/live/poll')).toBe(true);
  });

  it('A revokes before deciding: B is told it is no longer available, and the code stays dead', async () => {
    const pageA = await alicePage();
    const code = await createShare(pageA);
    const pageB = await open(bob, `/share/receive?code=${code}`);
    await request(pageB);
    await status(pageB, 'requested');
    await pageA.getByTestId('share-requester').filter({ hasText: 'Bob Li' }).waitFor({ timeout: 3000 });
    await pageA.getByTestId('share-revoke').click();
    await status(pageA, 'revoked');
    await status(pageB, 'revoked');
    expect(await pageB.getByTestId('share-status').innerText()).toBe('This share is no longer available: Alice Chen withdrew it.');

    await pageB.reload();
    const error = pageB.locator('[data-testid=error][data-code=share_revoked]');
    await error.waitFor();
    expect(await error.innerText()).toBe('This share is no longer available: it was withdrawn.');
  });

  it('opening the link asks nothing: A sees no requester until B presses Request, and B is told what A will see', async () => {
    const pageA = await alicePage();
    const { code, id } = await createShareWithId(pageA);

    // In Chinese first: the confirm step says the same, and a page left open claims nothing.
    const pageZh = await open(bob, `/share/receive?code=${code}&lang=zh-CN`);
    await pageZh.getByTestId('share-confirm').waitFor();
    expect(await pageZh.locator('#confirm-reveals').innerText()).toBe(`如果您请求查看，分享者将看到您的姓名和邮箱：Bob Li（${bob.email}）。`);
    await pageZh.getByRole('button', { name: '请求查看分享内容', exact: true }).waitFor();
    await snap(pageZh, 'receive-confirm-zh-CN');
    await pageZh.close();

    const pageB = await open(bob, `/share/receive?code=${code}`);
    const confirm = pageB.getByTestId('share-confirm');
    await confirm.waitFor();
    expect(await pageB.locator('#confirm-code').innerText()).toBe(`You opened share code ${code}. Nothing has been asked yet.`);
    await snap(pageB, 'receive-confirm');
    expect(await pageB.locator('#confirm-reveals').innerText()).toBe(`If you ask, the person sharing will see your name and email: Bob Li (${bob.email}).`);
    await pageB.waitForLoadState('networkidle');
    expect(await ownerView(pageA, id)).toMatchObject({ status: 'open', requester: null });
    expect(await pageA.getByTestId('share-status').getAttribute('data-status')).toBe('open');
    // A reload of a page that never asked asks nothing either.
    await pageB.reload();
    await confirm.waitFor();
    await pageB.waitForLoadState('networkidle');
    expect(await ownerView(pageA, id)).toMatchObject({ status: 'open', requester: null });

    await request(pageB);
    await status(pageB, 'requested');
    expect(await confirm.isHidden()).toBe(true);
    expect(await ownerView(pageA, id)).toMatchObject({ status: 'requested', requester: { name: 'Bob Li', email: bob.email } });
    await pageA.getByTestId('share-requester').filter({ hasText: `Bob Li (${bob.email}) wants to see this.` }).waitFor({ timeout: 3000 });
    // Having asked, a reload shows where the request stands instead of asking again.
    await pageB.reload();
    await status(pageB, 'requested');
    await pageA.getByTestId('share-deny').click();
    await status(pageB, 'denied');
  });

  it('a ticked detail left empty is named, not silently dropped (en and zh-CN)', async () => {
    for (const [lang, button, expected] of [
      ['en', 'Show my code', 'Phone, Note: ticked but empty. Fill it in or untick it.'],
      ['zh-CN', '显示我的二维码', '已勾选但未填写：电话、备注。请填写或取消勾选。'],
    ] as const) {
      const pageA = await open(alice, `/share?lang=${lang}`);
      await pageA.locator('#use-phone').waitFor();
      await pageA.locator('#use-phone').check();
      await pageA.locator('#use-note').check();
      let posted = false;
      pageA.on('request', (r) => (posted ||= new URL(r.url()).pathname === '/api/v1/shares' && r.method() === 'POST'));
      await pageA.getByRole('button', { name: button }).click();
      await expect.poll(() => pageA.locator('#fields-error').innerText()).toBe(expected);
      expect(await pageA.evaluate(() => document.activeElement?.id)).toBe('phone');
      expect(posted).toBe(false);
      await snap(pageA, `share-ticked-empty-${lang}`);
      // Unticking the empty ones shares the rest.
      await pageA.locator('#use-phone').uncheck();
      await pageA.locator('#use-note').uncheck();
      await pageA.getByRole('button', { name: button }).click();
      await status(pageA, 'open');
    }
  });

  it('in zh-CN, an unknown code gets a Chinese error', async () => {
    const pageB = await open(bob, '/share/receive?code=BBBB-BBBB&lang=zh-CN');
    await request(pageB, '请求查看分享内容');
    const error = pageB.locator('[data-testid=error][data-code=unknown_code]');
    await error.waitFor();
    expect(await error.innerText()).toBe('没有找到使用此代码的分享。请核对后重试。');
  });
});
