/**
 * /pass: the attendee's check-in code.
 *
 * `/pass?event=<id>` for a signed-in attendee (a 401 sends them to sign in
 * first) or `/pass?link=<token>` for the personal link an organiser sent.
 * The API returns the codes of the next few minutes; the page shows the one
 * whose 15 s window the (server-corrected) clock is in, switches at each
 * window boundary, fetches more before they run out, and keeps going from the
 * list it has while the network is down. Each scan of the code (ok or refused)
 * arrives pushed on the `pass:` channel and is shown at once.
 */
import QRCode from 'qrcode';
import { createLiveClient, type LiveSubscription } from '../client/index.js';
import { ApiError } from './lib/api.js';
import { fetchPassByLink, fetchPassForEvent, type Pass, type PassCode, type PassState } from './lib/checkin-api.js';
import { getLocale, onLocaleChange, setText, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showError } from './lib/page.js';

initPage();

const params = new URLSearchParams(location.search);
const eventId = params.get('event');
const linkToken = params.get('link');

const status = byId('pass-status');
const errorBox = byId('pass-error');
const codeBox = byId('pass-code-box');
const canvas = byId<HTMLCanvasElement>('pass-code');
const countdown = byId('pass-countdown');
const bar = byId('pass-countdown-bar');
const offlineBadge = byId('pass-offline');
const resultBox = byId('pass-result');
const historyList = byId('pass-history');

/** Fetch more codes when fewer than this many windows are left (2 minutes). */
const REFILL_BELOW = 8;
/** Retry a failed fetch this often while offline. */
const RETRY_MS = 10_000;

let pass: Pass | null = null;
/** The latest pass state (from the API or pushed). */
let state: PassState | null = null;
let codes: PassCode[] = [];
/** Server clock minus this phone's clock. */
let skewMs = 0;
let shownWindow = -1;
let fetching: Promise<void> | null = null;
let lastFetchFailedAt = 0;
let sub: LiveSubscription | undefined;
const live = createLiveClient();

const now = () => Date.now() + skewMs;

const fmtTime = (ms: number) => new Intl.DateTimeFormat(getLocale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);

function load(): Promise<Pass> {
  if (linkToken) return fetchPassByLink(linkToken);
  return fetchPassForEvent(eventId!);
}

function setOffline(on: boolean): void {
  show(offlineBadge, on);
  document.body.dataset.offline = String(on);
}

