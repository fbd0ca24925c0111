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
import { fetchPassByLink, fetchPassForEvent, type LastScan, type Pass, type PassCheckin, type PassCode, type PassState } from './lib/checkin-api.js';
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
  renderSessions(p, state ?? p);
}

/** The attendee's live (not undone) check-in for a session, if any; the latest when there are several. */
function checkinFor(s: PassState, sessionId: string): PassCheckin | null {
  let found: PassCheckin | null = null;
  for (const c of s.checkins) if (c.session.id === sessionId && (!found || c.at >= found.at)) found = c;
  return found;
}

/**
 * Each session with its own check-in state, read from the pass's check-ins
 * alone: a later refused scan does not change it, and an undo (which removes
 * the check-in) makes it read "not checked in" again.
 */
function renderSessions(p: Pass, s: PassState): void {
  const d = new Intl.DateTimeFormat(getLocale(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  byId('pass-sessions').replaceChildren(
    ...p.sessions.map((session) => {
      const li = document.createElement('li');
      li.dataset.sessionId = session.id;
      const name = document.createElement('span');
      name.textContent = `${session.name} · ${d.format(session.starts_at)}${session.place ? ` · ${session.place}` : ''}`;
      const standing = document.createElement('span');
      standing.className = 'pass-session-state';
      standing.dataset.testid = 'pass-session-state';
      const c = checkinFor(s, session.id);
      if (!c) {
        li.dataset.state = 'not_checked_in';
        setText(standing, 'pass.sessionNotIn');
      } else if (c.exited_at !== null) {
        li.dataset.state = 'exited';
        setText(standing, 'pass.sessionExited', { time: fmtTime(c.at), left: fmtTime(c.exited_at) });
      } else {
        li.dataset.state = 'checked_in';
        setText(standing, c.gate ? 'pass.sessionInGate' : 'pass.sessionIn', { time: fmtTime(c.at), ...(c.gate ? { gate: c.gate } : {}) });
      }
      li.append(name, standing);
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
  if (pass) renderSessions(pass, s);
  // The latest scan is an event, shown apart from the sessions' state; a push that did not
  // come from a new scan (an undo, a resync) does not show the old scan again as if it were new.
  const key = s.last_scan ? scanKey(s.last_scan) : null;
  if (fresh && s.last_scan && key !== shownScan) showResult(s.last_scan);
  else if (s.last_scan && key === shownScan && !resultBox.hidden) showResult(s.last_scan, false);
  shownScan = key;
}

/** Identifies one scan of the pass (the channel carries no scan id). */
const scanKey = (scan: LastScan) => `${scan.at}|${scan.session.id}|${scan.result}|${scan.reason ?? ''}|${scan.gate ?? ''}|${scan.direction}`;

let resultTimer: ReturnType<typeof setTimeout> | undefined;
/** The scan the page has already shown (or found on load), so a re-push is not announced again. */
let shownScan: string | null = null;

/**
 * The latest scan, labelled as such ("Last scan 14:02: refused"), with the
 * session's own state beside it when a refusal left the attendee checked in.
 * `announce`: a new scan (vibrate, restart the timer); false just re-renders.
 */
function showResult(scan: LastScan, announce = true): void {
  const ok = scan.result === 'ok';
  resultBox.dataset.result = ok ? 'ok' : 'rejected';
  resultBox.dataset.reason = scan.reason ?? '';
  resultBox.dataset.sessionId = scan.session.id;
  resultBox.dataset.at = String(scan.at);
  byId('pass-result-icon').textContent = ok ? '✓' : '✕';
  const heading: MessageKey = !ok ? 'pass.lastScanRefused' : scan.direction === 'exit' ? 'pass.lastScanExit' : 'pass.lastScanOk';
  setText(byId('pass-result-heading'), heading, { time: fmtTime(scan.at) });
  const reason = byId('pass-result-reason');
  if (!ok && scan.reason) setText(reason, `checkin.reason.${scan.reason}` as MessageKey);
  else {
    reason.textContent = '';
    delete reason.dataset.i18n;
  }
  setText(byId('pass-result-where'), scan.gate ? 'pass.lastScanGate' : 'pass.lastScanWhere', { session: scan.session.name, ...(scan.gate ? { gate: scan.gate } : {}) });
  // A refusal does not undo a check-in: say so where the refusal is read.
  const standing = byId('pass-result-standing');
  const c = !ok && state ? checkinFor(state, scan.session.id) : null;
  if (c && c.exited_at === null) {
    resultBox.dataset.standing = 'checked_in';
    setText(standing, 'pass.stillIn', { session: scan.session.name, time: fmtTime(c.at) });
    show(standing);
  } else {
    delete resultBox.dataset.standing;
    standing.textContent = '';
    delete standing.dataset.i18n;
    show(standing, false);
  }
  show(resultBox);
  if (!announce) return;
  navigator.vibrate?.(ok ? 80 : [60, 60, 60]);
  // The result stays a while, then the code takes the eye again (the sessions keep their state).
  clearTimeout(resultTimer);
  resultTimer = setTimeout(() => show(resultBox, false), 60_000);
}

function subscribe(p: Pass): void {
  if (sub && sub.status !== 'closed') return;
  sub = live.subscribe<PassState>(p.live.channel, p.live.token, (s) => renderState(s.data, true), {
    after: Math.max(p.version, sub?.version ?? 0),
    // The token runs out: the SDK asks the API again (a replaced link or a sign-out refuses) and goes on.
    renew: async () => (await load()).live.token,
    onError: (e) => {
      // Revoked, or the renewal refused: a refresh says why (or brings a new token and subscribes again).
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
