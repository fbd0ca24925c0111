/** The event page's webhook: its URL, its secret (shown on demand, rotatable), a test ping and the recent deliveries. */
import { listDeliveries, pingWebhook, putWebhook } from '../admin-events-api.js';
import { setText, t, type MessageKey } from '../i18n.js';
import { alertBox, button, card, cell, field, h, table } from './dom.js';
import { act } from './event-errors.js';
import type { EventState, Part } from './event-state.js';
import { timeEl } from './format.js';

export function webhookCard(st: EventState): Part {
  const error = alertBox('webhook-error');
  const notice = h('p', { class: 'notice', role: 'status', 'data-testid': 'webhook-notice', hidden: true });
  const url = h('input', { type: 'url', maxlength: '2048', autocomplete: 'off', class: 'mono', placeholder: 'https://example.com/hooks/scanpass' });
  const enabled = h('input', { type: 'checkbox', checked: true });
  const save = h('button', { type: 'submit', class: 'button', i18n: 'events.webhook.save' });
  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'webhook-form' },
    field('events.webhook.url', url, 'events.webhook.urlHint'),
    h('div', { class: 'field' }, h('label', { class: 'check' }, enabled, ' ', h('span', { i18n: 'events.webhook.enabled' }))),
    save,
  );
  const secretBox = h('div', {});
  const deliveries = h('div', {});

  const say = (key: MessageKey) => {
    setText(notice, key);
    notice.hidden = false;
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    notice.hidden = true;
    void act(save, error, async () => {
      if (!url.value.trim()) {
        setText(error, 'events.webhook.urlRequired');
        error.hidden = false;
        url.focus();
        return;
      }
      st.webhook = await putWebhook(st.event.id, { url: url.value.trim(), enabled: enabled.checked });
      render();
      say('events.webhook.saved');
    });
  });

  async function refreshDeliveries(): Promise<void> {
    st.deliveries = await listDeliveries(st.event.id);
    renderDeliveries();
  }

  function renderDeliveries(): void {
    if (!st.webhook) {
      deliveries.replaceChildren();
      return;
    }
    const refresh = button('events.webhook.refresh', 'button secondary small');
    refresh.addEventListener('click', () => void act(refresh, error, refreshDeliveries));
    const head = h('div', { class: 'list-head' }, h('h3', { i18n: 'events.webhook.deliveries' }), refresh);
    if (!st.deliveries.length) {
      deliveries.replaceChildren(head, h('p', { class: 'hint', i18n: 'events.webhook.noDeliveries' }));
      return;
    }
    const rows = st.deliveries.map((d) =>
      h(
        'tr',
        { 'data-delivery-id': d.id, 'data-status': d.status },
        cell('events.webhook.type', h('code', { class: 'mono' }, d.type)),
        cell('events.webhook.status', h('span', { class: `badge ${d.status}`, i18n: `events.webhook.status.${d.status}` as MessageKey })),
        cell('events.webhook.attempts', String(d.attempts)),
        cell('events.webhook.answer', d.last_status !== null ? `HTTP ${d.last_status}` : (d.last_error ?? '—')),
        cell('events.list.created', timeEl(d.created_at)),
      ),
    );
    deliveries.replaceChildren(head, table('deliveries', ['events.webhook.type', 'events.webhook.status', 'events.webhook.attempts', 'events.webhook.answer', 'events.list.created'], rows));
  }

  function render(): void {
    const w = st.webhook;
    if (w && document.activeElement !== url) url.value = w.url;
    enabled.checked = w ? w.enabled : true;
    if (!w) {
      secretBox.replaceChildren(h('p', { class: 'hint', i18n: 'events.webhook.none' }));
      renderDeliveries();
      return;
    }
    const secret = h('input', { type: 'password', readonly: true, class: 'mono', 'data-testid': 'webhook-secret', id: 'webhook-secret' });
    secret.value = w.secret;
    const reveal = button('events.webhook.show', 'button secondary copy');
    reveal.addEventListener('click', () => {
      const showing = secret.type === 'text';
      secret.type = showing ? 'password' : 'text';
      setText(reveal, showing ? 'events.webhook.show' : 'events.webhook.hide');
    });
    const rotate = button('events.webhook.rotate', 'button secondary small');
    rotate.addEventListener('click', () =>
      void act(rotate, error, async () => {
        if (!window.confirm(t('events.webhook.rotateConfirm'))) return;
        st.webhook = await putWebhook(st.event.id, { url: w.url, rotate_secret: true });
        render();
        say('events.webhook.rotated');
      }),
    );
    const ping = button('events.webhook.test', 'button secondary small');
    ping.addEventListener('click', () =>
      void act(ping, error, async () => {
        await pingWebhook(st.event.id);
        say('events.webhook.pinged');
        await refreshDeliveries();
      }),
    );
    secretBox.replaceChildren(
      h('div', { class: 'field' }, h('label', { for: 'webhook-secret', i18n: 'events.webhook.secret' }), h('div', { class: 'copy-row' }, secret, reveal), h('p', { class: 'hint', i18n: 'events.webhook.secretHint' })),
      h('div', { class: 'ev-actions' }, rotate, ping, h('span', { class: `badge ${w.enabled ? 'open' : 'closed'}`, i18n: w.enabled ? 'events.webhook.isEnabled' : 'events.webhook.isDisabled' })),
    );
    renderDeliveries();
  }
  return { el: card('ev-webhook', 'events.webhook.heading', 'events.webhook.intro', error, notice, form, secretBox, deliveries), render };
}