/** Gets a fresh pass (codes, state, live token); on failure keeps the codes it has. */
function refresh(): Promise<void> {
  fetching ??= (async () => {
    const sentAt = Date.now();
    try {
      const p = await load();
      // The server's clock at the midpoint of the request, against ours.
      skewMs = p.server_time - (sentAt + Date.now()) / 2;
      const first = pass === null;
      pass = p;
      codes = p.codes;
      setOffline(false);
      if (first) renderStatic(p);
      renderState(p, false);
      subscribe(p);
    } catch (err) {
      lastFetchFailedAt = Date.now();
      if (err instanceof ApiError && err.status === 401 && !linkToken) {
        location.replace(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
        return;
      }
      if (err instanceof ApiError && err.status > 0) {
        // The server answered: no such pass (or a bad link). Not a network problem.
        if (!pass) {
          show(status, false);
          const key: MessageKey | null = err.status === 404 ? (linkToken ? 'pass.notFound' : 'pass.notRegistered') : null;
          if (key) {
            setText(errorBox, key);
            show(errorBox);
          } else showError(errorBox, err);
        }
        return;
      }
      setOffline(true);
      if (!pass) showError(errorBox, err);
    } finally {
      fetching = null;
    }
  })();
  return fetching;
}

function renderStatic(p: Pass): void {
  show(status, false);
  show(errorBox, false);
  byId('pass-event').textContent = p.event.name;
  byId('pass-name').textContent = p.attendee.name;
  show(byId('pass-details'));
  const list = byId('pass-sessions');
  list.replaceChildren(
    ...p.sessions.map((s) => {
      const li = document.createElement('li');
      li.dataset.sessionId = s.id;
      const d = new Intl.DateTimeFormat(getLocale(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
      li.textContent = `${s.name} · ${d.format(s.starts_at)}${s.place ? ` · ${s.place}` : ''}`;
      return li;
    }),
  );
}

/** The latest scan and the list of check-ins; `fresh`: it just arrived, so show the result. */
function renderState(s: PassState, fresh: boolean): void {
  state = s;
  if (s.attendee.revoked) {
    codes = [];
    setText(errorBox, 'pass.revoked');
    show(errorBox);
  }
  historyList.replaceChildren(
    ...[...s.checkins].reverse().map((c) => {
      const li = document.createElement('li');
      li.dataset.checkinId = c.id;
      li.dataset.sessionId = c.session.id;
      const main = document.createElement('span');
      setText(main, c.gate ? 'pass.historyGate' : 'pass.historyItem', { session: c.session.name, time: fmtTime(c.at), ...(c.gate ? { gate: c.gate } : {}) });
      li.append(main);
      if (c.exited_at !== null) {
        const out = document.createElement('span');
        out.className = 'hint';
        setText(out, 'pass.exited', { time: fmtTime(c.exited_at) });
        li.append(' · ', out);
      }
      return li;
    }),
  );
  show(byId('pass-history-empty'), s.checkins.length === 0);
  if (fresh && s.last_scan) showResult(s.last_scan);
}

let resultTimer: ReturnType<typeof setTimeout> | undefined;

function showResult(scan: NonNullable<PassState['last_scan']>): void {
  const ok = scan.result === 'ok';
  resultBox.dataset.result = ok ? 'ok' : 'rejected';
  resultBox.dataset.reason = scan.reason ?? '';
  resultBox.dataset.sessionId = scan.session.id;
  resultBox.dataset.at = String(scan.at);
  byId('pass-result-icon').textContent = ok ? '✓' : '✕';
  setText(byId('pass-result-heading'), ok ? 'pass.resultOk' : 'pass.resultRejected');
  const reason = byId('pass-result-reason');
  if (!ok && scan.reason) setText(reason, `checkin.reason.${scan.reason}` as MessageKey);
  else {
    reason.textContent = '';
    delete reason.dataset.i18n;
  }
  setText(byId('pass-result-where'), scan.gate ? 'pass.resultGate' : 'pass.resultWhere', { session: scan.session.name, time: fmtTime(scan.at), ...(scan.gate ? { gate: scan.gate } : {}) });
  show(resultBox);
  navigator.vibrate?.(ok ? 80 : [60, 60, 60]);
  // The result stays a while, then the code takes the eye again (it stays in the history).
  clearTimeout(resultTimer);
  resultTimer = setTimeout(() => show(resultBox, false), 60_000);
}

function subscribe(p: Pass): void {
  if (sub && sub.status !== 'closed') return;
  sub = live.subscribe<PassState>(p.live.channel, p.live.token, (s) => renderState(s.data, true), {
    after: Math.max(p.version, sub?.version ?? 0),
    onError: (e) => {
      // An expired token: the next refresh brings a new one and subscribes again.
      if (e.terminal) void refresh();
    },
  });
}

/** The code of the window the clock is in now, or null when the list ran out. */
function currentCode(t: number): PassCode | null {
  return codes.find((c) => c.shown_from <= t && t < c.shown_until) ?? null;
}

async function draw(code: PassCode): Promise<void> {
  // Drawn large, shown at most 300 CSS px wide (styles/checkin.css): crisp on any screen.
  await QRCode.toCanvas(canvas, code.code, { errorCorrectionLevel: 'M', margin: 4, width: 600, color: { dark: '#000000', light: '#ffffff' } });
  // toCanvas sets an inline size; the stylesheet decides how big it looks.
  canvas.style.removeProperty('width');
  canvas.style.removeProperty('height');
  canvas.dataset.code = code.code;
  canvas.dataset.window = String(code.window);
}

function tick(): void {
  const t = now();
  const c = currentCode(t);
  if (!c) {
    if (pass && codes.length === 0 && pass.attendee.revoked) show(codeBox, false);
    else if (pass) {
      show(codeBox, false);
      if (!errorBox.dataset.i18n || errorBox.hidden) {
        setText(errorBox, 'pass.noCodes');
        show(errorBox);
      }
    }
    shownWindow = -1;
  } else {
    if (c.window !== shownWindow) {
      shownWindow = c.window;
      void draw(c);
      if (errorBox.dataset.i18n === 'pass.noCodes') show(errorBox, false);
    }
    show(codeBox);
    const left = Math.max(0, c.shown_until - t);
    bar.style.transform = `scaleX(${(left / (c.shown_until - c.shown_from)).toFixed(3)})`;
    setText(countdown, 'pass.changesIn', { seconds: Math.ceil(left / 1000) });
  }
  // More codes before they run out (not hammering the server while it is unreachable).
  const ahead = codes.filter((x) => x.shown_until > t).length;
  if (pass && ahead < REFILL_BELOW && !fetching && Date.now() - lastFetchFailedAt > RETRY_MS) void refresh();
}

onLocaleChange(() => {
  if (pass) renderStatic(pass);
  if (state) renderState(state, false);
});
window.addEventListener('online', () => void refresh());
window.addEventListener('offline', () => setOffline(true));
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) tick();
});

if (!eventId && !linkToken) {
  show(status, false);
  setText(errorBox, 'pass.missing');
  show(errorBox);
} else {
  void refresh().then(tick);
  setInterval(tick, 250);
}
