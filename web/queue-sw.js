/* global self, clients, URL */
/**
 * The queue's service worker, served unhashed at /queue-sw.js and registered
 * by the ticket page (web/lib/queue-push.ts) with scope /queue. It shows the
 * server's Web Push messages when the page is closed or the phone is locked
 * ("3 people ahead", "Your turn — Counter 3"), and a tap on one focuses the
 * ticket's page or opens it. It has no fetch handler: the pages load as usual.
 *
 * A push's data is the JSON the server sent: {title, body, tag, url}.
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
