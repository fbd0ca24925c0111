/** How the Queues section shows an API error: a refusal (400/409) with the server's own reason, the rest as the console does. */
import { adminErrorMessage, hideErrorBox, runAction, showErrorBox } from '../admin-errors.js';
import { ApiError } from '../api.js';
import type { MessageKey, Vars } from '../i18n.js';

function queueErrorMessage(err: unknown): { key: MessageKey; vars?: Vars } {
  if (err instanceof ApiError && err.code === 'not_found') return { key: 'queues.error.not_found' };
  if (err instanceof ApiError && (err.status === 400 || err.status === 409) && err.message) return { key: 'queues.error.refused', vars: { message: err.message } };
  return adminErrorMessage(err);
}

export function showQueueErr(box: HTMLElement, err: unknown): void {
  showErrorBox(box, queueErrorMessage(err), err);
}

export const hideQueueErr = hideErrorBox;

/** Runs `fn` with `btn` disabled meanwhile; errors go to `box`. */
export function actQ(btn: HTMLButtonElement | null, box: HTMLElement, fn: () => Promise<void>): Promise<void> {
  return runAction(btn, box, fn, showQueueErr);
}
