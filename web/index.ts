import { api, getMe } from './lib/api.js';
import { setText, type MessageKey } from './lib/i18n.js';
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
      byId('user-name').textContent = me.user.name;
      byId('user-email').textContent = me.user.email;
      setText(byId('user-role'), `role.${me.user.role}` as MessageKey);
      byId('admin-entry').hidden = me.user.role !== 'admin';
      showOnly(states, signedIn);
      if (me.user.role !== 'member') void queueLinks();
    } else {
      showOnly(states, signedOut);
    }
  } catch (err) {
    showError(error, err);
    showOnly(states, error);
  }
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
  const link = (href: string, key: MessageKey, name: string) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = href;
    setText(a, key, { name });
    li.append(a);
    return li;
  };
  byId('queue-list').replaceChildren(
    ...queues.flatMap((q) => [
      link(`/queue-counter?q=${encodeURIComponent(q.id)}`, 'home.queueCounter', q.name),
      link(`/queue-board?q=${encodeURIComponent(q.id)}`, 'home.queueBoard', q.name),
    ]),
  );
  byId('queue-links').hidden = false;
}

void load();
