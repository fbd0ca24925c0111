/**
 * The scanner page's own "find by name": staff (or a provisioned device) type
 * part of a name or email, see each match with their status in this session
 * and the organiser's note, and check one in with a tap. The check-in goes
 * through the page's scan flow (`onCheckIn`), so its answer fills the screen
 * like a scanned code. Uses the dashboard's search API,
 * GET /api/v1/sessions/:id/attendees (admins, the session's staff, its devices).
 */
import type { SearchAnswer } from '../../../src/flows/attendance/attendance-schemas.js';
import { attendeeWho } from '../attendee-who.js';
import { scannerApi } from '../checkin-api.js';
import { onLocaleChange, setText, type MessageKey } from '../i18n.js';
import { byId, showError } from '../page.js';
import { fmtClock } from '../session-window-text.js';

type Found = SearchAnswer['attendees'][number];

const DEBOUNCE_MS = 250;

interface SearchOptions {
  /** The session searched now (null: none picked). */
  sessionId: () => string | null;
  /** "Check in" tapped for this attendee. */
  onCheckIn: (attendeeId: string) => void;
}

/** Wires the search box; returns a function that runs the current search again (after a check-in). */
export function mountScannerSearch(o: SearchOptions): () => void {
  const form = byId<HTMLFormElement>('search-form');
  const input = byId<HTMLInputElement>('search');
  const list = byId('search-results');
  const status = byId('search-status');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const clear = (el: HTMLElement) => {
    el.textContent = '';
    delete el.dataset.i18n;
  };

  function item(a: Found): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.testid = 'search-item';
    li.dataset.status = a.status;
    li.dataset.attendeeId = a.id;
    const who = attendeeWho(a, { box: 'desk-who', name: 'desk-name' });
    const st = document.createElement('span');
    st.className = 'desk-status';
    st.dataset.status = a.status;
    if (a.checkin && a.status === 'checked_in') setText(st, 'checkin.searchStatus.checkedInAt', { time: fmtClock(a.checkin.at) });
    else setText(st, `checkin.searchStatus.${a.status}` as MessageKey);
    who.append(st);
    if (a.note) {
      const note = document.createElement('span');
      note.className = 'desk-note';
      note.dataset.testid = 'search-note';
      setText(note, 'checkin.note', { note: a.note });
      who.append(note);
    }
    li.append(who);
    // Everyone but the cancelled gets the button: the answer (not registered, already in) then says why, in full.
    if (a.status !== 'revoked') {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'button desk-checkin';
      b.dataset.testid = 'search-checkin';
      setText(b, 'checkin.searchCheckIn');
      b.addEventListener('click', () => o.onCheckIn(a.id));
      li.append(b);
    }
    return li;
  }

  async function run(): Promise<void> {
    const q = input.value.trim();
    const sessionId = o.sessionId();
    const mine = ++asked;
    if (!q || !sessionId) {
      list.replaceChildren();
      clear(status);
      return;
    }
    try {
      const found = await scannerApi<SearchAnswer>('GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}/attendees?q=${encodeURIComponent(q)}`);
      if (mine !== asked) return; // a newer search is under way
      list.replaceChildren(...found.attendees.map(item));
      if (found.attendees.length === 0) setText(status, 'checkin.searchNone', { q });
      else clear(status);
    } catch (err) {
      if (mine === asked) showError(status, err);
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), DEBOUNCE_MS);
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(timer);
    void run();
  });
  onLocaleChange(() => void run());
  return () => void run();
}
