/** `#events`: the list of events, the form that creates one, and the archived events (each can be restored). */
import { createEvent, listEvents, type CheckinEvent } from '../admin-events-api.js';
import { archiveEvent, listArchivedEvents } from '../event-edits-api.js';
import { alertBox, button, cell, field, h, heading, table } from './dom.js';
import { act } from './event-errors.js';
import { requiredName, timeRange } from './form-checks.js';
import { dtInput, fmtRange, timeEl } from './format.js';
import { t } from '../i18n.js';
import { view } from './view-state.js';

export async function eventsView(root: HTMLElement): Promise<void> {
  const listBox = h('div', {});
  const listError = alertBox('events-error');
  const formError = alertBox('event-form-error');
  const archivedBox = h('div', {});
  const archivedError = alertBox('archived-error');
  const name = h('input', { name: 'name', type: 'text', maxlength: '200', autocomplete: 'off', required: true });
  const day = new Date();
  day.setHours(9, 0, 0, 0);
  const starts = dtInput('starts_at', day.getTime());
  const ends = dtInput('ends_at', day.getTime() + 8 * 3600_000);
  const submit = h('button', { type: 'submit', class: 'button', i18n: 'events.create.submit' });
  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'event-form' },
    field('events.create.name', name, 'events.create.nameHint'),
    h('div', { class: 'ev-row' }, field('events.create.starts', starts), field('events.create.ends', ends)),
    h('p', { class: 'hint', i18n: 'events.create.placeHint' }),
    formError,
    submit,
  );
  root.replaceChildren(
    heading('events.heading'),
    h('p', { class: 'lead', i18n: 'events.intro' }),
    h('section', { class: 'card', 'aria-labelledby': 'ev-create-h' }, h('h2', { id: 'ev-create-h', i18n: 'events.create.heading' }), form),
    h('section', { class: 'card', 'aria-labelledby': 'ev-list-h' }, h('h2', { id: 'ev-list-h', i18n: 'events.list.heading' }), listError, listBox),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'ev-archived-h', 'data-testid': 'archived-events' },
      h('h2', { id: 'ev-archived-h', i18n: 'events.archived.heading' }),
      h('p', { class: 'hint', i18n: 'events.archived.intro' }),
      archivedError,
      archivedBox,
    ),
  );

  let events: CheckinEvent[] = [];
  let archived: CheckinEvent[] = [];
  const renderArchived = () => {
    if (!archived.length) {
      archivedBox.replaceChildren(h('p', { class: 'hint', i18n: 'events.archived.empty' }));
      return;
    }
    const rows = archived.map((e) => {
      const restore = button('events.archived.restore', 'button secondary small', { 'data-i18n-attr': 'aria-label:events.archived.restoreNamed', 'aria-label': t('events.archived.restoreNamed', { name: e.name }) });
      restore.addEventListener('click', () =>
        void act(restore, archivedError, async () => {
          await archiveEvent(e.id, false);
          await load();
        }),
      );
      const actions = cell('admin.list.actions', restore);
      actions.className = 'actions';
      return h(
        'tr',
        { 'data-event-id': e.id },
        cell('events.list.name', h('a', { href: `#event=${encodeURIComponent(e.id)}`, class: 'client-name' }, e.name)),
        cell('events.list.when', fmtRange(e.starts_at, Math.max(e.starts_at, e.ends_at))),
        actions,
      );
    });
    archivedBox.replaceChildren(table('archived-events-table', ['events.list.name', 'events.list.when', 'admin.list.actions'], rows));
  };
  const render = () => {
    renderArchived();
    if (!events.length) {
      listBox.replaceChildren(h('p', { class: 'hint', i18n: 'events.list.empty' }));
      return;
    }
    const rows = events.map((e) =>
      h(
        'tr',
        { 'data-event-id': e.id },
        cell('events.list.name', h('a', { href: `#event=${encodeURIComponent(e.id)}`, class: 'client-name' }, e.name)),
        cell('events.list.when', fmtRange(e.starts_at, Math.max(e.starts_at, e.ends_at))),
        cell('events.list.created', timeEl(e.created_at)),
      ),
    );
    listBox.replaceChildren(table('events', ['events.list.name', 'events.list.when', 'events.list.created'], rows));
  };
  view.rerender = render;

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(submit, formError, async () => {
      const eventName = requiredName(name, formError, 'events.create.nameRequired');
      if (eventName === null) return;
      const when = timeRange(starts, ends, formError);
      if (!when) return;
      const created = await createEvent({ name: eventName, ...when });
      location.hash = `event=${encodeURIComponent(created.id)}`;
    });
  });

  const load = async () => {
    [events, archived] = await Promise.all([listEvents(), listArchivedEvents()]);
    events.sort((a, b) => b.starts_at - a.starts_at);
    render();
  };
  await act(null, listError, load);
}
