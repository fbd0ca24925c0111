/** A read-only value (a pass link, a device URL) with a Copy button. */
import { setText, type MessageKey } from '../i18n.js';
import { copyInput } from '../clipboard.js';
import { button, field, h } from './dom.js';

/** A read-only value with a Copy button and a status line. */
export function copyRow(labelKey: MessageKey, value: string, testid: string): HTMLDivElement {
  const input = h('input', { class: 'mono', type: 'text', readonly: true, spellcheck: 'false', 'data-testid': testid });
  input.value = value;
  const status = h('p', { class: 'status copy-status', role: 'status', 'aria-live': 'polite' });
  const copy = button('admin.copy', 'button secondary copy');
  copy.addEventListener('click', () => void copyInput(input).then((ok) => setText(status, ok ? 'admin.copied' : 'admin.copyFailed')));
  input.addEventListener('focus', () => input.select());
  const f = field(labelKey, h('div', { class: 'copy-row' }, input, copy));
  // The label points at the input, not the row.
  const id = `c-${Math.random().toString(36).slice(2, 10)}`;
  input.id = id;
  f.querySelector('label')!.setAttribute('for', id);
  f.append(status);
  return f;
}
