import { ApiError, getMe } from './lib/api.js';
import { setText } from './lib/i18n.js';
import { byId, initPage, show, showOnly } from './lib/page.js';
import { claimShare, getShare, type RequesterView, type ShareState } from './lib/share-api.js';
import { hideError, showShareError } from './lib/share-errors.js';
import { renderFields } from './lib/share-fields.js';
import { watchShare } from './lib/share-live.js';

initPage();

const loading = byId('loading');
const error = byId('error');
const entry = byId<HTMLFormElement>('entry');
const confirm = byId('confirm');
const request = byId('request');
const states = [loading, entry, confirm, request];
const status = byId('share-status');

const CODE_RE = /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/;

/** XXXX-XXXX from what a person typed, or null. */
function normalise(raw: string): string | null {
  const c = raw.toUpperCase().replace(/[\s-]/g, '');
  return CODE_RE.test(c) ? `${c.slice(0, 4)}-${c.slice(4)}` : null;
}

function render(s: ShareState): void {
  setText(byId('from'), 'receive.from', { name: s.owner.name });
  const title = byId('share-title');
  title.textContent = s.title ?? '';
  show(title, !!s.title);
  status.dataset.status = s.status;
  setText(status, `receive.status.${s.status}`, { name: s.owner.name });
  const fields = byId('fields');
  renderFields(fields, s.status === 'approved' ? s.fields : null, 'shared-field');
  show(fields, s.status === 'approved');
  if (s.status !== 'requested') show(byId('connection'), false);
}

function onConnection(st: string): void {
  const el = byId('connection');
  if (st === 'reconnecting' && status.dataset.status === 'requested') {
    setText(el, 'receive.reconnecting');
    show(el);
  } else show(el, false);
}

entry.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const code = normalise(byId<HTMLInputElement>('code').value);
  const err = byId('code-error');
  if (!code) {
    setText(err, 'receive.codeInvalid');
    show(err);
    return;
  }
  location.assign(`/share/receive?code=${code}`);
});

/**
 * Asking is a decision: it tells the owner who you are. The page only asks
 * once the person pressed "Request"; a reload of a tab that already asked
 * (remembered in this tab's sessionStorage, which no other site can set) goes
 * straight back to the request so it can show where it stands.
 */
const askedKey = (code: string) => `scanpass.share.asked:${code}`;

function rememberAsked(code: string): void {
  try {
    sessionStorage.setItem(askedKey(code), '1');
  } catch {
    // Storage may be off; the person is asked again after a reload, which is safe.
  }
}

function alreadyAsked(code: string): boolean {
  try {
    return sessionStorage.getItem(askedKey(code)) === '1';
  } catch {
    return false;
  }
}

async function ask(code: string): Promise<void> {
  const view = await claimShare(code);
  rememberAsked(code);
  hideError(error);
  render(view);
  showOnly(states, request);
  watchShare(view.live, render, async () => (await getShare<RequesterView>(view.id)).live, onConnection);
}

function confirmFirst(code: string, me: { name: string; email: string }): void {
  setText(byId('confirm-code'), 'receive.confirmCode', { code });
  setText(byId('confirm-reveals'), 'receive.confirmReveals', { name: me.name, email: me.email });
  showOnly(states, confirm);
  const button = byId<HTMLButtonElement>('confirm-request');
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await ask(code);
    } catch (err) {
      showShareError(error, err, true);
      // A refusal about the code itself is final; only a lost connection or a busy server is worth retrying.
      const retry = !(err instanceof ApiError) || err.status === 0 || err.status === 429 || err.status >= 500;
      if (retry) button.disabled = false;
      else show(confirm, false);
    }
  });
}

async function load(): Promise<void> {
  const raw = new URLSearchParams(location.search).get('code');
  const code = raw ? normalise(raw) : null;
  if (!code) {
    if (raw) byId<HTMLInputElement>('code').value = raw;
    return showOnly(states, entry);
  }
  try {
    const me = await getMe();
    if (!me) {
      setText(loading, 'receive.redirecting');
      location.replace(`/signin?next=${encodeURIComponent(`/share/receive?code=${code}`)}`);
      return;
    }
    if (alreadyAsked(code)) await ask(code);
    else confirmFirst(code, me.user);
  } catch (err) {
    loading.hidden = true;
    showShareError(error, err, true);
  }
}

void load();
