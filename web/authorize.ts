/**
 * The sign-in page of the OpenID Connect authorization code flow
 * (GET /oauth/authorize sends the browser here). It shows the QR of a live
 * login request through the `<scanpass-login>` element; once a phone
 * approves, it asks the server where to go and the browser returns to the
 * application with its code. A browser already signed in to scanpass may
 * continue on the spot. Every end of the page leads somewhere: back to the
 * application (cancel), or to our home page when the request itself is bad.
 */
import { defineScanpassLogin, type ScanpassApprovedDetail } from '../client/scanpass-login.js';
import { api, ApiError, getMe } from './lib/api.js';
import { getLocale, onLocaleChange, setText, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showError } from './lib/page.js';

initPage();
defineScanpassLogin();

interface PageView {
  client: { client_id: string; name: string };
  scopes: string[];
  login_hint: string | null;
  expires_at: number;
  signed_in_as: { name: string; email: string } | null;
}

const params = new URLSearchParams(location.search);
const id = params.get('id');
const base = id ? `/oauth/authorize/${encodeURIComponent(id)}` : '';
const loading = byId('loading');
const signin = byId('signin');
const status = byId('status');
const errorBox = byId('error');
let appName = '';

/** The page cannot go on: say why, with the server's words as detail. */
function over(heading: MessageKey, text: MessageKey, detail?: string | null): void {
  show(loading, false);
  show(signin, false);
  setText(byId('over-heading'), heading);
  setText(byId('over-text'), text);
  const d = byId('over-detail');
  if (detail) setText(d, 'authorize.detail', { detail });
  show(d, !!detail);
  show(byId('over'));
}

const OVER_CODES = new Set(['code_expired', 'code_used', 'unknown_authorization']);

/** An error from the visit's endpoints: a finished or foreign visit ends the page; anything else shows in the box. */
function failed(err: unknown): void {
  if (err instanceof ApiError && OVER_CODES.has(err.code)) return over('authorize.overHeading', `authorize.over.${err.code}` as MessageKey);
  showError(errorBox, err);
}

/** Leaves for the application (with a code or an error); the page is done. */
function leave(to: string, key: MessageKey): void {
  setText(status, key, { app: appName });
  location.replace(to);
}

/** Asks the server where to go (`finish`, `confirm`, `cancel`) and goes; false when it refused, and the page says why. */
async function go(path: 'finish' | 'confirm' | 'cancel', body?: unknown): Promise<boolean> {
  errorBox.hidden = true;
  try {
    const { redirect_to } = await api<{ redirect_to: string }>('POST', `${base}/${path}`, body ?? {});
    leave(redirect_to, path === 'cancel' ? 'authorize.cancelled' : 'authorize.returning');
    return true;
  } catch (err) {
    failed(err);
    return false;
  }
}

function mountQr(): HTMLElement {
  const el = document.createElement('scanpass-login');
  el.setAttribute('server', location.origin);
  el.setAttribute('start', `${base}/qr`);
  el.setAttribute('lang', getLocale());
  el.dataset.testid = 'qr-login';
  el.addEventListener('scanpass-approved', (e) => void go('finish', { handle: (e as CustomEvent<ScanpassApprovedDetail>).detail.handle }));
  // The page's own box says what happened and offers the new code; the element's "Try again" would be a second button.
  el.addEventListener('scanpass-denied', () => {
    show(byId('qr-slot'), false);
    show(byId('denied'));
  });
  // A QR that cannot be had any more: the visit may be over (expired, finished); ask.
  el.addEventListener('scanpass-error', () => void load().catch(failed));
  onLocaleChange((l) => el.setAttribute('lang', l));
  byId('qr-slot').replaceChildren(el);
  return el;
}

async function load(): Promise<PageView> {
  return api<PageView>('GET', base);
}

async function main(): Promise<void> {
  // The end-session endpoint (/oauth/logout) lands here when the app gave no place to return to.
  const signedOut = params.get('signed_out');
  if (signedOut !== null) return over('authorize.signedOutHeading', signedOut === '1' ? 'authorize.signedOut' : 'authorize.notSignedIn');
  const refused = params.get('error');
  if (refused) {
    const known = ['invalid_client', 'invalid_redirect_uri', 'invalid_request'].includes(refused) ? refused : 'invalid_request';
    return over('authorize.refusedHeading', `authorize.refused.${known}` as MessageKey, params.get('error_description'));
  }
  if (!id) return over('authorize.overHeading', 'authorize.over.unknown_authorization');
  const view = await load();
  appName = view.client.name;
  setText(byId('heading'), 'authorize.heading', { app: appName });
  const title = () => (document.title = `${byId('heading').textContent} · scanpass`);
  title();
  // After a language switch (the <title>'s own data-i18n has put back the generic one).
  onLocaleChange(title);
  if (view.login_hint) {
    setText(byId('login-hint'), 'authorize.loginHint', { hint: view.login_hint });
    show(byId('login-hint'));
  }
  const qr = mountQr();
  byId('retry').addEventListener('click', () => {
    show(byId('denied'), false);
    show(byId('qr-slot'));
    (qr as HTMLElement & { restart(): void }).restart();
  });
  const cancel = byId<HTMLButtonElement>('cancel');
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    void go('cancel').then((gone) => (cancel.disabled = gone));
  });
  const back = `/authorize?id=${encodeURIComponent(id)}`;
  byId<HTMLAnchorElement>('password').href = `/signin?next=${encodeURIComponent(back)}`;
  if (view.signed_in_as) {
    // The CSRF token of this browser's sign-in, for the write.
    await getMe();
    const button = byId<HTMLButtonElement>('continue');
    setText(button, 'authorize.continueAs', view.signed_in_as);
    button.addEventListener('click', () => {
      button.disabled = true;
      setText(status, 'authorize.continuing');
      // Stays disabled while the browser leaves: a second click would find the sign-in finished.
      void go('confirm').then((gone) => (button.disabled = gone));
    });
    show(byId('here'));
    show(byId('password'), false);
  }
  show(loading, false);
  show(signin);
}

main().catch((err) => {
  show(loading, false);
  show(signin);
  failed(err);
});
