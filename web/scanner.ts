/**
 * /scanner: the staff check-in scanner (online mode).
 *
 * Who scans: the signed-in staff account (cookie + CSRF), or a provisioned
 * device whose token this browser keeps (`/scanner?device_token=spd_...` stores
 * it once and takes it out of the address bar). Staff pick the session, the
 * camera scans continuously (web/lib/scanner), and every new code, from the
 * camera or a keyboard-wedge scanner, goes to `POST /api/v1/checkins`; the
 * answer fills the screen (readable from two metres on a tablet): green for
 * admitted, amber for "already checked in" (a person to look at, not an
 * alarm), red for a refusal, with the attendee's name, the organiser's note,
 * their sessions and the reason in words, with sound and vibration. Staff can
 * also type a code or find someone by name right here. Kiosk mode goes back
 * to scanning by itself. The session's counts follow the `session:` channel;
 * a session not open yet says when it opens (the console's same state).
 *
 * URL options: `?session=<id>` preselect, `?kiosk=1`, `?hold=ms` result time in kiosk mode.
 */
import { createLiveClient, type LiveSubscription } from '../client/index.js';
import { ApiError, getMe } from './lib/api.js';
import { errorMessage } from './lib/errors.js';
import { deviceToken, scannerApi, setDeviceToken, type Counts, type ScanAnswer, type ScannerSession, type ScannerSessions } from './lib/checkin-api.js';
import { getLocale, onLocaleChange, setText, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showError } from './lib/page.js';
import { feedback, unlockAudioOnFirstGesture } from './lib/scanner/feedback.js';
import type { ScanSource } from './lib/scanner/scan-loop.js';
import { mountScannerView, numberParam } from './lib/scanner/scanner-view.js';
import { mountOfflineScanner } from './lib/offline/offline-scanner.js';
import { mountScannerSearch } from './lib/scanner/scanner-search.js';
import { opensText, windowText } from './lib/session-window-text.js';

initPage();
unlockAudioOnFirstGesture();

const SESSION_KEY = 'scanpass_scanner_session';

// A one-time provisioning link: keep the token, then take it out of the address bar (and history).
{
  const url = new URL(location.href);
  const token = url.searchParams.get('device_token');
  if (token) {
    setDeviceToken(token);
    url.searchParams.delete('device_token');
    history.replaceState(history.state, '', url);
  }
}

const params = new URLSearchParams(location.search);

const who = byId('who');
const setupError = byId('setup-error');
const picker = byId<HTMLSelectElement>('session-picker');
const countsLine = byId('session-counts');
const resultBox = byId('scan-result');
const historyList = byId('history');

let sessions: ScannerSession[] = [];
let sessionId: string | null = null;
let countsSub: LiveSubscription | undefined;
const live = createLiveClient();

