/**
 * The dashboard's check-in by name: type part of a name or email, see each
 * match with their status in this session, and check them in with one tap.
 * The answer (ok, or the refusal in words) shows above the list; the counts
 * and latest scans follow by push like any scan.
 */
import { ApiError } from './api.js';
import { attendeeWho } from './attendee-who.js';
import { checkInByHand, searchAttendees, type FoundAttendee } from './dashboard-api.js';
import { getLocale, onLocaleChange, setText, type MessageKey } from './i18n.js';
import { byId, show, showError } from './page.js';

const DEBOUNCE_MS = 250;

/** Wires the search box for this session; returns a function that runs the current search again. */
export function mountSearch(sessionId: string): () => void {
  const input = byId<HTMLInputElement>('search');
  const list = byId('search-results');
  const status = byId('search-status');
  const result = byId('manual-result');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const fmtTime = (ms: number) => new Intl.DateTimeFormat(getLocale(), { hour: '2-digit', minute: '2-digit' }).format(ms);

  function item(a: FoundAttendee): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.testid = 'search-item';
    li.dataset.status = a.status;
    li.dataset.attendeeId = a.id;
    const who = attendeeWho(a, { box: 'dash-result-who', name: 'dash-result-name' });
    const st = document.createElement('span');
    st.className = 'dash-status-tag';
    st.dataset.status = a.status;
    if (a.checkin && a.status === 'checked_in') setText(st, 'dashboard.status.checkedInAt', { time: fmtTime(a.checkin.at) });
    else setText(st, `dashboard.status.${a.status}` as MessageKey);
    who.append(st);
    li.append(who);
    if (a.status === 'not_yet' || a.status === 'checked_out') {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'button dash-checkin';
      b.dataset.testid = 'manual-checkin';
      setText(b, 'dashboard.checkIn');
      b.addEventListener('click', () => void checkIn(b, a));
      li.append(b);
    }
    return li;
  }

  async function run(): Promise<void> {
    const q = input.value.trim();
    const mine = ++asked;
    if (!q) {
      list.replaceChildren();
      status.textContent = '';
      delete status.dataset.i18n;
      return;
    }
    try {
      const found = await searchAttendees(sessionId, q);
      if (mine !== asked) return; // a newer search is under way
      list.replaceChildren(...found.map(item));
      if (found.length === 0) setText(status, 'dashboard.noMatch', { q });
      else {
        status.textContent = '';
        delete status.dataset.i18n;
      }
    } catch (err) {
      if (mine === asked) showError(status, err);
    }
  }

  async function checkIn(button: HTMLButtonElement, a: FoundAttendee): Promise<void> {
    button.disabled = true;
    try {
      const answer = await checkInByHand(sessionId, a.id, crypto.randomUUID());
      result.dataset.result = answer.result;
      if (answer.result === 'ok') setText(result, 'dashboard.manualOk', { name: a.name });
      else setText(result, `checkin.reason.${answer.reason ?? 'invalid_code'}` as MessageKey);
      result.dataset.reason = answer.reason ?? '';
      show(result);
    } catch (err) {
      result.dataset.result = 'error';
      result.dataset.reason = err instanceof ApiError ? err.code : 'unknown';
      showError(result, err);
    } finally {
      button.disabled = false;
      void run();
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), DEBOUNCE_MS);
  });
  // Times in the list are formatted for the language: draw it again after a switch.
  onLocaleChange(() => void run());
  return () => void run();
}
