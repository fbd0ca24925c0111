import { setText, type MessageKey } from './i18n.js';
import { SHARE_FIELDS, type SharedFields } from './share-api.js';

/** Fills a `<dl>` with the shared details in a fixed order; `testid` marks each value for tests. */
export function renderFields(dl: HTMLElement, fields: SharedFields | null, testid?: string): void {
  dl.replaceChildren();
  for (const k of SHARE_FIELDS) {
    const value = fields?.[k];
    if (!value) continue;
    const dt = document.createElement('dt');
    setText(dt, `share.field.${k}` as MessageKey);
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.dataset.field = k;
    if (testid) dd.dataset.testid = testid;
    if (k === 'note') dd.classList.add('share-note');
    dl.append(dt, dd);
  }
}

/** m:ss until `at`, never negative. */
export function remaining(at: number, now = Date.now()): string {
  const s = Math.max(0, Math.ceil((at - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
