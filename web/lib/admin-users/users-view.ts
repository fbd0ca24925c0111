/**
 * `#users`: the console's Users section. Add a user (user-form.ts); find
 * accounts by a part of the email or name and by role, a page at a time;
 * change an account's role and disable or enable it. Every change but
 * enabling asks first (confirm-dialog.ts), saying what it does: a demoted
 * member stops staffing, a disabled account is signed out everywhere.
 */
import { listUsers, ROLE_CHOICES, updateUser, type UserList } from '../admin-users-api.js';
import { ApiError, getMe, type Role, type User } from '../api.js';
import { alertBox, button, cell, h, heading, table } from '../admin-events/dom.js';
import { timeEl } from '../admin-events/format.js';
import { view } from '../admin-events/view-state.js';
import { setText, t, type MessageKey } from '../i18n.js';
import { confirmDialog } from './confirm-dialog.js';
import { userForm } from './user-form.js';
import { hideUsersErr, showUsersErr } from './users-errors.js';

const PAGE = 50;
const SEARCH_DELAY_MS = 250;
const roleName = (role: string) => t(`role.${role}` as MessageKey);

export async function usersView(root: HTMLElement): Promise<void> {
  const me = (await getMe())?.user;
  const listBox = h('div', {});
  const listError = alertBox('users-error');
  const notice = h('p', { class: 'notice', role: 'status', 'data-testid': 'users-notice', hidden: true });
  const count = h('span', { class: 'hint', 'data-testid': 'users-count' });
  const search = h('input', { id: 'users-search', type: 'search', maxlength: '254', autocomplete: 'off', 'data-testid': 'users-search' });
  const roleFilter = h('select', { id: 'users-role-filter', 'data-testid': 'users-role-filter' });
  const prev = button('users.list.previous', 'button secondary small');
  const next = button('users.list.next', 'button secondary small');
  const pager = h('div', { class: 'users-pager' }, prev, next);
  const dialog = confirmDialog();
  let page: UserList = { users: [], total: 0 };
  let offset = 0;

  const say = (key: MessageKey, vars: Record<string, string>) => {
    setText(notice, key, vars);
    notice.hidden = false;
  };

  async function refresh(): Promise<void> {
    hideUsersErr(listError);
    try {
      const q = search.value.trim();
      const role = roleFilter.value as Role | '';
      page = await listUsers({ limit: PAGE, offset, ...(q ? { q } : {}), ...(role ? { role } : {}) });
      if (page.users.length === 0 && offset > 0 && page.total > 0) {
        offset = Math.max(0, Math.floor((page.total - 1) / PAGE) * PAGE);
        return refresh();
      }
      renderList();
    } catch (err) {
      showUsersErr(listError, err);
    }
  }

  /** Runs a change from the dialog; a vanished account refreshes the list before the refusal shows. */
  async function change(u: User, patch: Parameters<typeof updateUser>[1], done: (after: User) => void): Promise<void> {
    try {
      const after = await updateUser(u.id, patch);
      done(after);
      await refresh();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'unknown_user') await refresh();
      throw err;
    }
  }

  function askRole(u: User, select: HTMLSelectElement): void {
    const to = select.value as Role;
    select.value = u.role; // Changes only once confirmed.
    if (to === u.role) return;
    const extra: [MessageKey][] = [];
    if (to === 'member' && u.role !== 'member') extra.push(['users.confirm.roleToMember']);
    if (to === 'admin') extra.push(['users.confirm.roleToAdmin']);
    if (u.id === me?.id) extra.push(['users.confirm.roleSelf']);
    dialog.ask(
      {
        heading: ['users.confirm.roleHeading', { name: u.name }],
        text: [['users.confirm.roleText', { name: u.name, email: u.email, from: roleName(u.role), to: roleName(to) }], ...extra],
        ok: 'users.confirm.roleOk',
        danger: to !== 'admin' && u.role !== 'member',
        run: () =>
          change(u, { role: to }, (after) => {
            // The row says the new role as the notice does, before the list is read again.
            select.value = after.role;
            say('users.roleChanged', { name: after.name, role: roleName(after.role) });
            // Demoted themselves: the console is no longer theirs.
            if (after.id === me?.id && after.role !== 'admin') location.reload();
          }),
      },
      select,
    );
  }

  function askDisable(u: User, opener: HTMLElement): void {
    dialog.ask(
      {
        heading: ['users.confirm.disableHeading', { name: u.name }],
        text: [['users.confirm.disableText', { name: u.name, email: u.email }]],
        ok: 'users.confirm.disableOk',
        danger: true,
        run: () => change(u, { disabled: true }, (after) => say('users.disabled', { name: after.name })),
      },
      opener,
    );
  }

  function row(u: User): HTMLTableRowElement {
    const self = u.id === me?.id;
    const select = h('select', { 'aria-label': t('users.list.roleOf', { name: u.name }), 'data-testid': 'user-role' }, ...ROLE_CHOICES.map((r) => h('option', { value: r }, roleName(r))));
    select.value = u.role;
    select.addEventListener('change', () => askRole(u, select));
    const status = h('span', { class: `badge ${u.disabled ? 'revoked' : 'open'}`, 'data-status': u.disabled ? 'disabled' : 'active', i18n: u.disabled ? 'users.status.disabled' : 'users.status.active' });
    const actions = cell('admin.list.actions');
    actions.className = 'actions';
    if (u.disabled) {
      const enable = button('users.enable', 'button secondary small', { 'aria-label': t('users.enableNamed', { name: u.name }) });
      // Enabling takes nothing away: no confirmation.
      enable.addEventListener('click', async () => {
        if (enable.disabled) return;
        enable.disabled = true;
        hideUsersErr(listError);
        notice.hidden = true;
        try {
          await change(u, { disabled: false }, (after) => say('users.enabled', { name: after.name }));
        } catch (err) {
          showUsersErr(listError, err);
        } finally {
          enable.disabled = false;
        }
      });
      actions.append(enable);
    } else if (!self) {
      const disable = button('users.disable', 'button danger small', { 'aria-label': t('users.disableNamed', { name: u.name }) });
      disable.addEventListener('click', () => {
        notice.hidden = true;
        askDisable(u, disable);
      });
      actions.append(disable);
    }
    const nameCell = cell('users.list.name', h('span', { class: 'client-name' }, u.name), self ? h('span', { class: 'badge', i18n: 'users.list.you' }) : null);
    return h(
      'tr',
      { 'data-user-id': u.id, 'data-testid': 'user-row', 'data-email': u.email },
      nameCell,
      cell('users.list.email', u.email),
      cell('users.list.role', select),
      cell('users.list.status', status),
      cell('users.list.created', timeEl(u.created_at)),
      actions,
    );
  }

  function renderList(): void {
    if (page.users.length === 0) {
      listBox.replaceChildren(h('p', { class: 'hint', i18n: 'users.list.empty' }));
    } else {
      listBox.replaceChildren(table('users', ['users.list.name', 'users.list.email', 'users.list.role', 'users.list.status', 'users.list.created', 'admin.list.actions'], page.users.map(row)));
    }
    if (page.total > PAGE) setText(count, 'users.list.range', { from: page.users.length ? offset + 1 : 0, to: offset + page.users.length, total: page.total });
    else setText(count, 'users.list.count', { total: page.total });
    pager.hidden = page.total <= PAGE;
    prev.disabled = offset === 0;
    next.disabled = offset + PAGE >= page.total;
  }

  function renderFilter(): void {
    const chosen = roleFilter.value;
    roleFilter.replaceChildren(h('option', { value: '', i18n: 'users.list.allRoles' }), ...ROLE_CHOICES.map((r) => h('option', { value: r }, roleName(r))));
    roleFilter.value = chosen;
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      offset = 0;
      void refresh();
    }, SEARCH_DELAY_MS);
  });
  roleFilter.addEventListener('change', () => {
    offset = 0;
    void refresh();
  });
  prev.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE);
    void refresh();
  });
  next.addEventListener('click', () => {
    offset += PAGE;
    void refresh();
  });

  const form = userForm(async () => {
    offset = 0;
    await refresh();
  });
  renderFilter();

  root.replaceChildren(
    heading('users.heading'),
    h('p', { class: 'lead', i18n: 'users.intro' }),
    form.el,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'u-list-h' },
      h('div', { class: 'list-head' }, h('h2', { id: 'u-list-h', i18n: 'users.list.heading' }), count),
      h(
        'div',
        { class: 'ev-row users-filters' },
        h('div', { class: 'field ev-search' }, h('label', { for: search.id, i18n: 'users.list.search' }), search),
        h('div', { class: 'field' }, h('label', { for: roleFilter.id, i18n: 'users.list.roleFilter' }), roleFilter),
      ),
      notice,
      listError,
      listBox,
      pager,
    ),
    dialog.el,
  );

  view.rerender = () => {
    form.render();
    renderFilter();
    renderList();
  };
  await refresh();
}
