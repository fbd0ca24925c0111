/** How the Users section shows an API error: its own words for the account rules, the console's for the rest. */
import { adminErrorMessage, hideErrorBox, showErrorBox } from '../admin-errors.js';
import { ApiError } from '../api.js';
import type { MessageKey } from '../i18n.js';

const USERS_CODES: ReadonlySet<string> = new Set(['last_admin', 'cannot_disable_self', 'unknown_user', 'email_taken', 'weak_password', 'invalid_request']);

export function showUsersErr(box: HTMLElement, err: unknown): void {
  showErrorBox(box, err instanceof ApiError && USERS_CODES.has(err.code) ? { key: `users.error.${err.code}` as MessageKey } : adminErrorMessage(err), err);
}

export const hideUsersErr = hideErrorBox;
