/**
 * /dashboard?session=<id>: the organiser's live view of one session, for
 * admins and the session's staff. Big numbers (expected, checked in, not
 * yet) and who has not arrived yet (searchable, exportable), the latest scans
 * with who scanned and the result, all pushed over the `session:` channel
 * (no reload); undo of a wrong check-in; check-in by name
 * for people without a phone; attendance export; and, for admins, the
 * console's CSV import (checked first, its bad rows in a table).
 */
import { createLiveClient, type LiveStatus, type LiveSubscription } from '../client/index.js';
import { api, ApiError, getMe, type Me } from './lib/api.js';
import type { ScannerSession } from './lib/checkin-api.js';
import { eventExportUrl, fetchCounts, sessionExportUrl, undoCheckin, type LatestScan, type SessionState } from './lib/dashboard-api.js';
import { mountImport } from './lib/dashboard-import.js';
import { mountMissing } from './lib/dashboard-missing.js';
import { mountSearch } from './lib/dashboard-search.js';
import { getLocale, onLocaleChange, setText, t, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showError } from './lib/page.js';

initPage();

const params = new URLSearchParams(location.search);
const statusLine = byId('dash-status');
const errorBox = byId('dash-error');
const picker = byId<HTMLSelectElement>('session-picker');
const latestList = byId('latest');
const liveLine = byId('live-status');
const undoError = byId('undo-error');

const live = createLiveClient();
let me: Me | null = null;
let sessionId: string | null = null;
let state: SessionState | null = null;
let sub: LiveSubscription | undefined;
/** Called after a check-in changes here (undo), so the search shows it too. */
let refreshSearch: () => void = () => {};
/** Reads the not-arrived list again: called when the counts move. */
let refreshMissing: () => void = () => {};

