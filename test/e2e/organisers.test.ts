import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminConsoleSuite, DESKTOP } from '../support/admin-console.js';
import { hasChromium } from '../support/browser.js';
import { callAs, type SignedIn } from '../support/json-api.js';
import { ADMIN, signIn } from '../support/test-node.js';

/**
 * Organisers in real Chromium, in English and Chinese: edit an event and a
 * session, delete an empty one, archive one with check-ins (the console
 * offers it when deleting is refused) and restore it; the Add session form
 * is blank again after adding (the next session is not silently open to
 * all). The session dashboard lists who has not arrived yet, search narrows
 * it, Export downloads it as CSV, and a check-in takes a person off it; its
 * import shows the check of the file before anything is imported.
 */

const STAFF = { email: 'sam@organisers.test', password: 'staff password 123', name: 'Sam Staff', role: 'staff' };
const MIN = 60_000;

interface Session {
  id: string;
  name: string;
  place: string | null;
  all_attendees: boolean;
  archived: boolean;
}

describe.skipIf(!hasChromium())('organisers: edit, delete, archive; who has not arrived, in Chromium', () => {
  const suite = adminConsoleSuite(STAFF);
  let admin: SignedIn | undefined;
  const call = async <T>(method: string, url: string, body?: unknown, status = 200) => {
    admin ??= await signIn(suite.node.url);
    return callAs<T>(suite.node.url, admin, method, url, body, status);
  };

  /** An event with two sessions open now; Ada is checked in at the first. */
  async function conference(name: string) {
    const now = Date.now();
    const event = (await call<{ id: string }>('POST', '/api/v1/events', { name, starts_at: now - 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id;
    const busy = (await call<{ id: string }>('POST', `/api/v1/events/${event}/sessions`, { name: 'Keynote', place: 'Hall A', starts_at: now - 10 * MIN, ends_at: now + 60 * MIN }, 201)).id;
    const empty = (await call<{ id: string }>('POST', `/api/v1/events/${event}/sessions`, { name: 'Side room', starts_at: now + 70 * MIN, ends_at: now + 120 * MIN }, 201)).id;
    const ada = (await call<{ id: string }>('POST', `/api/v1/events/${event}/attendees`, { name: 'Ada Lovelace', email: 'ada@example.com', session_ids: [busy] }, 201)).id;
    await call('POST', '/api/v1/checkins/manual', { session_id: busy, attendee_id: ada, nonce: crypto.randomUUID() });
    return { event, busy, empty, ada };
  }

  async function consolePage(path: string): Promise<Page> {
    const context = await suite.profile({ ...DESKTOP, acceptDownloads: true }, ADMIN);
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(path);
    return page;
  }

  const sessionsOf = async (event: string) => (await call<{ sessions: Session[] }>('GET', `/api/v1/events/${event}`)).sessions;

  it('edits an event and a session, deletes the empty one, archives the one with check-ins; the Add session form resets (en)', async () => {
    const c = await conference('Annual meeting');
    const page = await consolePage(`/admin?lang=en#event=${c.event}`);
    await page.getByRole('heading', { name: 'Annual meeting', level: 1 }).waitFor();

    // The event: renamed and moved.
    const edit = page.getByTestId('event-edit-form');
    await edit.getByLabel('Name', { exact: true }).fill('Annual meeting 2031');
    await edit.getByLabel('Starts').fill('2031-03-02T09:00');
    await edit.getByLabel('Ends').fill('2031-03-02T17:00');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Annual meeting 2031', level: 1 }).waitFor();
    await page.getByTestId('event-saved').getByText('Saved.').waitFor();
    const stored = await call<{ name: string; starts_at: number; ends_at: number }>('GET', `/api/v1/events/${c.event}`);
    expect(stored.name).toBe('Annual meeting 2031');
    expect(stored.ends_at - stored.starts_at).toBe(8 * 60 * MIN);

    // Add a session open to everyone: afterwards the form is blank, the tick box too.
    const form = page.getByTestId('session-form');
    await form.getByLabel('Session', { exact: true }).fill('Lunch');
    await form.getByLabel('Place', { exact: true }).fill('Garden');
    await form.getByLabel('Open to every attendee of the event (no registration per session)').check();
    await form.getByRole('button', { name: 'Add session' }).click();
    await page.getByTestId('sessions').locator('tr[data-session-id]').filter({ hasText: 'Lunch' }).waitFor();
    expect(await form.getByLabel('Session', { exact: true }).inputValue()).toBe('');
    expect(await form.getByLabel('Place', { exact: true }).inputValue()).toBe('');
    expect(await form.getByLabel('Open to every attendee of the event (no registration per session)').isChecked()).toBe(false);
    // ... so the next one is for its registered attendees only.
    await form.getByLabel('Session', { exact: true }).fill('Workshop');
    await form.getByRole('button', { name: 'Add session' }).click();
    await page.getByTestId('sessions').locator('tr[data-session-id]').filter({ hasText: 'Workshop' }).waitFor();
    const added = await sessionsOf(c.event);
    expect(added.find((s) => s.name === 'Lunch')).toMatchObject({ all_attendees: true, place: 'Garden' });
    expect(added.find((s) => s.name === 'Workshop')).toMatchObject({ all_attendees: false });

    // Edit a session in its row.
    const row = (id: string) => page.getByTestId('sessions').locator(`tr[data-session-id="${id}"]`);
    await row(c.busy).getByTestId('session-edit').click();
    const sessionEdit = page.getByTestId('session-edit-form');
    expect(await sessionEdit.getByLabel('Session', { exact: true }).inputValue()).toBe('Keynote');
    await sessionEdit.getByLabel('Session', { exact: true }).fill('Opening keynote');
    await sessionEdit.getByLabel('Place', { exact: true }).fill('Main hall');
    await sessionEdit.getByRole('button', { name: 'Save' }).click();
    await row(c.busy).getByText('Opening keynote').waitFor();
    expect(await row(c.busy).innerText()).toContain('Main hall');
    expect(await page.getByTestId('session-edit-form').count()).toBe(0);

    // Delete the empty session (after confirming): gone.
    await row(c.empty).getByTestId('session-delete').click();
    await expect.poll(() => row(c.empty).count()).toBe(0);
    expect((await sessionsOf(c.event)).map((s) => s.id)).not.toContain(c.empty);

    // Deleting the one with a check-in is refused in words; archiving is offered and done.
    await row(c.busy).getByTestId('session-delete').click();
    await page.getByTestId('sessions-error').getByText('People were checked in at this session, so it cannot be deleted.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Archive “Opening keynote” instead' }).click();
    const archived = page.getByTestId('archived-sessions').locator(`tr[data-session-id="${c.busy}"]`);
    await archived.waitFor();
    expect(await row(c.busy).count()).toBe(0);
    expect((await sessionsOf(c.event)).find((s) => s.id === c.busy)?.archived).toBe(true);
    await archived.getByTestId('session-restore').click();
    await row(c.busy).waitFor();
    expect((await sessionsOf(c.event)).find((s) => s.id === c.busy)?.archived).toBe(false);

    // The event with its check-in: deleting is refused, archiving is offered; it moves under "Archived events".
    await page.getByTestId('event-delete').click();
    await page.getByTestId('event-settings-error').getByText('People were checked in at this event, so it cannot be deleted.', { exact: false }).waitFor();
    await page.getByTestId('event-archive-instead').click();
    await page.getByTestId('event-archived').waitFor();
    await page.getByRole('link', { name: '← All events' }).click();
    const archivedEvents = page.getByTestId('archived-events');
    await archivedEvents.getByRole('link', { name: 'Annual meeting 2031' }).waitFor();
    expect(await page.getByTestId('events').getByRole('link', { name: 'Annual meeting 2031' }).count()).toBe(0);
    await archivedEvents.locator(`tr[data-event-id="${c.event}"]`).getByRole('button').click();
    await page.getByTestId('events').getByRole('link', { name: 'Annual meeting 2031' }).waitFor();

    // An event nobody came to is deleted outright.
    const now = Date.now();
    const cancelled = (await call<{ id: string }>('POST', '/api/v1/events', { name: 'Cancelled gala', starts_at: now, ends_at: now + 60 * MIN }, 201)).id;
    await page.goto(`/admin?lang=en#event=${cancelled}`);
    await page.getByRole('heading', { name: 'Cancelled gala', level: 1 }).waitFor();
    await page.getByTestId('event-delete').click();
    await page.waitForURL((u) => u.hash === '#events');
    await page.getByTestId('archived-events').waitFor();
    expect(await page.getByText('Cancelled gala').count()).toBe(0);
    await call('GET', `/api/v1/events/${cancelled}`, undefined, 404);
  }, 90_000);

  it('says the same in Chinese: the edit form, the refusal with its offer, the reset form (zh-CN)', async () => {
    const c = await conference('年会');
    const page = await consolePage(`/admin?lang=zh-CN#event=${c.event}`);
    await page.getByRole('heading', { name: '年会', level: 1 }).waitFor();
    await page.getByRole('heading', { name: '编辑或移除此活动' }).waitFor();

    const form = page.getByTestId('session-form');
    await form.getByLabel('场次', { exact: true }).fill('午餐');
    await form.getByLabel('向本活动的所有参会者开放（无需按场次报名）').check();
    await form.getByRole('button', { name: '添加场次' }).click();
    await page.getByTestId('sessions').locator('tr[data-session-id]').filter({ hasText: '午餐' }).waitFor();
    expect(await form.getByLabel('场次', { exact: true }).inputValue()).toBe('');
    expect(await form.getByLabel('向本活动的所有参会者开放（无需按场次报名）').isChecked()).toBe(false);

    const row = (id: string) => page.getByTestId('sessions').locator(`tr[data-session-id="${id}"]`);
    await row(c.busy).getByTestId('session-edit').click();
    const sessionEdit = page.getByTestId('session-edit-form');
    await sessionEdit.getByRole('heading', { name: '编辑“Keynote”' }).waitFor();
    await sessionEdit.getByLabel('场次', { exact: true }).fill('开幕演讲');
    await sessionEdit.getByRole('button', { name: '保存' }).click();
    await row(c.busy).getByText('开幕演讲').waitFor();

    await row(c.empty).getByTestId('session-delete').click();
    await expect.poll(() => row(c.empty).count()).toBe(0);
    await row(c.busy).getByTestId('session-delete').click();
    await page.getByTestId('sessions-error').getByText('此场次已有人签到，无法删除。', { exact: false }).waitFor();
    await page.getByRole('button', { name: '改为归档“开幕演讲”' }).click();
    await page.getByRole('heading', { name: '已归档的场次' }).waitFor();
    await page.getByTestId('archived-sessions').getByRole('button', { name: '恢复 开幕演讲' }).click();
    await row(c.busy).waitFor();

    await page.getByTestId('event-delete').click();
    await page.getByTestId('event-settings-error').getByText('此活动已有人签到，无法删除。', { exact: false }).waitFor();
    await page.getByRole('button', { name: '改为归档' }).click();
    await page.getByText('此活动已归档：不会出现在活动列表和扫码设备中。恢复后即可再次使用。').waitFor();
  }, 60_000);

  /** A session with three expected people, Ada checked in; the dashboard open as the admin. */
  async function dashboard(lang: 'en' | 'zh-CN') {
    const c = await conference(lang === 'en' ? 'Dashboard day' : '看板日');
    for (const [name, email] of [
      ['Grace Hopper', 'grace@navy.example'],
      ['Alan Turing', 'alan@example.com'],
      ['Linus Torvalds', 'linus@example.com'],
    ] as const) {
      await call('POST', `/api/v1/events/${c.event}/attendees`, { name, email, session_ids: [c.busy] }, 201);
    }
    const page = await consolePage(`/dashboard?lang=${lang}&session=${c.busy}`);
    await expect.poll(() => page.getByTestId('count-not-yet').getAttribute('data-value')).toBe('3');
    return { ...c, page };
  }
  const names = (page: Page) => page.getByTestId('missing-list').getByTestId('missing-name').allTextContents();

  it('lists who has not arrived: search narrows it, Export downloads it, a check-in takes a person off; the import is checked first (en)', async () => {
    const { page, busy, event } = await dashboard('en');
    await page.getByRole('heading', { name: 'Not arrived yet' }).waitFor();
    await expect.poll(() => names(page)).toEqual(['Alan Turing', 'Grace Hopper', 'Linus Torvalds']);
    expect(await page.getByTestId('missing-count').textContent()).toBe('Showing 3 of 3 not arrived yet.');
    expect(await page.getByTestId('missing-list').innerText()).toContain('grace@navy.example');

    await page.getByTestId('missing-search').fill('NAVY');
    await expect.poll(() => names(page)).toEqual(['Grace Hopper']);
    expect(await page.getByTestId('missing-count').textContent()).toBe('Showing 1 of 1 not arrived yet.');
    const [narrowed] = await Promise.all([page.waitForEvent('download'), page.getByTestId('missing-export').click()]);
    expect(fs.readFileSync(await narrowed.path(), 'utf8')).toBe('\uFEFFname,email,session\r\nGrace Hopper,grace@navy.example,Keynote\r\n');
    await page.getByTestId('missing-search').fill('nobody at all');
    await page.getByTestId('missing-count').getByText('Nobody still to arrive matches “nobody at all”.').waitFor();
    await page.getByTestId('missing-search').fill('');
    await expect.poll(() => names(page)).toHaveLength(3);
    const [all] = await Promise.all([page.waitForEvent('download'), page.getByTestId('missing-export').click()]);
    expect(all.suggestedFilename()).toBe('not-arrived-Dashboard day-Keynote.csv');
    const text = fs.readFileSync(await all.path(), 'utf8');
    for (const n of ['Alan Turing', 'Grace Hopper', 'Linus Torvalds']) expect(text).toContain(n);
    expect(text).not.toContain('Ada Lovelace');

    // Grace arrives (checked in elsewhere): she leaves the list without a reload.
    const grace = (await call<{ attendees: { id: string; name: string }[] }>('GET', `/api/v1/sessions/${busy}/not-arrived?q=grace`)).attendees[0]!;
    await call('POST', '/api/v1/checkins/manual', { session_id: busy, attendee_id: grace.id, nonce: crypto.randomUUID() });
    await expect.poll(() => names(page)).toEqual(['Alan Turing', 'Linus Torvalds']);

    // The import: the file is checked first, nothing is written until "Import".
    const csv = 'name,email\nKen Thompson,ken@example.com\nNo Mail,not-an-email\n';
    await page.getByTestId('import-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    const report = page.getByTestId('import-report');
    await report.getByText('Checked: 1 rows can be imported (1 new, 0 updated, 0 unchanged); 1 rows have problems and will be left out.').waitFor();
    const bad = page.getByTestId('import-errors').locator('tr[data-line="3"]');
    expect(await bad.getAttribute('data-code')).toBe('invalid_email');
    expect(await bad.innerText()).toContain('This is not a valid email address.');
    expect((await call<{ attendees: unknown[] }>('GET', `/api/v1/events/${event}/attendees`)).attendees).toHaveLength(4);
    await report.getByRole('button', { name: 'Import 1 rows' }).click();
    await report.getByText('Imported: 1 new, 0 updated, 0 unchanged; 1 rows left out.').waitFor();
    // Registered for this session too: Ken is expected, and not here yet.
    await expect.poll(() => names(page)).toEqual(['Alan Turing', 'Ken Thompson', 'Linus Torvalds']);
  }, 60_000);

  it('shows the not-arrived list and the import check in Chinese (zh-CN)', async () => {
    const { page } = await dashboard('zh-CN');
    await page.getByRole('heading', { name: '尚未到场' }).waitFor();
    await expect.poll(() => names(page)).toEqual(['Alan Turing', 'Grace Hopper', 'Linus Torvalds']);
    expect(await page.getByTestId('missing-count').textContent()).toBe('显示 3 人，共 3 人尚未到场。');
    await page.getByTestId('missing-search').fill('turing');
    await expect.poll(() => names(page)).toEqual(['Alan Turing']);
    expect(await page.getByTestId('missing-export').textContent()).toBe('导出此名单（CSV）');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('missing-export').click()]);
    expect(fs.readFileSync(await download.path(), 'utf8')).toContain('Alan Turing,alan@example.com,Keynote');

    await page.getByTestId('import-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from('name\n王小明\n') });
    await page.getByRole('button', { name: '检查文件' }).click();
    await page.getByTestId('import-summary').waitFor();
    expect(await page.getByTestId('import-report').getAttribute('data-dry-run')).toBe('true');
    await page.getByTestId('import-run').waitFor();
    await page.getByTestId('import-run').click();
    await expect.poll(() => page.getByTestId('import-report').getAttribute('data-dry-run')).toBe('false');
    await page.getByTestId('missing-search').fill('');
    await expect.poll(() => names(page)).toContain('王小明');
  }, 60_000);
});
