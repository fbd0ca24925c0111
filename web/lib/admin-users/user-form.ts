/**
 * The Users section's "Add a user" form: email, optional name, role, and the
 * first password, typed here or made up by the server. A made-up password is
 * shown once, with a Copy button, until "Done" (nothing keeps it after).
 * There are no invitations by email: the server sends none.
 */
import { createUser, MIN_PASSWORD, ROLE_CHOICES, type CreatedUser } from '../admin-users-api.js';
import { ApiError } from '../api.js';
import { copyRow } from '../admin-events/copy-row.js';
import { alertBox, button, field, h } from '../admin-events/dom.js';
import { setText, t, type MessageKey } from '../i18n.js';
import { hideUsersErr, showUsersErr } from './users-errors.js';

const roleName = (role: string) => t(`role.${role}` as MessageKey);

export function userForm(onCreated: (u: CreatedUser) => Promise<void>): { el: HTMLElement; render: () => void } {
  const email = h('input', { name: 'email', type: 'email', maxlength: '254', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: true });
  const name = h('input', { name: 'name', type: 'text', maxlength: '120', autocomplete: 'off' });
  const role = h('select', { name: 'role' });
  const roleHelp = h('p', { class: 'hint', id: 'new-user-role-help' });
  const madeUp = h('input', { type: 'radio', name: 'password_mode', value: 'made_up', checked: true });
  const typed = h('input', { type: 'radio', name: 'password_mode', value: 'typed' });
  const password = h('input', { name: 'password', type: 'password', minlength: String(MIN_PASSWORD), maxlength: '256', autocomplete: 'new-password' });
  const passwordField = field('users.create.passwordInput', password, 'users.create.passwordHint');
  passwordField.hidden = true;
  const error = alertBox('user-form-error');
  const submit = h('button', { type: 'submit', class: 'button', i18n: 'users.create.submit' });
  const created = h('div', { class: 'created', 'data-testid': 'user-created', hidden: true, tabindex: '-1' });

  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'user-form' },
    h('div', { class: 'ev-row' }, field('users.create.email', email), field('users.create.name', name, 'users.create.nameHint')),
    field('users.create.role', role),
    roleHelp,
    h(
      'fieldset',
      { class: 'field scopes-field' },
      h('legend', { i18n: 'users.create.password' }),
      h('label', { class: 'check' }, madeUp, ' ', h('span', { i18n: 'users.create.passwordMadeUp' })),
      h('label', { class: 'check' }, typed, ' ', h('span', { i18n: 'users.create.passwordTyped' })),
      passwordField,
    ),
    error,
    submit,
  );
  role.setAttribute('aria-describedby', roleHelp.id);

  const render = () => {
    const chosen = role.value || 'member';
    role.replaceChildren(...ROLE_CHOICES.map((r) => h('option', { value: r }, roleName(r))));
    role.value = chosen;
    setText(roleHelp, `users.roleHelp.${role.value}` as MessageKey);
  };
  role.addEventListener('change', () => setText(roleHelp, `users.roleHelp.${role.value}` as MessageKey));
  for (const r of [madeUp, typed]) {
    r.addEventListener('change', () => {
      passwordField.hidden = !typed.checked;
      if (typed.checked) password.focus();
    });
  }

  const invalid = (input: HTMLInputElement, key: MessageKey) => {
    setText(error, key);
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  };
  for (const input of [email, password]) input.addEventListener('input', () => input.removeAttribute('aria-invalid'));

  const showCreated = (u: CreatedUser) => {
    const done = button('admin.created.done', 'button secondary');
    done.addEventListener('click', () => {
      // Forget the password: nothing keeps it after this.
      created.hidden = true;
      created.replaceChildren();
      email.focus();
    });
    created.replaceChildren(
      h('h3', { i18n: 'users.created.heading' }),
      h('p', { i18n: 'users.created.text', vars: { email: u.email, role: roleName(u.role) } }),
      ...(u.initial_password
        ? [copyRow('users.created.password', u.initial_password, 'initial-password'), h('p', { class: 'secret-warning', role: 'note', i18n: 'users.created.passwordWarning' })]
        : []),
      done,
    );
    created.hidden = false;
    created.focus();
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    hideUsersErr(error);
    created.hidden = true;
    created.replaceChildren();
    const address = email.value.trim();
    if (!address || !email.checkValidity()) return invalid(email, 'users.create.emailRequired');
    if (typed.checked && password.value.length < MIN_PASSWORD) return invalid(password, 'users.create.passwordShort');
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const u = await createUser({
        email: address,
        role: role.value as CreatedUser['role'],
        ...(name.value.trim() ? { name: name.value.trim() } : {}),
        ...(typed.checked ? { password: password.value } : {}),
      });
      form.reset();
      passwordField.hidden = true;
      render();
      showCreated(u);
      await onCreated(u);
    } catch (err) {
      showUsersErr(error, err);
      if (err instanceof ApiError && err.code === 'email_taken') email.setAttribute('aria-invalid', 'true');
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  render();
  const el = h('section', { class: 'card', 'aria-labelledby': 'u-create-h' }, h('h2', { id: 'u-create-h', i18n: 'users.create.heading' }), created, form);
  return { el, render };
}
