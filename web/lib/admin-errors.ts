import { ApiError } from './api.js';
import { errorMessage } from './errors.js';
import { setText, type MessageKey, type Vars } from './i18n.js';

/** Codes the console words its own way (more precise than the shared messages). */
const ADMIN_CODES: ReadonlySet<string> = new Set(['client_exists', 'invalid_scope', 'invalid_request', 'unknown_client', 'forbidden']);

export function adminErrorMessage(err: unknown): { key: MessageKey; vars?: Vars } {
  if (err instanceof ApiError && ADMIN_CODES.has(err.code)) return { key: `admin.error.${err.code}` as MessageKey };
  return errorMessage(err);
}

/** Shows the error in `box`, marked with the stable code (`data-code`) for tests and styling. */
export function showAdminError(box: HTMLElement, err: unknown): void {
  const { key, vars } = adminErrorMessage(err);
  setText(box, key, vars);
  box.dataset.code = err instanceof ApiError ? err.code : 'unknown';
  box.hidden = false;
}

export function hideAdminError(box: HTMLElement): void {
  box.hidden = true;
  box.textContent = '';
  delete box.dataset.code;
  delete box.dataset.i18n;
}
