/* global self, clients, URL, caches, fetch, atob */
/**
 * The queue's service worker, served unhashed at /queue-sw.js and registered
 * by the ticket page (web/lib/queue-push.ts) with scope /queue. It shows the
 * server's Web Push messages when the page is closed or the phone is locked
 * ("3 people ahead", "Your turn — Counter 3"), and a tap on one focuses the
 * ticket's page or opens it. It has no fetch handler: the pages load as usual.
 *
 * A push's data is the JSON the server sent: {title, body, tag, url}.
 *
 * When the browser renews or drops the push subscription
 * (`pushsubscriptionchange`), the worker subscribes again with the server's
 * key and sends the new subscription for each ticket the page enabled
 * notifications for, so "Your turn" still arrives.
 */

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

/** The message of a push, or a plain one when it carries none or not JSON. */
function messageOf(data) {
  let m = {};
  try {
    m = data ? data.json() : {};
  } catch {
    m = { body: data ? data.text() : '' };
  }
  return {
    title: typeof m.title === 'string' && m.title ? m.title : 'scanpass',
    body: typeof m.body === 'string' ? m.body : '',
    tag: typeof m.tag === 'string' && m.tag ? m.tag : 'scanpass-queue',
    url: typeof m.url === 'string' ? m.url : '/queue',
  };
}

self.addEventListener('push', (event) => {
  const m = messageOf(event.data);
  event.waitUntil(
    self.registration.showNotification(m.title, {
      body: m.body,
      tag: m.tag,
      // A newer message with the same tag (your turn after near your turn) alerts again.
      renotify: true,
      requireInteraction: true,
      vibrate: [300, 100, 300, 100, 300],
      data: { url: m.url },
    }),
  );
});

/** `url` when it is on this origin, else the queue page: a notification never opens another site. */
function sameOrigin(url) {
  try {
    const u = new URL(url, self.location.origin);
    return u.origin === self.location.origin ? u.href : `${self.location.origin}/queue`;
  } catch {
    return `${self.location.origin}/queue`;
  }
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = sameOrigin(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const open = await clients.matchAll({ type: 'window', includeUncontrolled: true });
      // The ticket's page is open (its address also carries the token): focus it rather than open another.
      const ticket = new URL(url).searchParams.get('ticket');
      const same = open.find((c) => c.url === url || (ticket !== null && new URL(c.url).searchParams.get('ticket') === ticket));
      if (same) return same.focus();
      return clients.openWindow(url);
    })(),
  );
});

/*
 * The tickets this browser's subscription serves: web/lib/queue-push.ts keeps
 * {id, token} of each at /queue-sw/tickets/<id> in this cache when it enables
 * notifications (same names there). Cache storage rather than the worker's
 * memory: the browser stops an idle worker, and the page and the worker share it.
 */
const TICKETS_CACHE = 'scanpass-queue-push';
const FINISHED = ['done', 'no_show', 'cancelled'];

const ticketKey = (id) => `/queue-sw/tickets/${encodeURIComponent(id)}`;
const ticketPath = (t, rest) => `/api/v1/tickets/${encodeURIComponent(t.id)}${rest}?token=${encodeURIComponent(t.token)}`;

function keyBytes(base64url) {
  const bin = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const sameKey = (a, b) => !!a && a.byteLength === b.byteLength && new Uint8Array(a).every((x, i) => x === b[i]);

/** 'live', 'gone' (finished, or 404: unknown or not its token), or 'unknown' (the server could not answer: try it anyway). */
async function ticketState(t) {
  const res = await fetch(ticketPath(t, ''), { cache: 'no-store' }).catch(() => null);
  if (res?.status === 404) return 'gone';
  if (!res?.ok) return 'unknown';
  const { status } = await res.json();
  return FINISHED.includes(status) ? 'gone' : 'live';
}

/** The kept tickets still in a line; finished and unknown ones are forgotten, never re-subscribed. */
async function liveTickets(cache) {
  const live = [];
  for (const key of await cache.keys()) {
    const t = await (await cache.match(key)).json().catch(() => null);
    const state = t && typeof t.id === 'string' && typeof t.token === 'string' ? await ticketState(t) : 'gone';
    if (state === 'gone') await cache.delete(key);
    else live.push(t);
  }
  return live;
}

/** The browser's subscription made with the server's current key: the renewed one, or a new one. */
async function currentSubscription(renewed) {
  const res = await fetch('/api/v1/push/key');
  if (!res.ok) throw new Error(`push key: HTTP ${res.status}`);
  const key = keyBytes((await res.json()).public_key);
  let sub = renewed || (await self.registration.pushManager.getSubscription());
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  return sub || self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

/** Sends the subscription for every live ticket; the server replaces the ticket's old one. */
async function resubscribe(renewed) {
  const cache = await caches.open(TICKETS_CACHE);
  const tickets = await liveTickets(cache);
  // Nothing to be told about any more: no new subscription.
  if (!tickets.length) return;
  const body = JSON.stringify((await currentSubscription(renewed)).toJSON());
  await Promise.all(
    tickets.map(async (t) => {
      const res = await fetch(ticketPath(t, '/push'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
      if (res.status === 404) await cache.delete(ticketKey(t.id));
      else if (!res.ok) throw new Error(`push subscription for ticket ${t.id}: HTTP ${res.status}`);
    }),
  );
}

self.addEventListener('pushsubscriptionchange', (event) => {
  // newSubscription is often null: the browser leaves subscribing again to the worker.
  event.waitUntil(resubscribe(event.newSubscription || null));
});
