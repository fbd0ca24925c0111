/**
 * The event page's sessions: the list (each with its live dashboard, a
 * close/reopen toggle, Edit and Delete; session-edit.ts), the archived ones,
 * and the form that adds one (cleared after each, so the next session does not
 * silently inherit "open to every attendee").
 */
import { createSession, setSessionClosed } from '../admin-events-api.js';
import { alertBox, button, card, cell, field, h, table } from './dom.js';
import { act } from './event-errors.js';
import type { EventState, Part } from './event-state.js';
import { requiredName, timeRange } from './form-checks.js';
import { dtInput, fmtRange, fromLocalInput } from './format.js';
import { archiveOffer, archivedTable, editButtons, editRow, type SessionEditState } from './session-edit.js';
import { view } from './view-state.js';
import { windowText } from '../session-window-text.js';

export function sessionsCard(st: EventState): Part {
  const list = h('div', {});
  const listError = alertBox('sessions-error');
  const formError = alertBox('session-form-error');
  const name = h('input', { name: 'name', type: 'text', maxlength: '200', autocomplete: 'off' });
  const place = h('input', { name: 'place', type: 'text', maxlength: '200', autocomplete: 'off' });
  const starts = dtInput('starts_at', st.event.starts_at);
  const ends = dtInput('ends_at', Math.min(st.event.starts_at + 3600_000, Math.max(st.event.ends_at, st.event.starts_at + 3600_000)));
  const defaults = { starts: starts.value, ends: ends.value };
  const offer = h('div', {});
  const archivedBox = h('div', {});
  const ui: SessionEditState = { editing: null, offerArchive: null };
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
      // Back to a blank form: every field, the tick box too.
      form.reset();
      starts.value = defaults.starts;
      ends.value = defaults.ends;
      all.checked = false;
      await view.refreshAll();
    });
  });

  const render = () => {
    offer.replaceChildren(...[archiveOffer(st.sessions, ui, listError)].filter((x): x is HTMLElement => x !== null));
    archivedBox.replaceChildren(...[archivedTable(st.sessions, listError)].filter((x): x is HTMLElement => x !== null));
    const live = st.sessions.filter((s) => !s.archived);
    if (!live.length) {
      list.replaceChildren(h('p', { class: 'hint', i18n: 'events.sessions.empty' }));
      return;
    }
    const rows = live.flatMap((s) => {
      const toggle = button(s.closed ? 'events.sessions.reopen' : 'events.sessions.close', 'button secondary small');
      toggle.addEventListener('click', () =>
        void act(toggle, listError, async () => {
          const upd = await setSessionClosed(s.id, !s.closed);
          Object.assign(s, upd);
          render();
        }),
      );
      // The scanner's own state (domain/session-window): "Opens at 18:30" before the window, closed after it or by hand.
      const w = windowText(s, Date.now());
      const status = h('span', { class: `badge ${w.state.state === 'not_yet_open' ? 'pending' : w.state.state}`, 'data-status': s.closed ? 'closed' : 'open', 'data-window-state': w.state.state, 'data-testid': 'session-window', i18n: w.key, vars: w.vars });
      const dash = h('a', { class: 'button secondary small', href: `/dashboard?session=${encodeURIComponent(s.id)}`, target: '_blank', rel: 'noopener', i18n: 'events.sessions.dashboard' });
      const actions = cell('admin.list.actions', dash, toggle, ...editButtons(s, ui, listError, render));
      actions.className = 'actions';
      const row = h(
        'tr',
        { 'data-session-id': s.id },
        cell('events.sessions.name', h('span', { class: 'client-name' }, s.name), s.all_attendees ? h('span', { class: 'hint ev-sub', i18n: 'events.sessions.everyone' }) : null),
        cell('events.sessions.place', s.place ?? '—'),
        cell('events.sessions.when', fmtRange(s.starts_at, Math.max(s.starts_at, s.ends_at))),
        cell('events.sessions.window', fmtRange(s.opens_at, Math.max(s.opens_at, s.closes_at))),
        cell('events.sessions.status', status),
        actions,
      );
      if (ui.editing !== s.id) return [row];
      // Kept across redraws (the clock redraws the badges), so what is typed stays.
      if (ui.form?.id !== s.id) ui.form = { id: s.id, row: editRow(s, 6, () => ((ui.editing = null), (ui.form = undefined), render())) };
      return [row, ui.form.row];
    });
    list.replaceChildren(table('sessions', ['events.sessions.name', 'events.sessions.place', 'events.sessions.when', 'events.sessions.window', 'events.sessions.status', 'admin.list.actions'], rows));
  };
  // The window opens and ends by the clock: keep the badges true while the page stays open (stops once this card is gone).
  const tick = setInterval(() => {
    if (!list.isConnected) return clearInterval(tick);
    if (st.sessions.length) render();
  }, 30_000);
  return { el: card('ev-sessions', 'events.sessions.heading', 'events.sessions.intro', listError, offer, list, archivedBox, form), render };
}
