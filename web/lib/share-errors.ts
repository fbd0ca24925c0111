import { ApiError } from './api.js';
import { errorMessage } from './errors.js';
import { setText, type MessageKey, type Vars } from './i18n.js';

const SHARE_CODES: ReadonlySet<string> = new Set(['unknown_code', 'code_expired', 'code_used', 'claimed_elsewhere', 'share_revoked', 'not_claimed', 'not_found']);

/** The share pages' wording for an API error; `forbidden` on a claim means "your own share". */
function shareErrorMessage(err: unknown, ownShareOnForbidden = false): { key: MessageKey; vars?: Vars } {
  if (err instanceof ApiError) {
    if (SHARE_CODES.has(err.code)) return { key: `share.error.${err.code}` as MessageKey };
    if (err.code === 'forbidden' && ownShareOnForbidden) return { key: 'share.error.own_share' };
  }
  return errorMessage(err);
}

/** Shows the error in `box` and marks it with the stable code (`data-code`) for tests and styling. */
export function showShareError(box: HTMLElement, err: unknown, ownShareOnForbidden = false): void {
  const { key, vars } = shareErrorMessage(err, ownShareOnForbidden);
  setText(box, key, vars);
  box.dataset.code = err instanceof ApiError ? err.code : 'unknown';
  box.hidden = false;
}

export function hideError(box: HTMLElement): void {
  box.hidden = true;
  delete box.dataset.code;
}
