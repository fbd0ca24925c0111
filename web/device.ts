/**
 * The phone's side of QR login (`/device?user_code=XXXX-XXXX`): open the
 * request (which claims it for this session), show who is asking, and approve
 * or deny it. Without a code in the link, the code is typed in first.
 */
import type { PhoneView } from '../src/flows/login/login-schemas.js';
import { api, ApiError, getMe } from './lib/api.js';
import { renderBrowserName } from './lib/browser-name.js';
import { errorMessage } from './lib/errors.js';
import { getLocale, onLocaleChange, setText, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showOnly } from './lib/page.js';
import { parseUserCode } from './lib/user-code.js';

/** GET /api/v1/login-requests/{user_code}: the server schema's own type (type-only: no TypeBox in the page). */
type LoginRequestView = PhoneView;

type Outcome = 'approved' | 'denied' | 'cancelled';

initPage();

const loading = byId('loading');
const entry = byId('entry');
const request = byId('request');
const result = byId('result');
const errorView = byId('error');
const views = [loading, entry, request, result, errorView];

const form = byId<HTMLFormElement>('entry-form');
const codeInput = byId<HTMLInputElement>('user_code');
const codeError = byId('user_code-error');
const approveButton = byId<HTMLButtonElement>('approve');
const denyButton = byId<HTMLButtonElement>('deny');
const decisionStatus = byId('decision-status');
const pickFirst = byId('pick-first');
const choicesBox = byId('match-choices');

const SCOPE_KEYS: Readonly<Record<string, MessageKey>> = {
  openid: 'device.scope.openid',
  profile: 'device.scope.profile',
  email: 'device.scope.email',
  phone: 'device.scope.phone',
};

/** The request on screen, the number picked, and the timer of the countdown. */
let current: LoginRequestView | null = null;
let picked: number | null = null;
let busy = false;
let timer: ReturnType<typeof setInterval> | undefined;
/** Server time minus phone time, so a phone with a wrong clock still counts down sensibly. */
let skewMs = 0;

function switchTo(view: HTMLElement, focus = true): void {
  showOnly(views, view);
  if (view !== request) stopTimer();
  if (focus) view.querySelector<HTMLElement>('h1')?.focus({ preventScroll: false });
}

function stopTimer(): void {
  if (timer !== undefined) clearInterval(timer);
  timer = undefined;
}

/** This page's address for `code`, keeping an explicit `?lang=`. */
function pageUrl(code: string | null): string {
  const url = new URL('/device', location.origin);
  if (code) url.searchParams.set('user_code', code);
  const lang = new URLSearchParams(location.search).get('lang');
  if (lang) url.searchParams.set('lang', lang);
  return `${url.pathname}${url.search}`;
}

function toSignIn(code: string): void {
  setText(byId('loading-text'), 'device.redirecting');
  switchTo(loading, false);
  location.replace(`/signin?next=${encodeURIComponent(pageUrl(code))}`);
}

// ---- 1. Typing the code ----------------------------------------------------

function showEntry(prefill = '', problem: MessageKey | null = null, focusInput = false): void {
  codeInput.value = prefill;
  fieldError(problem);
  history.replaceState(history.state, '', pageUrl(null));
  switchTo(entry, false);
  if (problem || focusInput) {
    codeInput.focus();
    codeInput.select();
  }
}

function fieldError(key: MessageKey | null): void {
  if (key) {
    setText(codeError, key);
    show(codeError);
    codeInput.setAttribute('aria-invalid', 'true');
    codeInput.setAttribute('aria-describedby', 'user_code-error user_code-hint');
  } else {
    codeError.hidden = true;
    codeError.textContent = '';
    codeInput.removeAttribute('aria-invalid');
    codeInput.setAttribute('aria-describedby', 'user_code-hint');
  }
}

