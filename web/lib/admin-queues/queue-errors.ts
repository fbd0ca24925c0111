/** How the Queues section shows an API error: a refusal (400/409) with the server's own reason, the rest as the console does. */
import { adminErrorMessage } from '../admin-errors.js';
import { ApiError } from '../api.js';
import { setText } from '../i18n.js';

export function showQueueErr(box: HTMLElement, err: unknown): void {
  if (err instanceof ApiError && err.code === 'not_found') setText(box, 'queues.error.not_found');
  else if (err instanceof ApiError && (err.status === 400 || err.status === 409) && err.message) setText(box, 'queues.error.refused', { message: err.message });
  else {
    const m = adminErrorMessage(err);
    setText(box, m.key, m.vars);
  }
  box.dataset.code = err instanceof ApiError ? err.code : 'unknown';
  box.hidden = false;
}

export function hideQueueErr(box: HTMLElement): void {
  box.hidden = true;
  box.textContent = '';
  delete box.dataset.code;
  delete box.dataset.i18n;
}

/** Runs `fn` with `btn` disabled meanwhile; errors go to `box`. */
export async function actQ(btn: HTMLButtonElement | null, box: HTMLElement, fn: () => Promise<void>): Promise<void> {
  if (btn?.disabled) return;
  if (btn) btn.disabled = true;
  hideQueueErr(box);
  try {
    await fn();
  } catch (err) {
    showQueueErr(box, err);
  } finally {
    if (btn) btn.disabled = false;
  }
}
