import { getMe, signIn } from './lib/api.js';
import { setText, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show, showError } from './lib/page.js';
import { safeNext } from './lib/safe-next.js';

initPage();

const form = byId<HTMLFormElement>('signin-form');
const email = byId<HTMLInputElement>('email');
const password = byId<HTMLInputElement>('password');
const reveal = byId<HTMLInputElement>('reveal');
const submit = byId<HTMLButtonElement>('submit');
const formError = byId('form-error');
const status = byId('status');

const next = safeNext(new URLSearchParams(location.search).get('next'), location.origin);
byId<HTMLAnchorElement>('continue-link').href = next;

const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

function fieldError(input: HTMLInputElement, key: MessageKey | null): void {
  const box = byId(`${input.id}-error`);
  if (key) {
    setText(box, key);
    show(box);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', box.id);
  } else {
    box.hidden = true;
    box.textContent = '';
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
}

function validate(): boolean {
  const e = email.value.trim();
  const emailKey: MessageKey | null = !e ? 'validation.emailRequired' : EMAIL_RE.test(e) ? null : 'validation.emailInvalid';
  const passwordKey: MessageKey | null = password.value ? null : 'validation.passwordRequired';
  fieldError(email, emailKey);
  fieldError(password, passwordKey);
  if (emailKey) email.focus();
  else if (passwordKey) password.focus();
  return !emailKey && !passwordKey;
}

function busy(on: boolean): void {
  submit.disabled = on;
  form.setAttribute('aria-busy', String(on));
  setText(submit, on ? 'signin.submitting' : 'signin.submit');
}

reveal.addEventListener('change', () => {
  password.type = reveal.checked ? 'text' : 'password';
});
for (const input of [email, password]) {
  input.addEventListener('input', () => {
    if (input.hasAttribute('aria-invalid')) fieldError(input, null);
  });
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (submit.disabled) return;
  formError.hidden = true;
  status.textContent = '';
  if (!validate()) return;
  busy(true);
  try {
    await signIn(email.value.trim(), password.value);
    setText(status, 'signin.success');
    location.replace(next);
  } catch (err) {
    busy(false);
    showError(formError, err);
    password.select();
    password.focus();
  }
});

// Already signed in? Say so, and offer to go on (signing in again switches account).
getMe()
  .then((me) => {
    if (!me) return;
    setText(byId('already-text'), 'signin.already', { email: me.user.email });
    show(byId('already'));
  })
  .catch(() => {
    // The form still works; errors show when it is submitted.
  });
