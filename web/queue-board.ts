/**
 * /queue-board?q=<queue>: the display board of a place, for a TV or a kiosk
 * signed in as staff of the place (or an admin), or provisioned in the
 * console as a board device of the place: it opens
 * `/queue-board?q=<queue>#device=sqd_...`, keeps the token in localStorage
 * and drops it from the address (a fragment never reaches a server's logs).
 * A revoked device says so, and how to provision it again. No interaction: "Now calling
 * A023 → Counter 3" in large type, the last calls with their counters, how
 * many wait per service, and the entrance QR, fetched again before each
 * rotation (a code is accepted for about two minutes, so a photo of it soon
 * stops working).
 *
 * Each new call (and each recall) is announced: a chime, then the number in
 * Chinese and English through speechSynthesis where the browser has voices.
 * Browsers play sound only after one tap (or a kiosk's autoplay flag), hence
 * the "Tap to turn on sound" button. The board follows `board:<queue>`; it
 * reconnects by itself (a discreet "reconnecting" mark meanwhile) and the
 * snapshot it receives then is shown, not announced.
 */
import QRCode from 'qrcode';
import { createLiveClient, type LiveStatus, type LiveSubscription } from '../client/index.js';
import { ApiError, getMe } from './lib/api.js';
import { onLocaleChange, setText, t } from './lib/i18n.js';
import { byId, initPage, show, showError } from './lib/page.js';
import { boardDeviceToken, fetchBoard, fetchEntranceCode, setBoardDeviceToken, type BoardCall, type BoardState, type EntranceCode } from './lib/queue-api.js';
import { announce, chime } from './lib/queue-sound.js';

initPage();

const queueId = new URLSearchParams(location.search).get('q');

// A provisioned board opens its URL once with the token in the fragment: keep it, then take it out of the address.
const fragmentToken = new URLSearchParams(location.hash.slice(1)).get('device');
if (location.hash) {
  if (queueId && fragmentToken) setBoardDeviceToken(queueId, fragmentToken);
  history.replaceState(history.state, '', location.pathname + location.search);
}
/** Whether this screen shows the place as a provisioned device (rather than a signed-in account). */
const asDevice = (): boolean => !!queueId && !!boardDeviceToken(queueId);
let revokedForGood = false;
const statusLine = byId('board-status');
const errorBox = byId('board-error');
const board = byId('board');
const liveMark = byId('board-live');
const qr = byId<HTMLCanvasElement>('board-qr');

/** Fetch the entrance code again this often at most (codes rotate every 60 s). */
const CODE_REFRESH_MS = 50_000;
const CODE_RETRY_MS = 5_000;

const live = createLiveClient();
let sub: LiveSubscription | undefined;
let state: BoardState | null = null;
/** The call on screen, so a resync (reconnect, snapshot) is not announced again; null until the first state. */
let shownCall: string | null = null;
let code: EntranceCode | null = null;
let codeTimer: ReturnType<typeof setTimeout> | undefined;

const callKey = (c: BoardCall | null) => (c ? `${c.ticket_id}|${c.at}|${c.recalls}` : '');

/**
 * What the board says: "请 A023 号到 3 号窗口" / "Number A023, please go to counter 3".
 * A bare "3" becomes "3 号窗口" / "counter 3"; a name in Latin letters ("Counter 3")
 * is said as it is; a Chinese name with a number ("3 号窗口") is "counter 3" in English.
 */
function spoken(c: BoardCall): [['zh-CN', string], ['en', string]] {
  const counter = (c.counter?.name ?? '').trim();
  const digits = /\d+/.exec(counter)?.[0];
  const bare = /^\d+$/.test(counter);
  const zh = `请 ${c.number} 号到 ${bare ? `${counter} 号窗口` : counter}`;
  const enCounter = bare || (digits && !/[a-z]/i.test(counter)) ? `counter ${digits}` : counter;
  return [
    ['zh-CN', zh],
    ['en', `Number ${c.number}, please go to ${enCounter}`],
  ];
}

function renderCall(el: HTMLElement, c: BoardCall): void {
  const number = document.createElement('span');
  number.className = 'board-recent-number';
  number.textContent = c.number;
  const counter = document.createElement('span');
  counter.className = 'board-recent-counter';
  counter.textContent = c.counter?.name ?? '';
  el.append(number, counter);
}

function render(s: BoardState, fresh: boolean): void {
  state = s;
  const now = s.now;
  show(byId('board-now'), !!now);
  show(byId('board-now-empty'), !now);
  if (now) {
    byId('board-now-number').textContent = now.number;
    byId('board-now-counter').textContent = now.counter?.name ?? '';
    board.dataset.ticketId = now.ticket_id;
    board.dataset.recalls = String(now.recalls);
  }
  const recent = s.recent.filter((c) => !now || c.ticket_id !== now.ticket_id).slice(0, 6);
  show(byId('board-recent-box'), recent.length > 0);
  byId('board-recent').replaceChildren(
    ...recent.map((c) => {
      const li = document.createElement('li');
      li.dataset.testid = 'board-recent-item';
      li.dataset.ticketId = c.ticket_id;
      renderCall(li, c);
      return li;
    }),
  );
  byId('board-services').replaceChildren(
    ...s.services
      .filter((x) => x.open || x.waiting > 0)
      .map((x) => {
        const li = document.createElement('li');
        li.dataset.testid = 'board-service';
        li.dataset.serviceId = x.id;
        li.dataset.waiting = String(x.waiting);
        const name = document.createElement('span');
        name.className = 'board-service-name';
        name.textContent = `${x.prefix} · ${x.name}`;
        const n = document.createElement('span');
        n.className = 'board-service-waiting';
        setText(n, x.waiting === 1 ? 'board.waitingOne' : 'board.waitingMany', { n: x.waiting });
        li.append(name, n);
        return li;
      }),
  );
  const key = callKey(now);
  // Only a change seen live is announced: not the state found on opening or after a reconnect's snapshot.
  if (fresh && shownCall !== null && key !== shownCall && now) {
    const voices = announce(spoken(now));
    board.dataset.announced = key;
    board.dataset.announcedWith = voices.length ? voices.join(',') : 'chime';
    board.dataset.announcement = spoken(now)
      .map(([, text]) => text)
      .join(' / ');
    // A fresh call flashes for a few seconds.
    const box = byId('board-now-box');
    box.classList.remove('board-flash');
    void box.offsetWidth;
    box.classList.add('board-flash');
  }
  shownCall = key;
}

