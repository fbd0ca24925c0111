/**
 * The Users section's confirmation: a modal <dialog> saying what will happen,
 * Cancel first (and focused), the action in its own words. The action runs
 * from the dialog: while it runs the button says so; a refusal shows in the
 * dialog, which stays open; success closes it.
 */
import { button, h } from '../admin-events/dom.js';
import { setText, type MessageKey, type Vars } from '../i18n.js';
import { hideUsersErr, showUsersErr } from './users-errors.js';

export interface Confirmation {
  heading: [MessageKey, Vars];
  /** Paragraphs of what happens. */
  text: [MessageKey, Vars?][];
  ok: MessageKey;
  danger: boolean;
  run: () => Promise<void>;
}

export function confirmDialog(): { el: HTMLDialogElement; ask: (c: Confirmation, opener: HTMLElement) => void } {
  const headingEl = h('h2', { id: 'users-confirm-h' });
  const body = h('div', { id: 'users-confirm-text' });
  const error = h('div', { class: 'alert', role: 'alert', 'data-testid': 'users-confirm-error', hidden: true });
  const cancel = button('users.confirm.cancel', 'button secondary');
  const ok = button('users.confirm.disableOk', 'button');
  const el = h(
    'dialog',
    { class: 'confirm', 'aria-labelledby': 'users-confirm-h', 'aria-describedby': 'users-confirm-text', 'data-testid': 'users-confirm' },
    headingEl,
    body,
    error,
    h('div', { class: 'confirm-actions' }, cancel, ok),
  );
  let pending: { c: Confirmation; opener: HTMLElement } | null = null;

  cancel.addEventListener('click', () => el.close());
  el.addEventListener('close', () => {
    const opener = pending?.opener;
    pending = null;
    if (opener?.isConnected) opener.focus();
  });
  ok.addEventListener('click', async () => {
    if (!pending || ok.disabled) return;
    const { c } = pending;
    ok.disabled = true;
    setText(ok, 'users.confirm.working');
    try {
      await c.run();
      el.close();
    } catch (err) {
      showUsersErr(error, err);
    } finally {
      ok.disabled = false;
      setText(ok, c.ok);
    }
  });

  return {
    el,
    ask(c, opener) {
      pending = { c, opener };
      hideUsersErr(error);
      setText(headingEl, c.heading[0], c.heading[1]);
      body.replaceChildren(...c.text.map(([key, vars]) => h('p', { i18n: key, vars })));
      ok.className = c.danger ? 'button danger' : 'button';
      ok.disabled = false;
      setText(ok, c.ok);
      el.showModal();
      cancel.focus();
    },
  };
}
