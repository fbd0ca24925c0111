import { errorMessage } from './errors.js';
import { initI18n, mountLanguageSwitch, setText } from './i18n.js';

/** Common start of every page: language, the language switch. */
export function initPage(): void {
  initI18n();
  const slot = document.getElementById('lang-switch');
  if (slot) mountLanguageSwitch(slot);
}

/** The element with this id; a missing element is a bug in the page. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
}

export function show(el: HTMLElement, visible = true): void {
  el.hidden = !visible;
}

/** Shows only the given one of several mutually exclusive page states. */
export function showOnly(states: readonly HTMLElement[], visible: HTMLElement): void {
  for (const s of states) s.hidden = s !== visible;
}

/** Puts the translated text for `err` into an alert box and shows it. */
export function showError(box: HTMLElement, err: unknown): void {
  const { key, vars } = errorMessage(err);
  setText(box, key, vars);
  box.hidden = false;
}