/** A scan recorded this long after it was made came from a scanner that was offline. */
const UPLOADED_LATE_MS = 60_000;
const fmtTime = (ms: number) => new Intl.DateTimeFormat(getLocale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
const fmtWhen = (ms: number) => new Intl.DateTimeFormat(getLocale(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(ms);

function setPlain(el: HTMLElement, text: string): void {
  delete el.dataset.i18n;
  delete el.dataset.i18nVars;
  el.textContent = text;
}

// ---- counts and the latest scans ---------------------------------------------------

function renderCounts(s: SessionState): void {
  const c = s.counts;
  for (const [id, n] of [
    ['count-expected', c.expected],
    ['count-checked-in', c.checked_in],
    ['count-not-yet', c.not_yet],
  ] as const) {
    const el = byId(id);
    el.textContent = String(n);
    el.dataset.value = String(n);
  }
  setText(byId('dash-inside'), 'dashboard.inside', { inside: c.inside });
  const where = [s.session.name, fmtWhen(s.session.starts_at), s.session.place].filter(Boolean).join(' · ');
  setPlain(byId('dash-session'), where);
  byId('dash-session').dataset.closed = String(s.session.closed);
  if (s.session.closed) byId('dash-session').textContent = `${where} · ${t('dashboard.closed')}`;
}

/** The outcome of one scan, in words. */
function outcomeKey(r: LatestScan): MessageKey {
  if (r.result === 'rejected') return `checkin.reason.${r.reason ?? 'invalid_code'}` as MessageKey;
  return r.direction === 'exit' ? 'dashboard.okOut' : 'dashboard.okIn';
}

function scanItem(r: LatestScan, undoable: boolean): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset.testid = 'latest-item';
  li.dataset.result = r.result;
  li.dataset.reason = r.reason ?? '';
  li.dataset.scanId = String(r.id);

  const head = document.createElement('div');
  head.className = 'dash-scan-head';
  const name = document.createElement('span');
  name.className = 'dash-scan-name';
  name.dataset.testid = 'latest-name';
  if (r.attendee) name.textContent = r.attendee.name;
  else setText(name, 'checkin.unknownPerson');
  const time = document.createElement('time');
  time.className = 'dash-scan-time';
  time.dateTime = new Date(r.at).toISOString();
  time.textContent = fmtTime(r.at);
  head.append(name, time);

  const outcome = document.createElement('p');
  outcome.className = 'dash-scan-outcome';
  outcome.dataset.testid = 'latest-outcome';
  setText(outcome, outcomeKey(r));

  const by = document.createElement('p');
  by.className = 'dash-scan-by hint';
  by.dataset.testid = 'latest-by';
  setText(by, r.gate ? 'dashboard.byGate' : 'dashboard.by', { by: r.by, ...(r.gate ? { gate: r.gate } : {}) });
  li.append(head, outcome, by);

  // A conflict (two gates, or an offline upload): say where the attendee was let in first.
  if (r.earlier) {
    const earlier = document.createElement('p');
    earlier.className = 'dash-scan-earlier';
    earlier.dataset.testid = 'latest-earlier';
    const time = fmtTime(r.earlier.at);
    if (r.earlier.gate) setText(earlier, 'dashboard.earlierAtGate', { time, gate: r.earlier.gate });
    else setText(earlier, 'dashboard.earlier', { time });
    li.append(earlier);
  }
  if (r.recorded_at - r.at >= UPLOADED_LATE_MS) {
    const tag = document.createElement('span');
    tag.className = 'dash-tag';
    tag.dataset.testid = 'latest-late';
    tag.title = t('dashboard.uploadedLateAt', { time: fmtTime(r.recorded_at) });
    setText(tag, 'dashboard.uploadedLate');
    head.append(tag);
  }

  if (r.method === 'manual') {
    const tag = document.createElement('span');
    tag.className = 'dash-tag';
    setText(tag, 'dashboard.manualTag');
    head.append(tag);
  }
  if (r.result === 'ok' && r.direction === 'entry' && r.checkin_id && !r.checkin_live) {
    li.dataset.undone = 'true';
    const tag = document.createElement('span');
    tag.className = 'dash-tag';
    tag.dataset.testid = 'latest-undone';
    setText(tag, 'dashboard.undone');
    head.append(tag);
  }
  if (undoable && r.checkin_id) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button secondary dash-undo';
    b.dataset.testid = 'undo';
    setText(b, 'dashboard.undo');
    b.addEventListener('click', () => void undo(b, r.checkin_id!, r.attendee?.name ?? ''));
    li.append(b);
  }
  return li;
}

function renderLatest(s: SessionState): void {
  show(byId('latest-empty'), s.latest.length === 0);
  // One undo button per check-in that still stands: on its newest ok entry scan.
  const offered = new Set<string>();
  latestList.replaceChildren(
    ...s.latest.map((r) => {
      const undoable = r.result === 'ok' && r.direction === 'entry' && r.checkin_live && !!r.checkin_id && !offered.has(r.checkin_id);
      if (undoable) offered.add(r.checkin_id!);
      return scanItem(r, undoable);
    }),
  );
}

function render(s: SessionState): void {
  const before = state?.counts;
  state = s;
  if (before && (before.expected !== s.counts.expected || before.checked_in !== s.counts.checked_in)) refreshMissing();
  renderCounts(s);
  renderLatest(s);
}

async function undo(button: HTMLButtonElement, checkinId: string, name: string): Promise<void> {
  if (!window.confirm(t('dashboard.undoConfirm', { name: name || t('checkin.unknownPerson') }))) return;
  button.disabled = true;
  show(undoError, false);
  try {
    await undoCheckin(checkinId);
    refreshSearch();
  } catch (err) {
    button.disabled = false;
    if (err instanceof ApiError && err.code === 'conflict') setText(undoError, 'dashboard.alreadyUndone');
    else showError(undoError, err);
    show(undoError);
  }
}

// ---- live --------------------------------------------------------------------------

const LIVE_TEXT: Readonly<Record<LiveStatus, MessageKey>> = {
  connecting: 'dashboard.liveConnecting',
  open: 'dashboard.liveOpen',
  reconnecting: 'dashboard.liveReconnecting',
  closed: 'dashboard.liveReconnecting',
};

async function watch(id: string): Promise<void> {
  sub?.unsubscribe();
  sub = undefined;
  const c = await fetchCounts(id);
  if (sessionId !== id) return;
  render(c);
  show(liveLine);
  sub = live.subscribe<SessionState>(c.live.channel, c.live.token, (s) => render(s.data), {
    after: c.version,
    onStatus: (status) => {
      liveLine.dataset.status = status;
      setText(liveLine, LIVE_TEXT[status]);
    },
    // The token runs out (a long day): the SDK asks the API again, which checks the right again, and goes on.
    renew: async () => (sessionId === id ? (await fetchCounts(id)).live.token : null),
    // Access revoked, or the renewal refused: try once more from the start, and say why if the API refuses.
    onError: (e) => {
      if (e.terminal && sessionId === id) setTimeout(() => void watch(id).catch((err) => sessionId === id && fail(err)), 1000);
    },
  });
}

// ---- setup -------------------------------------------------------------------------

function fail(err: unknown): void {
  show(statusLine, false);
  if (err instanceof ApiError && err.status === 403) setText(errorBox, 'dashboard.forbidden');
  else if (err instanceof ApiError && err.status === 404) setText(errorBox, 'dashboard.notFound');
  else showError(errorBox, err);
  show(errorBox);
}

async function open(id: string): Promise<void> {
  sessionId = id;
  document.body.dataset.sessionId = id;
  const url = new URL(location.href);
  if (url.searchParams.get('session') !== id) {
    url.searchParams.set('session', id);
    history.replaceState(history.state, '', url);
  }
  show(errorBox, false);
  try {
    await watch(id);
  } catch (err) {
    fail(err);
    return;
  }
  show(statusLine, false);
  show(byId('dash-counts'));
  show(byId('latest-box'));
  show(byId('search-box'));
  show(byId('dash-links'));
  byId<HTMLAnchorElement>('export-link').href = sessionExportUrl(id);
  byId<HTMLAnchorElement>('scanner-link').href = `/scanner?session=${encodeURIComponent(id)}`;
  const admin = me?.user.role === 'admin';
  const eventId = state!.session.event_id;
  show(byId('event-export-link'), admin);
  if (admin) byId<HTMLAnchorElement>('event-export-link').href = eventExportUrl(eventId);
  refreshSearch = mountSearch(id);
  refreshMissing = mountMissing(id);
  if (admin) {
    show(byId('import-box'));
    mountImport(eventId, id);
  }
}

/** No `?session=`: offer the sessions this account looks after. */
async function pickSession(): Promise<void> {
  const out = await api<{ sessions: ScannerSession[] }>('GET', '/api/v1/scanner/sessions');
  show(statusLine, false);
  if (out.sessions.length === 0) {
    setText(errorBox, 'checkin.noSessions');
    show(errorBox);
    return;
  }
  if (out.sessions.length === 1) return open(out.sessions[0]!.id);
  const prompt = document.createElement('option');
  prompt.value = '';
  prompt.disabled = true;
  prompt.textContent = `— ${t('checkin.session')} —`;
  picker.replaceChildren(
    prompt,
    ...out.sessions.map((s) => {
      const o = document.createElement('option');
      o.value = s.id;
      o.textContent = `${s.name} · ${fmtWhen(s.starts_at)}${s.place ? ` · ${s.place}` : ''} (${s.event_name})`;
      return o;
    }),
  );
  picker.value = '';
  show(byId('picker-box'));
  picker.addEventListener('change', () => {
    show(byId('picker-box'), false);
    void open(picker.value);
  });
}

async function setup(): Promise<void> {
  try {
    me = await getMe();
    if (!me) {
      location.replace(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    if (me.user.role === 'member') {
      fail(new ApiError('forbidden', 'staff only', 403));
      return;
    }
    const wanted = params.get('session');
    if (wanted) await open(wanted);
    else await pickSession();
  } catch (err) {
    fail(err);
  }
}

onLocaleChange(() => {
  if (state) render(state);
});

void setup();
