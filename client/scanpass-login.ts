/**
 * `<scanpass-login>`: "sign in with your phone" for any website, in one tag.
 *
 * It asks your own back end (`start`) for a login request, shows its QR code,
 * user code and time left, and follows the request live: "scanned" with the
 * number to pick on the phone, then approved or denied. An expired code is
 * replaced by a new one on its own. Your back end keeps the device code; the
 * browser only ever sees an opaque `handle`, which it sends back to finish.
 *
 * @example
 * <script type="module" src="https://scan.example.com/sdk/scanpass-login.js"></script>
 * <scanpass-login server="https://scan.example.com" start="/auth/qr/start"></scanpass-login>
 * <script type="module">
 *   document.querySelector('scanpass-login').addEventListener('scanpass-approved', async (e) => {
 *     const res = await fetch('/auth/qr/finish', {
 *       method: 'POST',
 *       headers: { 'content-type': 'application/json' },
 *       body: JSON.stringify({ handle: e.detail.handle }),
 *     });
 *     if (res.ok) location.reload(); else e.target.restart();
 *   });
 * </script>
 *
 * Attributes: `server` (scanpass origin), `start` (your back end's URL, POSTed
 * with `{}`; answers the device authorization response minus `device_code`,
 * plus `handle`), `lang` (`en` | `zh-CN`; default: the browser's language),
 * `max-renewals` (automatic renewals in a row before asking for a click; default 10).
 *
 * Events (bubbling, composed): `scanpass-approved` `{handle}`, `scanpass-denied`
 * `{handle}`, `scanpass-expired` `{renewing}`, `scanpass-error` `{code, message}`.
 *
 * The host reflects `data-state` (loading | pending | scanned | approved |
 * denied | renewing | expired | error), `data-user-code`,
 * `data-verification-uri` and, while scanned, `data-match-number`. Style it
 * with `--scanpass-*` custom properties and `::part(...)`: box, title, frame,
 * qr, panel, icon, match-hint, match-number, status, manual, link, user-code,
 * countdown, button.
 */
import { subscribe } from './live-client.js';
import { loginLocale, loginText, type LoginLocale, type LoginTextKey } from './scanpass-login-texts.js';
import type { LiveSubscription } from './types.js';
import type { LiveGrant } from '../src/live/live-grant-schema.js';

export type ScanpassLoginState = 'loading' | 'pending' | 'scanned' | 'approved' | 'denied' | 'renewing' | 'expired' | 'error';

/** What the `start` URL answers: RFC 8628's device authorization response without `device_code`, plus `handle`. */
export interface ScanpassStartResponse {
  handle: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  /** The server's live grant (`expires_at` may be left out by an integrator's own `start` endpoint). */
  live: Omit<LiveGrant, 'expires_at'> & Partial<Pick<LiveGrant, 'expires_at'>>;
}

export interface ScanpassApprovedDetail {
  handle: string;
}
export interface ScanpassDeniedDetail {
  handle: string;
}
export interface ScanpassExpiredDetail {
  /** True when the element is getting a new code on its own; false when it waits for a click. */
  renewing: boolean;
}
export interface ScanpassErrorDetail {
  code: string;
  message: string;
}

const DEFAULT_MAX_RENEWALS = 10;

/**
 * The element's own styles. Adopted as a constructed stylesheet where the
 * browser can, because a page whose Content-Security-Policy has no
 * 'unsafe-inline' style-src (ours among them) blocks a `<style>` in the shadow root.
 */
