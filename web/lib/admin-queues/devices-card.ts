/**
 * A place's display boards and kiosks, provisioned as scanners are: the QR of
 * the URL the device opens (its token rides in the fragment) is shown here
 * once; each can be revoked, which ends its board at once. And the place's
 * printed poster: a static code, off by default, whose cost is said plainly.
 */
import { fetchPosterCode, fetchQueueDevices, provisionQueueDevice, revokeQueueDevice, setPosterEnabled, type NewQueueDevice, type Poster, type Queue, type QueueDevice } from '../admin-queues-api.js';
import { setText, t, type MessageKey } from '../i18n.js';
import { copyRow } from '../admin-events/copy-row.js';
import { qrCanvas } from '../admin-events/qr-canvas.js';
import { revokeCell, showProvisioned } from '../admin-events/device-provisioning.js';
import { alertBox, button, card, cell, field, h, table } from '../admin-events/dom.js';
import { timeEl } from '../admin-events/format.js';
import { actQ, showQueueErr } from './queue-errors.js';

type Part = { el: HTMLElement; render: () => void };

export function devicesCard(q: Queue): Part & { start: () => void } {
  const error = alertBox('queue-devices-error');
  const list = h('div', {});
  const name = h('input', { type: 'text', maxlength: '120', autocomplete: 'off', name: 'queue_device_name', 'data-testid': 'queue-device-name' });
  const kind = h(
    'select',
    { 'data-testid': 'queue-device-kind' },
    h('option', { value: 'board', i18n: 'queues.devices.kind.board' }),
    h('option', { value: 'kiosk', i18n: 'queues.devices.kind.kiosk' }),
  );
  const submit = h('button', { type: 'submit', class: 'button', i18n: 'queues.devices.submit', 'data-testid': 'queue-device-submit' });
  const provisioned = h('div', { class: 'created ev-provisioned', 'data-testid': 'queue-device-provisioned', hidden: true, tabindex: '-1' });
  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'queue-device-form' },
    h('h3', { i18n: 'queues.devices.add' }),
    h('div', { class: 'ev-row' }, field('queues.devices.name', name, 'queues.devices.nameHint'), field('queues.devices.kind', kind)),
    submit,
  );
  let devices: QueueDevice[] = [];

  function showNew(d: NewQueueDevice): void {
    showProvisioned(provisioned, {
      url: d.url,
      heading: 'queues.devices.provisioned',
      name: d.name,
      intro: d.kind === 'kiosk' ? 'queues.devices.openThisKiosk' : 'queues.devices.openThis',
      qr: { testid: 'queue-device-qr', label: t('queues.devices.qrLabel', { name: d.name }), className: 'ev-qr q-qr' },
      urlLabel: 'queues.devices.url',
      urlTestid: 'queue-device-url',
      warning: 'queues.devices.tokenWarning',
    });
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void actQ(submit, error, async () => {
      if (!name.value.trim()) {
        setText(error, 'queues.devices.nameRequired');
        error.hidden = false;
        name.focus();
        return;
      }
      const d = await provisionQueueDevice(q.id, name.value.trim(), kind.value === 'kiosk' ? 'kiosk' : 'board');
      name.value = '';
      devices = (await fetchQueueDevices(q.id)).devices;
      render();
      showNew(d);
    });
  });

  function render(): void {
    if (!devices.length) {
      list.replaceChildren(h('p', { class: 'hint', i18n: 'queues.devices.empty', 'data-testid': 'queue-devices-empty' }));
      return;
    }
    const rows = [...devices]
      .sort((a, b) => Number(a.revoked) - Number(b.revoked) || b.created_at - a.created_at)
      .map((d) => {
        const actions = revokeCell({
          name: d.name,
          revoked: d.revoked,
          labels: { revoke: 'queues.devices.revoke', revokeNamed: 'queues.devices.revokeNamed', revoked: 'queues.devices.revoked', confirm: 'queues.devices.revokeConfirm' },
          testid: 'queue-device-revoke',
          run: (btn, fn) => void actQ(btn, error, fn),
          revoke: async () => {
            Object.assign(d, await revokeQueueDevice(q.id, d.id));
            render();
          },
        });
        return h(
          'tr',
          { 'data-device-id': d.id, 'data-testid': 'queue-device-row', 'data-revoked': String(d.revoked) },
          cell('queues.devices.name', h('span', { class: 'client-name' }, d.name)),
          cell('queues.devices.kind', h('span', { i18n: `queues.devices.kind.${d.kind}` as MessageKey })),
          cell('queues.devices.created', timeEl(d.created_at)),
          actions,
        );
      });
    list.replaceChildren(table('queue-devices', ['queues.devices.name', 'queues.devices.kind', 'queues.devices.created', 'admin.list.actions'], rows));
  }

  async function start(): Promise<void> {
    try {
      devices = (await fetchQueueDevices(q.id)).devices;
      render();
    } catch (err) {
      showQueueErr(error, err);
    }
  }
  return { el: card('q-devices', 'queues.devices.heading', 'queues.devices.intro', error, provisioned, list, form), render, start: () => void start() };
}

/** The printed poster: off by default; while on, its static QR and what it costs. */
export function posterCard(q: Queue): Part & { start: () => void } {
  const error = alertBox('queue-poster-error');
  const box = h('div', { 'data-testid': 'queue-static-poster' });
  const toggle = button('queues.staticPoster.enable', 'button secondary', { 'data-testid': 'queue-poster-toggle' });
  let poster: Poster | null = null;

  function render(): void {
    setText(toggle, q.poster_enabled ? 'queues.staticPoster.disable' : 'queues.staticPoster.enable');
    toggle.className = q.poster_enabled ? 'button danger' : 'button secondary';
    box.dataset.enabled = String(q.poster_enabled);
    const cost = h('p', { class: 'secret-warning', role: 'note', i18n: 'queues.staticPoster.cost', 'data-testid': 'queue-poster-cost' });
    if (!q.poster_enabled || !poster) {
      box.replaceChildren(h('p', { class: 'hint', i18n: 'queues.staticPoster.off', 'data-testid': 'queue-poster-off' }), cost);
      return;
    }
    box.replaceChildren(
      h('p', { i18n: 'queues.staticPoster.on', 'data-testid': 'queue-poster-on' }),
      qrCanvas(poster.url, { testid: 'queue-poster-qr', label: t('queues.staticPoster.qrLabel', { name: q.name }), width: 720, className: 'ev-qr q-qr' }),
      copyRow('queues.staticPoster.url', poster.url, 'queue-poster-url'),
      cost,
    );
  }

  async function load(): Promise<void> {
    poster = q.poster_enabled ? await fetchPosterCode(q.id) : null;
    render();
  }

  toggle.addEventListener('click', () =>
    void actQ(toggle, error, async () => {
      if (q.poster_enabled && !window.confirm(t('queues.staticPoster.disableConfirm'))) return;
      Object.assign(q, await setPosterEnabled(q.id, !q.poster_enabled));
      await load();
      toggle.focus();
    }),
  );
  const el = card('q-static-poster', 'queues.staticPoster.heading', 'queues.staticPoster.intro', error, box, h('div', { class: 'ev-actions' }, toggle));
  return {
    el,
    render,
    start: () =>
      void load().catch((err: unknown) => {
        showQueueErr(error, err);
      }),
  };
}
