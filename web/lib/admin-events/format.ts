/** Dates and times in the current locale, and the datetime-local inputs that edit them. */
import { getLocale } from '../i18n.js';
import { h } from './dom.js';

const fmt = (ms: number) => new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
export const fmtRange = (a: number, b: number) => new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short' }).formatRange(a, b);

export function timeEl(ms: number): HTMLTimeElement {
  const e = h('time', { datetime: new Date(ms).toISOString() }, fmt(ms));
  return e;
}

/** yyyy-MM-ddTHH:mm in local time, for datetime-local inputs. */
function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
export const fromLocalInput = (v: string): number | null => {
  if (!v) return null;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? ms : null;
};
export const dtInput = (name: string, value?: number) => h('input', { type: 'datetime-local', name, value: value === undefined ? undefined : toLocalInput(value) });
