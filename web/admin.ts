/**
 * /admin: the admin console. Signed out -> sign in and come back; signed in
 * without the admin role -> a clear message. Sections are picked in the side
 * navigation; "Applications" (OAuth clients) is the first: list, register
 * (the secret of a confidential client is shown here once, never again),
 * remove after a confirmation; its redirect URIs and grants are changed in
 * an Edit dialog (lib/admin-client-uris.ts).
 */
import { CLIENT_ID_RE, createClient, listClients, removeClient, SCOPES, type Client, type Created, type Scope } from './lib/admin-api.js';
import { editUrisDialog, UriFields, uriSummary } from './lib/admin-client-uris.js';
import { hideAdminError, showAdminError } from './lib/admin-errors.js';
import { startEvents } from './lib/admin-events/index.js';
import { ApiError, getMe, type Me } from './lib/api.js';
import { getLocale, onLocaleChange, setText, t, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showError, showOnly } from './lib/page.js';
import { copyInput } from './lib/clipboard.js';

initPage();

const loading = byId('loading');
const loadError = byId('load-error');
const redirecting = byId('redirecting');
const needAdmin = byId('need-admin');
const consoleBox = byId('console');
const states = [loading, loadError, redirecting, needAdmin, consoleBox];

let me: Me | null = null;
let clients: Client[] = [];

// ---- who is here ---------------------------------------------------------------------

function renderNeedAdmin(): void {
  if (!me) return;
  setText(byId('need-admin-text'), 'admin.needAdmin.text', { email: me.user.email, role: t(`role.${me.user.role}` as MessageKey) });
}

async function start(): Promise<void> {
  showOnly(states, loading);
  try {
    me = await getMe();
  } catch (err) {
    showError(byId('load-error-text'), err);
    showOnly(states, loadError);
    return;
  }
  if (!me) {
    showOnly(states, redirecting);
    location.replace(`/signin?next=${encodeURIComponent(location.pathname + location.search + location.hash)}`);
    return;
  }
  if (me.user.role !== 'admin') {
    renderNeedAdmin();
    showOnly(states, needAdmin);
    return;
  }
  showOnly(states, consoleBox);
  startEvents();
  await refreshList();
}

byId('load-retry').addEventListener('click', () => void start());

// ---- the list --------------------------------------------------------------------------

const table = byId<HTMLTableElement>('clients-table');
const tbody = byId('clients');
const listEmpty = byId('list-empty');
const listError = byId('list-error');
const listNotice = byId('list-notice');

const fmtDate = (ms: number) => new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);

function cell(labelKey: MessageKey, ...children: (Node | string)[]): HTMLTableCellElement {
  const td = document.createElement('td');
  td.dataset.label = t(labelKey);
  td.append(...children);
  return td;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function row(c: Client): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.clientId = c.client_id;
  tr.dataset.testid = 'client-row';

  const name = el('span', 'client-name', c.name);
  const id = el('code', 'mono', c.client_id);
  const type = el('span', `badge ${c.confidential ? 'confidential' : 'public'}`);
  type.dataset.type = c.confidential ? 'confidential' : 'public';
  setText(type, c.confidential ? 'admin.type.confidential' : 'admin.type.public');
  const scopes = el('ul', 'chips');
  for (const s of c.scopes) scopes.append(el('li', 'chip', s));
  const created = el('time', '', fmtDate(c.created_at));
  created.dateTime = new Date(c.created_at).toISOString();

  const edit = el('button', 'button secondary small');
  edit.type = 'button';
  setText(edit, 'admin.edit');
  edit.setAttribute('aria-label', t('admin.editNamed', { name: c.name }));
  edit.addEventListener('click', () => openEdit(c, edit));

  const remove = el('button', 'button danger small');
  remove.type = 'button';
  setText(remove, 'admin.remove');
  remove.setAttribute('aria-label', t('admin.removeNamed', { name: c.name }));
  remove.addEventListener('click', () => askRemove(c, remove));

  const actions = cell('admin.list.actions', edit, remove);
  actions.className = 'actions';
  tr.append(cell('admin.list.name', name), cell('admin.list.clientId', id), cell('admin.list.type', type), cell('admin.list.scopes', scopes), cell('admin.list.uris', uriSummary(c)), cell('admin.list.created', created), actions);
  return tr;
}

