/**
 * /queue: the visitor's side of the QR queue, phone first.
 *
 * `/queue?q=<queue>&c=<entrance code>` (the entrance QR) lists the open
 * services with how many wait and the expected wait; one tap takes a number
 * (asking a name or phone only when the service does). The ticket then lives
 * at `/queue?ticket=<id>&token=<token>` (put in the URL with replaceState, so
 * a reload or a bookmark keeps it): the number, people ahead, the expected
 * wait as a range, all live.
 *
 * Live: `ticket:<id>` says when this ticket changes (called, recalled,
 * finished, transferred): the page shows it at once and re-reads the ticket.
 * `line:<service>` carries the last changes of the waiting set as
 * `[version, order, delta]`; the page moves `ahead` by each newer change in
 * front of it, and re-reads the ticket when it missed one (a gap) or after
 * a reconnect. A call therefore costs the server one frame, however many
 * phones wait.
 */
import { createLiveClient, type LiveStatus, type LiveSubscription } from '../client/index.js';
import { ApiError } from './lib/api.js';
import { onLocaleChange, setText, t, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showError } from './lib/page.js';
import {
  applyLine,
  etaMinutes,
  fetchJoin,
  fetchTicket,
  leaveTicket,
  moreTime,
  takeTicket,
  type JoinService,
  type JoinView,
  type LineFrame,
  type TicketState,
  type TicketView,
} from './lib/queue-api.js';
import { enablePush, pushEnabled, pushSupported, type PushState } from './lib/queue-push.js';
import { nearTurnAlert, unlockAudioOnFirstGesture, yourTurnAlert } from './lib/queue-sound.js';

initPage();
unlockAudioOnFirstGesture();

const params = new URLSearchParams(location.search);
const queueId = params.get('q');
const entranceCode = params.get('c');

const statusLine = byId('q-status');
const errorBox = byId('q-error');
const joinBox = byId('join');
const ticketBox = byId('ticket');
const calledBox = byId('called');
const askForm = byId<HTMLFormElement>('ask-form');

const live = createLiveClient();
let ticketSub: LiveSubscription | undefined;
let lineSub: LiveSubscription | undefined;
let lineChannel: string | null = null;
/**
 * The last frame of the followed line. A pushed snapshot of the ticket (or
 * more time's answer) may have been counted before changes this page already
 * applied; its `line_version` says so, and this frame's changes, which reach
 * back further, bring it up to date again.
 */
let lastLine: LineFrame | null = null;

let ticket: TicketView | null = null;
let token: string | null = params.get('token');
/** The `line:` version our `ahead` was computed at. */
let lineVersion = 0;
let perTicketSeconds: number | null = null;
/** What was already announced, so a re-render or a resync does not ring again. */
let announcedCall: string | null = null;
let nearShown = false;
let join: JoinView | null = null;
let asking: JoinService | null = null;
const baseTitle = () => t('queue.title');

const plural = (n: number, one: MessageKey, many: MessageKey) => (n === 1 ? one : many);

// ---- join ------------------------------------------------------------------------------

function expired(): void {
  show(joinBox, false);
  show(statusLine, false);
  setText(errorBox, 'queue.codeExpired');
  errorBox.dataset.code = 'invalid_entrance_code';
  show(errorBox);
}

function failJoin(err: unknown): void {
  show(statusLine, false);
  if (err instanceof ApiError && err.code === 'invalid_entrance_code') return expired();
  delete errorBox.dataset.code;
  if (err instanceof ApiError && err.code === 'service_closed') setText(errorBox, 'queue.serviceClosed');
  else if (err instanceof ApiError && err.code === 'queue_full') setText(errorBox, 'queue.queueFull');
  else if (err instanceof ApiError && err.status === 404) setText(errorBox, 'queue.notFound');
  else return showError(errorBox, err);
  show(errorBox);
}

function renderJoin(j: JoinView): void {
  join = j;
  byId('join-place').textContent = j.queue.name;
  const list = byId('services');
  const open = j.services.filter((s) => s.open);
  list.replaceChildren(
    ...j.services.map((s) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'q-service';
      b.dataset.testid = 'service';
      b.dataset.serviceId = s.id;
      b.disabled = !s.open;
      const name = document.createElement('span');
      name.className = 'q-service-name';
      name.textContent = s.name;
      const meta = document.createElement('span');
      meta.className = 'q-service-meta';
      if (!s.open) setText(meta, 'queue.closed');
      else {
        const [lo, hi] = etaMinutes(null, s.eta_seconds);
        setText(meta, s.waiting === 0 ? 'queue.nobodyWaiting' : plural(s.waiting, 'queue.waitingOne', 'queue.waitingMany'), { n: s.waiting, lo, hi });
      }
      b.append(name, meta);
      b.addEventListener('click', () => choose(s));
      li.append(b);
      return li;
    }),
  );
  show(byId('services-empty'), open.length === 0);
  show(list);
  show(askForm, false);
  show(statusLine, false);
  show(errorBox, false);
  show(ticketBox, false);
  show(joinBox);
}

