/** Checks the Events forms make before sending; each failure says why in the form's alert box. */
import { setText, type MessageKey } from '../i18n.js';
import { fromLocalInput } from './format.js';

function refuse(box: HTMLElement, key: MessageKey): null {
  setText(box, key);
  box.hidden = false;
  return null;
}

/** The trimmed name; null, with `key` shown and the input focused, when it is blank. */
export function requiredName(input: HTMLInputElement, box: HTMLElement, key: MessageKey): string | null {
  const name = input.value.trim();
  if (name) return name;
  refuse(box, key);
  input.focus();
  return null;
}

/** Start and end from two datetime-local inputs; null, said in `box`, when one is missing or the end comes first. */
export function timeRange(starts: HTMLInputElement, ends: HTMLInputElement, box: HTMLElement): { starts_at: number; ends_at: number } | null {
  const s = fromLocalInput(starts.value);
  const e = fromLocalInput(ends.value);
  if (s === null || e === null || e < s) return refuse(box, 'events.create.datesInvalid');
  return { starts_at: s, ends_at: e };
}
