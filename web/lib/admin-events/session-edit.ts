/**
 * The sessions list's edit, delete and archive: an inline form that edits a
 * session (every field prefilled), deleting one nobody was checked in at, and
 * when deleting is refused because someone was, archiving it instead. The
 * archived sessions are listed apart, each with Restore.
 */
import type { CheckinSession } from '../admin-events-api.js';
import { ApiError } from '../api.js';
import { archiveSession, deleteSession, editSession } from '../event-edits-api.js';
import { t } from '../i18n.js';
import { alertBox, button, cell, field, h, table } from './dom.js';
import { act } from './event-errors.js';
import { requiredName, timeRange } from './form-checks.js';
import { dtInput, fmtRange, fromLocalInput } from './format.js';
import { view } from './view-state.js';

/** What the sessions card keeps between renders: which session is being edited, which one was refused deletion. */
export interface SessionEditState {
  editing: string | null;
  /** The open edit form's row, kept while it is open. */
  form?: { id: string; row: HTMLTableRowElement } | undefined;
  offerArchive: string | null;
}

/** The edit form of `s`, in a table row under its own; `close` redraws the list without it. */
export function editRow(s: CheckinSession, columns: number, close: () => void): HTMLTableRowElement {
  const error = alertBox('session-edit-error');
  const name = h('input', { name: 'name', type: 'text', maxlength: '200', autocomplete: 'off', value: s.name });
  const place = h('input', { name: 'place', type: 'text', maxlength: '200', autocomplete: 'off', value: s.place ?? '' });
  const starts = dtInput('starts_at', s.starts_at);
  const ends = dtInput('ends_at', s.ends_at);
  const opens = dtInput('opens_at', s.opens_at);
  const closes = dtInput('closes_at', s.closes_at);
  const all = h('input', { type: 'checkbox', name: 'all_attendees', checked: s.all_attendees });
  const save = h('button', { type: 'submit', class: 'button', i18n: 'events.sessions.save' });
  const cancel = button('events.sessions.cancel', 'button secondary');
  cancel.addEventListener('click', close);
  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'session-edit-form', class: 'ev-edit' },
    h('h3', { i18n: 'events.sessions.editHeading', vars: { name: s.name } }),
    h('div', { class: 'ev-row' }, field('events.sessions.name', name), field('events.sessions.place', place)),
    h('div', { class: 'ev-row' }, field('events.sessions.starts', starts), field('events.sessions.ends', ends)),
    h('div', { class: 'ev-row' }, field('events.sessions.opensEdit', opens), field('events.sessions.closesEdit', closes)),
    h('div', { class: 'field' }, h('label', { class: 'check' }, all, ' ', h('span', { i18n: 'events.sessions.allAttendees' }))),
    error,
    h('div', { class: 'ev-actions' }, save, cancel),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(save, error, async () => {
      const n = requiredName(name, error, 'events.sessions.nameRequired');
      if (n === null) return;
      const when = timeRange(starts, ends, error);
      if (!when) return;
      if (!timeRange(opens, closes, error)) return;
      await editSession(s.id, {
        name: n,
        place: place.value.trim() || null,
        ...when,
        opens_at: fromLocalInput(opens.value)!,
        closes_at: fromLocalInput(closes.value)!,
        all_attendees: all.checked,
      });
      close();
      await view.refreshAll();
    });
  });
  const td = h('td', { colspan: String(columns) }, form);
  queueMicrotask(() => name.focus());
  return h('tr', { class: 'ev-edit-row', 'data-edit-session-id': s.id }, td);
}

/** The Edit and Delete buttons of a session's row. */
export function editButtons(s: CheckinSession, ui: SessionEditState, errorBox: HTMLElement, redraw: () => void): HTMLButtonElement[] {
  const edit = button('events.sessions.edit', 'button secondary small', { 'data-testid': 'session-edit', 'aria-label': t('events.sessions.editNamed', { name: s.name }) });
  edit.addEventListener('click', () => {
    ui.editing = ui.editing === s.id ? null : s.id;
    ui.form = undefined;
    redraw();
  });
  const del = button('events.sessions.delete', 'button danger small', { 'data-testid': 'session-delete', 'aria-label': t('events.sessions.deleteNamed', { name: s.name }) });
  del.addEventListener('click', () => {
    if (!window.confirm(t('events.sessions.deleteConfirm', { name: s.name }))) return;
    ui.offerArchive = null;
    void act(del, errorBox, async () => {
      try {
        await deleteSession(s.id);
      } catch (err) {
        // Someone was checked in there: it stays, and archiving is offered instead.
        if (err instanceof ApiError && err.code === 'session_has_checkins') {
          ui.offerArchive = s.id;
          redraw();
        }
        throw err;
      }
      await view.refreshAll();
    });
  });
  return [edit, del];
}

/** Under the list's alert: "Archive X instead", after a refused delete. */
export function archiveOffer(sessions: CheckinSession[], ui: SessionEditState, errorBox: HTMLElement): HTMLElement | null {
  const s = sessions.find((x) => x.id === ui.offerArchive && !x.archived);
  if (!s) return null;
  const go = button('events.sessions.archiveInstead', 'button', { vars: { name: s.name }, 'data-testid': 'session-archive-instead' });
  go.addEventListener('click', () =>
    void act(go, errorBox, async () => {
      await archiveSession(s.id, true);
      ui.offerArchive = null;
      errorBox.hidden = true;
      await view.refreshAll();
    }),
  );
  return h('div', { class: 'ev-actions' }, go);
}

/** The archived sessions, each with Restore; null when there are none. */
export function archivedTable(sessions: CheckinSession[], errorBox: HTMLElement): HTMLElement | null {
  const archived = sessions.filter((s) => s.archived);
  if (!archived.length) return null;
  const rows = archived.map((s) => {
    const restore = button('events.sessions.restore', 'button secondary small', { 'data-testid': 'session-restore', 'aria-label': t('events.sessions.restoreNamed', { name: s.name }) });
    restore.addEventListener('click', () =>
      void act(restore, errorBox, async () => {
        await archiveSession(s.id, false);
        await view.refreshAll();
      }),
    );
    const actions = cell('admin.list.actions', restore);
    actions.className = 'actions';
    return h('tr', { 'data-session-id': s.id }, cell('events.sessions.name', h('span', { class: 'client-name' }, s.name)), cell('events.sessions.when', fmtRange(s.starts_at, Math.max(s.starts_at, s.ends_at))), actions);
  });
  return h('div', { class: 'ev-archived' }, h('h3', { i18n: 'events.sessions.archivedHeading' }), table('archived-sessions', ['events.sessions.name', 'events.sessions.when', 'admin.list.actions'], rows));
}