async function loadJoin(): Promise<void> {
  try {
    renderJoin(await fetchJoin(queueId!, entranceCode!));
  } catch (err) {
    failJoin(err);
  }
}

function choose(s: JoinService): void {
  if (s.ask === 'none') return void take(s, {});
  asking = s;
  setText(byId('ask-heading'), 'queue.askHeading', { service: s.name });
  show(byId('ask-name-field'), s.ask === 'name');
  show(byId('ask-phone-field'), s.ask === 'phone');
  show(byId('ask-error'), false);
  show(byId('services'), false);
  show(askForm);
  byId<HTMLInputElement>(s.ask === 'name' ? 'ask-name' : 'ask-phone').focus();
}

askForm.addEventListener('submit', (e) => {
  e.preventDefault();
  if (!asking) return;
  const value = byId<HTMLInputElement>(asking.ask === 'name' ? 'ask-name' : 'ask-phone').value.trim();
  if (!value) {
    setText(byId('ask-error'), asking.ask === 'name' ? 'queue.nameRequired' : 'queue.phoneRequired');
    show(byId('ask-error'));
    return;
  }
  void take(asking, asking.ask === 'name' ? { name: value } : { phone: value });
});
for (const id of ['ask-name', 'ask-phone']) byId(id).addEventListener('input', () => show(byId('ask-error'), false));
byId('ask-cancel').addEventListener('click', () => {
  asking = null;
  show(askForm, false);
  show(byId('services'));
});

let taking = false;
async function take(s: JoinService, extra: { name?: string; phone?: string }): Promise<void> {
  if (taking) return;
  taking = true;
  for (const b of joinBox.querySelectorAll('button')) b.disabled = true;
  try {
    const out = await takeTicket(queueId!, { service_id: s.id, entrance_code: entranceCode!, ...extra });
    token = out.token;
    rememberToken(out.id, out.token);
    const url = new URL(location.href);
    url.search = '';
    url.searchParams.set('ticket', out.id);
    url.searchParams.set('token', out.token);
    // Where a new number is taken later (the code may have expired by then; the page says so).
    url.searchParams.set('q', queueId!);
    url.searchParams.set('c', entranceCode!);
    const lang = params.get('lang');
    if (lang) url.searchParams.set('lang', lang);
    history.replaceState(history.state, '', url);
    showTicket(out);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'invalid_request' && asking) {
      setText(byId('ask-error'), asking.ask === 'name' ? 'queue.nameRequired' : 'queue.phoneRequired');
      show(byId('ask-error'));
    } else failJoin(err);
    if (join && !(err instanceof ApiError && err.code === 'invalid_entrance_code')) {
      for (const b of joinBox.querySelectorAll<HTMLButtonElement>('button')) b.disabled = b.dataset.serviceId ? !join.services.find((x) => x.id === b.dataset.serviceId)?.open : false;
    }
  } finally {
    taking = false;
  }
}

// ---- the ticket --------------------------------------------------------------------------

function setEta(seconds: number, range: readonly number[] | null): void {
  const [lo, hi] = etaMinutes(range, seconds);
  const el = byId('ticket-eta');
  setText(el, lo === 0 && hi <= 1 ? 'queue.etaSoon' : 'queue.etaRange', { lo, hi });
  el.dataset.lo = String(lo);
  el.dataset.hi = String(hi);
}

