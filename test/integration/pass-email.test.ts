import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveriesAnswer } from '../../src/flows/events/pass-delivery-schemas.js';
import { as, createAccount, dialects, signInByInject, type Auth, type Session } from '../support/api-suite.js';
import { freePort } from '../support/free-port.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.js';
import { ADMIN, startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

/**
 * Passes by e-mail through the real API and a real SMTP server started
 * here: what arrives (recipient, language, link, QR), that the link opens the
 * pass and stays the same on a resend and in the CSV, a refused recipient
 * and an unreachable server (the job ends, failures carry the reason), bad
 * input, a restart in the middle of a job, and two nodes on one database
 * that never mail anybody twice.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
const MIN = 60_000;
const linkOf = (text: string) => /\/pass\?link=([A-Za-z0-9_-]+)/.exec(text)?.[1];

function client(node: Node, auth: Auth) {
  const call = async (method: InjectOptions['method'], url: string, payload?: unknown, who: Auth = auth) => {
    const r = await node.app.inject({ method, url, ...who, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: r.statusCode, body: r.headers['content-type']?.toString().includes('json') ? r.json() : r.body };
  };
  const ok = async (method: InjectOptions['method'], url: string, payload?: unknown, status = 200) => {
    const r = await call(method, url, payload);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  return { call, ok };
}
type Client = ReturnType<typeof client>;

async function makeEvent(api: Client, people: { name: string; email?: string; language?: 'en' | 'zh-CN' }[]) {
  const now = Date.now();
  const event = (await api.ok('POST', '/api/v1/events', { name: 'Pass Expo 2026', starts_at: now + 60 * MIN, ends_at: now + 8 * 60 * MIN }, 201)).id as string;
  const created: { id: string; link_url: string; name: string; email?: string }[] = [];
  for (const p of people) created.push({ ...p, ...(await api.ok('POST', `/api/v1/events/${event}/attendees`, p, 201)) });
  return { event, people: created };
}

const progress = (api: Client, event: string, job: string) => api.ok('GET', `/api/v1/events/${event}/passes/deliveries?job_id=${job}`) as Promise<DeliveriesAnswer>;
const finished = (api: Client, event: string, job: string) => until(async () => ((await progress(api, event, job)).job?.done ? progress(api, event, job) : false), `job ${job} done`, 20_000);

describe.each(dialects)('passes by e-mail on $name', ({ database }) => {
  let smtp: SmtpReceiver;
  let node: Node;
  let admin: Session;
  let api: Client;
  let drop = async () => {};
  let dbUrl: string | undefined;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    const db = await database();
    drop = db.drop;
    dbUrl = db.url;
    node = await startTestNode({ ...(db.url ? { databaseUrl: db.url } : {}), smtpUrl: smtp.url, mailFrom: 'Expo Desk <desk@expo.test>' });
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    api = client(node, as(admin));
  });
  afterAll(async () => {
    await node?.close();
    await smtp?.close();
    await drop();
  });

  it('mails each attendee their own link in their language, with a QR; the link opens the pass and stays the same on a resend and in the CSV', async () => {
    const { event, people } = await makeEvent(api, [
      { name: 'Ada Lovelace', email: 'ada@expo.test' },
      { name: '王小明', email: 'wang@expo.test', language: 'zh-CN' },
      { name: 'No Mail' },
      { name: 'Gone Person', email: 'gone@expo.test' },
    ]);
    const [ada, wang, noMail, gone] = people as [(typeof people)[number], (typeof people)[number], (typeof people)[number], (typeof people)[number]];
    await api.ok('DELETE', `/api/v1/attendees/${gone.id}`);

    const before = await api.ok('GET', `/api/v1/events/${event}/passes/deliveries`);
    expect(before.deliveries.find((d: { attendee_id: string }) => d.attendee_id === ada.id)).toMatchObject({ status: 'not_sent', link: 'kept', language: 'en' });

    const started = await api.ok('POST', `/api/v1/events/${event}/passes/send`, {}, 202);
    expect(started).toMatchObject({ job_id: expect.any(String), queued: 2, failed: 1 });
    const done = await finished(api, event, started.job_id);
    expect(done.job).toMatchObject({ total: 3, sent: 2, failed: 1, queued: 0, done: true });
    const state = (id: string) => done.deliveries.find((d) => d.attendee_id === id)!;
    expect(state(ada.id)).toMatchObject({ status: 'sent', error: null, language: 'en' });
    expect(state(wang.id)).toMatchObject({ status: 'sent', language: 'zh-CN' });
    expect(state(noMail.id)).toMatchObject({ status: 'failed', error: 'no e-mail address' });
    expect(done.deliveries.some((d) => d.attendee_id === gone.id)).toBe(false);
    expect(smtp.to('gone@expo.test')).toHaveLength(0);

    const [toAda] = smtp.to('ada@expo.test');
    const [toWang] = smtp.to('wang@expo.test');
    expect(toAda!.mail.subject).toBe('Your pass for Pass Expo 2026');
    expect(toAda!.mail.from?.text).toContain('desk@expo.test');
    expect(toAda!.mail.text).toContain('Hello Ada Lovelace');
    expect(toWang!.mail.subject).toBe('您的入场凭证：Pass Expo 2026');
    expect(toWang!.mail.text).toContain('王小明，您好');
    // The link in the message is the one made with the attendee: mailing it did not replace it.
    expect(toAda!.mail.text).toContain(ada.link_url);
    expect(toWang!.mail.text).toContain(wang.link_url);
    // The HTML shows the QR inline: an image attached by CID (mailparser puts it in place as a data: URI).
    const qr = toAda!.mail.attachments.find((a) => a.contentType === 'image/png');
    expect(qr).toMatchObject({ cid: 'pass-qr@scanpass', related: true });
    expect(toAda!.mail.html).toContain('<img src="data:image/png;base64,');
    expect(qr!.content.subarray(1, 4).toString()).toBe('PNG');

    const pass = await api.call('GET', `/api/v1/passes/by-link/${linkOf(toAda!.mail.text!)}`, undefined, { headers: {} });
    expect(pass.status).toBe(200);
    expect(pass.body.attendee?.name ?? JSON.stringify(pass.body)).toContain('Ada Lovelace');

    // Sending to everyone again mails nobody already sent; the one without an address fails again.
    const again = await api.ok('POST', `/api/v1/events/${event}/passes/send`, undefined, 202);
    expect(again).toMatchObject({ queued: 0, failed: 1 });
    // A resend to one: the same link again.
    const resend = await api.ok('POST', `/api/v1/events/${event}/passes/send`, { attendee_ids: [ada.id] }, 202);
    expect(resend.queued).toBe(1);
    await finished(api, event, resend.job_id);
    const adaMails = smtp.to('ada@expo.test');
    expect(adaMails).toHaveLength(2);
    expect(linkOf(adaMails[1]!.mail.text!)).toBe(linkOf(adaMails[0]!.mail.text!));

    // The CSV gives the mailed links as they are, and they still open the passes after it.
    const csv = await node.app.inject({ method: 'GET', url: `/api/v1/events/${event}/passes/links.csv`, ...as(admin) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = parse(csv.body, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.name).sort()).toEqual(['Ada Lovelace', 'No Mail', '王小明'].sort());
    expect(rows.find((r) => r.email === 'ada@expo.test')!.link_url).toBe(ada.link_url);
    expect(rows.find((r) => r.email === 'wang@expo.test')).toMatchObject({ language: 'zh-CN', link_url: wang.link_url });
    expect((await api.call('GET', `/api/v1/passes/by-link/${linkOf(toWang!.mail.text!)}`, undefined, { headers: {} })).status).toBe(200);

    // Rotating by hand is the one thing that changes a link: the next resend carries the new one.
    const rotated = await api.ok('POST', `/api/v1/attendees/${ada.id}/link`);
    const third = await api.ok('POST', `/api/v1/events/${event}/passes/send`, { attendee_ids: [ada.id] }, 202);
    await finished(api, event, third.job_id);
    expect(smtp.to('ada@expo.test')[2]!.mail.text).toContain(rotated.link_url);
    expect((await api.call('GET', `/api/v1/passes/by-link/${linkOf(adaMails[0]!.mail.text!)}`, undefined, { headers: {} })).status).toBe(404);
  });

  it('marks a recipient the server refuses as failed with its reply; resending to the failed ones sends them', async () => {
    smtp.refuse('bounce@expo.test', 'mailbox unavailable here');
    const { event, people } = await makeEvent(api, [{ name: 'Bounce', email: 'bounce@expo.test' }, { name: 'Fine', email: 'fine@expo.test' }]);
    const job = (await api.ok('POST', `/api/v1/events/${event}/passes/send`, {}, 202)).job_id;
    const done = await finished(api, event, job);
    const bounce = done.deliveries.find((d) => d.attendee_id === people[0]!.id)!;
    expect(bounce.status).toBe('failed');
    expect(bounce.error).toContain('mailbox unavailable here');
    expect(done.deliveries.find((d) => d.attendee_id === people[1]!.id)!.status).toBe('sent');
    smtp.refuse('bounce@expo.test', '');
    const failed = done.deliveries.filter((d) => d.status === 'failed').map((d) => d.attendee_id);
    const retry = await api.ok('POST', `/api/v1/events/${event}/passes/send`, { attendee_ids: failed }, 202);
    expect((await finished(api, event, retry.job_id)).job).toMatchObject({ sent: 1, failed: 0 });
    expect(smtp.to('bounce@expo.test')).toHaveLength(1);
    expect(smtp.to('fine@expo.test')).toHaveLength(1);
  });

  it('takes the language from an import, and mails an imported attendee the very link the import gave', async () => {
    const { event } = await makeEvent(api, []);
    const csv = 'name,email,语言\n李华,lihua@expo.test,中文\nBen Bold,ben@expo.test,\nBad Lang,badlang@expo.test,klingon\n';
    const res = await node.app.inject({ method: 'POST', url: `/api/v1/events/${event}/attendees/import`, headers: { ...as(admin).headers, 'content-type': 'text/csv; charset=utf-8' }, payload: csv });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ created: 2, skipped: 1 });
    expect(report.errors).toEqual([expect.objectContaining({ line: 4, column: 'language', code: 'invalid_language', value: 'klingon' })]);
    const lihua = report.attendees.find((a: { email: string }) => a.email === 'lihua@expo.test');
    const job = (await api.ok('POST', `/api/v1/events/${event}/passes/send`, {}, 202)).job_id;
    const done = await finished(api, event, job);
    expect(done.deliveries.find((d) => d.attendee_id === lihua.id)).toMatchObject({ language: 'zh-CN', status: 'sent', link: 'kept' });
    const [mail] = smtp.to('lihua@expo.test');
    expect(mail!.mail.subject).toBe('您的入场凭证：Pass Expo 2026');
    expect(mail!.mail.text).toContain(lihua.link_url);
    expect(smtp.to('ben@expo.test')[0]!.mail.subject).toBe('Your pass for Pass Expo 2026');
    // An upsert that only changes the language is an update.
    const again = await node.app.inject({ method: 'POST', url: `/api/v1/events/${event}/attendees/import?mode=upsert`, headers: { ...as(admin).headers, 'content-type': 'text/csv; charset=utf-8' }, payload: 'name,email,language\nBen Bold,ben@expo.test,zh-CN\n' });
    expect(again.json()).toMatchObject({ updated: 1, unchanged: 0 });
    const after = await api.ok('GET', `/api/v1/events/${event}/passes/deliveries`);
    expect(after.deliveries.find((d: { email: string }) => d.email === 'ben@expo.test').language).toBe('zh-CN');
  });

  it('replaces only a link that cannot be read back (made before links were kept), once, and says so beforehand', async () => {
    const { event, people } = await makeEvent(api, [{ name: 'Old Timer', email: 'old@expo.test' }]);
    const old = people[0]!;
    // As an attendee added before this release: only the hash of their link is known.
    await node.services.store.db.deleteFrom('pass_links').where('attendee_id', '=', old.id).execute();
    const before = await api.ok('GET', `/api/v1/events/${event}/passes/deliveries`);
    expect(before.deliveries[0]).toMatchObject({ link: 'shown_once', status: 'not_sent' });
    const job = (await api.ok('POST', `/api/v1/events/${event}/passes/send`, {}, 202)).job_id;
    expect((await finished(api, event, job)).deliveries[0]).toMatchObject({ link: 'kept', status: 'sent' });
    const mailed = linkOf(smtp.to('old@expo.test')[0]!.mail.text!)!;
    expect(old.link_url).not.toContain(mailed);
    expect((await api.call('GET', `/api/v1/passes/by-link/${mailed}`, undefined, { headers: {} })).status).toBe(200);
    expect((await api.call('GET', `/api/v1/passes/by-link/${old.link_url.split('link=')[1]}`, undefined, { headers: {} })).status).toBe(404);
    // From then on the link is kept: the CSV gives the mailed one.
    const csv = await node.app.inject({ method: 'GET', url: `/api/v1/events/${event}/passes/links.csv`, ...as(admin) });
    expect((parse(csv.body, { bom: true, columns: true }) as Record<string, string>[])[0]!.link_url).toContain(mailed);
  });

  it('refuses bad input with invalid_request, other events with not_found, and non-admins', async () => {
    const { event, people } = await makeEvent(api, [{ name: 'Input', email: 'input@expo.test' }]);
    const other = await makeEvent(api, [{ name: 'Elsewhere', email: 'elsewhere@expo.test' }]);
    const url = `/api/v1/events/${event}/passes/send`;
    for (const body of [{ attendee_ids: { id: people[0]!.id } }, { attendee_ids: [42] }, { attendee_ids: [] }, { attendee_ids: [null] }, { everyone: true }, [people[0]!.id]]) {
      const r = await api.call('POST', url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toBe('invalid_request');
    }
    const foreign = await api.call('POST', url, { attendee_ids: [other.people[0]!.id] });
    expect(foreign).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await api.call('POST', '/api/v1/events/00000000-0000-4000-8000-000000000000/passes/send', {})).body.error).toBe('not_found');
    expect((await api.call('GET', `/api/v1/events/${event}/passes/deliveries?job_id=${'x'.repeat(200)}`)).status).toBe(400);
    expect((await api.call('GET', '/api/v1/events/00000000-0000-4000-8000-000000000000/passes/links.csv')).status).toBe(404);
    const staff = await createAccount(node, admin, 'Sid Staff', 'staff');
    for (const [method, u] of [['POST', url], ['GET', `/api/v1/events/${event}/passes/deliveries`], ['GET', `/api/v1/events/${event}/passes/links.csv`]] as const) {
      expect((await api.call(method, u, method === 'POST' ? {} : undefined, as(staff))).status).toBe(403);
      expect((await api.call(method, u, method === 'POST' ? {} : undefined, { headers: {} })).status).toBe(401);
    }
    // Nothing of the refused calls was sent.
    expect(smtp.to('input@expo.test')).toHaveLength(0);
    expect(smtp.to('elsewhere@expo.test')).toHaveLength(0);
  });

  it('answers mail_not_configured when no SMTP server is set', async () => {
    const bare = await startTestNode(dbUrl ? { databaseUrl: dbUrl } : {});
    try {
      const s = await signInByInject(bare, ADMIN.email, ADMIN.password);
      const c = client(bare, as(s));
      const { event } = await makeEvent(c, [{ name: 'Nobody', email: 'nobody@expo.test' }]);
      const r = await c.call('POST', `/api/v1/events/${event}/passes/send`, {});
      expect(r.status).toBe(409);
      expect(r.body.error).toBe('mail_not_configured');
      expect(r.body.message).toContain('SCANPASS_SMTP_URL');
    } finally {
      await bare.close();
    }
  });

  it('ends the job when the SMTP server cannot be reached: every message failed with the reason', async () => {
    const closedPort = await freePort();
    // A database of its own: on Postgres the suite's node (whose SMTP works) would otherwise send this job.
    const own = await database();
    const wrong = await startTestNode({ ...(own.url ? { databaseUrl: own.url } : {}), smtpUrl: `smtp://127.0.0.1:${closedPort}` });
    try {
      const s = await signInByInject(wrong, ADMIN.email, ADMIN.password);
      const c = client(wrong, as(s));
      const { event } = await makeEvent(c, Array.from({ length: 6 }, (_, i) => ({ name: `Person ${i}`, email: `p${i}@nowhere.test` })));
      const job = (await c.ok('POST', `/api/v1/events/${event}/passes/send`, {}, 202)).job_id;
      const done = await finished(c, event, job);
      expect(done.job).toMatchObject({ total: 6, sent: 0, failed: 6, done: true });
      for (const d of done.deliveries) {
        expect(d.status).toBe('failed');
        expect(d.error).toMatch(/^E(CONNECTION|SOCKET): .*ECONNREFUSED/);
      }
    } finally {
      await wrong.close();
      await own.drop();
    }
  });

  it('finishes a job after a restart: what was queued is sent by the next node; what a dead node was sending is failed as interrupted, never sent again unasked', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-mail-restart-'));
    // A database of its own: on Postgres the suite's node would otherwise send the job while this one is stopped.
    const own = await database();
    const where = own.url ? { databaseUrl: own.url } : { dataDir };
    const first = await startTestNode({ ...where, smtpUrl: smtp.url });
    let job: string;
    let event: string;
    let midSend: string;
    try {
      // This node stops sending before the job is queued, as if it stopped right after the request.
      await first.services.events.mailer!.close();
      const c = client(first, as(await signInByInject(first, ADMIN.email, ADMIN.password)));
      let people;
      ({ event, people } = await makeEvent(c, [{ name: 'After Restart', email: 'restart@expo.test' }, { name: 'Mid Send', email: 'midsend@expo.test' }]));
      midSend = people[1]!.id;
      job = (await c.ok('POST', `/api/v1/events/${event}/passes/send`, {}, 202)).job_id;
      // As a node that claimed this one and died talking to SMTP: its claim has lapsed.
      await first.services.store.db.updateTable('pass_deliveries').set({ status: 'sending', claim_token: 'dead-node', claimed_until: Date.now() - 1000 }).where('attendee_id', '=', midSend).execute();
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.to('restart@expo.test')).toHaveLength(0);
    } finally {
      await first.close();
    }
    const second = await startTestNode({ ...where, smtpUrl: smtp.url });
    try {
      const c = client(second, as(await signInByInject(second, ADMIN.email, ADMIN.password)));
      const done = await finished(c, event, job);
      expect(done.job).toMatchObject({ sent: 1, failed: 1, done: true });
      expect(smtp.to('restart@expo.test')).toHaveLength(1);
      expect(done.deliveries.find((d) => d.attendee_id === midSend)).toMatchObject({ status: 'failed', error: expect.stringContaining('interrupted while sending') });
      expect(smtp.to('midsend@expo.test')).toHaveLength(0);
    } finally {
      await second.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await own.drop();
    }
  });
});

describe.each(dialects.filter((d) => d.name === 'postgres'))('passes by e-mail on two nodes sharing $name', ({ database }) => {
  let smtp: SmtpReceiver;
  let nodes: Node[] = [];
  let drop = async () => {};

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    const db = await database();
    drop = db.drop;
    nodes = [await startTestNode({ databaseUrl: db.url, smtpUrl: smtp.url }), await startTestNode({ databaseUrl: db.url, smtpUrl: smtp.url })];
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await smtp?.close();
    await drop();
  });

  it('never mails one attendee twice while both nodes race for the same job', async () => {
    const [a, b] = nodes as [Node, Node];
    const apiA = client(a, as(await signInByInject(a, ADMIN.email, ADMIN.password)));
    const apiB = client(b, as(await signInByInject(b, ADMIN.email, ADMIN.password)));
    const count = 40;
    const { event } = await makeEvent(apiA, Array.from({ length: count }, (_, i) => ({ name: `Racer ${i}`, email: `racer${i}@expo.test` })));
    // Both nodes asked at once; the second request finds everyone queued already and adds nobody.
    const [one, two] = await Promise.all([apiA.call('POST', `/api/v1/events/${event}/passes/send`, {}), apiB.call('POST', `/api/v1/events/${event}/passes/send`, {})]);
    expect([one.status, two.status]).toEqual([202, 202]);
    expect(one.body.queued + two.body.queued).toBe(count);
    // Both senders hammer the queue at once.
    await Promise.all([...nodes.flatMap((n) => [n.services.events.mailer!.tick(), n.services.events.mailer!.tick()])]);
    await until(async () => (await apiB.ok('GET', `/api/v1/events/${event}/passes/deliveries`)).counts.sent === count, 'all sent', 30_000);
    await Promise.all(nodes.map((n) => n.services.events.mailer!.idle()));
    for (let i = 0; i < count; i++) expect(smtp.to(`racer${i}@expo.test`), `racer${i}`).toHaveLength(1);
    expect(smtp.arrived.filter((m) => m.to.startsWith('racer'))).toHaveLength(count);
  });
});
