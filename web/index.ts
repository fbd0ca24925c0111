/**
 * Home: who is signed in, and what their role can do from here. Everyone
 * signed in: share their details, the code entries (sign in on a screen,
 * receive a share, the screens and apps signed in through their account)
 * and their passes; staff and admins: the check-in scanner,
 * the dashboards of their sessions and their queues; admins: the console.
 * Signed out: sign in, and the code entries (those pages ask to sign in after
 * the code). Each list comes from the API the target page itself uses.
 */
import { api, getMe } from './lib/api.js';
import type { ScannerSessions } from './lib/checkin-api.js';
import { setText, type MessageKey, type Vars } from './lib/i18n.js';
import { fetchMyPasses } from './lib/my-passes.js';
import { byId, initPage, showError, showOnly } from './lib/page.js';
import type { QueueView } from './lib/queue-api.js';

initPage();

const loading = byId('loading');
const error = byId('error');
const signedIn = byId('signed-in');
const signedOut = byId('signed-out');
const states = [loading, error, signedIn, signedOut];

async function load(): Promise<void> {
  try {
    const me = await getMe();
    if (me) {
      const { role } = me.user;
      byId('user-name').textContent = me.user.name;
      byId('user-email').textContent = me.user.email;
      setText(byId('user-role'), `role.${role}` as MessageKey);
      byId('share-entry').hidden = false;
      byId('account-entry').hidden = false;
      byId('admin-entry').hidden = role !== 'admin';
      byId('staff-entries').hidden = role === 'member';
      showOnly(states, signedIn);
      void myPasses();
      if (role !== 'member') void Promise.all([sessionLinks(), queueLinks()]);
    } else {
      setText(byId('codes-heading'), 'home.haveCode');
      showOnly(states, signedOut);
    }
    byId('code-entries').hidden = false;
  } catch (err) {
    showError(error, err);
    showOnly(states, error);
  }
}

/** A list item linking to `href`, its text a translated message. */
function link(href: string, key: MessageKey, vars?: Vars): HTMLLIElement {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = href;
  setText(a, key, vars);
  li.append(a);
  return li;
}

/** Everyone signed in: their passes (by account, or by the e-mail an organiser entered). */
async function myPasses(): Promise<void> {
  const passes = await fetchMyPasses().catch(() => undefined);
  if (!passes) return;
  byId('my-pass-list').replaceChildren(...passes.map((p) => link(p.url, 'home.passFor', { event: p.event_name })));
  byId('no-passes').hidden = passes.length > 0;
  byId('my-passes').hidden = false;
}

/** Staff and admins: the dashboard of each session they may scan at (the scanner's own list). */
async function sessionLinks(): Promise<void> {
  let sessions: ScannerSessions['sessions'];
  try {
    sessions = (await api<ScannerSessions>('GET', '/api/v1/scanner/sessions')).sessions;
  } catch {
    byId('dashboards-heading').hidden = true;
    return; // the links are a shortcut; the scanner and the dashboard say what is wrong
  }
  byId('dashboard-list').replaceChildren(
    ...sessions.map((s) => link(`/dashboard?session=${encodeURIComponent(s.id)}`, 'home.dashboard', { session: s.name, event: s.event_name })),
  );
  byId('no-sessions').hidden = sessions.length > 0;
}

/** Staff and admins: the counter console and the display board of each queue they look after. */
async function queueLinks(): Promise<void> {
  let queues: QueueView[];
  try {
    queues = (await api<{ queues: QueueView[] }>('GET', '/api/v1/queues')).queues;
  } catch {
    return; // the links are a shortcut; the pages themselves say what is wrong
  }
  if (queues.length === 0) return;
  byId('queue-list').replaceChildren(
    ...queues.flatMap((q) => [
      link(`/queue-counter?q=${encodeURIComponent(q.id)}`, 'home.queueCounter', { name: q.name }),
      link(`/queue-board?q=${encodeURIComponent(q.id)}`, 'home.queueBoard', { name: q.name }),
    ]),
  );
  byId('queue-links').hidden = false;
}

void load();