function renderTicket(tk: TicketView): void {
  ticket = tk;
  document.body.dataset.status = tk.status;
  ticketBox.dataset.status = tk.status;
  ticketBox.dataset.ticketId = tk.id;
  byId('ticket-number').textContent = tk.number;
  byId('ticket-service').textContent = tk.service.name;
  const waiting = tk.status === 'waiting';
  show(byId('ticket-waiting'), waiting);
  show(byId('ticket-actions'), waiting || tk.status === 'called');
  show(byId('more-time'), waiting && !tk.more_time_used);
  show(byId('more-time-hint'), waiting && tk.more_time_used);
  if (waiting && tk.more_time_used) setText(byId('more-time-hint'), 'queue.moreTimeUsed');
  const finished = tk.status === 'done' || tk.status === 'no_show' || tk.status === 'cancelled';
  show(byId('ticket-finished'), finished);
  show(byId('ticket-live'), !finished);
  show(byId('ticket-keep'), !finished);
  show(byId('push-box'), !finished && pushSupported());
  show(byId('new-number'), finished && !!queueId && !!entranceCode);
  show(byId('new-number-hint'), finished && !(queueId && entranceCode));

  const state = byId('ticket-state');
  if (waiting) {
    const ahead = byId('ticket-ahead');
    ahead.textContent = String(tk.ahead);
    ahead.dataset.value = String(tk.ahead);
    setText(byId('ticket-ahead-label'), tk.ahead === 1 ? 'queue.personAhead' : 'queue.peopleAhead');
    setEta(tk.eta_seconds, tk.eta_range);
    setText(state, tk.ahead === 0 ? 'queue.stateNext' : 'queue.stateWaiting');
    const near = tk.near_ahead ?? 3;
    const isNear = tk.ahead <= near;
    show(byId('ticket-near'), isNear);
    if (isNear) setText(byId('ticket-near'), tk.ahead === 0 ? 'queue.nearNext' : 'queue.near', { n: tk.ahead });
    if (isNear && !nearShown) {
      nearShown = true;
      nearTurnAlert();
    }
    if (!isNear) nearShown = false;
  } else {
    show(byId('ticket-near'), false);
  }
  if (tk.status === 'called') setText(state, 'queue.stateCalled', { counter: tk.counter?.name ?? '' });
  else if (tk.status === 'done') setText(state, 'queue.stateDone');
  else if (tk.status === 'no_show') setText(state, 'queue.stateNoShow');
  else if (tk.status === 'cancelled') setText(state, 'queue.stateCancelled');

  // Called: full screen, sound, vibration, and a title a background tab shows.
  if (tk.status === 'called') {
    setText(byId('called-number'), 'queue.calledNumber', { number: tk.number });
    // The counter's name never breaks across lines ("3 号窗 / 口").
    const heading = byId('called-heading');
    const [before = '', after = ''] = t('queue.yourTurn', { counter: '\u0000' }).split('\u0000');
    const where = document.createElement('span');
    where.className = 'q-nowrap';
    where.textContent = tk.counter?.name ?? '';
    delete heading.dataset.i18n;
    heading.replaceChildren(before, where, after);
    show(byId('called-recall'), tk.recalls > 0);
    if (tk.recalls > 0) setText(byId('called-recall'), 'queue.recalled');
    document.title = t('queue.yourTurnTitle', { counter: tk.counter?.name ?? '', number: tk.number });
    const key = `${tk.id}|${tk.called_at ?? ''}|${tk.recalls}|${tk.counter?.id ?? ''}`;
    if (key !== announcedCall) {
      announcedCall = key;
      show(calledBox);
      byId('called-heading').focus();
      yourTurnAlert();
    }
  } else {
    show(calledBox, false);
    announcedCall = null;
    document.title = waiting ? t('queue.titleWaiting', { number: tk.number, n: tk.ahead }) : baseTitle();
  }
  show(statusLine, false);
  show(joinBox, false);
  show(ticketBox);
}

function showTicket(tk: TicketView): void {
  lineVersion = tk.line_version;
  renderTicket(tk);
  follow(tk);
  void restorePush(tk);
}

let resyncing: Promise<void> | null = null;
/** Re-reads the ticket (after a missed change, a reconnect, or a change of the ticket itself). */
function resync(): Promise<void> {
  if (!ticket || !token) return Promise.resolve();
  const id = ticket.id;
  resyncing ??= (async () => {
    try {
      const tk = await fetchTicket(id, token!);
      lineVersion = tk.line_version;
      renderTicket(tk);
      follow(tk);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) failTicket(err);
      // a network error: the live channel's reconnect brings us back here
    } finally {
      resyncing = null;
    }
  })();
  return resyncing;
}

const LIVE_TEXT: Readonly<Record<LiveStatus, MessageKey | null>> = {
  connecting: null,
  open: null,
  reconnecting: 'queue.reconnecting',
  closed: 'queue.reconnecting',
};

