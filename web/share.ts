import { getMe } from './lib/api.js';
import { setText, t } from './lib/i18n.js';
import { byId, initPage, show, showOnly } from './lib/page.js';
import { createShare, decideShare, FINAL, getShare, revokeShare, SHARE_FIELDS, type OwnerView, type SharedFields, type ShareState, type ShareStatus } from './lib/share-api.js';
import { hideError, showShareError } from './lib/share-errors.js';
import { remaining, renderFields } from './lib/share-fields.js';
import { watchShare } from './lib/share-live.js';

initPage();

const loading = byId('loading');
const error = byId('error');
const signedOut = byId('signed-out');
const compose = byId<HTMLFormElement>('compose');
const showing = byId('showing');
const states = [loading, signedOut, compose, showing];
const createButton = byId<HTMLButtonElement>('create');
const fieldsError = byId('fields-error');
const status = byId('share-status');
const approve = byId<HTMLButtonElement>('approve');
const deny = byId<HTMLButtonElement>('deny');
const revoke = byId<HTMLButtonElement>('revoke');
const again = byId<HTMLButtonElement>('again');

const input = (k: string) => byId<HTMLInputElement | HTMLTextAreaElement>(k);
const box = (k: string) => byId<HTMLInputElement>(`use-${k}`);

let current: OwnerView | undefined;
let watcher: { stop(): void } | undefined;
let ticker: ReturnType<typeof setInterval> | undefined;

// Typing into a detail means "share it"; clearing it means "don't".
for (const k of SHARE_FIELDS) input(k).addEventListener('input', () => (box(k).checked = input(k).value.trim() !== ''));

function chosen(): SharedFields {
  const out: SharedFields = {};
  for (const k of SHARE_FIELDS) {
    const v = input(k).value.trim();
    if (box(k).checked && v) out[k] = v;
  }
  return out;
}

/** Details ticked with nothing typed: sharing would silently leave them out, so the form says so. */
const tickedEmpty = () => SHARE_FIELDS.filter((k) => box(k).checked && input(k).value.trim() === '');

function render(s: ShareState): void {
  // A decision's own answer may arrive before the channel's older news: never step back from an end.
  if (FINAL.has(status.dataset.status as ShareStatus) && !FINAL.has(s.status)) return;
  status.dataset.status = s.status;
  const who = s.requester?.name ?? '';
  setText(status, `share.status.${s.status}`, { name: who });
  show(byId('qr-box'), s.status === 'open');
  show(byId('asking'), s.status === 'requested');
  if (s.requester) setText(byId('requester'), 'share.asking', { name: s.requester.name, email: s.requester.email });
  approve.disabled = deny.disabled = false;
  show(revoke, s.status === 'open' || s.status === 'requested');
  show(again, FINAL.has(s.status));
  if (FINAL.has(s.status)) {
    clearInterval(ticker);
    const offered = s.status === 'approved';
    show(byId('offer-heading'), offered);
    show(byId('offer'), offered);
  }
}

function tick(): void {
  if (!current) return;
  const left = current.expires_at - Date.now();
  const el = byId('countdown');
  if (left > 0) setText(el, 'share.expiresIn', { time: remaining(current.expires_at) });
  else setText(el, 'share.expiredNow');
}

function present(view: OwnerView): void {
  current = view;
  history.replaceState(history.state, '', `/share?id=${encodeURIComponent(view.id)}`);
  byId('code').textContent = view.code;
  byId<HTMLImageElement>('qr').src = `/api/v1/shares/${encodeURIComponent(view.id)}/qr.svg`;
  renderFields(byId('offer'), view.offer);
  show(byId('offer-heading'), !!view.offer);
  show(byId('offer'), !!view.offer);
  showOnly(states, showing);
  delete status.dataset.status;
  render(view);
  clearInterval(ticker);
  if (!FINAL.has(view.status)) {
    tick();
    ticker = setInterval(tick, 1000);
  }
  watcher?.stop();
  watcher = watchShare(view.live, render, async () => (await getShare<OwnerView>(view.id)).live);
}

compose.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (createButton.disabled) return;
  hideError(error);
  const empty = tickedEmpty();
  if (empty.length) {
    setText(fieldsError, 'share.tickedEmpty', { fields: empty.map((k) => t(`share.field.${k}`)).join(t('share.listJoin')) });
    show(fieldsError);
    input(empty[0]!).focus();
    return;
  }
  const fields = chosen();
  if (Object.keys(fields).length === 0) {
    setText(fieldsError, 'share.noneChosen');
    show(fieldsError);
    return;
  }
  fieldsError.hidden = true;
  createButton.disabled = true;
  setText(createButton, 'share.creating');
  try {
    const title = input('title').value.trim();
    present(await createShare({ ...(title ? { title } : {}), fields }));
  } catch (err) {
    showShareError(error, err);
  } finally {
    createButton.disabled = false;
    setText(createButton, 'share.create');
  }
});

async function act(run: () => Promise<OwnerView>, buttons: HTMLButtonElement[]): Promise<void> {
  if (buttons.some((b) => b.disabled)) return;
  hideError(error);
  for (const b of buttons) b.disabled = true;
  try {
    render(await run());
  } catch (err) {
    showShareError(error, err);
    for (const b of buttons) b.disabled = false;
  }
}

approve.addEventListener('click', () => current && void act(() => decideShare(current!.id, 'approve'), [approve, deny]));
deny.addEventListener('click', () => current && void act(() => decideShare(current!.id, 'deny'), [approve, deny]));
revoke.addEventListener('click', () => current && void act(() => revokeShare(current!.id), [revoke]));
again.addEventListener('click', () => {
  watcher?.stop();
  current = undefined;
  hideError(error);
  history.replaceState(history.state, '', '/share');
  showOnly(states, compose);
});

async function load(): Promise<void> {
  try {
    const me = await getMe();
    if (!me) return showOnly(states, signedOut);
    input('name').value = me.user.name;
    input('email').value = me.user.email;
    box('name').checked = box('email').checked = true;
    const id = new URLSearchParams(location.search).get('id');
    if (id) {
      try {
        const view = await getShare<OwnerView>(id);
        if (view.role === 'owner') return present(view);
      } catch {
        // Gone or not ours: start a new one.
      }
      history.replaceState(history.state, '', '/share');
    }
    showOnly(states, compose);
  } catch (err) {
    loading.hidden = true;
    showShareError(error, err);
  }
}

void load();