// 24-hour, like "opens at 18:30": one clock on the whole page.
const fmtTime = (ms: number) => new Intl.DateTimeFormat(getLocale(), { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms);

// ---- the answer ---------------------------------------------------------------

/** ok: green; warn: amber (already checked in: look at the person, not an alarm); refused: red. */
type ResultState = 'ok' | 'warn' | 'refused';

function clearText(el: HTMLElement): void {
  el.textContent = '';
  delete el.dataset.i18n;
  delete el.dataset.i18nVars;
}

let resultTimer: ReturnType<typeof setTimeout> | undefined;

/** The result fills the screen; in staff mode a tap anywhere (or "Scan next") goes on. */
function presentResult(state: ResultState): void {
  resultBox.dataset.state = state;
  // With the camera, "Scan next" is on the result (staff mode); without it, a tap anywhere is the way on.
  show(byId('scan-next-hint'), !view.loop);
  show(resultBox);
  feedback(state === 'ok' ? 'ok' : 'refused');
  // No camera (a keyboard scanner alone) in kiosk mode: nobody taps, so the result goes by itself.
  clearTimeout(resultTimer);
  if (!view.loop && byId<HTMLInputElement>('kiosk').checked) resultTimer = setTimeout(() => show(resultBox, false), numberParam(params, 'hold') ?? 2500);
}

function showAnswer(a: ScanAnswer): void {
  const ok = a.result === 'ok';
  const state: ResultState = ok ? 'ok' : a.reason === 'already_checked_in' ? 'warn' : 'refused';
  resultBox.dataset.result = a.result;
  resultBox.dataset.status = ok ? 'ok' : 'refused';
  resultBox.dataset.reason = a.reason ?? '';
  byId('scan-result-icon').textContent = state === 'ok' ? '✓' : state === 'warn' ? '!' : '✕';
  setText(byId('scan-result-heading'), ok ? (a.action === 're_enter' ? 'checkin.okReenter' : 'checkin.ok') : state === 'warn' ? 'checkin.already' : 'checkin.rejected');
  const name = byId('scan-name');
  if (a.attendee) {
    name.textContent = a.attendee.name;
    delete name.dataset.i18n;
  } else if (ok) name.textContent = '';
  else setText(name, 'checkin.unknownPerson');
  const reason = byId('scan-reason');
  if (a.reason) setText(reason, `checkin.reason.${a.reason}` as MessageKey);
  else clearText(reason);
  const previous = byId('scan-previous');
  const opensAt = a.opens_at ?? sessions.find((s) => s.id === a.session_id)?.opens_at;
  if (a.reason === 'already_checked_in' && a.checkin) {
    setText(previous, a.checkin.gate ? 'checkin.previousGate' : 'checkin.previous', { time: fmtTime(a.checkin.at), ...(a.checkin.gate ? { gate: a.checkin.gate } : {}) });
  } else if (a.reason === 'not_yet_open' && opensAt !== undefined) {
    const { key, vars } = opensText(opensAt, Date.now());
    setText(previous, key, vars);
  } else clearText(previous);
  const note = byId('scan-note');
  if (a.attendee?.note) setText(note, 'checkin.note', { note: a.attendee.note });
  else clearText(note);
  show(note, Boolean(a.attendee?.note));
  const sessionsLine = byId('scan-sessions');
  if (a.attendee?.sessions?.length) setText(sessionsLine, 'checkin.sessionsOf', { sessions: a.attendee.sessions.map((s) => s.name).join(' · ') });
  else clearText(sessionsLine);
  presentResult(state);
}

function showNetworkFailure(err: unknown): void {
  resultBox.dataset.result = 'error';
  resultBox.dataset.status = 'refused';
  resultBox.dataset.reason = err instanceof ApiError ? err.code : 'unknown';
  byId('scan-result-icon').textContent = '!';
  setText(byId('scan-result-heading'), 'checkin.rejected');
  const name = byId('scan-name');
  name.textContent = '';
  delete name.dataset.i18n;
  const reason = byId('scan-reason');
  if (err instanceof ApiError && err.code === 'network_error') setText(reason, 'checkin.retry');
  else {
    const { key, vars } = errorMessage(err);
    setText(reason, key, vars);
  }
  for (const id of ['scan-previous', 'scan-note', 'scan-sessions']) clearText(byId(id));
  show(byId('scan-note'), false);
  presentResult('refused');
}

function addHistory(a: ScanAnswer | null, source: ScanSource): void {
  show(byId('history-box'));
  const li = document.createElement('li');
  li.dataset.source = source;
  li.dataset.result = a?.result ?? 'error';
  if (a?.reason) li.dataset.reason = a.reason;
  const what = document.createElement('span');
  what.textContent = `${fmtTime(a?.scanned_at ?? Date.now())} · ${a?.attendee?.name ?? '—'}`;
  const why = document.createElement('span');
  why.className = 'hint';
  if (a) setText(why, a.reason ? (`checkin.reason.${a.reason}` as MessageKey) : a.action === 're_enter' ? 'checkin.okReenter' : 'checkin.ok');
  else setText(why, 'checkin.retry');
  li.append(what, ' · ', why);
  historyList.prepend(li);
  while (historyList.children.length > 20) historyList.lastElementChild?.remove();
}

/** Offline: decided here with the event's key and attendee list, queued, uploaded when the network is back. */
const offline = mountOfflineScanner({ call: scannerApi, gate: params.get('gate') ?? undefined, onFatal: (err) => setupFailed(err) });

/** A new code from the camera or a keyboard scanner: ask the server (or, offline, decide here), show the answer. */
async function onCode(text: string, source: ScanSource): Promise<void> {
  if (!sessionId) return;
  // One nonce per scan: a retry (or the upload of a scan decided offline) never checks in twice.
  const scan = { code: text, session_id: sessionId, nonce: crypto.randomUUID(), direction: 'entry' as const, scanned_at: Date.now() };
  const byName = source === 'search';
  if (!byName && offline.offlineNow(sessionId)) return decidedOffline(await offline.decide(scan), source);
  try {
    // A name search's "check in" names the attendee (text is their id): decided and recorded like a scan.
    const a = byName
      ? await scannerApi<ScanAnswer>('POST', '/api/v1/checkins/manual', { attendee_id: text, session_id: sessionId, nonce: scan.nonce, direction: 'entry' })
      : await scannerApi<ScanAnswer>('POST', '/api/v1/checkins', scan);
    offline.remember(a);
    showAnswer(a);
    offline.markResult(false);
    addHistory(a, source);
    if (byName) refreshSearch();
  } catch (err) {
    offline.markResult(false);
    if (!byName && err instanceof ApiError && err.code === 'network_error' && offline.canDecide(scan.session_id)) return decidedOffline(await offline.decide(scan), source);
    // Nothing was counted: the same code may be scanned again at once.
    view.loop?.resetDedupe();
    showNetworkFailure(err);
    addHistory(null, source);
    if (err instanceof ApiError && (err.code === 'device_revoked' || err.status === 401)) setupFailed(err);
  }
}

function decidedOffline(a: ScanAnswer, source: ScanSource): void {
  showAnswer(a);
  offline.markResult(true);
  addHistory(a, source);
}

const view = mountScannerView({
  onCode,
  enabled: () => Boolean(sessionId),
  kiosk: params.get('kiosk') === '1',
  resultMs: numberParam(params, 'hold'),
  onDecoder: (d) => {
    document.body.dataset.decoder = d.kind;
  },
});

// The result fills the screen: "Scan next" goes into it, and in staff mode a tap anywhere on it goes on.
resultBox.append(byId('scan-next'));
resultBox.addEventListener('click', () => {
  if (view.loop?.state === 'result') view.loop.resume();
  else if (!view.loop) show(resultBox, false); // no camera (keyboard or typing alone): nothing else would hide it
});

// ---- typing a code, finding by name -------------------------------------------

const typeForm = byId<HTMLFormElement>('type-form');
const typeInput = byId<HTMLInputElement>('type-code');
typeForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const code = typeInput.value.trim();
  if (!code) return typeInput.focus();
  typeInput.value = '';
  view.submit(code, 'typed');
});

