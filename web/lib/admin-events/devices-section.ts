/** The event page's scanner devices: provisioned by scanning a QR shown here once, and revocable. */
import { deviceScannerUrl, listDevices, provisionDevice, revokeDevice, type Device } from '../admin-events-api.js';
import { setText, t } from '../i18n.js';
import { copyRow } from './copy-row.js';
import { qrCanvas } from './qr-canvas.js';
import { alertBox, button, card, cell, field, h, table } from './dom.js';
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

  function showProvisioned(d: Device): void {
    const url = deviceScannerUrl(location.origin, d.token ?? '');
    const canvas = qrCanvas(url, { testid: 'device-qr', label: t('events.devices.qrLabel', { name: d.name }) });
    const done = button('admin.created.done', 'button secondary');
    done.addEventListener('click', () => {
      provisioned.hidden = true;
      provisioned.replaceChildren(); // forget the token
    });
    provisioned.replaceChildren(
      h('h3', { i18n: 'events.devices.provisioned', vars: { name: d.name } }),
      h('p', { i18n: 'events.devices.scanThis' }),
      canvas,
      copyRow('events.devices.url', url, 'device-url'),
      h('p', { class: 'secret-warning', role: 'note', i18n: 'events.devices.tokenWarning' }),
      done,
    );
    provisioned.hidden = false;
    provisioned.focus();
    provisioned.scrollIntoView({ block: 'nearest' });
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
      showProvisioned(d);
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
        const actions = cell('admin.list.actions');
        actions.className = 'actions';
        if (d.revoked) actions.append(h('span', { class: 'badge revoked', i18n: 'events.revoked' }));
        else {
          const revoke = button('events.revoke', 'button danger small', { 'aria-label': t('events.revokeNamed', { name: d.name }) });
          revoke.addEventListener('click', () =>
            void act(revoke, error, async () => {
              if (!window.confirm(t('events.devices.revokeConfirm', { name: d.name }))) return;
              Object.assign(d, await revokeDevice(d.id));
              renderList();
            }),
          );
          actions.append(revoke);
        }
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