function renderList(): void {
  tbody.replaceChildren(...clients.map(row));
  show(table, clients.length > 0);
  show(listEmpty, clients.length === 0);
  setText(byId('list-count'), 'admin.list.count', { count: clients.length });
}

async function refreshList(): Promise<void> {
  try {
    clients = await listClients();
    hideAdminError(listError);
    renderList();
  } catch (err) {
    showAdminError(listError, err);
  }
}

function notice(key: MessageKey, vars: Record<string, string>): void {
  setText(listNotice, key, vars);
  show(listNotice);
}

// ---- register --------------------------------------------------------------------------

const form = byId<HTMLFormElement>('register-form');
const nameInput = byId<HTMLInputElement>('client-name');
const idInput = byId<HTMLInputElement>('client-id');
const confidential = byId<HTMLInputElement>('confidential');
const scopesBox = byId('scopes');
const submit = byId<HTMLButtonElement>('register-submit');
const formError = byId('form-error');
const scopeBoxes = (): HTMLInputElement[] => [...form.querySelectorAll<HTMLInputElement>('input[name="scope"]')];
const uriFields = new UriFields('');

function fieldError(input: HTMLElement, errorId: string, key: MessageKey | null): void {
  const box = byId(errorId);
  const hintId = input.dataset.hintId ?? input.getAttribute('aria-describedby') ?? '';
  input.dataset.hintId = hintId;
  if (key) {
    setText(box, key);
    show(box);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [errorId, hintId].filter(Boolean).join(' '));
  } else {
    box.hidden = true;
    box.textContent = '';
    delete box.dataset.i18n;
    input.removeAttribute('aria-invalid');
    if (hintId) input.setAttribute('aria-describedby', hintId);
    else input.removeAttribute('aria-describedby');
  }
}

function chosenScopes(): Scope[] {
  const ticked = new Set(scopeBoxes().filter((b) => b.checked).map((b) => b.value));
  return SCOPES.filter((s) => ticked.has(s));
}

function validate(): boolean {
  const nameKey: MessageKey | null = nameInput.value.trim() ? null : 'admin.register.nameRequired';
  const id = idInput.value.trim();
  const idKey: MessageKey | null = !id || CLIENT_ID_RE.test(id) ? null : 'admin.register.clientIdInvalid';
  const scopesKey: MessageKey | null = chosenScopes().length ? null : 'admin.register.scopesRequired';
  fieldError(nameInput, 'client-name-error', nameKey);
  fieldError(idInput, 'client-id-error', idKey);
  fieldError(scopesBox, 'scopes-error', scopesKey);
  if (nameKey) nameInput.focus();
  else if (idKey) idInput.focus();
  else if (scopesKey) scopeBoxes()[0]?.focus();
  if (nameKey || idKey || scopesKey) {
    uriFields.check();
    return false;
  }
  return uriFields.check();
}

nameInput.addEventListener('input', () => fieldError(nameInput, 'client-name-error', null));
idInput.addEventListener('input', () => fieldError(idInput, 'client-id-error', null));
for (const b of scopeBoxes()) b.addEventListener('change', () => fieldError(scopesBox, 'scopes-error', null));

function busy(on: boolean): void {
  submit.disabled = on;
  form.setAttribute('aria-busy', String(on));
  setText(submit, on ? 'admin.register.submitting' : 'admin.register.submit');
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (submit.disabled) return;
  hideAdminError(formError);
  listNotice.hidden = true;
  hideCreated();
  if (!validate()) return;
  const id = idInput.value.trim();
  busy(true);
  try {
    const created = await createClient({ name: nameInput.value.trim(), ...(id ? { client_id: id } : {}), confidential: confidential.checked, scopes: chosenScopes(), ...uriFields.values() });
    form.reset();
    uriFields.reset();
    showCreated(created);
    await refreshList();
  } catch (err) {
    showAdminError(formError, err);
    if (err instanceof ApiError && err.code === 'client_exists') {
      idInput.setAttribute('aria-invalid', 'true');
      idInput.focus();
      idInput.select();
    }
  } finally {
    busy(false);
  }
});

