/**
 * The dashboard's CSV import (admins): pick a file, send it as text/csv, show
 * the report: how many were created, updated, left out, and a table of every
 * row left out with its line, column, value and the problem in words.
 */
import { ApiError } from './api.js';
import { importCsv, type ImportReport, type ImportRowError } from './dashboard-api.js';
import { setText, type MessageKey } from './i18n.js';
import { byId, show, showError } from './page.js';

const KNOWN_CODES = new Set(['missing_name', 'invalid_email', 'unknown_session', 'ambiguous_session', 'duplicate_email', 'too_long', 'too_many_fields', 'malformed_row']);
const MAX_BYTES = 2 * 1024 * 1024;

function errorRow(e: ImportRowError): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.code = e.code;
  tr.dataset.line = String(e.line);
  const cells = [String(e.line), e.column ?? '', e.value ?? ''].map((text) => {
    const td = document.createElement('td');
    td.textContent = text;
    return td;
  });
  const problem = document.createElement('td');
  if (KNOWN_CODES.has(e.code)) setText(problem, `dashboard.rowError.${e.code}` as MessageKey);
  else problem.textContent = e.message;
  problem.title = e.message;
  tr.append(...cells, problem);
  return tr;
}

/** Wires the import form: rows go to the session's event (and, if ticked, this session). */
export function mountImport(eventId: string, sessionId: string, csrf: () => string | undefined): void {
  const form = byId<HTMLFormElement>('import-form');
  const file = byId<HTMLInputElement>('import-file');
  const submit = byId<HTMLButtonElement>('import-submit');
  const errorBox = byId('import-error');
  const reportBox = byId('import-report');
  const table = byId<HTMLTableElement>('import-errors');

  function showReport(r: ImportReport): void {
    reportBox.dataset.dryRun = String(r.dry_run);
    setText(byId('import-summary'), r.dry_run ? 'dashboard.importSummaryDry' : 'dashboard.importSummary', { created: r.created, updated: r.updated, skipped: r.skipped });
    table.tBodies[0]!.replaceChildren(...r.errors.map(errorRow));
    show(table, r.errors.length > 0);
    show(reportBox);
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      show(errorBox, false);
      show(reportBox, false);
      const f = file.files?.[0];
      if (!f) {
        setText(errorBox, 'dashboard.importPick');
        show(errorBox);
        return;
      }
      if (f.size > MAX_BYTES) {
        setText(errorBox, 'dashboard.importTooLarge');
        show(errorBox);
        return;
      }
      submit.disabled = true;
      setText(submit, 'dashboard.importing');
      try {
        const report = await importCsv(eventId, f, csrf(), {
          upsert: byId<HTMLInputElement>('import-upsert').checked,
          dryRun: byId<HTMLInputElement>('import-dry-run').checked,
          ...(byId<HTMLInputElement>('import-this-session').checked ? { sessionId } : {}),
        });
        showReport(report);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'invalid_csv') setText(errorBox, 'dashboard.importInvalid', { detail: err.message });
        else if (err instanceof ApiError && err.code === 'payload_too_large') setText(errorBox, 'dashboard.importTooLarge');
        else showError(errorBox, err);
        show(errorBox);
      } finally {
        submit.disabled = false;
        setText(submit, 'dashboard.importSubmit');
      }
    })();
  });
}