const refreshSearch = mountScannerSearch({ sessionId: () => sessionId, onCheckIn: (id) => view.submit(id, 'search') });

// ---- session, its window and counts ----------------------------------------------

const windowLine = byId('session-window');

/** Not open yet ("Check-in opens at 18:30") or closed; the same state the console shows (domain/session-window). */
function renderWindow(): void {
  const s = sessions.find((x) => x.id === sessionId);
  if (!s) return show(windowLine, false);
  const { state, key, vars } = windowText(s, Date.now(), true);
  windowLine.dataset.windowState = state.state;
  document.body.dataset.windowState = state.state;
  setText(windowLine, key, vars);
  show(windowLine, state.state !== 'open');
}
// The window opens and ends by the clock.
setInterval(renderWindow, 15_000);

/** Closed or reopened by an organiser meanwhile: the counts' snapshot carries the session's flag. */
function followClosed(id: string, data: { session?: { closed?: boolean } }): void {
  const s = sessions.find((x) => x.id === id);
  if (s && typeof data.session?.closed === 'boolean' && s.closed !== data.session.closed) {
    s.closed = data.session.closed;
    renderWindow();
  }
}

function renderCounts(c: Counts['counts']): void {
  countsLine.dataset.checkedIn = String(c.checked_in);
  countsLine.dataset.expected = String(c.expected);
  setText(countsLine, 'checkin.counts', { checked_in: c.checked_in, expected: c.expected, inside: c.inside });
}

