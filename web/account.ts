/**
 * The phone's account page (`/account`): the screens and apps signed in
 * through this account (QR sign-ins by device grant or by the OpenID Connect
 * code flow), each with a two-step "Sign out" that ends its tokens and says
 * whether the application heard of it. Not signed in: a way to sign in that
 * comes back here.
 */
import { ApiError, getMe } from './lib/api.js';
import { listSignedInApps, signOutApp, type Backchannel, type SignedInApp } from './lib/account-api.js';
import { renderBrowserName } from './lib/browser-name.js';
import { getLocale, onLocaleChange, setText, t, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showError, showOnly } from './lib/page.js';

initPage();

const loading = byId('loading');
const errorBox = byId('error');
const retryButton = byId<HTMLButtonElement>('retry');
const signedOut = byId('signed-out');
const signedIn = byId('signed-in');
const states = [loading, errorBox, signedOut, signedIn];
const list = byId<HTMLUListElement>('apps');
const empty = byId('empty');
const outcome = byId('outcome');

const VIA: Readonly<Record<SignedInApp['via'], MessageKey>> = { device: 'account.via.device', code: 'account.via.code' };
const TOLD: Readonly<Record<Backchannel, MessageKey>> = {
  delivered: 'account.backchannel.delivered',
  failed: 'account.backchannel.failed',
  not_registered: 'account.backchannel.not_registered',
};

/** This page's address, keeping an explicit `?lang=` for the way back from signing in. */
function pageUrl(): string {
  const url = new URL('/account', location.origin);
  const lang = new URLSearchParams(location.search).get('lang');
  if (lang) url.searchParams.set('lang', lang);
  return `${url.pathname}${url.search}`;
}

function showSignedOut(): void {
  list.hidden = true;
  list.replaceChildren();
  byId<HTMLAnchorElement>('signin-link').href = `/signin?${new URLSearchParams({ next: pageUrl() })}`;
  showOnly(states, signedOut);
}

// ---- Times -----------------------------------------------------------------

/** "just now", "5 minutes ago", "3 hours ago", then the local date and time. */
function whenText(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000)); // a phone clock behind the server's reads "just now"
  if (s < 60) return t('account.justNow');
  const rtf = new Intl.RelativeTimeFormat(getLocale(), { numeric: 'auto' });
  if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute');
  if (s < 24 * 3600) return rtf.format(-Math.floor(s / 3600), 'hour');
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** Rewrites every entry's "signed in … · last used …" (as time passes, and in a new language). */
function renderTimes(): void {
  const now = Date.now();
  for (const li of list.querySelectorAll<HTMLElement>('li.app')) {
    setText(li.querySelector<HTMLElement>('.signed-in-at')!, 'account.signedInAt', { when: whenText(Number(li.dataset.signedInAt), now) });
    setText(li.querySelector<HTMLElement>('.last-used-at')!, 'account.lastUsedAt', { when: whenText(Number(li.dataset.lastUsedAt), now) });
  }
}
onLocaleChange(renderTimes);
setInterval(renderTimes, 30_000);

// ---- Entries ---------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}

function separator(): HTMLSpanElement {
  const s = el('span');
  s.setAttribute('aria-hidden', 'true');
  s.textContent = ' · ';
  return s;
}

function button(className: string, key: MessageKey): HTMLButtonElement {
  const b = el('button', `button ${className}`);
  b.type = 'button';
  setText(b, key);
  return b;
}

let entryCount = 0;

