/** The event page's scanner devices: provisioned by scanning a QR shown here once, and revocable. */
import { deviceScannerUrl, listDevices, provisionDevice, revokeDevice, type Device } from '../admin-events-api.js';
import { setText, t } from '../i18n.js';
import { revokeCell, showProvisioned } from './device-provisioning.js';
import { alertBox, card, cell, field, h, table } from './dom.js';
import { act } from './event-errors.js';
import type { EventState, Part } from './event-state.js';
import { timeEl } from './format.js';

export function devicesCard(st: EventState): Part {
  const list = h('div', {});
  const error = alertBox('devices-error');
  const name = h('input', { type: 'text', maxlength: '120', autocomplete: 'off', name: 'device_name' });
  const session = h('select', {});
  const submit = h('button', { type: 'submit', class: 'button', i18n: 'events.devices.submit' });
  const provisioned = h('div', { class: 'created ev-provisioned', 'data-testid': 'device-provisioned', hidden: true, tabindex: '-1' });
  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'device-form' },
    h('h3', { i18n: 'events.devices.add' }),
    h('div', { class: 'ev-row' }, field('events.devices.name', name, 'events.devices.nameHint'), field('events.devices.session', session)),
    submit,
  );

  function showNew(d: Device): void {
    const url = deviceScannerUrl(location.origin, d.token ?? '');
    showProvisioned(provisioned, {
      url,
      heading: 'events.devices.provisioned',
      name: d.name,
      intro: 'events.devices.scanThis',
      qr: { testid: 'device-qr', label: t('events.devices.qrLabel', { name: d.name }) },
      urlLabel: 'events.devices.url',
      urlTestid: 'device-url',
      warning: 'events.devices.tokenWarning',
    });
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(submit, error, async () => {
      if (!name.value.trim()) {
        setText(error, 'events.devices.nameRequired');
        error.hidden = false;
        name.focus();
        return;
      }
      const d = await provisionDevice(st.event.id, { name: name.value.trim(), ...(session.value ? { session_id: session.value } : {}) });
      name.value = '';
      st.devices = await listDevices(st.event.id);
      renderList();
      showNew(d);
    });
  });

  function renderList(): void {
    if (!st.devices.length) {
      list.replaceChildren(h('p', { class: 'hint', i18n: 'events.devices.empty' }));
      return;
    }
    const sessionName = (id: string | null) => (id ? (st.sessions.find((s) => s.id === id)?.name ?? id) : null);
    const rows = [...st.devices]
      .sort((a, b) => Number(a.revoked) - Number(b.revoked) || b.created_at - a.created_at)
      .map((d) => {
        const actions = revokeCell({
          name: d.name,
          revoked: d.revoked,
          labels: { revoke: 'events.revoke', revokeNamed: 'events.revokeNamed', revoked: 'events.revoked', confirm: 'events.devices.revokeConfirm' },
          run: (btn, fn) => void act(btn, error, fn),
          revoke: async () => {
            Object.assign(d, await revokeDevice(d.id));
            renderList();
          },
        });
        const sn = sessionName(d.session_id);
        return h(
          'tr',
          { 'data-device-id': d.id, 'data-testid': 'device-row', 'data-revoked': String(d.revoked) },
          cell('events.devices.name', h('span', { class: 'client-name' }, d.name)),
          cell('events.devices.session', sn ?? h('span', { i18n: 'events.devices.wholeEvent' })),
          cell('events.list.created', timeEl(d.created_at)),
          actions,
        );
      });
    list.replaceChildren(table('devices', ['events.devices.name', 'events.devices.session', 'events.list.created', 'admin.list.actions'], rows));
  }

  const render = () => {
    const keep = session.value;
    session.replaceChildren(h('option', { value: '', i18n: 'events.devices.wholeEvent' }), ...st.sessions.map((s) => h('option', { value: s.id }, s.name)));
    session.value = st.sessions.some((s) => s.id === keep) ? keep : '';
    renderList();
  };
  return { el: card('ev-devices', 'events.devices.heading', 'events.devices.intro', error, provisioned, list, form), render };
}
