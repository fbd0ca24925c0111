import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminConsoleSuite, DESKTOP } from '../support/admin-console.js';
import { hasChromium, screenshot } from '../support/browser.js';
import { ADMIN, signIn } from '../support/test-node.js';

/**
 * A place's display board provisioned from the console, in Chromium: the
 * console shows the device's URL once; a second profile that never signed in
 * opens it and shows the board (the token leaves the address bar and stays
 * in the browser across reloads); revoking it in the console turns that
 * board into "access revoked", with the ways back. And the printed poster:
 * enabled, its static QR and what it costs; disabled, gone. In en and zh-CN.
 */

const STAFF = { email: 'dana@test.local', password: 'staff password 123', name: 'Dana Staff', role: 'staff' };

describe.skipIf(!hasChromium())('queue devices and poster in the console, in Chromium', () => {
  const suite = adminConsoleSuite(STAFF);

  async function place(name: string): Promise<{ id: string }> {
    const s = await signIn(suite.node.url, ADMIN.email, ADMIN.password);
    const res = await fetch(`${suite.node.url}/api/v1/queues`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: JSON.stringify({ name, services: [{ name: 'Deposits', prefix: 'A' }], counters: [{ name: 'Counter 1', services: ['A'] }] }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string };
  }

  async function provisionBoard(admin: Page, name: string, texts: { provision: string }): Promise<string> {
    const form = admin.getByTestId('queue-device-form');
    await form.getByTestId('queue-device-name').fill(name);
    await form.getByTestId('queue-device-kind').selectOption('board');
    await form.getByRole('button', { name: texts.provision }).click();
    const shown = admin.getByTestId('queue-device-provisioned');
    await shown.locator('[data-testid="queue-device-qr"][data-ready="true"]').waitFor();
    const url = await shown.getByTestId('queue-device-url').inputValue();
    expect(await shown.getByTestId('queue-device-qr').getAttribute('data-qr-text')).toBe(url);
    return url;
  }

  for (const lang of [
    {
      locale: 'en-US',
      query: '',
      provision: 'Provision',
      revoke: 'Revoke',
      revoked: "This screen's access was revoked — provision it again in the console.",
      signInInstead: 'Or sign in as staff of the place',
      cost: 'Anyone with a photo of this poster can join from anywhere; disable it to void every printed copy.',
      enable: 'Enable the printed poster',
      disable: 'Disable the printed poster',
      suffix: '',
    },
    {
      locale: 'zh-CN',
      query: '?lang=zh-CN',
      provision: '配置',
      revoke: '撤销',
      revoked: '此屏幕的访问权限已被撤销——请在控制台重新配置。',
      signInInstead: '或以该场所工作人员身份登录',
      cost: '任何拍到这张海报的人都可以在任何地方取号；关闭它即可让所有打印件失效。',
      enable: '开启打印海报',
      disable: '关闭打印海报',
      suffix: '-zh-CN',
    },
  ]) {
    it(`provisions a board that shows without signing in, then revokes it (${lang.locale})`, async () => {
      const q = await place(`Branch ${lang.locale}`);
      const admin = await (await suite.profile({ ...DESKTOP, locale: lang.locale }, ADMIN)).newPage();
      admin.on('dialog', (d) => void d.accept());
      await admin.goto(`/admin${lang.query}#queue=${q.id}`);
      await admin.getByTestId('queue-devices-empty').waitFor();
      const url = await provisionBoard(admin, 'Hall TV', lang);
      expect(new URL(url).pathname).toBe('/queue-board');
      expect(url).toContain('#device=sqd_');
      await screenshot(admin, `queue-device-provisioned${lang.suffix}`);
      const row = admin.getByTestId('queue-device-row').filter({ hasText: 'Hall TV' });
      await row.waitFor();

      // A profile that never signed in: the board, from the device URL alone.
      const tv = await (await suite.profile({ viewport: { width: 1280, height: 720 }, locale: lang.locale })).newPage();
      await tv.goto(url);
      await tv.getByTestId('board').waitFor();
      expect(await tv.getByTestId('board-place').innerText()).toBe(`Branch ${lang.locale}`);
      await tv.locator('[data-testid="board-qr"][data-url]').waitFor();
      // The token left the address bar, and the page still shows the board after a reload.
      expect(new URL(tv.url()).hash).toBe('');
      expect(tv.url()).not.toContain('sqd_');
      await tv.reload();
      await tv.getByTestId('board').waitFor();
      await screenshot(tv, `queue-device-board${lang.suffix}`);

      // Revoked in the console: the board says so at once, with a way back.
      await row.getByRole('button', { name: `${lang.revoke} Hall TV` }).click();
      await admin.locator('[data-testid="queue-device-row"][data-revoked="true"]').waitFor();
      const error = tv.getByTestId('board-error');
      await error.getByText(lang.revoked).waitFor();
      expect(await tv.getByTestId('board').isHidden()).toBe(true);
      expect(await tv.getByTestId('board-signin').innerText()).toBe(lang.signInInstead);
      await screenshot(tv, `queue-device-revoked${lang.suffix}`);
      // The dead token is forgotten: a reload asks to sign in instead of showing the board.
      expect(await tv.evaluate((id) => localStorage.getItem(`scanpass_queue_device:${id}`), q.id)).toBeNull();
    });

    it(`enables the printed poster, says what it costs, and disables it (${lang.locale})`, async () => {
      const q = await place(`Poster ${lang.locale}`);
      const admin = await (await suite.profile({ ...DESKTOP, locale: lang.locale }, ADMIN)).newPage();
      admin.on('dialog', (d) => void d.accept());
      await admin.goto(`/admin${lang.query}#queue=${q.id}`);
      const card = admin.locator('#q-static-poster');
      await card.getByTestId('queue-poster-off').waitFor();
      expect(await card.getByTestId('queue-poster-cost').innerText()).toBe(lang.cost);
      await card.getByRole('button', { name: lang.enable }).click();
      const qr = card.locator('[data-testid="queue-poster-qr"][data-ready="true"]');
      await qr.waitFor();
      const posterUrl = (await qr.getAttribute('data-qr-text'))!;
      expect(posterUrl).toContain(`/queue?q=${q.id}&c=P.`);
      expect(await card.getByTestId('queue-poster-cost').innerText()).toBe(lang.cost);
      await screenshot(admin, `queue-poster-enabled${lang.suffix}`);

      // A visitor's phone opens the poster's URL and sees the services.
      const phone = await (await suite.profile({ locale: lang.locale })).newPage();
      const code = new URL(posterUrl).searchParams.get('c')!;
      expect((await phone.request.get(`/api/v1/queues/${q.id}/join?entrance_code=${encodeURIComponent(code)}`)).status()).toBe(200);

      // The entrance card's print view prints this static code while the poster is on, with what it costs.
      await admin.getByTestId('open-poster').click();
      const dialog = admin.getByTestId('queue-poster');
      await dialog.locator('[data-testid="poster-qr"][data-ready="true"]').waitFor();
      expect(await dialog.getByTestId('poster-qr').getAttribute('data-qr-text')).toBe(posterUrl);
      expect(await dialog.getByRole('note').innerText()).toBe(lang.cost);
      await admin.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      await card.getByRole('button', { name: lang.disable }).click();
      await card.getByTestId('queue-poster-off').waitFor();
      expect(await card.getByTestId('queue-poster-qr').count()).toBe(0);
      expect((await phone.request.get(`/api/v1/queues/${q.id}/join?entrance_code=${encodeURIComponent(code)}`)).status()).toBe(403);
    });
  }
});
