/** The event page's sessions: the list (each with its live dashboard and a close/reopen toggle) and the form that adds one. */
import { createSession, setSessionClosed } from '../admin-events-api.js';
import { alertBox, button, card, cell, field, h, table } from './dom.js';
import { act } from './event-errors.js';
import type { EventState, Part } from './event-state.js';
import { requiredName, timeRange } from './form-checks.js';
import { dtInput, fmtRange, fromLocalInput } from './format.js';
import { view } from './view-state.js';

export function sessionsCard(st: EventState): Part {
  const list = h('div', {});
  const listError = alertBox('sessions-error');
  const formError = alertBox('session-form-error');
  const name = h('input', { name: 'name', type: 'text', maxlength: '200', autocomplete: 'off' });
  const place = h('input', { name: 'place', type: 'text', maxlength: '200', autocomplete: 'off' });
  const starts = dtInput('starts_at', st.event.starts_at);
  const ends = dtInput('ends_at', Math.min(st.event.starts_at + 3600_000, Math.max(st.event.ends_at, st.event.starts_at + 3600_000)));
  const opens = dtInput('opens_at');
  const closes = dtInput('closes_at');
  const all = h('input', { type: 'checkbox', name: 'all_attendees' });
  const submit = h('button', { type: 'submit', class: 'button', i18n: 'events.sessions.submit' });
  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'session-form' },
    h('h3', { i18n: 'events.sessions.add' }),
    h('div', { class: 'ev-row' }, field('events.sessions.name', name), field('events.sessions.place', place)),
    h('div', { class: 'ev-row' }, field('events.sessions.starts', starts), field('events.sessions.ends', ends)),
    h('div', { class: 'ev-row' }, field('events.sessions.opens', opens, 'events.sessions.opensHint'), field('events.sessions.closes', closes, 'events.sessions.closesHint')),
    h('div', { class: 'field' }, h('label', { class: 'check' }, all, ' ', h('span', { i18n: 'events.sessions.allAttendees' }))),
    formError,
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(submit, formError, async () => {
      const sessionName = requiredName(name, formError, 'events.sessions.nameRequired');
      if (sessionName === null) return;
      const when = timeRange(starts, ends, formError);
      if (!when) return;
      const o = fromLocalInput(opens.value);
      const c = fromLocalInput(closes.value);
      await createSession(st.event.id, {
        name: sessionName,
        ...(place.value.trim() ? { place: place.value.trim() } : {}),
        ...when,
        ...(o !== null ? { opens_at: o } : {}),
        ...(c !== null ? { closes_at: c } : {}),
        all_attendees: all.checked,
      });
      name.value = '';
      place.value = '';
      await view.refreshAll();
    });
  });

  const render = () => {
    if (!st.sessions.length) {
      list.replaceChildren(h('p', { class: 'hint', i18n: 'events.sessions.empty' }));
      return;
    }
    const rows = st.sessions.map((s) => {
      const toggle = button(s.closed ? 'events.sessions.reopen' : 'events.sessions.close', 'button secondary small');
      toggle.addEventListener('click', () =>
        void act(toggle, listError, async () => {
          const upd = await setSessionClosed(s.id, !s.closed);
          Object.assign(s, upd);
          render();
        }),
      );
      const status = h('span', { class: `badge ${s.closed ? 'closed' : 'open'}`, 'data-status': s.closed ? 'closed' : 'open', i18n: s.closed ? 'events.sessions.closed' : 'events.sessions.open' });
      const dash = h('a', { class: 'button secondary small', href: `/dashboard?session=${encodeURIComponent(s.id)}`, target: '_blank', rel: 'noopener', i18n: 'events.sessions.dashboard' });
      const actions = cell('admin.list.actions', dash, toggle);
      actions.className = 'actions';
      return h(
        'tr',
        { 'data-session-id': s.id },
        cell('events.sessions.name', h('span', { class: 'client-name' }, s.name), s.all_attendees ? h('span', { class: 'hint ev-sub', i18n: 'events.sessions.everyone' }) : null),
        cell('events.sessions.place', s.place ?? '—'),
        cell('events.sessions.when', fmtRange(s.starts_at, Math.max(s.starts_at, s.ends_at))),
        cell('events.sessions.window', fmtRange(s.opens_at, Math.max(s.opens_at, s.closes_at))),
        cell('events.sessions.status', status),
        actions,
      );
    });
    list.replaceChildren(table('sessions', ['events.sessions.name', 'events.sessions.place', 'events.sessions.when', 'events.sessions.window', 'events.sessions.status', 'admin.list.actions'], rows));
  };
  return { el: card('ev-sessions', 'events.sessions.heading', 'events.sessions.intro', listError, list, form), render };
}
