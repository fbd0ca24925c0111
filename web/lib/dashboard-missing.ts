/**
 * The dashboard's list of who has not arrived yet: everyone the session
 * expects without a check-in, in name order, a page at a time; typing narrows
 * it by name or email; the Export link downloads the list as it is narrowed.
 * It follows the counts: when a check-in (or undo) moves them, the list is
 * read again.
 */
import { attendeeWho } from './attendee-who.js';
import { fetchNotArrived, notArrivedCsvUrl, type MissingAttendee } from './dashboard-api.js';
import { setText } from './i18n.js';
import { byId, show, showError } from './page.js';

const PAGE = 50;
const DEBOUNCE_MS = 250;

/** Wires the list for this session; returns a function that reads it again (after the counts moved). */
export function mountMissing(sessionId: string): () => void {
  const input = byId<HTMLInputElement>('missing-search');
  const list = byId('missing-list');
  const status = byId('missing-count');
  const more = byId<HTMLButtonElement>('missing-more');
  const exportLink = byId<HTMLAnchorElement>('missing-export');
  let shown = PAGE;
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function item(a: MissingAttendee): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.testid = 'missing-item';
    li.dataset.attendeeId = a.id;
    li.append(attendeeWho(a, { box: 'dash-result-who', name: 'dash-result-name' }, 'missing-name'));
    return li;
  }

  async function run(): Promise<void> {
    const q = input.value.trim();
    const mine = ++asked;
    exportLink.href = notArrivedCsvUrl(sessionId, q);
    try {
      const page = await fetchNotArrived(sessionId, q, shown);
      if (mine !== asked) return; // a newer read is under way
      list.replaceChildren(...page.attendees.map(item));
      list.dataset.total = String(page.total);
      if (page.total === 0) setText(status, q ? 'dashboard.missing.noMatch' : 'dashboard.missing.none', { q });
      else setText(status, 'dashboard.missing.count', { shown: page.attendees.length, total: page.total });
      show(more, page.attendees.length < page.total);
    } catch (err) {
      if (mine === asked) showError(status, err);
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    shown = PAGE;
    timer = setTimeout(() => void run(), DEBOUNCE_MS);
  });
  more.addEventListener('click', () => {
    shown += PAGE;
    void run();
  });
  show(byId('missing-box'));
  void run();
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), DEBOUNCE_MS);
  };
}
