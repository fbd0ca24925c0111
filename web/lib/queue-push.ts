/**
 * Web Push for the ticket page: "3 people ahead" and "Your turn — Counter 3"
 * as system notifications while the page is closed or the phone is locked.
 * `enablePush` must run from a tap (browsers ask for the permission only
 * then); the page works the same without it.
 */

import { api, ApiError } from './api.js';

/** The worker (web/queue-sw.js, served unhashed) and the pages it covers: the ticket page, /queue?ticket=... */
export const QUEUE_SW_URL = '/queue-sw.js';
export const QUEUE_SW_SCOPE = '/queue';

/** How enabling went: on; the browser has no Web Push (or not on this page: http); the visitor said no; or the push service failed. */
export type PushState = 'enabled' | 'unsupported' | 'denied' | 'failed';

const enc = encodeURIComponent;
const pushPath = (ticketId: string, token: string) => `/api/v1/tickets/${enc(ticketId)}/push?token=${enc(token)}`;

/*
 * Where the worker finds the tickets it re-subscribes when the browser renews
 * the subscription (`pushsubscriptionchange` in web/queue-sw.js, same names):
 * cache storage, which the page and the worker share and which outlives the
 * worker (the browser stops it when idle).
 */
const TICKETS_CACHE = 'scanpass-queue-push';
const ticketKey = (ticketId: string) => `/queue-sw/tickets/${enc(ticketId)}`;

async function keepTicket(ticketId: string, token: string): Promise<void> {
  const cache = await caches.open(TICKETS_CACHE);
  await cache.put(ticketKey(ticketId), new Response(JSON.stringify({ id: ticketId, token }), { headers: { 'content-type': 'application/json' } }));
}

async function forgetTicket(ticketId: string): Promise<void> {
  await (await caches.open(TICKETS_CACHE)).delete(ticketKey(ticketId));
}

/** Whether this browser can take Web Push here (a secure context with service workers, PushManager and notifications). */
export function pushSupported(): boolean {
  return window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const sameKey = (a: ArrayBuffer | null, b: Uint8Array) => !!a && a.byteLength === b.byteLength && new Uint8Array(a).every((x, i) => x === b[i]);

/** The worker's registration, once it is active (a fresh one installs first). */
async function activeRegistration(): Promise<ServiceWorkerRegistration> {
  const reg = await navigator.serviceWorker.register(QUEUE_SW_URL, { scope: QUEUE_SW_SCOPE });
  const worker = reg.installing ?? reg.waiting;
  if (!reg.active && worker) {
    await new Promise<void>((resolve) => {
      const check = () => (worker.state === 'activated' || worker.state === 'redundant') && resolve();
      worker.addEventListener('statechange', check);
      check();
    });
  }
  return reg;
}

/**
 * Registers the queue's service worker, subscribes this browser with the
 * server's key and sends the subscription for the ticket: from then on the
 * server notifies this phone of the ticket's news. Call it from a tap.
 */
export async function enablePush(ticketId: string, token: string): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (permission !== 'granted') return 'denied';
  try {
    const [reg, { public_key }] = await Promise.all([activeRegistration(), api<{ public_key: string }>('GET', '/api/v1/push/key')]);
    const key = keyBytes(public_key);
    let sub = await reg.pushManager.getSubscription();
    // A subscription made with another server key (the key was replaced) would never receive ours.
    if (sub && !sameKey(sub.options.applicationServerKey, key)) {
      await sub.unsubscribe();
      sub = null;
    }
    sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    await api('PUT', pushPath(ticketId, token), sub.toJSON());
    // Without it notifications still work, until the browser renews the subscription.
    await keepTicket(ticketId, token).catch((err: unknown) => console.warn('web push: keeping the ticket for renewals', err));
    return 'enabled';
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // The push service (or the browser's connection to it) failed: the page still works without.
    console.warn('web push', err);
    return 'failed';
  }
}

/** Stops the ticket's notifications (the ticket is finished or the visitor turned them off). */
export async function disablePush(ticketId: string, token: string): Promise<void> {
  await api('DELETE', pushPath(ticketId, token));
  await forgetTicket(ticketId).catch(() => {});
}

/** Whether this browser is already subscribed through the queue's worker (to show the button's state after a reload). */
export async function pushEnabled(): Promise<boolean> {
  if (!pushSupported() || Notification.permission !== 'granted') return false;
  const reg = await navigator.serviceWorker.getRegistration(QUEUE_SW_SCOPE);
  return !!(reg && (await reg.pushManager.getSubscription()));
}
