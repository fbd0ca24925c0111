/** How the Events section shows an API error in its alert boxes, and runs an action around one. */
import { adminErrorMessage } from '../admin-errors.js';
import { ApiError } from '../api.js';
import { setText, type MessageKey } from '../i18n.js';

const EVENT_CODES: ReadonlySet<string> = new Set([
  'not_found',
  'conflict',
  'invalid_request',
  'invalid_csv',
  'invalid_webhook_url',
  'webhook_disabled',
  'webhook_not_configured',
  'payload_too_large',
  'unsupported_media_type',
  'event_has_checkins',
  'session_has_checkins',
  'mail_not_configured',
]);

export function showErr(box: HTMLElement, err: unknown): void {
  const m = err instanceof ApiError && EVENT_CODES.has(err.code) ? { key: `events.error.${err.code}` as MessageKey, vars: undefined } : adminErrorMessage(err);
  setText(box, m.key, m.vars);
  box.dataset.code = err instanceof ApiError ? err.code : 'unknown';
  box.hidden = false;
}
function hideErr(box: HTMLElement): void {
  box.hidden = true;
  box.textContent = '';
  delete box.dataset.code;
  delete box.dataset.i18n;
}

/** Runs `fn` with `btn` disabled (busy text meanwhile); errors go to `box`. */
export async function act(btn: HTMLButtonElement | null, box: HTMLElement, fn: () => Promise<void>): Promise<void> {
  if (btn?.disabled) return;
  if (btn) btn.disabled = true;
  hideErr(box);
  try {
    await fn();
  } catch (err) {
    showErr(box, err);
  } finally {
    if (btn) btn.disabled = false;
  }
}
