/**
 * /queue-counter?q=<queue>&counter=<id>: the staff console of one counter.
 *
 * Pick the counter (remembered on this browser), then Call next, Recall,
 * Done, No-show and Transfer (to a service, at the front or the back of its
 * line), each with a key (N, R, D, S, T; not while typing in a field). How
 * many wait per service and the longest wait come live from the place's
 * `board:` channel. "Issue a ticket by hand" takes a number for a visitor
 * without a phone and shows a print-friendly ticket with a QR of its link.
 *
 * The ticket at the counter is the one this console called; after a reload,
 * the place's latest call at this counter (from the board) stands in for it.
 * Calling next leaves the previous ticket as it is: staff press Done or
 * No-show for it.
 */
import QRCode from 'qrcode';
import { createLiveClient, type LiveStatus, type LiveSubscription } from '../client/index.js';
import { ApiError, getMe } from './lib/api.js';
import { getLocale, onLocaleChange, setText, t, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showError } from './lib/page.js';
import {
  callNext,
  fetchBoard,
  setCounterOpen,
  fetchQueue,
  fetchQueues,
  takeTicket,
  ticketAction,
  ticketUrl,
  transferTicket,
  type BoardState,
  type QueueView,
  type TicketView,
} from './lib/queue-api.js';

initPage();

const params = new URLSearchParams(location.search);
const statusLine = byId('counter-status');
const errorBox = byId('counter-error');
const consoleBox = byId('console');
const counterPicker = byId<HTMLSelectElement>('counter-picker');
const actionError = byId('action-error');
const actionMessage = byId('action-message');
const transferForm = byId<HTMLFormElement>('transfer-form');

const live = createLiveClient();
let sub: LiveSubscription | undefined;
let queue: QueueView | null = null;
let counterId: string | null = null;
let board: BoardState | null = null;
/** The ticket at this counter: one this console called, or (after a reload) the board's latest call here. */
let current: { id: string; number: string; status: TicketView['status'] | 'unknown'; recalls: number } | null = null;
let busy = false;

const COUNTER_KEY = 'scanpass_queue_counter';
const remembered = (qid: string) => {
  try {
    return localStorage.getItem(`${COUNTER_KEY}:${qid}`);
  } catch {
    return null;
  }
};
const remember = (qid: string, cid: string) => {
  try {
    localStorage.setItem(`${COUNTER_KEY}:${qid}`, cid);
  } catch {
    // storage disabled: pick again after a reload
  }
};

function minutes(seconds: number): string {
  if (seconds < 60) return t('counter.lessThanMinute');
  return t('counter.minutes', { n: Math.floor(seconds / 60) });
}

// ---- rendering ---------------------------------------------------------------------------

function renderCurrent(): void {
  const number = byId('current-number');
  number.textContent = current?.number ?? '–';
  consoleBox.dataset.ticketId = current?.id ?? '';
  consoleBox.dataset.status = current?.status ?? '';
  const state = byId('current-state');
  if (!current) setText(state, 'counter.nobody');
  else if (current.status === 'called' || current.status === 'unknown') setText(state, current.recalls > 0 ? 'counter.stateRecalled' : 'counter.stateCalled', { n: current.recalls });
  else setText(state, `counter.state.${current.status}` as MessageKey);
  const active = !!current && (current.status === 'called' || current.status === 'unknown');
  for (const id of ['recall', 'done', 'no-show', 'transfer']) byId<HTMLButtonElement>(id).disabled = !active || busy;
  byId<HTMLButtonElement>('call-next').disabled = busy;
  if (!active) show(transferForm, false);
}

function renderWaiting(): void {
  if (!board || !queue) return;
  const mine = new Set(queue.counters.find((c) => c.id === counterId)?.service_ids ?? []);
  byId('waiting-rows').replaceChildren(
    ...board.services.map((s) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'waiting-row';
      tr.dataset.serviceId = s.id;
      tr.dataset.waiting = String(s.waiting);
      if (mine.has(s.id)) tr.className = 'counter-mine';
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = `${s.prefix} · ${s.name}${s.open ? '' : ` (${t('queue.closed')})`}`;
      const n = document.createElement('td');
      n.textContent = String(s.waiting);
      const longest = document.createElement('td');
      longest.textContent = s.waiting > 0 ? minutes(s.longest_wait_seconds) : '–';
      tr.append(name, n, longest);
      return tr;
    }),
  );
  // After a reload: the latest call at this counter stands for the ticket here.
  if (!current && counterId) {
    const last = [board.now, ...board.recent].find((c) => c && c.counter?.id === counterId);
    if (last) {
      current = { id: last.ticket_id, number: last.number, status: 'unknown', recalls: last.recalls };
      renderCurrent();
    }
  }
}

function onStatus(status: LiveStatus): void {
  const el = byId('counter-live');
  show(el, status === 'reconnecting' || status === 'closed');
  if (status !== 'open') setText(el, 'queue.reconnecting');
}

// ---- actions -----------------------------------------------------------------------------

function fromTicket(tk: TicketView): void {
  current = { id: tk.id, number: tk.number, status: tk.status, recalls: tk.recalls };
}