function entry(app: SignedInApp): HTMLLIElement {
  const n = ++entryCount;
  const li = el('li', 'card app');
  li.dataset.testid = 'app';
  li.dataset.signedInAt = String(app.signed_in_at);
  li.dataset.lastUsedAt = String(app.last_used_at);
  li.setAttribute('aria-labelledby', `app-${n}`);

  const name = el('h2');
  name.id = `app-${n}`;
  name.textContent = app.client.name;
  const via = el('p', 'app-via');
  setText(via, VIA[app.via]);
  const where = el('p', 'app-where');
  const browser = el('span');
  renderBrowserName(browser, app.browser);
  where.append(browser);
  if (app.place) {
    const place = el('span');
    place.textContent = app.place;
    where.append(separator(), place);
  }
  const times = el('p', 'hint app-times');
  times.append(el('span', 'signed-in-at'), separator(), el('span', 'last-used-at'));
  const problem = el('p', 'alert');
  problem.setAttribute('role', 'alert');
  problem.hidden = true;

  // Step one: "Sign out" (named with the app for screen readers); step two: "Sign out of X? [Sign out] [Keep]".
  const ask = button('secondary', 'account.signOut');
  ask.setAttribute('aria-describedby', name.id);
  const confirmBox = el('div', 'app-confirm');
  confirmBox.hidden = true;
  const question = el('p', 'app-question');
  setText(question, 'account.confirm', { app: app.client.name });
  const yes = button('danger', 'account.signOut');
  yes.dataset.testid = 'confirm-sign-out';
  yes.setAttribute('aria-describedby', `${name.id} app-q-${n}`);
  question.id = `app-q-${n}`;
  const keep = button('secondary', 'account.keep');
  const choices = el('div', 'decision');
  choices.append(yes, keep);
  confirmBox.append(question, choices);

  ask.addEventListener('click', () => {
    problem.hidden = true;
    show(ask, false);
    show(confirmBox);
    keep.focus(); // the safe choice under the finger first
  });
  keep.addEventListener('click', () => {
    show(confirmBox, false);
    show(ask);
    ask.focus();
  });
  yes.addEventListener('click', () => void signOut(app, { li, yes, keep, ask, confirmBox, problem }));

  li.append(name, via, where, times, problem, ask, confirmBox);
  return li;
}

interface EntryParts {
  li: HTMLLIElement;
  yes: HTMLButtonElement;
  keep: HTMLButtonElement;
  ask: HTMLButtonElement;
  confirmBox: HTMLElement;
  problem: HTMLElement;
}

function setBusy(p: EntryParts, busy: boolean): void {
  p.li.setAttribute('aria-busy', String(busy));
  p.yes.disabled = busy;
  p.keep.disabled = busy;
  setText(p.yes, busy ? 'account.signingOut' : 'account.signOut');
}

async function signOut(app: SignedInApp, p: EntryParts): Promise<void> {
  if (p.yes.disabled) return;
  setBusy(p, true);
  let told: Backchannel | 'gone';
  try {
    told = await signOutApp(app.id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showSignedOut();
    if (err instanceof ApiError && err.code === 'unknown_grant') {
      told = 'gone'; // ended elsewhere in the meantime (the app itself, another tab): the outcome is the one asked for
    } else {
      setBusy(p, false);
      show(p.confirmBox, false);
      show(p.ask);
      showError(p.problem, err);
      p.ask.focus();
      return;
    }
  }
  p.li.remove();
  const remaining = list.querySelectorAll('li.app').length;
  show(list, remaining > 0);
  show(empty, remaining === 0);
  report(app.client.name, told);
}

/** "Signed out of X." and what X heard of it, focused so that the place on the page is not lost with the entry. */
function report(name: string, told: Backchannel | 'gone'): void {
  const notice = el('p', 'notice');
  notice.tabIndex = -1;
  if (told === 'gone') {
    const s = el('span');
    setText(s, 'account.alreadyGone', { app: name });
    notice.append(s);
  } else {
    const done = el('span');
    setText(done, 'account.done', { app: name });
    const heard = el('span');
    setText(heard, TOLD[told], { app: name });
    notice.dataset.backchannel = told;
    notice.append(done, ' ', heard);
  }
  outcome.replaceChildren(notice);
  notice.focus();
}

// ---- Start -----------------------------------------------------------------

async function load(): Promise<void> {
  showOnly(states, loading);
  retryButton.hidden = true;
  try {
    if (!(await getMe())) return showSignedOut();
    const apps = await listSignedInApps();
    list.replaceChildren(...apps.map(entry));
    renderTimes();
    show(list, apps.length > 0);
    show(empty, apps.length === 0);
    showOnly(states, signedIn);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showSignedOut();
    showError(errorBox, err);
    showOnly(states, errorBox);
    retryButton.hidden = false;
  }
}

retryButton.addEventListener('click', () => void load());
void load();
