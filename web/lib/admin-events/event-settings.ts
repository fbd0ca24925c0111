/**
 * The event page's "Edit or remove this event": change its name and dates;
 * delete it while nobody was checked in at it; once someone was, the refusal
 * says so and offers to archive it instead. An archived event says so here and
 * can be restored.
 */
import { ApiError } from '../api.js';
import { archiveEvent, deleteEvent, editEvent } from '../event-edits-api.js';
import { t } from '../i18n.js';
import { alertBox, button, card, field, h } from './dom.js';
import { act } from './event-errors.js';
import type { EventState, Part } from './event-state.js';
import { requiredName, timeRange } from './form-checks.js';
import { dtInput } from './format.js';
import { view } from './view-state.js';

export function settingsCard(st: EventState): Part {
  const e = st.event;
  const error = alertBox('event-settings-error');
  const saved = h('p', { class: 'notice', role: 'status', 'data-testid': 'event-saved', hidden: true, i18n: 'events.settings.saved' });
  const name = h('input', { name: 'name', type: 'text', maxlength: '200', autocomplete: 'off', value: e.name });
  const starts = dtInput('starts_at', e.starts_at);
  const ends = dtInput('ends_at', e.ends_at);
  const save = h('button', { type: 'submit', class: 'button', i18n: 'events.settings.save' });
  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'event-edit-form' },
    field('events.create.name', name),
    h('div', { class: 'ev-row' }, field('events.create.starts', starts), field('events.create.ends', ends)),
    save,
  );
  const archivedNote = h('p', { class: 'notice', 'data-testid': 'event-archived', i18n: 'events.settings.archivedNote', hidden: true });
  const del = button('events.settings.delete', 'button danger', { 'data-testid': 'event-delete' });
  const archive = button('events.settings.archive', 'button secondary', { 'data-testid': 'event-archive' });
  const archiveInstead = button('events.settings.archiveInstead', 'button', { 'data-testid': 'event-archive-instead', hidden: true });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    saved.hidden = true;
    void act(save, error, async () => {
      const n = requiredName(name, error, 'events.create.nameRequired');
      if (n === null) return;
      const when = timeRange(starts, ends, error);
      if (!when) return;
      Object.assign(e, await editEvent(e.id, { name: n, ...when }));
      saved.hidden = false;
      view.rerender?.();
    });
  });

  del.addEventListener('click', () => {
    if (!window.confirm(t('events.settings.deleteConfirm', { name: e.name }))) return;
    void act(del, error, async () => {
      try {
        await deleteEvent(e.id);
      } catch (err) {
        // Check-ins were recorded: it stays, and archiving is offered instead.
        if (err instanceof ApiError && err.code === 'event_has_checkins') archiveInstead.hidden = false;
        throw err;
      }
      location.hash = 'events';
    });
  });

  const setArchived = (on: boolean) => (btn: HTMLButtonElement) =>
    void act(btn, error, async () => {
      Object.assign(e, await archiveEvent(e.id, on));
      archiveInstead.hidden = true;
      view.rerender?.();
    });
  archive.addEventListener('click', () => setArchived(!e.archived)(archive));
  archiveInstead.addEventListener('click', () => setArchived(true)(archiveInstead));

  const render = () => {
    archivedNote.hidden = !e.archived;
    archive.dataset.i18n = e.archived ? 'events.settings.restore' : 'events.settings.archive';
    archive.textContent = t(e.archived ? 'events.settings.restore' : 'events.settings.archive');
    archive.dataset.testid = e.archived ? 'event-restore' : 'event-archive';
  };
  const el = card('ev-settings', 'events.settings.heading', 'events.settings.intro', archivedNote, form, saved, error, h('div', { class: 'ev-actions' }, archiveInstead, archive, del));
  return { el, render };
}