async function watchCounts(id: string): Promise<void> {
  countsSub?.unsubscribe();
  countsSub = undefined;
  countsLine.textContent = '';
  try {
    const c = await scannerApi<Counts>('GET', `/api/v1/sessions/${encodeURIComponent(id)}/counts`);
    if (sessionId !== id) return;
    renderCounts(c.counts);
    followClosed(id, c);
    countsSub = live.subscribe<{ counts: Counts['counts']; session?: { closed?: boolean } }>(
      c.live.channel,
      c.live.token,
      (s) => {
        renderCounts(s.data.counts);
        followClosed(id, s.data);
      },
      {
      after: c.version,
      // The token runs out (a long shift): the SDK asks the API again (which checks the device or staff right) and goes on.
      renew: async () => (sessionId === id ? (await scannerApi<Counts>('GET', `/api/v1/sessions/${encodeURIComponent(id)}/counts`)).live.token : null),
      // Access revoked or renewal refused: start over; a revoked scanner finds out from the API.
      onError: (e) => {
        if (e.terminal && sessionId === id) setTimeout(() => void watchCounts(id), 1000);
      },
    });
  } catch (err) {
    console.warn('scanner: counts unavailable', err);
  }
}

function pick(id: string): void {
  if (!sessions.some((s) => s.id === id)) return;
  sessionId = id;
  picker.value = id;
  try {
    localStorage.setItem(SESSION_KEY, id);
  } catch {
    // storage disabled
  }
  document.body.dataset.sessionId = id;
  void offline.prepare(sessions.find((s) => s.id === id)!);
  view.loop?.resetDedupe();
  renderWindow();
  show(byId('scan-area'));
  show(byId('desk-box'));
  refreshSearch();
  void watchCounts(id);
  if (!view.cameraOn) view.begin();
  else if (view.loop?.state === 'result') view.loop.resume();
}

function renderPicker(): void {
  const d = new Intl.DateTimeFormat(getLocale(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const prompt = document.createElement('option');
  prompt.value = '';
  prompt.disabled = true;
  prompt.textContent = `— ${byId('picker-box').querySelector('label')!.textContent} —`;
  picker.replaceChildren(
    prompt,
    ...sessions.map((s) => {
      const o = document.createElement('option');
      o.value = s.id;
      o.textContent = `${s.name} · ${d.format(s.starts_at)}${s.place ? ` · ${s.place}` : ''} (${s.event_name})`;
      return o;
    }),
  );
  picker.value = sessionId ?? '';
}

function setupFailed(err: unknown): void {
  view.stop();
  show(byId('scan-area'), false);
  show(byId('picker-box'), false);
  show(byId('desk-box'), false);
  if (err instanceof ApiError && (err.code === 'device_revoked' || (err.status === 401 && deviceToken()))) setText(setupError, 'checkin.deviceRevoked');
  else showError(setupError, err);
  show(setupError);
}

async function setup(): Promise<void> {
  try {
    if (!deviceToken()) {
      const me = await getMe();
      if (!me) {
        location.replace(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
        return;
      }
    }
    const out = await scannerApi<ScannerSessions>('GET', '/api/v1/scanner/sessions');
    sessions = out.sessions;
    setText(who, out.scanner.kind === 'device' ? 'checkin.device' : 'checkin.signedInAs', { name: out.scanner.name });
    document.body.dataset.scanner = out.scanner.kind;
    show(byId('forget-device'), out.scanner.kind === 'device');
    if (sessions.length === 0) {
      setText(setupError, 'checkin.noSessions');
      show(setupError);
      return;
    }
    show(byId('picker-box'));
    renderPicker();
    let saved: string | null = null;
    try {
      saved = localStorage.getItem(SESSION_KEY);
    } catch {
      saved = null;
    }
    const wanted = params.get('session') ?? saved;
    const preset = sessions.find((s) => s.id === wanted) ?? (sessions.length === 1 ? sessions[0] : undefined);
    if (preset) pick(preset.id);
  } catch (err) {
    setupFailed(err);
  }
}

picker.addEventListener('change', () => pick(picker.value));
byId('forget-device').addEventListener('click', () => {
  setDeviceToken(null);
  location.reload();
});
onLocaleChange(() => {
  if (sessions.length) renderPicker();
  renderWindow();
});

void setup();
