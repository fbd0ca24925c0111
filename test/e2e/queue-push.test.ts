import { createECDH, randomBytes } from 'node:crypto';
import * as ece from 'http_ece';
import type { Browser, BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { PushSubscriptionsRepo } from '../../src/store/push-subscriptions.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newContext, recordCspViolations, requirePage } from '../support/browser.js';
import { bundleInMemory } from '../support/bundle.js';
import { callAs } from '../support/json-api.js';
import { startPushReceiver } from '../support/push-receiver.js';
import { signIn, startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

/**
 * Web Push in real Chromium: the ticket page's helper (web/lib/queue-push.ts)
 * registers the queue's service worker (served unhashed at /queue-sw.js),
 * subscribes with the server's key and sends the subscription for the ticket;
 * the server's notification reaches a receiver standing in for the push
 * service; its body, decrypted with the browser's keys, is delivered to the
 * worker through the DevTools protocol (ServiceWorker.deliverPushMessage), and
 * the worker shows it as a system notification.
 *
 * Headless Chromium cannot reach a real push service, so the page's
 * `pushManager.subscribe` answers with a subscription whose endpoint is the
 * receiver and whose keys the test holds: everything else is the real thing.
 *
 * The worker's own events are driven inside the worker (Playwright attaches
 * to its DevTools target): DevTools cannot fire `pushsubscriptionchange` or
 * `notificationclick`, so the test dispatches script-made ones. Chromium
 * refuses `waitUntil` on a script-made event, so the test keeps the handler's
 * promise instead, as the browser would; and it lets `clients.openWindow` and
 * `WindowClient.focus` only run while handling a real tap on a system
 * notification (else "Not allowed to open/focus a window"), which headless
 * Chromium has no way to make: there the test records what the worker asked
 * for instead.
 */

type Fake = { endpoint: string; p256dh: string; auth: string };

/** A browser's push subscription keys; the test holds the private half, as the push service never does. */
function browserKeys(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const fake: Fake = { endpoint, p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') };
  return { fake, decrypt: (body: Buffer) => ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8') };
}

/** What the worker's global scope offers the test (the WebWorker lib is not in this project's types). */
type WorkerScope = {
  registration: ServiceWorkerRegistration;
  clients: { openWindow: (url: string) => Promise<unknown> };
  WindowClient: { prototype: { focus: (this: { url: string }) => Promise<unknown> } };
  NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
  PushSubscriptionChangeEvent?: new (type: string) => Event;
  ExtendableEvent: new (type: string) => Event;
  dispatchEvent: (e: Event) => boolean;
};

describe.skipIf(!hasChromium())('queue Web Push in Chromium', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
  let ticket: { id: string; token: string };
  let queue: { id: string; services: { id: string }[]; counters: { id: string }[] };
  let admin: Awaited<ReturnType<typeof signIn>>;
  const pageErrors: string[] = [];
  let csp: string[] = [];
  const registrations = new Map<string, string>();

  beforeAll(async () => {
    requirePage('queue-sw.js');
    receiver = await startPushReceiver();
    [node, browser] = await Promise.all([startTestNode({ webhookAllowPrivate: true, pushSubject: 'mailto:ops@example.org' }), launchChromium()]);
    admin = await signIn(node.url);
    queue = await callAs<typeof queue>(node.url, admin, 'POST', '/api/v1/queues', { name: 'Branch', services: [{ name: 'Deposits', prefix: 'A' }], counters: [{ name: 'Counter 1', services: ['A'] }] }, 201);
    ticket = await join();

    context = await newContext(browser, node.url);
    await context.grantPermissions(['notifications'], { origin: node.url });
    csp = await recordCspViolations(context);
    // The helper as the ticket page bundles it, served from the node's origin (the pages' CSP allows only 'self' scripts).
    const { code: helper } = await bundleInMemory(new URL('../../web/lib/queue-push.ts', import.meta.url).pathname);
    await context.route(`${node.url}/__test/queue-push.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: helper }));
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    cdp = await context.newCDPSession(page);
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: regs }) => {
      for (const r of regs as { registrationId: string; scopeURL: string; isDeleted: boolean }[]) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
  });

  async function join(): Promise<{ id: string; token: string }> {
    const { code } = await callAs<{ code: string }>(node.url, admin, 'GET', `/api/v1/queues/${queue.id}/entrance-code`);
    const res = await fetch(`${node.url}/api/v1/queues/${queue.id}/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service_id: queue.services[0]!.id, entrance_code: code }) });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; token: string };
  }

  /** The queue's worker, started again when the browser has stopped it. */
  async function queueWorker(): Promise<Worker> {
    const running = context.serviceWorkers().find((w) => w.url() === `${node.url}/queue-sw.js`);
    if (running) return running;
    const started = context.waitForEvent('serviceworker');
    await cdp.send('ServiceWorker.startWorker', { scopeURL: `${node.url}/queue` });
    return started;
  }

  /** The worker's notifications of `tag`, as the system shows them. */
  const notifications = (tag: string) =>
    page.evaluate(async (t) => {
      const reg = await navigator.serviceWorker.getRegistration('/queue');
      return (reg ? await reg.getNotifications({ tag: t }) : []).map((n) => ({ title: n.title, body: n.body, data: n.data as unknown }));
    }, tag);

  /** A tap on the notification of `tag`, handled by the worker: the windows it focused and the addresses it opened. */
  const tap = async (tag: string) =>
    (await queueWorker()).evaluate(async (t) => {
      const g = globalThis as unknown as WorkerScope;
      const taps = { focused: [] as string[], opened: [] as string[] };
      g.clients.openWindow = async (url) => taps.opened.push(url);
      g.WindowClient.prototype.focus = async function () {
        return taps.focused.push(this.url);
      };
      const [notification] = await g.registration.getNotifications({ tag: t });
      if (!notification) throw new Error(`no notification ${t}`);
      const event = new g.NotificationEvent('notificationclick', { notification });
      const pending: Promise<unknown>[] = [];
      Object.defineProperty(event, 'waitUntil', { value: (p: Promise<unknown>) => pending.push(p) });
      g.dispatchEvent(event);
      await Promise.all(pending);
      return taps;
    }, tag);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await Promise.allSettled([browser?.close(), node?.close(), receiver?.close()]);
  });

  it('serves the worker unhashed, revalidated on every update check', async () => {
    const res = await fetch(`${node.url}/queue-sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain("addEventListener('push'");
  });

  it('subscribes the ticket, and shows the server\'s notification when a push reaches the worker', async () => {
    // The browser's keys for the subscription: the test holds the private half, as the push service never does.
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const fake: Fake = { endpoint: receiver.url(`/push/${ticket.id}`), p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') };
    await page.addInitScript((f: Fake) => {
      const w = window as unknown as { __subscribedWith?: number[] };
      PushManager.prototype.getSubscription = async () => null;
      PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
        const key = options?.applicationServerKey as Uint8Array;
        w.__subscribedWith = [...key];
        const json = { endpoint: f.endpoint, expirationTime: null, keys: { p256dh: f.p256dh, auth: f.auth } };
        return { endpoint: f.endpoint, options: { applicationServerKey: key.buffer, userVisibleOnly: true }, toJSON: () => json, unsubscribe: async () => true } as unknown as PushSubscription;
      };
    }, fake);
    await page.goto('/');

    // A string, so the test runner does not rewrite the page's import().
    const state = await page.evaluate(`import('/__test/queue-push.js').then((m) => m.enablePush(${JSON.stringify(ticket.id)}, ${JSON.stringify(ticket.token)}))`);
    expect(state).toBe('enabled');
    // Subscribed with the server's VAPID key, and the subscription reached the server.
    const { public_key } = (await (await fetch(`${node.url}/api/v1/push/key`)).json()) as { public_key: string };
    expect(Buffer.from(await page.evaluate(() => (window as unknown as { __subscribedWith: number[] }).__subscribedWith)).toString('base64url')).toBe(public_key);
    const scope = `${node.url}/queue`;
    await until(() => registrations.has(scope), 'the worker registered for /queue');
    // A registration is known before its worker is active; a push delivered before that can be lost (seen once on a loaded CI run).
    await until(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/queue'))?.active?.state === 'activated'), 'the /queue worker active');

    const message = { title: 'Your turn — Counter 1', body: 'A001: please go to Counter 1', tag: `ticket-${ticket.id}`, url: `${node.url}/queue?ticket=${ticket.id}&token=${ticket.token}` };
    expect(await node.services.notifications.push.notify(`ticket:${ticket.id}`, message)).toBe('sent');
    const [got] = receiver.at(`/push/${ticket.id}`);
    const data = ece.decrypt(got!.body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8');

    // What the push service would hand the browser: the decrypted data, to the worker.
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: node.url, registrationId: registrations.get(scope)!, data });
    const shown = await until(
      () =>
        page.evaluate(async () => {
          const reg = await navigator.serviceWorker.getRegistration('/queue');
          const list = reg ? await reg.getNotifications() : [];
          return list.length ? list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown })) : false;
        }),
      'the notification',
    );
    expect(shown).toEqual([{ title: message.title, body: message.body, tag: message.tag, data: { url: message.url } }]);
    expect(pageErrors).toEqual([]);
    expect(csp).toEqual([]);
  });

  it("re-subscribes the ticket when the browser renews its subscription, and 'Your turn' reaches the new one", async () => {
    const subscriptions = new PushSubscriptionsRepo(node.services.store.db);
    const first = (await subscriptions.get(`ticket:${ticket.id}`))!.endpoint;
    const before = receiver.at(new URL(first).pathname).length;
    // A second ticket of this browser, with notifications on, then left: it must not be re-subscribed.
    const left = await join();
    expect(await page.evaluate(`import('/__test/queue-push.js').then((m) => m.enablePush(${JSON.stringify(left.id)}, ${JSON.stringify(left.token)}))`)).toBe('enabled');
    expect((await fetch(`${node.url}/api/v1/tickets/${left.id}?token=${left.token}`, { method: 'DELETE' })).status).toBe(200);

    // The browser dropped the subscription and the push service gives a new one (the receiver again, with new keys).
    const renewed = browserKeys(receiver.url('/push/renewed'));
    const subscribedWith = await (
      await queueWorker()
    ).evaluate(async (f: Fake) => {
      const g = globalThis as unknown as WorkerScope;
      let key: number[] = [];
      PushManager.prototype.getSubscription = async () => null;
      PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
        const k = options?.applicationServerKey as Uint8Array;
        key = [...k];
        const json = { endpoint: f.endpoint, expirationTime: null, keys: { p256dh: f.p256dh, auth: f.auth } };
        return { endpoint: f.endpoint, options: { applicationServerKey: k.buffer, userVisibleOnly: true }, toJSON: () => json, unsubscribe: async () => true } as unknown as PushSubscription;
      };
      const event = g.PushSubscriptionChangeEvent ? new g.PushSubscriptionChangeEvent('pushsubscriptionchange') : new g.ExtendableEvent('pushsubscriptionchange');
      const pending: Promise<unknown>[] = [];
      Object.defineProperty(event, 'waitUntil', { value: (p: Promise<unknown>) => pending.push(p) });
      g.dispatchEvent(event);
      await Promise.all(pending);
      return key;
    }, renewed.fake);

    // With the server's VAPID key; the ticket's subscription is now the new one, the left ticket's is untouched.
    const { public_key } = (await (await fetch(`${node.url}/api/v1/push/key`)).json()) as { public_key: string };
    expect(Buffer.from(subscribedWith).toString('base64url')).toBe(public_key);
    expect((await subscriptions.get(`ticket:${ticket.id}`))?.endpoint).toBe(renewed.fake.endpoint);
    expect((await subscriptions.get(`ticket:${left.id}`))?.endpoint).toBe(first);
    // The worker forgot the left ticket; it keeps the live one for the next renewal.
    const kept = await page.evaluate(async () => (await (await caches.open('scanpass-queue-push')).keys()).map((r) => new URL(r.url).pathname));
    expect(kept).toEqual([`/queue-sw/tickets/${ticket.id}`]);

    // The counter calls the ticket: "Your turn" goes to the new endpoint only.
    await callAs(node.url, admin, 'POST', `/api/v1/counters/${queue.counters[0]!.id}/call`);
    const [got] = await until(() => (receiver.at('/push/renewed').length ? receiver.at('/push/renewed') : false), "'Your turn' at the new endpoint");
    expect(receiver.at(new URL(first).pathname)).toHaveLength(before);
    const data = renewed.decrypt(got!.body);
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: node.url, registrationId: registrations.get(`${node.url}/queue`)!, data });
    const shown = await until(async () => {
      const list = await notifications(`ticket-${ticket.id}-called`);
      return list.length ? list : false;
    }, 'the notification');
    expect(shown).toEqual([{ title: 'A001 — Your turn · 轮到您了', body: 'Counter 1 · 请到 Counter 1', data: { url: `${node.url}/queue?q=${queue.id}&ticket=${ticket.id}` } }]);
    expect(pageErrors).toEqual([]);
  });

  it("a tap focuses the ticket's open page, else opens it, and never opens another site", async () => {
    const called = `ticket-${ticket.id}-called`;
    const ticketPage = await context.newPage();
    await ticketPage.goto(`/queue?ticket=${ticket.id}&token=${ticket.token}`);
    expect(await tap(called)).toEqual({ focused: [ticketPage.url()], opened: [] });
    // The tap closed the notification.
    expect(await notifications(called)).toEqual([]);

    // With the page closed, the earlier notification opens the ticket's address.
    await ticketPage.close();
    expect(await tap(`ticket-${ticket.id}`)).toEqual({ focused: [], opened: [`${node.url}/queue?ticket=${ticket.id}&token=${ticket.token}`] });

    // A message pointing elsewhere opens the queue page instead.
    const data = JSON.stringify({ title: 'Elsewhere', body: '', tag: 'foreign', url: 'https://example.org/phish' });
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: node.url, registrationId: registrations.get(`${node.url}/queue`)!, data });
    await until(async () => (await notifications('foreign')).length > 0, 'the foreign notification');
    expect(await tap('foreign')).toEqual({ focused: [], opened: [`${node.url}/queue`] });
    expect(pageErrors).toEqual([]);
  });
});
