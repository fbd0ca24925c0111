/** How the Events section shows an API error in its alert boxes, and runs an action around one. */
import { adminErrorMessage, runAction, showErrorBox } from '../admin-errors.js';
import { ApiError } from '../api.js';
import type { MessageKey } from '../i18n.js';

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
  showErrorBox(box, err instanceof ApiError && EVENT_CODES.has(err.code) ? { key: `events.error.${err.code}` as MessageKey } : adminErrorMessage(err), err);
}

/** Runs `fn` with `btn` disabled meanwhile; errors go to `box`. */
export function act(btn: HTMLButtonElement | null, box: HTMLElement, fn: () => Promise<void>): Promise<void> {
  return runAction(btn, box, fn, showErr);
}