// ---- the result: client id, and the secret shown once -----------------------------------

const createdBox = byId('created');
const createdId = byId<HTMLInputElement>('created-client-id');
const createdSecret = byId<HTMLInputElement>('created-secret');
const copyStatus = byId('copy-status');

function showCreated({ client, client_secret }: Created): void {
  setText(byId('created-text'), 'admin.created.text', { name: client.name });
  createdId.value = client.client_id;
  createdSecret.value = client_secret ?? '';
  show(byId('created-secret-box'), client_secret !== undefined);
  show(byId('created-public'), client_secret === undefined);
  clearCopyStatus();
  show(createdBox);
  createdBox.dataset.confidential = String(client.confidential);
  createdBox.focus();
  createdBox.scrollIntoView({ block: 'nearest' });
}

/** Hides the result and forgets the secret: nothing keeps it after this. */
function hideCreated(): void {
  createdBox.hidden = true;
  createdId.value = '';
  createdSecret.value = '';
  clearCopyStatus();
}

function clearCopyStatus(): void {
  copyStatus.textContent = '';
  delete copyStatus.dataset.i18n;
}

async function copy(input: HTMLInputElement): Promise<void> {
  const ok = await copyInput(input);
  setText(copyStatus, ok ? 'admin.copied' : 'admin.copyFailed');
  if (!ok) input.select();
}

byId('copy-client-id').addEventListener('click', () => void copy(createdId));
byId('copy-secret').addEventListener('click', () => void copy(createdSecret));
byId('created-done').addEventListener('click', () => {
  hideCreated();
  nameInput.focus();
});
for (const input of [createdId, createdSecret]) input.addEventListener('focus', () => input.select());

// ---- remove, after a confirmation --------------------------------------------------------

const dialog = byId<HTMLDialogElement>('confirm-remove');
const confirmOk = byId<HTMLButtonElement>('confirm-ok');
const confirmError = byId('confirm-error');
let pending: { client: Client; opener: HTMLElement } | null = null;

function askRemove(client: Client, opener: HTMLElement): void {
  pending = { client, opener };
  hideAdminError(confirmError);
  setText(byId('confirm-text'), 'admin.confirm.text', { name: client.name, client_id: client.client_id });
  confirmOk.disabled = false;
  setText(confirmOk, 'admin.confirm.remove');
  listNotice.hidden = true;
  dialog.showModal();
  byId('confirm-cancel').focus();
}

dialog.addEventListener('close', () => {
  const opener = pending?.opener;
  pending = null;
  if (opener?.isConnected) opener.focus();
});

confirmOk.addEventListener('click', async () => {
  if (!pending || confirmOk.disabled) return;
  const { client } = pending;
  confirmOk.disabled = true;
  setText(confirmOk, 'admin.confirm.removing');
  try {
    await removeClient(client.client_id);
    dialog.close();
    await refreshList();
    notice('admin.removed', { name: client.name });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'unknown_client') {
      // Gone already: say so, and show the list as it is now.
      dialog.close();
      await refreshList();
      showAdminError(listError, err);
      return;
    }
    confirmOk.disabled = false;
    setText(confirmOk, 'admin.confirm.remove');
    showAdminError(confirmError, err);
  }
});

// ---- redirect URIs and grants, changed in a dialog ---------------------------------------

const openEdit = editUrisDialog(async (changed) => {
  await refreshList();
  notice('admin.edited', { name: changed.name });
});

// ---- language switches: rebuild what is built, not marked ------------------------------------

onLocaleChange(() => {
  renderNeedAdmin();
  if (!consoleBox.hidden) renderList();
});

void start();
