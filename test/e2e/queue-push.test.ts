import { createECDH, randomBytes } from 'node:crypto';
import * as ece from 'http_ece';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
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
 */

type Fake = { endpoint: string; p256dh: string; auth: string };

describe.skipIf(!hasChromium())('queue Web Push in Chromium', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
  let ticket: { id: string; token: string };
  const pageErrors: string[] = [];
  let csp: string[] = [];
  const registrations = new Map<string, string>();

  beforeAll(async () => {
    requirePage('queue-sw.js');
    receiver = await startPushReceiver();
    [node, browser] = await Promise.all([startTestNode({ webhookAllowPrivate: true, pushSubject: 'mailto:ops@example.org' }), launchChromium()]);
    const admin = await signIn(node.url);
    const q = await callAs<{ id: string; services: { id: string }[] }>(node.url, admin, 'POST', '/api/v1/queues', { name: 'Branch', services: [{ name: 'Deposits', prefix: 'A' }], counters: [{ name: 'Counter 1', services: ['A'] }] }, 201);
    const { code } = await callAs<{ code: string }>(node.url, admin, 'GET', `/api/v1/queues/${q.id}/entrance-code`);
    const res = await fetch(`${node.url}/api/v1/queues/${q.id}/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service_id: q.services[0]!.id, entrance_code: code }) });
    expect(res.status).toBe(201);
    ticket = (await res.json()) as { id: string; token: string };

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
});