// ---- the entrance QR -------------------------------------------------------------------------

async function drawCode(): Promise<void> {
  clearTimeout(codeTimer);
  if (revokedForGood) return;
  try {
    code = await fetchEntranceCode(queueId!);
    await QRCode.toCanvas(qr, code.url, { errorCorrectionLevel: 'M', margin: 2, width: 640, color: { dark: '#000000', light: '#ffffff' } });
    qr.style.removeProperty('width');
    qr.style.removeProperty('height');
    qr.dataset.url = code.url;
    qr.dataset.code = code.code;
    show(qr);
    show(byId('board-qr-stale'), false);
    const untilRotation = (code.rotates_at ?? code.expires_at) - Date.now();
    codeTimer = setTimeout(() => void drawCode(), Math.max(CODE_RETRY_MS, Math.min(CODE_REFRESH_MS, untilRotation + 500)));
  } catch (err) {
    if (isRevoked(err)) return revoked();
    codeTimer = setTimeout(() => void drawCode(), CODE_RETRY_MS);
  }
}

/** A code past its end must not stay on screen: people would scan it in vain. */
setInterval(() => {
  if (code && Date.now() >= code.expires_at) {
    show(qr, false);
    show(byId('board-qr-stale'));
  }
}, 1000);

// ---- live ------------------------------------------------------------------------------------

function onStatus(status: LiveStatus): void {
  const down = status === 'reconnecting' || status === 'closed';
  liveMark.dataset.status = status;
  show(liveMark, down);
  if (down) setText(liveMark, 'board.reconnecting');
}

async function watch(): Promise<void> {
  const b = await fetchBoard(queueId!);
  byId('board-place').textContent = b.queue.name;
  render(b, false);
  sub?.unsubscribe();
  sub = live.subscribe<BoardState>(b.live.channel, b.live.token, (s) => render(s.data, true), {
    after: b.version,
    onStatus,
    renew: async () => (await fetchBoard(queueId!)).live.token,
    onError: (e) => {
      // Refused for good (a renewal refused, access revoked): start again in a while. A revocation is checked at once.
      if (e.terminal) rewatch(e.code === 'access_revoked' ? 200 : 5000);
    },
  });
}

/** Starts watching again after `ms`; never gives up while the server is away, unless the device itself was revoked (then says so). */
function rewatch(ms: number): void {
  setTimeout(
    () =>
      void watch().catch((err: unknown) => {
        if (isRevoked(err)) return revoked();
        onStatus('reconnecting');
        rewatch(5000);
      }),
    ms,
  );
}

/** This screen's device token was revoked (or is unknown): it shows nothing of the place any more. */
function isRevoked(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 'device_revoked' || (err.status === 401 && asDevice()));
}

/** No dead end: what happened, and the two ways back (provision again, or sign in as staff). */
function revoked(): void {
  revokedForGood = true;
  clearTimeout(codeTimer);
  sub?.unsubscribe();
  sub = undefined;
  if (queueId) setBoardDeviceToken(queueId, null);
  show(board, false);
  show(statusLine, false);
  errorBox.replaceChildren();
  const text = document.createElement('span');
  setText(text, 'board.revoked');
  const link = document.createElement('a');
  link.href = `/signin?next=${encodeURIComponent(location.pathname + location.search)}`;
  link.dataset.testid = 'board-signin';
  setText(link, 'board.signInInstead');
  errorBox.append(text, ' ', link);
  errorBox.dataset.state = 'revoked';
  show(errorBox);
}

function fail(err: unknown): void {
  if (isRevoked(err)) return revoked();
  show(statusLine, false);
  if (err instanceof ApiError && err.status === 403) setText(errorBox, 'board.forbidden');
  else if (err instanceof ApiError && err.status === 404) setText(errorBox, 'board.notFound');
  else return showError(errorBox, err);
  show(errorBox);
}

async function start(): Promise<void> {
  if (!queueId) {
    show(statusLine, false);
    setText(errorBox, 'board.missing');
    show(errorBox);
    return;
  }
  try {
    const me = asDevice() ? true : await getMe();
    if (!me) {
      location.replace(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    await watch();
  } catch (err) {
    // A network failure at start (the server restarting): keep trying, quietly.
    if (err instanceof ApiError && err.status === 0) {
      setTimeout(() => void start(), CODE_RETRY_MS);
      return;
    }
    return fail(err);
  }
  show(statusLine, false);
  show(errorBox, false);
  show(board);
  void drawCode();
}

const soundButton = byId<HTMLButtonElement>('board-sound');
soundButton.addEventListener('click', () => {
  chime(1);
  show(soundButton, false);
});

onLocaleChange(() => {
  if (state) render(state, false);
  document.title = t('board.title');
});

void start();
