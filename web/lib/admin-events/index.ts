/**
 * The console's "Events" section (check-in): `#events` lists and creates
 * events; `#event=<id>` is one event with its sessions (each with a link to its
 * live dashboard and a close/reopen toggle), attendees (search, add by hand,
 * registration per session, revoke, new pass link), the CSV import (a dry run
 * with its report of bad rows first), the attendance export, staff per
 * session, scanner devices (provisioned by scanning a QR shown here, revocable)
 * and the event's webhook. The router also switches the other sections
 * (Applications; Queues, `#queues` and `#queue=<id>`, built by
 * web/lib/admin-queues/; Users, `#users`, built by web/lib/admin-users/); each
 * part lives in its own module here.
 */
import { onLocaleChange } from '../i18n.js';
import { eventView } from './event-page.js';
import { eventsView } from './events-list.js';
import { queueView } from '../admin-queues/queue-page.js';
import { queuesView } from '../admin-queues/queues-list.js';
import { usersView } from '../admin-users/users-view.js';
import { view } from './view-state.js';

type Route = { view: 'applications' } | { view: 'events' } | { view: 'event'; id: string } | { view: 'queues' } | { view: 'queue'; id: string } | { view: 'users' };

function route(): Route {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ''));
  if (hash === 'events') return { view: 'events' };
  if (hash.startsWith('event=') && hash.length > 6) return { view: 'event', id: hash.slice(6) };
  if (hash === 'queues') return { view: 'queues' };
  if (hash.startsWith('queue=') && hash.length > 6) return { view: 'queue', id: hash.slice(6) };
  if (hash === 'users') return { view: 'users' };
  return { view: 'applications' };
}

let root: HTMLElement;
/** The Queues section's own root (web/lib/admin-queues/). */
let queuesRoot: HTMLElement;
/** The Users section's own root (web/lib/admin-users/). */
let usersRoot: HTMLElement;

function syncNav(r: Route): void {
  const target = r.view === 'applications' ? '#applications' : r.view === 'users' ? '#users' : r.view === 'queues' || r.view === 'queue' ? '#queues' : '#events';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#admin-nav-list a')) {
    if (a.getAttribute('href') === target) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function go(): Promise<void> {
  const r = route();
  syncNav(r);
  const apps = document.getElementById('applications');
  if (apps) apps.hidden = r.view !== 'applications';
  const queues = r.view === 'queues' || r.view === 'queue';
  const users = r.view === 'users';
  const events = r.view === 'events' || r.view === 'event';
  root.hidden = !events;
  queuesRoot.hidden = !queues;
  usersRoot.hidden = !users;
  // Leave nothing of the other sections running (the entrance code stops refreshing once off screen).
  for (const [box, shown] of [[root, events], [queuesRoot, queues], [usersRoot, users]] as const) if (!shown) box.replaceChildren();
  view.rerender = null;
  if (r.view === 'events') await eventsView(root);
  else if (r.view === 'event') await eventView(root, r.id);
  else if (r.view === 'queues') await queuesView(queuesRoot);
  else if (r.view === 'queue') await queueView(queuesRoot, r.id);
  else if (r.view === 'users') await usersView(usersRoot);
  if (r.view !== 'applications') {
    window.scrollTo({ top: 0 });
    (queues ? queuesRoot : users ? usersRoot : root).querySelector('h1')?.focus();
  }
}

let started = false;

/** Call once the console is shown (an admin is signed in). */
export function startEvents(): void {
  if (started) return;
  started = true;
  root = document.getElementById('events')!;
  queuesRoot = document.getElementById('queues')!;
  usersRoot = document.getElementById('users')!;
  window.addEventListener('hashchange', () => void go());
  onLocaleChange(() => view.rerender?.());
  void go();
}