const STYLES = /* css */ `
  :host {
    --scanpass-accent: #1a56c9;
    --scanpass-bg: #ffffff;
    --scanpass-text: #161b22;
    --scanpass-muted: #4a5361;
    --scanpass-border: #d5dbe3;
    --scanpass-danger: #a4161a;
    --scanpass-ok: #14622d;
    --scanpass-radius: 12px;
    display: inline-block;
    color: var(--scanpass-text);
    line-height: 1.45;
  }
  :host([hidden]), [hidden] { display: none !important; }
  .box {
    box-sizing: border-box;
    width: 18.5rem;
    max-width: 100%;
    padding: 1.25rem 1.25rem 1rem;
    background: var(--scanpass-bg);
    border: 1px solid var(--scanpass-border);
    border-radius: var(--scanpass-radius);
    box-shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 4px 16px rgb(16 24 40 / 6%);
    text-align: center;
  }
  .title { margin: 0 0 0.75rem; font-size: 1.1rem; font-weight: 600; }
  .frame {
    position: relative;
    display: grid;
    place-items: center;
    width: 200px;
    height: 200px;
    margin: 0 auto;
    border-radius: 8px;
    background: #ffffff;
  }
  .qr { display: block; width: 200px; height: 200px; transition: opacity 0.2s; }
  :host([data-state='renewing']) .qr { opacity: 0.2; }
  :host([data-state='loading']) .frame::after, :host([data-state='renewing']) .frame::after {
    content: '';
    position: absolute;
    width: 36px;
    height: 36px;
    border: 4px solid var(--scanpass-border);
    border-top-color: var(--scanpass-accent);
    border-radius: 50%;
    animation: spin 0.9s linear infinite;
  }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { .frame::after { animation-duration: 3s; } }
  .panel { display: flex; flex-direction: column; align-items: center; gap: 0.25rem; color: var(--scanpass-text); }
  .icon { font-size: 3.5rem; line-height: 1; font-weight: 700; }
  :host([data-state='approved']) .icon { color: var(--scanpass-ok); }
  :host([data-state='denied']) .icon, :host([data-state='error']) .icon { color: var(--scanpass-danger); }
  :host([data-state='expired']) .icon { color: var(--scanpass-muted); }
  .match-hint { margin: 0; font-size: 0.9rem; color: var(--scanpass-muted); }
  .match {
    margin: 0;
    font-size: 4.5rem;
    font-weight: 700;
    line-height: 1.1;
    letter-spacing: 0.06em;
    font-variant-numeric: tabular-nums;
    color: var(--scanpass-accent);
  }
  .status { min-height: 1.45em; margin: 0.75rem 0 0; }
  :host(:not([data-state='pending'])) .status { font-weight: 600; }
  :host([data-state='denied']) .status, :host([data-state='error']) .status { color: var(--scanpass-danger); }
  :host([data-state='approved']) .status { color: var(--scanpass-ok); }
  .manual-text { margin: 0.75rem 0 0; font-size: 0.85rem; color: var(--scanpass-muted); overflow-wrap: anywhere; }
  .link { color: var(--scanpass-accent); }
  .code {
    margin: 0.2rem 0 0;
    font: 600 1.4rem/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace;
    letter-spacing: 0.12em;
  }
  .countdown { margin: 0.5rem 0 0; font-size: 0.85rem; color: var(--scanpass-muted); font-variant-numeric: tabular-nums; }
  .button {
    margin-top: 0.75rem;
    padding: 0.55rem 1.1rem;
    font: inherit;
    font-weight: 600;
    color: #ffffff;
    background: var(--scanpass-accent);
    border: 0;
    border-radius: 8px;
    cursor: pointer;
  }
  .button:focus-visible { outline: 3px solid var(--scanpass-accent); outline-offset: 2px; }
`;

const MARKUP = /* html */ `
<section class="box" part="box">
  <h2 class="title" part="title"></h2>
  <div class="frame" part="frame">
    <img class="qr" part="qr" width="200" height="200" alt="" hidden />
    <div class="panel" part="panel" hidden>
      <div class="icon" part="icon" aria-hidden="true"></div>
      <p class="match-hint" part="match-hint" hidden></p>
      <p class="match" part="match-number" hidden></p>
    </div>
  </div>
  <p class="status" part="status" role="status" aria-live="polite"></p>
  <div class="manual" part="manual" hidden>
    <p class="manual-text"><span class="before"></span><a class="link" part="link" target="_blank" rel="noopener noreferrer"></a><span class="after"></span></p>
    <p class="code" part="user-code"></p>
  </div>
  <p class="countdown" part="countdown" hidden></p>
  <button class="button" part="button" type="button" hidden></button>
</section>`;

