import { ApiError, getMe, signOut } from './lib/api.js';
import { setText } from './lib/i18n.js';
import { byId, initPage, show, showError, showOnly } from './lib/page.js';

initPage();

const loading = byId('loading');
const error = byId('error');
const signedIn = byId('signed-in');
const signedOut = byId('signed-out');
const retry = byId<HTMLButtonElement>('retry');
const button = byId<HTMLButtonElement>('signout-button');
const states = [loading, signedIn, signedOut];

function showSignedOut(justNow: boolean): void {
  setText(byId('signed-out-text'), justNow ? 'signout.done' : 'signout.notSignedIn');
  setText(byId('signin-link'), justNow ? 'signout.signInAgain' : 'signout.signIn');
  showOnly(states, signedOut);
}

function fail(err: unknown, onRetry: () => void): void {
  showError(error, err);
  retry.onclick = () => {
    error.hidden = true;
    show(retry, false);
    onRetry();
  };
  show(retry);
}

async function load(): Promise<void> {
  showOnly(states, loading);
  try {
    const me = await getMe();
    if (!me) return showSignedOut(false);
    setText(byId('who'), 'signout.signedInAs', { name: me.user.name, email: me.user.email });
    showOnly(states, signedIn);
    button.focus();
  } catch (err) {
    loading.hidden = true;
    fail(err, () => void load());
  }
}

button.addEventListener('click', async () => {
  if (button.disabled) return;
  error.hidden = true;
  show(retry, false);
  button.disabled = true;
  setText(button, 'signout.busy');
  try {
    await signOut();
    showSignedOut(true);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      // The session had already ended: that is what the user wanted.
      showSignedOut(false);
    } else {
      showError(error, err);
    }
  } finally {
    button.disabled = false;
    setText(button, 'signout.button');
  }
});

void load();
