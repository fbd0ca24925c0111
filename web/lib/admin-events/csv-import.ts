/** The event page's CSV import of attendees: the shared import panel (import-panel.ts) with a session to register everyone for. */
import { importAttendees } from '../admin-events-api.js';
import { card, field, h } from './dom.js';
import type { EventState, Part } from './event-state.js';
import { importPanel } from './import-panel.js';
import { view } from './view-state.js';

export function importCard(st: EventState): Part {
  const session = h('select', {});
  const upsert = h('input', { type: 'checkbox' });
  const panel = importPanel({
    options: [field('events.import.session', session, 'events.import.sessionHint'), h('div', { class: 'field' }, h('label', { class: 'check' }, upsert, ' ', h('span', { i18n: 'events.import.upsert' })))],
    watch: [session, upsert],
    send: (file, dryRun) => importAttendees(st.event.id, file, { dryRun, upsert: upsert.checked, ...(session.value ? { sessionId: session.value } : {}) }),
    imported: () => view.refreshAll(),
  });

  const render = () => {
    const keep = session.value;
    const live = st.sessions.filter((s) => !s.archived);
    session.replaceChildren(h('option', { value: '', i18n: 'events.import.noSession' }), ...live.map((s) => h('option', { value: s.id }, s.name)));
    session.value = live.some((s) => s.id === keep) ? keep : '';
  };
  const el = card('ev-import', 'events.import.heading', 'events.import.intro', h('pre', { class: 'ev-sample mono', 'aria-hidden': 'true' }, 'name,email,sessions\nAda Lovelace,ada@example.com,Morning talk\n'), ...panel);
  return { el, render };
}