codeInput.addEventListener('input', () => {
  if (codeInput.hasAttribute('aria-invalid')) fieldError(null);
});

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const raw = codeInput.value.trim();
  const code = parseUserCode(raw);
  if (!code) {
    fieldError(raw ? 'device.codeInvalid' : 'device.codeRequired');
    codeInput.focus();
    return;
  }
  fieldError(null);
  history.replaceState(history.state, '', pageUrl(code));
  void openRequest(code);
});

// ---- 2. Opening (claiming) the request -------------------------------------

async function openRequest(code: string): Promise<void> {
  setText(byId('loading-text'), 'common.loading');
  switchTo(loading, false);
  let view: LoginRequestView;
  try {
    const me = await getMe();
    if (!me) return toSignIn(code);
    view = await api<LoginRequestView>('GET', `/api/v1/login-requests/${encodeURIComponent(code)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return toSignIn(code);
    return showFailure(err, code);
  }
  if (view.status !== 'scanned') {
    // Opening answers only undecided requests; anything else has been used.
    return showFailure(new ApiError('code_used', `status ${view.status}`, 409), code);
  }
  showRequest(view);
}

// ---- 3. Who is asking ------------------------------------------------------

function showRequest(view: LoginRequestView): void {
  current = view;
  picked = null;
  busy = false;
  const now = Date.now();
  // The server just accepted the request, so its clock is between start and expiry.
  skewMs = Math.min(Math.max(now, view.created_at), view.expires_at - 1000) - now;

  byId('request-app').textContent = view.client.name;
  const scopes = byId('request-scopes');
  scopes.replaceChildren(
    ...view.scopes.map((s) => {
      const li = document.createElement('li');
      const key = SCOPE_KEYS[s];
      if (key) setText(li, key);
      else li.textContent = s;
      return li;
    }),
  );
  renderBrowserName(byId('screen-browser'), view.screen.browser);
  byId('screen-ip').textContent = view.screen.ip;
  // Roughly where the screen is (a location database is configured): a screen far from here is not yours.
  byId('screen-place').textContent = view.screen.place ?? '';
  show(byId('screen-place-box'), !!view.screen.place);
  byId('request-code').textContent = view.user_code;

  const choices = view.match_required ? (view.match_choices ?? []) : [];
  choicesBox.replaceChildren(
    ...choices.map((n) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'match-choice';
      b.dataset.testid = 'match-choice';
      b.textContent = String(n);
      b.setAttribute('aria-pressed', 'false');
      b.addEventListener('click', () => pick(n));
      return b;
    }),
  );
  show(byId('match'), view.match_required);
  decisionStatus.textContent = '';
  syncButtons();

  tick();
  stopTimer();
  timer = setInterval(tick, 500);
  switchTo(request);
}

function pick(n: number): void {
  if (busy) return;
  picked = n;
  for (const b of choicesBox.querySelectorAll<HTMLButtonElement>('.match-choice')) {
    b.setAttribute('aria-pressed', String(b.textContent === String(n)));
  }
  syncButtons();
}

function syncButtons(): void {
  const needsPick = !!current?.match_required && picked === null;
  approveButton.disabled = busy || needsPick;
  denyButton.disabled = busy;
  for (const b of choicesBox.querySelectorAll<HTMLButtonElement>('.match-choice')) b.disabled = busy;
  show(pickFirst, needsPick);
  if (needsPick) approveButton.setAttribute('aria-describedby', 'pick-first');
  else approveButton.removeAttribute('aria-describedby');
  request.setAttribute('aria-busy', String(busy));
}

function formatRemaining(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function relativeTime(msAgo: number): string {
  const rtf = new Intl.RelativeTimeFormat(getLocale(), { numeric: 'auto' });
  const s = Math.max(0, Math.round(msAgo / 1000));
  if (s < 60) return rtf.format(-s, 'second');
  if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute');
  return rtf.format(-Math.floor(s / 3600), 'hour');
}

function tick(): void {
  if (!current) return;
  const now = Date.now() + skewMs;
  byId('request-started').textContent = relativeTime(now - current.created_at);
  const left = current.expires_at - now;
  if (left <= 0 && !busy) {
    showFailure(new ApiError('code_expired', 'the request expired while open', 410), current.user_code);
    return;
  }
  setText(byId('countdown'), 'device.expiresIn', { time: formatRemaining(left) });
}
onLocaleChange(() => tick());

// ---- 4. The decision -------------------------------------------------------

async function decide(kind: 'approve' | 'deny'): Promise<void> {
  if (!current || busy) return;
  const code = current.user_code;
  const body = kind === 'approve' && picked !== null ? { match: picked } : {};
  busy = true;
  syncButtons();
  setText(decisionStatus, kind === 'approve' ? 'device.approving' : 'device.denying');
  try {
    await api<LoginRequestView>('POST', `/api/v1/login-requests/${encodeURIComponent(code)}/${kind}`, body);
    showResult(kind === 'approve' ? 'approved' : 'denied');
  } catch (err) {
    if (err instanceof ApiError && err.code === 'match_mismatch') return showResult('cancelled');
    if (err instanceof ApiError && err.status === 401) return toSignIn(code);
    showFailure(err, code);
  } finally {
    busy = false;
  }
}

approveButton.addEventListener('click', () => void decide('approve'));
denyButton.addEventListener('click', () => void decide('deny'));

const RESULTS: Readonly<Record<Outcome, { heading: MessageKey; text: MessageKey; icon: string }>> = {
  approved: { heading: 'device.approvedHeading', text: 'device.approved', icon: '✓' },
  denied: { heading: 'device.deniedHeading', text: 'device.denied', icon: '✕' },
  cancelled: { heading: 'device.cancelledHeading', text: 'device.cancelled', icon: '!' },
};

function showResult(outcome: Outcome): void {
  current = null;
  const r = RESULTS[outcome];
  result.dataset.status = outcome;
  byId('result-icon').textContent = r.icon;
  setText(byId('result-heading'), r.heading);
  setText(byId('result-text'), r.text);
  // Signed in somewhere new: where to see (and end) it later.
  show(byId('result-account'), outcome === 'approved');
  switchTo(result);
}

// ---- 5. Refusals and failures ----------------------------------------------

const HEADINGS: Readonly<Record<string, MessageKey>> = {
  unknown_code: 'device.unknownHeading',
  code_expired: 'device.expiredHeading',
  claimed_elsewhere: 'device.claimedHeading',
};
/** Codes after which another code is the way on; the rest may succeed on a retry. */
const NEW_CODE: Readonly<Record<string, MessageKey>> = {
  unknown_code: 'device.retype',
  code_expired: 'device.otherCode',
  code_used: 'device.otherCode',
  claimed_elsewhere: 'device.otherCode',
};

let retry: (() => void) | null = null;
let retypeValue = '';

function showFailure(err: unknown, code: string): void {
  current = null;
  const errCode = err instanceof ApiError ? err.code : 'unknown';
  errorView.dataset.code = errCode;
  setText(byId('error-heading'), HEADINGS[errCode] ?? 'device.errorHeading');
  const { key, vars } = errorMessage(err);
  setText(byId('error-text'), key, vars);

  const entryButton = byId<HTMLButtonElement>('error-entry');
  const retryButton = byId<HTMLButtonElement>('error-retry');
  const newCode = NEW_CODE[errCode];
  if (newCode) setText(entryButton, newCode);
  show(entryButton, !!newCode);
  show(retryButton, !newCode);
  retypeValue = errCode === 'unknown_code' ? code : '';
  retry = () => void openRequest(code);
  switchTo(errorView);
}

byId('error-entry').addEventListener('click', () => showEntry(retypeValue, null, true));
byId('error-retry').addEventListener('click', () => retry?.());

// ---- Start -----------------------------------------------------------------

const fromLink = new URLSearchParams(location.search).get('user_code');
if (fromLink === null || fromLink.trim() === '') {
  showEntry();
} else {
  const code = parseUserCode(fromLink);
  if (code) void openRequest(code);
  else showEntry(fromLink, 'device.codeInvalid');
}
