/** The event page's CSV import of attendees: a dry run with its report of bad rows first, then the import. */
import { importAttendees, type ImportReport } from '../admin-events-api.js';
import { setText, type MessageKey } from '../i18n.js';
import { alertBox, button, card, cell, field, h, table, type Child } from './dom.js';
import { act } from './event-errors.js';
import type { EventState, Part } from './event-state.js';
import { view } from './view-state.js';

export function importCard(st: EventState): Part {
  const file = h('input', { type: 'file', accept: '.csv,text/csv,text/plain', 'data-testid': 'import-file' });
  const session = h('select', {});
  const upsert = h('input', { type: 'checkbox' });
  const check = button('events.import.check', 'button');
  const error = alertBox('import-error');
  const report = h('div', { class: 'ev-report', 'data-testid': 'import-report', hidden: true, tabindex: '-1' });
  let text: string | null = null;

  const opts = () => ({ upsert: upsert.checked, ...(session.value ? { sessionId: session.value } : {}) });
  const reset = () => {
    text = null;
    report.hidden = true;
    report.replaceChildren();
  };
  file.addEventListener('change', reset);
  upsert.addEventListener('change', reset);
  session.addEventListener('change', reset);

  function showReport(r: ImportReport): void {
    const ok = r.created + r.updated + r.unchanged;
    const summary = h('p', {
      class: r.dry_run && r.errors.length ? 'alert' : 'notice',
      role: 'status',
      'data-testid': 'import-summary',
      i18n: r.dry_run ? 'events.import.dryRunSummary' : 'events.import.doneSummary',
      vars: { ok, created: r.created, updated: r.updated, unchanged: r.unchanged, bad: r.skipped },
    });
    const parts: Child[] = [summary];
    if (r.ignored_columns.length) parts.push(h('p', { class: 'hint', i18n: 'events.import.ignored', vars: { columns: r.ignored_columns.join(', ') } }));
    if (r.errors.length) {
      parts.push(h('h3', { i18n: 'events.import.badRows', vars: { count: r.skipped } }));
      const rows = r.errors.map((e) =>
        h(
          'tr',
          { 'data-line': e.line, 'data-code': e.code },
          cell('events.import.line', String(e.line)),
          cell('events.import.column', e.column ?? '—'),
          cell('events.import.value', e.value ? h('code', { class: 'mono' }, e.value) : '—'),
          cell('events.import.problem', h('span', { i18n: `events.row.${e.code}` as MessageKey })),
        ),
      );
      parts.push(table('import-errors', ['events.import.line', 'events.import.column', 'events.import.value', 'events.import.problem'], rows));
      if (r.more_errors) parts.push(h('p', { class: 'hint', i18n: 'events.import.moreErrors', vars: { count: r.more_errors } }));
    }
    if (r.dry_run && ok > 0 && text !== null) {
      const go = button('events.import.run', 'button', { vars: { count: ok } });
      setText(go, 'events.import.run', { count: ok });
      const cancel = button('admin.confirm.cancel', 'button secondary');
      cancel.addEventListener('click', () => {
        reset();
        file.value = '';
      });
      go.addEventListener('click', () =>
        void act(go, error, async () => {
          const done = await importAttendees(st.event.id, text ?? '', { dryRun: false, ...opts() });
          text = null;
          file.value = '';
          showReport(done);
          await view.refreshAll();
        }),
      );
      parts.push(h('div', { class: 'ev-actions' }, go, cancel));
    } else if (!r.dry_run && r.attendees.some((a) => a.link_url)) {
      parts.push(h('p', { class: 'hint', i18n: 'events.import.linksHint' }));
    }
    report.replaceChildren(...parts.filter((p): p is Node => p instanceof Node));
    report.hidden = false;
    report.focus();
  }

  check.addEventListener('click', () =>
    void act(check, error, async () => {
      const f = file.files?.[0];
      if (!f) {
        setText(error, 'events.import.noFile');
        error.hidden = false;
        return;
      }
      text = await f.text();
      showReport(await importAttendees(st.event.id, text, { dryRun: true, ...opts() }));
    }),
  );

  const render = () => {
    const keep = session.value;
    session.replaceChildren(h('option', { value: '', i18n: 'events.import.noSession' }), ...st.sessions.map((s) => h('option', { value: s.id }, s.name)));
    session.value = st.sessions.some((s) => s.id === keep) ? keep : '';
  };
  const el = card(
    'ev-import',
    'events.import.heading',
    'events.import.intro',
    h('pre', { class: 'ev-sample mono', 'aria-hidden': 'true' }, 'name,email,sessions\nAda Lovelace,ada@example.com,Morning talk\n'),
    field('events.import.file', file),
    field('events.import.session', session, 'events.import.sessionHint'),
    h('div', { class: 'field' }, h('label', { class: 'check' }, upsert, ' ', h('span', { i18n: 'events.import.upsert' }))),
    error,
    check,
    report,
  );
  return { el, render };
}