let sharedSheet: CSSStyleSheet | null | undefined;

/** One constructed stylesheet for every instance; null where the browser has none. */
function elementSheet(): CSSStyleSheet | null {
  if (sharedSheet !== undefined) return sharedSheet;
  try {
    sharedSheet = new CSSStyleSheet();
    sharedSheet.replaceSync(STYLES);
  } catch {
    sharedSheet = null;
  }
  return sharedSheet;
}

const ICONS: Partial<Record<ScanpassLoginState, string>> = { approved: '✓', denied: '✕', expired: '⟳', error: '!' };

class StartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function parseStart(value: unknown): ScanpassStartResponse {
  const o = value as Partial<ScanpassStartResponse> | null;
  if (
    !o ||
    typeof o.handle !== 'string' ||
    typeof o.user_code !== 'string' ||
    typeof o.verification_uri !== 'string' ||
    typeof o.expires_in !== 'number' ||
    typeof o.live?.channel !== 'string' ||
    typeof o.live.token !== 'string'
  ) {
    throw new StartError('bad_start_response', 'the start URL did not answer with a login request and a handle');
  }
  if ('device_code' in o) console.warn('scanpass-login: the start URL sent the device_code to the browser; keep it on your server');
  return o as ScanpassStartResponse;
}

function formatTime(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// Lets Node import this module (e.g. for its types) without a DOM; it only works in a browser.
const ElementBase = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

export class ScanpassLoginElement extends ElementBase {
  static readonly observedAttributes = ['server', 'start', 'lang'];

  private readonly els: {
    box: HTMLElement;
    title: HTMLElement;
    qr: HTMLImageElement;
    panel: HTMLElement;
    icon: HTMLElement;
    matchHint: HTMLElement;
    match: HTMLElement;
    status: HTMLElement;
    manual: HTMLElement;
    before: HTMLElement;
    link: HTMLAnchorElement;
    after: HTMLElement;
    code: HTMLElement;
    countdown: HTMLElement;
    button: HTMLButtonElement;
  };
  private current: { req: ScanpassStartResponse; deadline: number } | null = null;
  private live: LiveSubscription | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private pendingStart: AbortController | null = null;
  /** Bumped whenever a request is abandoned, so late callbacks of the old one are ignored. */
  private generation = 0;
  private renewals = 0;
  private connected = false;
  private stateValue: ScanpassLoginState = 'loading';
  private matchNumber: number | null = null;
  private buttonKey: LoginTextKey | null = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const sheet = elementSheet();
    if (sheet) {
      root.adoptedStyleSheets = [sheet];
      root.innerHTML = MARKUP;
    } else {
      root.innerHTML = `<style>${STYLES}</style>${MARKUP}`;
    }
    const q = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
    this.els = {
      box: q('.box'),
      title: q('.title'),
      qr: q<HTMLImageElement>('.qr'),
      panel: q('.panel'),
      icon: q('.icon'),
      matchHint: q('.match-hint'),
      match: q('.match'),
      status: q('.status'),
      manual: q('.manual'),
      before: q('.before'),
      link: q<HTMLAnchorElement>('.link'),
      after: q('.after'),
      code: q('.code'),
      countdown: q('.countdown'),
      button: q<HTMLButtonElement>('.button'),
    };
    this.els.button.addEventListener('click', () => this.restart());
  }

  /** Where the element is in its life; also reflected as the host's `data-state`. */
  get state(): ScanpassLoginState {
    return this.stateValue;
  }

  connectedCallback(): void {
    this.connected = true;
    this.restart();
  }

  disconnectedCallback(): void {
    this.connected = false;
    this.abandon();
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (name === 'lang') this.render();
    else if (this.connected && oldValue !== newValue) this.restart();
  }

  /** Starts over with a new login request (after a denial, or when your back end could not finish). */
  restart(): void {
    this.renewals = 0;
    void this.begin('loading');
  }

  private locale(): LoginLocale {
    const own = loginLocale(this.getAttribute('lang'));
    if (own) return own;
    const nav = (globalThis as { navigator?: { languages?: readonly string[]; language?: string } }).navigator;
    for (const tag of nav?.languages ?? [nav?.language ?? '']) {
      const l = loginLocale(tag);
      if (l) return l;
    }
    return 'en';
  }

  private serverUrl(): string | null {
    const s = this.getAttribute('server')?.trim();
    return s ? s.replace(/\/+$/, '') : null;
  }

  private async begin(state: 'loading' | 'renewing'): Promise<void> {
    this.abandon();
    const gen = this.generation;
    this.setState(state);
    const server = this.serverUrl();
    const start = this.getAttribute('start');
    if (!server || !start) return this.fail('config', '<scanpass-login> needs the server and start attributes');

    const abort = (this.pendingStart = new AbortController());
    let req: ScanpassStartResponse;
    try {
      const res = await fetch(start, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{}',
        credentials: 'same-origin',
        signal: abort.signal,
      });
      if (!res.ok) throw new StartError('start_failed', `${start} answered ${res.status}`);
      req = parseStart(await res.json());
    } catch (err) {
      if (gen !== this.generation) return;
      const e = err instanceof StartError ? err : new StartError('network', err instanceof Error ? err.message : String(err));
      return this.fail(e.code, e.message);
    }
    if (gen !== this.generation) return;
    this.pendingStart = null;
    this.show(req, server, gen);
  }

  private show(req: ScanpassStartResponse, server: string, gen: number): void {
    this.current = { req, deadline: Date.now() + req.expires_in * 1000 };
    this.setAttribute('data-user-code', req.user_code);
    this.setAttribute('data-verification-uri', req.verification_uri);
    this.els.qr.src = `${server}/oauth/device/qr/${encodeURIComponent(req.user_code)}?format=svg`;
    this.els.link.href = req.verification_uri_complete ?? req.verification_uri;
    this.els.link.textContent = req.verification_uri.replace(/^https?:\/\//, '');
    this.els.code.textContent = req.user_code;
    this.setState('pending');
    this.timer = setInterval(() => this.tick(), 1000);
    this.live = subscribe(
      req.live.channel,
      req.live.token,
      (s) => {
        if (gen === this.generation) this.onLive(s.type, s.data as { match_number?: unknown } | null);
      },
      {
        url: server,
        // invalid or expired channel token, or a purged request: this code is over.
        onError: (e) => {
          if (gen === this.generation && e.terminal) this.expire();
        },
      },
    );
  }

  private onLive(type: string, data: { match_number?: unknown } | null): void {
    switch (type) {
      case 'scanned':
        this.renewals = 0; // someone is here: keep renewing for them
        this.matchNumber = typeof data?.match_number === 'number' ? data.match_number : null;
        this.setState('scanned');
        break;
      case 'approved':
      case 'redeemed':
        this.stopLive();
        if (this.stateValue === 'approved') return;
        this.setState('approved');
        this.emit<ScanpassApprovedDetail>('scanpass-approved', { handle: this.current!.req.handle });
        break;
      case 'denied':
        this.stopLive();
        this.setState('denied', 'tryAgain');
        this.emit<ScanpassDeniedDetail>('scanpass-denied', { handle: this.current!.req.handle });
        break;
      case 'expired':
        this.expire();
        break;
    }
  }

  private tick(): void {
    if (!this.current) return;
    if (Date.now() >= this.current.deadline) this.expire();
    else this.render();
  }

  /** The code ran out: get a new one, unless that happened too often in a row without anyone scanning. */
  private expire(): void {
    if (this.stateValue !== 'pending' && this.stateValue !== 'scanned') return;
    this.stopLive();
    const max = Number.parseInt(this.getAttribute('max-renewals') ?? '', 10);
    if (this.renewals >= (Number.isFinite(max) && max >= 0 ? max : DEFAULT_MAX_RENEWALS)) {
      this.setState('expired', 'newCode');
      this.emit<ScanpassExpiredDetail>('scanpass-expired', { renewing: false });
      return;
    }
    this.renewals++;
    this.setState('renewing');
    const gen = this.generation;
    this.emit<ScanpassExpiredDetail>('scanpass-expired', { renewing: true });
    if (gen === this.generation) void this.begin('renewing'); // unless a listener restarted it
  }

  private fail(code: string, message: string): void {
    this.setState('error', 'tryAgain');
    this.emit<ScanpassErrorDetail>('scanpass-error', { code, message });
  }

  private stopLive(): void {
    this.live?.unsubscribe();
    this.live = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Drops the current request (and any start under way) without a word to anyone. */
  private abandon(): void {
    this.generation++;
    this.stopLive();
    this.pendingStart?.abort();
    this.pendingStart = null;
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private setState(state: ScanpassLoginState, button: LoginTextKey | null = null): void {
    this.stateValue = state;
    this.buttonKey = button;
    if (state !== 'scanned') this.matchNumber = null;
    this.setAttribute('data-state', state);
    if (this.matchNumber === null) this.removeAttribute('data-match-number');
    else this.setAttribute('data-match-number', String(this.matchNumber));
    this.render();
  }

  private render(): void {
    const locale = this.locale();
    const t = (key: LoginTextKey, vars?: Record<string, string>) => loginText(locale, key, vars);
    const { els } = this;
    const s = this.stateValue;
    els.box.lang = locale;
    els.title.textContent = t('title');

    const showQr = s === 'pending' || s === 'renewing';
    els.qr.hidden = !showQr;
    els.qr.alt = t('qrAlt');
    els.panel.hidden = showQr || s === 'loading';
    els.icon.textContent = ICONS[s] ?? '';
    els.icon.hidden = s === 'scanned';
    els.matchHint.hidden = els.match.hidden = s !== 'scanned' || this.matchNumber === null;
    els.matchHint.textContent = t('matchHint');
    els.match.textContent = this.matchNumber === null ? '' : String(this.matchNumber);

    const status: Record<ScanpassLoginState, LoginTextKey> = {
      loading: 'loading',
      pending: 'scanHint',
      scanned: 'scanned',
      approved: 'approved',
      denied: 'denied',
      renewing: 'renewing',
      expired: 'expired',
      error: 'error',
    };
    const text = t(status[s]);
    if (els.status.textContent !== text) els.status.textContent = text;

    els.manual.hidden = !showQr;
    const [before = '', after = ''] = t('manual').split('{uri}');
    els.before.textContent = before;
    els.after.textContent = after;

    const counting = (s === 'pending' || s === 'scanned') && this.current !== null;
    els.countdown.hidden = !counting;
    if (counting) els.countdown.textContent = t('expiresIn', { time: formatTime(this.current!.deadline - Date.now()) });

    els.button.hidden = this.buttonKey === null;
    if (this.buttonKey) els.button.textContent = t(this.buttonKey);
  }
}

/** Registers the element (once) under `name`, `scanpass-login` by default. */
export function defineScanpassLogin(name = 'scanpass-login'): void {
  if (!customElements.get(name)) customElements.define(name, name === 'scanpass-login' ? ScanpassLoginElement : class extends ScanpassLoginElement {});
}

declare global {
  interface HTMLElementTagNameMap {
    'scanpass-login': ScanpassLoginElement;
  }
}
