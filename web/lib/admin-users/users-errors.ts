/** How the Users section shows an API error: its own words for the account rules, the console's for the rest. */
import { adminErrorMessage } from '../admin-errors.js';
import { ApiError } from '../api.js';
import { setText, type MessageKey } from '../i18n.js';

const USERS_CODES: ReadonlySet<string> = new Set(['last_admin', 'cannot_disable_self', 'unknown_user', 'email_taken', 'weak_password', 'invalid_request']);

export function showUsersErr(box: HTMLElement, err: unknown): void {
  const m = err instanceof ApiError && USERS_CODES.has(err.code) ? { key: `users.error.${err.code}` as MessageKey, vars: undefined } : adminErrorMessage(err);
  setText(box, m.key, m.vars);
  box.dataset.code = err instanceof ApiError ? err.code : 'unknown';
  box.hidden = false;
}

export function hideUsersErr(box: HTMLElement): void {
  box.hidden = true;
  box.textContent = '';
  delete box.dataset.code;
  delete box.dataset.i18n;
}
