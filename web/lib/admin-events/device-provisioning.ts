/**
 * What every device card of the console shares (scanners of an event, boards
 * and kiosks of a place): the panel that shows a new device's URL and QR
 * once, then forgets the token; and a row's Revoke button, or its badge
 * once revoked.
 */
import { t, type MessageKey } from '../i18n.js';
import { copyRow } from './copy-row.js';
import { button, cell, h } from './dom.js';
import { qrCanvas } from './qr-canvas.js';

export interface ProvisionedDevice {
  /** The URL the device opens; its token rides in it. */
  url: string;
  heading: MessageKey;
  name: string;
  /** What to do with the QR ("scan this with the device"). */
  intro: MessageKey;
  qr: { testid: string; label: string; className?: string };
  urlLabel: MessageKey;
  urlTestid: string;
  /** That this is shown once and works like a password. */
  warning: MessageKey;
}

/** Fills `panel` with the new device's QR and URL, shown once; Done forgets the token. */
export function showProvisioned(panel: HTMLElement, d: ProvisionedDevice): void {
  const done = button('admin.created.done', 'button secondary');
  done.addEventListener('click', () => {
    panel.hidden = true;
    panel.replaceChildren(); // forget the token
  });
  panel.replaceChildren(
    h('h3', { i18n: d.heading, vars: { name: d.name } }),
    h('p', { i18n: d.intro }),
    qrCanvas(d.url, d.qr),
    copyRow(d.urlLabel, d.url, d.urlTestid),
    h('p', { class: 'secret-warning', role: 'note', i18n: d.warning }),
    done,
  );
  panel.hidden = false;
  panel.focus();
  panel.scrollIntoView({ block: 'nearest' });
}

export interface RevokeAction {
  name: string;
  revoked: boolean;
  labels: { revoke: MessageKey; revokeNamed: MessageKey; revoked: MessageKey; confirm: MessageKey };
  testid?: string;
  /** Runs the click with the card's busy state and error box (act / actQ). */
  run: (btn: HTMLButtonElement, fn: () => Promise<void>) => void;
  /** Revokes, then redraws the list. */
  revoke: () => Promise<void>;
}

/** The row's actions cell: Revoke (after a confirmation), or the Revoked badge. */
export function revokeCell(a: RevokeAction): HTMLTableCellElement {
  const actions = cell('admin.list.actions');
  actions.className = 'actions';
  if (a.revoked) {
    actions.append(h('span', { class: 'badge revoked', i18n: a.labels.revoked }));
    return actions;
  }
  const btn = button(a.labels.revoke, 'button danger small', { 'aria-label': t(a.labels.revokeNamed, { name: a.name }), ...(a.testid ? { 'data-testid': a.testid } : {}) });
  btn.addEventListener('click', () =>
    a.run(btn, async () => {
      if (!window.confirm(t(a.labels.confirm, { name: a.name }))) return;
      await a.revoke();
    }),
  );
  actions.append(btn);
  return actions;
}
