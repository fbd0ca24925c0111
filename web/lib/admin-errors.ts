import { ApiError } from './api.js';
import { errorMessage } from './errors.js';
import { setText, type MessageKey, type Vars } from './i18n.js';

/** Codes the console words its own way (more precise than the shared messages). */
const ADMIN_CODES: ReadonlySet<string> = new Set(['client_exists', 'invalid_scope', 'invalid_request', 'unknown_client', 'forbidden']);

/** The API's fields about where an application sends the browser: its refusals name the URI or the field, so the console shows the server's words. */
const URI_FIELDS = /^(redirect_uris|post_logout_redirect_uris|grant_types|backchannel_logout_uri)\b|body\/(redirect_uris|post_logout_redirect_uris|grant_types|backchannel_logout_uri)\b/;

export function adminErrorMessage(err: unknown): { key: MessageKey; vars?: Vars } {
  if (err instanceof ApiError && err.code === 'invalid_redirect_uri') return { key: 'admin.error.invalid_redirect_uri', vars: { message: err.message } };
  if (err instanceof ApiError && err.code === 'invalid_request' && URI_FIELDS.test(err.message)) return { key: 'admin.error.invalid_uris', vars: { message: err.message } };
  if (err instanceof ApiError && ADMIN_CODES.has(err.code)) return { key: `admin.error.${err.code}` as MessageKey };
  return errorMessage(err);
}

/** Puts `message` (the words for `err`) in `box`, marked with the stable code (`data-code`) for tests and styling. */
export function showErrorBox(box: HTMLElement, message: { key: MessageKey; vars?: Vars | undefined }, err: unknown): void {
  setText(box, message.key, message.vars);
  box.dataset.code = err instanceof ApiError ? err.code : 'unknown';
  box.hidden = false;
}

export function hideErrorBox(box: HTMLElement): void {
  box.hidden = true;
  box.textContent = '';
  delete box.dataset.code;
  delete box.dataset.i18n;
}

/** Runs `fn` with `btn` disabled meanwhile; an error goes to `box`, in the words `show` gives it (each section its own). */
export async function runAction(btn: HTMLButtonElement | null, box: HTMLElement, fn: () => Promise<void>, show: (box: HTMLElement, err: unknown) => void): Promise<void> {
  if (btn?.disabled) return;
  if (btn) btn.disabled = true;
  hideErrorBox(box);
  try {
    await fn();
  } catch (err) {
    show(box, err);
  } finally {
    if (btn) btn.disabled = false;
  }
}

/** Shows the error in `box` in the console's words. */
export function showAdminError(box: HTMLElement, err: unknown): void {
  showErrorBox(box, adminErrorMessage(err), err);
}

export const hideAdminError = hideErrorBox;
