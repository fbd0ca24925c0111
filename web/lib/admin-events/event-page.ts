/** `#event=<id>`: one event, loaded once, with its table of contents and its sections. */
import { attendanceCsvUrl, getEvent, getWebhook, listAttendees, listDeliveries, listDevices, listStaff, listUsers, passDeliveries } from '../admin-events-api.js';
import { t } from '../i18n.js';
import { attendeesCard } from './attendees-section.js';
import { importCard } from './csv-import.js';
import { devicesCard } from './devices-section.js';
import { alertBox, h } from './dom.js';
import { showErr } from './event-errors.js';
import type { EventState } from './event-state.js';
import { fmtRange } from './format.js';
import { passesCard } from './passes-section.js';
import { settingsCard } from './event-settings.js';
import { sessionsCard } from './sessions-section.js';
import { staffCard } from './staff-section.js';
import { view } from './view-state.js';
import { webhookCard } from './webhook-section.js';

export async function eventView(root: HTMLElement, id: string): Promise<void> {
  const loadError = alertBox('event-error');
  root.replaceChildren(h('p', { class: 'status', role: 'status', i18n: 'common.loading' }), loadError);
  let st: EventState;
  try {
    const ev = await getEvent(id);
    const [attendees, devices, users, webhook, passes] = await Promise.all([listAttendees(id), listDevices(id), listUsers(), getWebhook(id), passDeliveries(id)]);
    const { sessions, ...event } = ev;
    st = { event, sessions, attendees, devices, users, staff: new Map(), webhook, deliveries: webhook ? await listDeliveries(id) : [], passes };
    await Promise.all(sessions.map(async (s) => st.staff.set(s.id, await listStaff(s.id))));
  } catch (err) {
    root.replaceChildren(h('p', {}, h('a', { href: '#events', i18n: 'events.back' })), loadError);
    showErr(loadError, err);
    return;
  }

  const parts = [sessionsCard(st), attendeesCard(st), passesCard(st), importCard(st), staffCard(st), devicesCard(st), webhookCard(st), settingsCard(st)];
  const e = st.event;
  const when = h('p', { class: 'lead' }, fmtRange(e.starts_at, Math.max(e.starts_at, e.ends_at)));
  const exportLink = h('a', { class: 'button secondary', href: attendanceCsvUrl(e.id), download: true, 'data-testid': 'export-csv', i18n: 'events.export' });
  const toc = h(
    'ul',
    { class: 'ev-toc' },
    ...(
      [
        ['ev-sessions', 'events.sessions.heading'],
        ['ev-attendees', 'events.attendees.heading'],
        ['ev-passes', 'events.passes.heading'],
        ['ev-import', 'events.import.heading'],
        ['ev-staff', 'events.staff.heading'],
        ['ev-devices', 'events.devices.heading'],
        ['ev-webhook', 'events.webhook.heading'],
        ['ev-settings', 'events.settings.heading'],
      ] as const
    ).map(([anchor, key]) => {
      const a = h('a', { href: `#${anchor}`, i18n: key });
      a.addEventListener('click', (ev) => {
        // The hash is the route: scroll without changing it.
        ev.preventDefault();
        document.getElementById(anchor)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      });
      return h('li', {}, a);
    }),
  );
  const title = h('h1', { tabindex: '-1', 'data-testid': 'event-name' }, e.name);
  root.replaceChildren(
    h('p', { class: 'ev-back' }, h('a', { href: '#events', i18n: 'events.back' })),
    title,
    when,
    h('div', { class: 'ev-head-actions' }, exportLink, h('span', { class: 'hint', i18n: 'events.exportHint' })),
    h('nav', { 'data-i18n-attr': 'aria-label:events.toc', 'aria-label': t('events.toc') }, toc),
    ...parts.map((p) => p.el),
  );
  view.rerender = () => {
    when.textContent = fmtRange(e.starts_at, Math.max(e.starts_at, e.ends_at));
    title.textContent = e.name; // it may have been edited (event-settings.ts)
    for (const p of parts) p.render();
  };
  view.rerender();
  // The others re-render what depends on sessions and attendees through these.
  view.refreshAll = async () => {
    const fresh = await getEvent(id);
    st.sessions = fresh.sessions;
    st.attendees = await listAttendees(id);
    await Promise.all(st.sessions.map(async (s) => st.staff.set(s.id, await listStaff(s.id))));
    view.rerender?.();
  };
}