function onStatus(status: LiveStatus): void {
  const el = byId('ticket-live');
  el.dataset.status = status;
  const key = LIVE_TEXT[status];
  if (key) setText(el, key);
  else {
    el.textContent = '';
    delete el.dataset.i18n;
  }
  if (status === 'open' && wasDown) void resync();
  wasDown = status === 'reconnecting' || status === 'closed';
}
let wasDown = false;

/** Follows the ticket's channel and its service's line (again when the service changed). */
function follow(tk: TicketView): void {
  if (!ticketSub) {
    ticketSub = live.subscribe<TicketState>(tk.live.channel, tk.live.token, (s) => onTicketState(s.data), {
      onStatus,
      renew: async () => (token ? (await fetchTicket(tk.id, token)).live.token : null),
      onError: (e) => {
        if (e.terminal) void resync();
      },
    });
  }
  const waiting = tk.status === 'waiting';
  if (!waiting || lineChannel !== tk.line.channel) {
    lineSub?.unsubscribe();
    lineSub = undefined;
    lineChannel = null;
    lastLine = null;
  }
  if (waiting && !lineSub) {
    lineChannel = tk.line.channel;
    lineSub = live.subscribe<LineFrame>(tk.line.channel, tk.line.token, (s) => onLine(s.data), {
      after: tk.line_version,
      renew: async () => (token ? (await fetchTicket(tk.id, token)).line.token : null),
    });
  }
}

/** The ticket itself changed (called, recalled, finished, moved): its state comes whole. */
function onTicketState(data: TicketState): void {
  if (!ticket || !data || typeof data.status !== 'string') return;
  // Moved to another service: its line needs a grant of its own, which the snapshot carries.
  if (data.service.id !== ticket.service.id) return void resync();
  lineVersion = data.line_version;
  renderTicket({ ...ticket, ...data });
  follow(ticket);
  catchUp();
}

/** Applies the line's last frame again after a snapshot that may be older than it (see lastLine). */
function catchUp(): void {
  if (lastLine) onLine(lastLine);
}

function onLine(frame: LineFrame): void {
  if (!ticket || ticket.status !== 'waiting' || !frame || !Array.isArray(frame.changes)) return;
  lastLine = frame;
  if (typeof frame.per_ticket_seconds === 'number') perTicketSeconds = frame.per_ticket_seconds;
  const out = applyLine({ order: ticket.order, ahead: ticket.ahead, version: lineVersion }, frame);
  if (out.gap) return void resync();
  if (out.version === lineVersion) return;
  lineVersion = out.version;
  if (out.ahead === ticket.ahead) return;
  // The wait follows the new place at the service's current pace.
  const per = perTicketSeconds ?? (ticket.ahead > 0 ? ticket.eta_seconds / (ticket.ahead + 0.5) : 180);
  const eta = Math.round(out.ahead === 0 ? per * 0.5 : (out.ahead + 0.5) * per);
  renderTicket({ ...ticket, ahead: out.ahead, eta_seconds: eta, eta_range: null, line_version: out.version });
}

function failTicket(err: unknown): void {
  show(ticketBox, false);
  show(calledBox, false);
  show(statusLine, false);
  if (err instanceof ApiError && err.status === 404) setText(errorBox, 'queue.ticketNotFound');
  else return showError(errorBox, err);
  show(errorBox);
}

async function loadTicket(id: string): Promise<void> {
  try {
    showTicket(await fetchTicket(id, token!));
  } catch (err) {
    if (err instanceof ApiError && err.status === 0) {
      // Offline at load: try again shortly.
      showError(errorBox, err);
      show(statusLine, false);
      setTimeout(() => void loadTicket(id), 5000);
      return;
    }
    failTicket(err);
  }
}

// ---- buttons -----------------------------------------------------------------------------

const actionError = byId('ticket-action-error');

byId('leave').addEventListener('click', () => {
  if (!ticket || !token || !window.confirm(t('queue.leaveConfirm'))) return;
  const b = byId<HTMLButtonElement>('leave');
  b.disabled = true;
  show(actionError, false);
  leaveTicket(ticket.id, token)
    .then((tk) => {
      renderTicket({ ...ticket!, ...tk });
      follow(ticket!);
    })
    .catch((err: unknown) => showError(actionError, err))
    .finally(() => (b.disabled = false));
});

