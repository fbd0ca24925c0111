/** The small DOM builders every part of the Events section uses: elements, fields, tables, cards. */
import { setText, t, type MessageKey, type Vars } from '../i18n.js';

export type Child = Node | string | null | undefined | false;
type Attrs = { i18n?: MessageKey; vars?: Vars | undefined; [attr: string]: string | number | boolean | undefined | Vars };

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  const { i18n, vars, ...rest } = attrs;
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined || v === false || typeof v === 'object') continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  if (i18n) setText(e, i18n, vars);
  for (const c of children) if (c) e.append(c);
  return e;
}

/** A labelled field; the label and hint are translated. */
export function field(labelKey: MessageKey, input: HTMLElement, hintKey?: MessageKey): HTMLDivElement {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 10)}`;
  input.id = id;
  const hint = hintKey ? h('p', { class: 'hint', id: `${id}-hint`, i18n: hintKey }) : null;
  if (hint) input.setAttribute('aria-describedby', hint.id);
  return h('div', { class: 'field' }, h('label', { for: id, i18n: labelKey }), input, hint);
}

export function button(key: MessageKey, cls = 'button', attrs: Attrs = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: cls, i18n: key, ...attrs });
}

export function alertBox(testid: string): HTMLDivElement {
  return h('div', { class: 'alert', role: 'alert', 'data-testid': testid, hidden: true });
}

export function cell(labelKey: MessageKey, ...children: Child[]): HTMLTableCellElement {
  const td = h('td', {}, ...children);
  td.dataset.label = t(labelKey);
  return td;
}
export function table(testid: string, heads: MessageKey[], rows: HTMLTableRowElement[]): HTMLDivElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: 'clients-table ev-table', 'data-testid': testid }, h('thead', {}, h('tr', {}, ...heads.map((k) => h('th', { scope: 'col', i18n: k })))), h('tbody', {}, ...rows)),
  );
}

export function heading(key: MessageKey, vars?: Vars): HTMLHeadingElement {
  return h('h1', { tabindex: '-1', i18n: key, vars });
}

export function card(id: string, headKey: MessageKey, introKey: MessageKey | null, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card ev-card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h`, i18n: headKey }), introKey ? h('p', { class: 'hint', i18n: introKey }) : null, ...children);
}
