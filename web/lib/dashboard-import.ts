/**
 * The dashboard's CSV import (admins): the console's import panel
 * (admin-events/import-panel.ts), so the file is checked first and its report
 * read before anything is written; here the rows can also be registered for
 * this session.
 */
import { importAttendees } from './admin-events-api.js';
import { h } from './admin-events/dom.js';
import { importPanel } from './admin-events/import-panel.js';
import { byId } from './page.js';

/** Builds the import panel in the dashboard's import box: rows go to the session's event (and, if ticked, this session). */
export function mountImport(eventId: string, sessionId: string): void {
  const thisSession = h('input', { type: 'checkbox', id: 'import-this-session', checked: true });
  const upsert = h('input', { type: 'checkbox', id: 'import-upsert', 'data-testid': 'import-upsert' });
  const panel = importPanel({
    options: [
      h('label', { class: 'check' }, thisSession, ' ', h('span', { i18n: 'dashboard.importThisSession' })),
      h('label', { class: 'check' }, upsert, ' ', h('span', { i18n: 'dashboard.importUpsert' })),
    ],
    watch: [thisSession, upsert],
    send: (file, dryRun) => importAttendees(eventId, file, { dryRun, upsert: upsert.checked, ...(thisSession.checked ? { sessionId } : {}) }),
  });
  byId('import-panel').replaceChildren(...panel);
}
