/**
 * /scanner: the staff check-in scanner (online mode).
 *
 * Who scans: the signed-in staff account (cookie + CSRF), or a provisioned
 * device whose token this browser keeps (`/scanner?device_token=spd_...` stores
 * it once and takes it out of the address bar). Staff pick the session, the
 * camera scans continuously (web/lib/scanner), and every new code, from the
 * camera or a keyboard-wedge scanner, goes to `POST /api/v1/checkins`; the
 * answer is a big green or red result with the attendee's name and the reason
 * in words, with sound and vibration. Kiosk mode goes back to scanning by
 * itself. The session's counts follow the `session:` channel.
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

const fmtTime = (ms: number) => new Intl.DateTimeFormat(getLocale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);

// ---- the answer ---------------------------------------------------------------

function showAnswer(a: ScanAnswer): void {
  const ok = a.result === 'ok';
  resultBox.dataset.result = a.result;
  resultBox.dataset.status = ok ? 'ok' : 'refused';
  resultBox.dataset.reason = a.reason ?? '';
  byId('scan-result-icon').textContent = ok ? '✓' : '✕';
  setText(byId('scan-result-heading'), ok ? (a.action === 're_enter' ? 'checkin.okReenter' : 'checkin.ok') : 'checkin.rejected');
  const name = byId('scan-name');
  if (a.attendee) {
    name.textContent = a.attendee.name;
    delete name.dataset.i18n;
  } else if (ok) name.textContent = '';
  else setText(name, 'checkin.unknownPerson');
  const reason = byId('scan-reason');
  if (a.reason) setText(reason, `checkin.reason.${a.reason}` as MessageKey);
  else {
    reason.textContent = '';
    delete reason.dataset.i18n;
  }
  const previous = byId('scan-previous');
  if (a.reason === 'already_checked_in' && a.checkin) {
    setText(previous, a.checkin.gate ? 'checkin.previousGate' : 'checkin.previous', { time: fmtTime(a.checkin.at), ...(a.checkin.gate ? { gate: a.checkin.gate } : {}) });
  } else {
    previous.textContent = '';
    delete previous.dataset.i18n;
  }
  show(resultBox);
  feedback(ok ? 'ok' : 'refused');
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
  const previous = byId('scan-previous');
  previous.textContent = '';
  delete previous.dataset.i18n;
  show(resultBox);
  feedback('refused');
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
  if (offline.offlineNow(sessionId)) return decidedOffline(await offline.decide(scan), source);
  try {
    const a = await scannerApi<ScanAnswer>('POST', '/api/v1/checkins', scan);
    offline.remember(a);
    showAnswer(a);
    offline.markResult(false);
    addHistory(a, source);
  } catch (err) {
    offline.markResult(false);
    if (err instanceof ApiError && err.code === 'network_error' && offline.canDecide(scan.session_id)) return decidedOffline(await offline.decide(scan), source);
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

// ---- session and counts ---------------------------------------------------------

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
    countsSub = live.subscribe<{ counts: Counts['counts'] }>(c.live.channel, c.live.token, (s) => renderCounts(s.data.counts), {
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
  show(byId('scan-area'));
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
});

void setup();