async function act(run: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  show(actionError, false);
  show(actionMessage, false);
  renderCurrent();
  try {
    await run();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'queue_empty') setText(actionError, 'counter.queueEmpty');
    else if (err instanceof ApiError && err.code === 'invalid_ticket_state') {
      setText(actionError, 'counter.invalidState');
      if (current) current.status = 'done';
      current = null;
    } else showError(actionError, err);
    show(actionError);
  } finally {
    busy = false;
    renderCurrent();
  }
}

function message(key: MessageKey, vars?: Record<string, string | number>): void {
  setText(actionMessage, key, vars);
  show(actionMessage);
}

const callNextNow = () =>
  act(async () => {
    const { ticket } = await callNext(counterId!);
    fromTicket(ticket);
    message('counter.called', { number: ticket.number });
  });
const recall = () =>
  act(async () => {
    if (!current) return;
    const { ticket } = await ticketAction(current.id, 'recall');
    fromTicket(ticket);
    message('counter.recalled', { number: ticket.number });
  });
const finish = (action: 'done' | 'no-show') =>
  act(async () => {
    if (!current) return;
    const { ticket } = await ticketAction(current.id, action);
    fromTicket(ticket);
    message(action === 'done' ? 'counter.doneMessage' : 'counter.noShowMessage', { number: ticket.number });
  });

function openTransfer(): void {
  if (!current || !queue || byId<HTMLButtonElement>('transfer').disabled) return;
  setText(byId('transfer-heading'), 'counter.transferHeading', { number: current.number });
  const select = byId<HTMLSelectElement>('transfer-service');
  select.replaceChildren(
    ...queue.services.map((s) => {
      const o = document.createElement('option');
      o.value = s.id;
      o.textContent = `${s.prefix} · ${s.name}`;
      return o;
    }),
  );
  show(transferForm);
  select.focus();
}

transferForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const serviceId = byId<HTMLSelectElement>('transfer-service').value;
  const to = (transferForm.querySelector<HTMLInputElement>('input[name=transfer-to]:checked')?.value ?? 'front') as 'front' | 'back';
  void act(async () => {
    if (!current) return;
    const { ticket } = await transferTicket(current.id, serviceId, to);
    show(transferForm, false);
    message(to === 'front' ? 'counter.transferredFront' : 'counter.transferredBack', { number: ticket.number, service: ticket.service.name });
    // It waits in the other line now: nobody is at this counter.
    current = null;
  });
});
byId('transfer-cancel').addEventListener('click', () => show(transferForm, false));

byId('call-next').addEventListener('click', () => void callNextNow());
byId('recall').addEventListener('click', () => void recall());
byId('done').addEventListener('click', () => void finish('done'));
byId('no-show').addEventListener('click', () => void finish('no-show'));
byId('transfer').addEventListener('click', openTransfer);

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || consoleBox.hidden) return;
  const target = e.target as HTMLElement | null;
  if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
  const key = e.key.toLowerCase();
  const run: Record<string, () => void> = {
    n: () => void callNextNow(),
    r: () => !byId<HTMLButtonElement>('recall').disabled && void recall(),
    d: () => !byId<HTMLButtonElement>('done').disabled && void finish('done'),
    s: () => !byId<HTMLButtonElement>('no-show').disabled && void finish('no-show'),
    t: openTransfer,
  };
  const fn = run[key];
  if (!fn) return;
  e.preventDefault();
  fn();
});

// ---- issue by hand -----------------------------------------------------------------------

byId('issue').addEventListener('click', () => {
  if (!queue) return;
  const serviceId = byId<HTMLSelectElement>('issue-service').value;
  const priority = byId<HTMLInputElement>('issue-priority');
  const b = byId<HTMLButtonElement>('issue');
  b.disabled = true;
  show(byId('issue-error'), false);
  takeTicket(queue.id, { service_id: serviceId, ...(priority.checked ? { priority: true } : {}) })
    .then(async (tk) => {
      // One priority ticket at a time: the box does not stay ticked for the next visitor.
      priority.checked = false;
      byId('printed-place').textContent = queue!.name;
      byId('printed-service').textContent = tk.service.name;
      byId('printed-number').textContent = tk.number;
      byId('printed-time').textContent = new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(tk.created_at);
      const canvas = byId<HTMLCanvasElement>('printed-qr');
      const url = ticketUrl(tk.id, tk.token);
      await QRCode.toCanvas(canvas, url, { errorCorrectionLevel: 'M', margin: 2, width: 360, color: { dark: '#000000', light: '#ffffff' } });
      canvas.style.removeProperty('width');
      canvas.style.removeProperty('height');
      canvas.dataset.url = url;
      show(byId('printed'));
      byId('printed').scrollIntoView({ block: 'nearest' });
    })
    .catch((err: unknown) => {
      const box = byId('issue-error');
      if (err instanceof ApiError && err.code === 'service_closed') setText(box, 'queue.serviceClosed');
      else if (err instanceof ApiError && err.code === 'queue_full') setText(box, 'queue.queueFull');
      else return showError(box, err);
      show(box);
    })
    .finally(() => (b.disabled = false));
});
byId('print').addEventListener('click', () => window.print());
byId('printed-close').addEventListener('click', () => show(byId('printed'), false));

