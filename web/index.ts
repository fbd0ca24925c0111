import { getMe } from './lib/api.js';
import { setText, type MessageKey } from './lib/i18n.js';
import { byId, initPage, showError, showOnly } from './lib/page.js';

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
    } else {
      showOnly(states, signedOut);
    }
  } catch (err) {
    showError(error, err);
    showOnly(states, error);
  }
}

void load();