byId('more-time').addEventListener('click', () => {
  if (!ticket || !token) return;
  const b = byId<HTMLButtonElement>('more-time');
  b.disabled = true;
  show(actionError, false);
  moreTime(ticket.id, token)
    .then((tk) => {
      lineVersion = tk.line_version;
      renderTicket({ ...ticket!, ...tk });
      catchUp();
    })
    .catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'more_time_used') {
        void resync();
        return;
      }
      if (err instanceof ApiError && err.code === 'invalid_ticket_state') return void resync();
      showError(actionError, err);
    })
    .finally(() => (b.disabled = false));
});

byId('called-ok').addEventListener('click', () => show(calledBox, false));

// ---- Web Push: the news of the ticket while the page is closed or the phone locked -------------

const PUSH_KEY = 'scanpass_queue_push';
const TOKEN_KEY = 'scanpass_queue_ticket';

/** The ticket this browser holds, so a link without its token (a notification's) still opens it. */
function rememberToken(id: string, value: string): void {
  try {
    localStorage.setItem(TOKEN_KEY, JSON.stringify({ id, token: value }));
  } catch {
    // Private mode or storage full: the link in the address bar still carries the token.
  }
}

function rememberedToken(id: string): string | null {
  try {
    const kept = JSON.parse(localStorage.getItem(TOKEN_KEY) ?? 'null') as { id?: unknown; token?: unknown } | null;
    return kept && kept.id === id && typeof kept.token === 'string' ? kept.token : null;
  } catch {
    return null;
  }
}
const PUSH_TEXT: Readonly<Record<PushState, MessageKey>> = {
  enabled: 'queue.pushOn',
  denied: 'queue.pushDenied',
  failed: 'queue.pushFailed',
  unsupported: 'queue.pushFailed',
};

function showPush(state: PushState): void {
  show(byId('push-enable'), state !== 'enabled');
  setText(byId('push-state'), PUSH_TEXT[state]);
  byId('push-state').dataset.state = state;
  show(byId('push-state'));
}

const pushRemembered = (id: string) => {
  try {
    return localStorage.getItem(PUSH_KEY) === id;
  } catch {
    return false;
  }
};

byId('push-enable').addEventListener('click', () => {
  if (!ticket || !token) return;
  const id = ticket.id;
  const b = byId<HTMLButtonElement>('push-enable');
  b.disabled = true;
  show(actionError, false);
  enablePush(id, token)
    .then((state) => {
      if (state === 'enabled') {
        try {
          localStorage.setItem(PUSH_KEY, id);
        } catch {
          // storage disabled: the button shows again after a reload, and enabling again is harmless
        }
      }
      showPush(state);
    })
    .catch((err: unknown) => showError(actionError, err))
    .finally(() => (b.disabled = false));
});

/**
 * After a reload: notifications this browser turned on for this ticket stay
 * on. The subscription is sent again (no prompt: permission is granted), in
 * case the browser renewed it while no worker could tell the server.
 */
async function restorePush(tk: TicketView): Promise<void> {
  const finished = tk.status !== 'waiting' && tk.status !== 'called';
  if (finished || !token || !pushRemembered(tk.id) || !(await pushEnabled().catch(() => false))) return;
  showPush('enabled');
  const state = await enablePush(tk.id, token).catch(() => 'failed' as const);
  if (state !== 'enabled') showPush(state);
}

byId('new-number').addEventListener('click', () => {
  if (!queueId || !entranceCode) return;
  ticketSub?.unsubscribe();
  lineSub?.unsubscribe();
  ticketSub = lineSub = undefined;
  lineChannel = null;
  lastLine = null;
  ticket = null;
  token = null;
  document.title = baseTitle();
  const url = new URL(location.href);
  url.search = '';
  url.searchParams.set('q', queueId);
  url.searchParams.set('c', entranceCode);
  history.replaceState(history.state, '', url);
  show(ticketBox, false);
  show(statusLine);
  void loadJoin();
});

onLocaleChange(() => {
  if (ticket) renderTicket(ticket);
  else if (join) renderJoin(join);
  else document.title = baseTitle();
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void resync();
});

// ---- start -------------------------------------------------------------------------------

const ticketId = params.get('ticket');
// A notification opens `/queue?ticket=<id>` without the token: this browser kept it when the ticket was taken.
if (ticketId && !token) token = rememberedToken(ticketId);
if (ticketId && token) rememberToken(ticketId, token);
if (ticketId && token) void loadTicket(ticketId);
else if (queueId && entranceCode) void loadJoin();
else {
  show(statusLine, false);
  setText(errorBox, 'queue.missing');
  show(errorBox);
}