// ---- setup -------------------------------------------------------------------------------

function fail(err: unknown): void {
  show(statusLine, false);
  if (err instanceof ApiError && err.status === 403) setText(errorBox, 'counter.forbidden');
  else if (err instanceof ApiError && err.status === 404) setText(errorBox, 'board.notFound');
  else return showError(errorBox, err);
  show(errorBox);
}

function pickCounter(id: string): void {
  if (!queue) return;
  counterId = id;
  remember(queue.id, id);
  counterPicker.value = id;
  const url = new URL(location.href);
  url.searchParams.set('q', queue.id);
  url.searchParams.set('counter', id);
  history.replaceState(history.state, '', url);
  const counter = queue.counters.find((c) => c.id === id)!;
  document.body.dataset.counterId = id;
  current = null;
  const mine = new Set(counter.service_ids);
  const issue = byId<HTMLSelectElement>('issue-service');
  issue.replaceChildren(
    ...[...queue.services].sort((a, b) => Number(mine.has(b.id)) - Number(mine.has(a.id))).map((s) => {
      const o = document.createElement('option');
      o.value = s.id;
      o.textContent = `${s.prefix} · ${s.name}`;
      return o;
    }),
  );
  show(consoleBox);
  show(byId('waiting-box'));
  show(byId('issue-box'));
  renderCurrent();
  renderWaiting();
  renderOpen();
  // Someone is at this counter now: it counts in the wait shown to visitors.
  if (!counter.open) void changeOpen(id, true).catch((err: unknown) => showError(errorBox, err));
}

// ---- open or closed -----------------------------------------------------------------------

/** Whether this counter is staffed: the wait visitors are shown counts open counters only. */
function renderOpen(): void {
  const c = queue?.counters.find((x) => x.id === counterId);
  if (!c) return;
  setText(byId('counter-open-state'), c.open ? 'counter.isOpen' : 'counter.isClosed');
  setText(byId('counter-open'), c.open ? 'counter.closeCounter' : 'counter.openCounter');
  byId('counter-open-box').dataset.open = String(c.open);
  show(byId('counter-open-box'));
}

async function changeOpen(id: string, open: boolean): Promise<void> {
  const updated = await setCounterOpen(id, open);
  const c = queue?.counters.find((x) => x.id === id);
  if (c) c.open = updated.open;
  renderOpen();
}

byId('counter-open').addEventListener('click', () => {
  const c = queue?.counters.find((x) => x.id === counterId);
  if (c) void changeOpen(c.id, !c.open).catch((err: unknown) => showError(errorBox, err));
});

async function openQueue(id: string): Promise<void> {
  queue = await fetchQueue(id);
  byId('counter-place').textContent = queue.name;
  show(statusLine, false);
  if (queue.counters.length === 0) {
    setText(errorBox, 'counter.noCounters');
    show(errorBox);
    return;
  }
  counterPicker.replaceChildren(
    ...queue.counters.map((c) => {
      const o = document.createElement('option');
      o.value = c.id;
      o.textContent = c.name;
      return o;
    }),
  );
  show(byId('counter-picker-box'));
  counterPicker.onchange = () => pickCounter(counterPicker.value);
  const wanted = params.get('counter') ?? remembered(id);
  pickCounter(queue.counters.some((c) => c.id === wanted) ? wanted! : queue.counters[0]!.id);

  const b = await fetchBoard(id);
  board = b;
  renderWaiting();
  sub?.unsubscribe();
  sub = live.subscribe<BoardState>(b.live.channel, b.live.token, (s) => {
    board = s.data;
    renderWaiting();
  }, {
    after: b.version,
    onStatus,
    renew: async () => (await fetchBoard(id)).live.token,
  });
}

async function setup(): Promise<void> {
  try {
    const me = await getMe();
    if (!me) {
      location.replace(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    if (me.user.role === 'member') return fail(new ApiError('forbidden', 'staff only', 403));
    const wanted = params.get('q');
    if (wanted) return await openQueue(wanted);
    const { queues } = await fetchQueues();
    show(statusLine, false);
    if (queues.length === 0) {
      setText(errorBox, 'counter.noQueues');
      show(errorBox);
      return;
    }
    if (queues.length === 1) return await openQueue(queues[0]!.id);
    const picker = byId<HTMLSelectElement>('queue-picker');
    const prompt = document.createElement('option');
    prompt.value = '';
    prompt.disabled = true;
    prompt.textContent = `— ${t('counter.queue')} —`;
    picker.replaceChildren(
      prompt,
      ...queues.map((q) => {
        const o = document.createElement('option');
        o.value = q.id;
        o.textContent = q.name;
        return o;
      }),
    );
    picker.value = '';
    show(byId('queue-picker-box'));
    picker.addEventListener('change', () => {
      show(byId('queue-picker-box'), false);
      void openQueue(picker.value).catch(fail);
    });
  } catch (err) {
    fail(err);
  }
}

onLocaleChange(() => {
  renderCurrent();
  renderWaiting();
});

void setup();
