/**
 * The CSV import of attendees as the console's event page and the session
 * dashboard both show it: pick a file, "Check the file" (a dry run), read the
 * report (how many rows can go in, a table of every row left out with its
 * line, column, value and the problem in words), then "Import N rows" or
 * cancel. Nothing is written before the confirmation. Each page adds its own
 * options (which session, update existing people) and says where the rows go.
 */
import type { ImportReport } from '../admin-events-api.js';
import { setText, type MessageKey } from '../i18n.js';
import { alertBox, button, cell, field, h, table, type Child } from './dom.js';
import { act } from './event-errors.js';

export interface ImportPanelOptions {
  /** The page's own options, shown between the file and the Check button. */
  options: HTMLElement[];
  /** Inputs among them whose change means the file must be checked again. */
  watch: HTMLElement[];
  /** Sends the file as it is (the server reads its encoding): first with `dryRun`, then for real. */
  send: (file: Blob, dryRun: boolean) => Promise<ImportReport>;
  /** After the rows went in (reload what shows them). */
  imported?: (r: ImportReport) => Promise<void> | void;
}

/** The file field, the options, the Check button, the alert box and the report, in that order. */
export function importPanel(o: ImportPanelOptions): HTMLElement[] {
  const file = h('input', { type: 'file', accept: '.csv,text/csv,text/plain', 'data-testid': 'import-file' });
  const check = button('events.import.check', 'button', { 'data-testid': 'import-check' });
  const error = alertBox('import-error');
  const report = h('div', { class: 'ev-report', 'data-testid': 'import-report', hidden: true, tabindex: '-1' });
  /** The file checked last, kept as it was then (the input may change under it). */
  let checked: Blob | null = null;

  const reset = () => {
    checked = null;
    report.hidden = true;
    report.replaceChildren();
  };
  for (const el of [file, ...o.watch]) el.addEventListener('change', reset);

  function showReport(r: ImportReport): void {
    const ok = r.created + r.updated + r.unchanged;
    report.dataset.dryRun = String(r.dry_run);
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
    if (r.dry_run && ok > 0 && checked !== null) {
      const go = button('events.import.run', 'button', { vars: { count: ok }, 'data-testid': 'import-run' });
      setText(go, 'events.import.run', { count: ok });
      const cancel = button('admin.confirm.cancel', 'button secondary');
      cancel.addEventListener('click', () => {
        reset();
        file.value = '';
      });
      go.addEventListener('click', () =>
        void act(go, error, async () => {
          if (!checked) return;
          const done = await o.send(checked, false);
          checked = null;
          file.value = '';
          showReport(done);
          await o.imported?.(done);
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
      reset();
      const f = file.files?.[0];
      if (!f) {
        setText(error, 'events.import.noFile');
        error.hidden = false;
        return;
      }
      // A copy of its bytes now: what is imported is what was checked.
      const copy = new Blob([await f.arrayBuffer()], { type: f.type || 'text/csv' });
      const r = await o.send(copy, true);
      checked = copy;
      showReport(r);
    }),
  );

  return [field('events.import.file', file), ...o.options, error, check, report];
}
