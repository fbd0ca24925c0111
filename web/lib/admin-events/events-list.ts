/** `#events`: the list of events and the form that creates one. */
import { createEvent, listEvents, type CheckinEvent } from '../admin-events-api.js';
import { alertBox, cell, field, h, heading, table } from './dom.js';
import { act } from './event-errors.js';
import { requiredName, timeRange } from './form-checks.js';
import { dtInput, fmtRange, timeEl } from './format.js';
import { view } from './view-state.js';

export async function eventsView(root: HTMLElement): Promise<void> {
  const listBox = h('div', {});
  const listError = alertBox('events-error');
  const formError = alertBox('event-form-error');
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
  );

  let events: CheckinEvent[] = [];
  const render = () => {
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

  await act(null, listError, async () => {
    events = (await listEvents()).sort((a, b) => b.starts_at - a.starts_at);
    render();
  });
}
