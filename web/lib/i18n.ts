/**
 * A tiny i18n layer for the pages.
 *
 * Language: `?lang=` first (and remembered), then the `scanpass_lang` cookie,
 * then localStorage, then the browser's languages, then English.
 *
 * Markup: an element with `data-i18n="key"` gets its text from the dictionary
 * (values for `{placeholders}` in `data-i18n-vars`, JSON); `data-i18n-attr=
 * "aria-label:key;title:key"` translates attributes. Pages set dynamic text
 * with `setText()`, which records the key so that switching the language
 * re-translates everything already on screen.
 */
import { en, type MessageKey, type Messages } from '../locales/en.js';
import { zhCN } from '../locales/zh-CN.js';

export type { MessageKey } from '../locales/en.js';
type Locale = 'en' | 'zh-CN';
export type Vars = Readonly<Record<string, string | number>>;

const LOCALES: readonly Locale[] = ['en', 'zh-CN'];
/** Each language's name in that language, for the switch. */
const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', 'zh-CN': '中文' };

const DICTIONARIES: Readonly<Record<Locale, Messages>> = { en, 'zh-CN': zhCN };
const LANG_COOKIE = 'scanpass_lang';
const ONE_YEAR_S = 365 * 24 * 3600;

let current: Locale = 'en';
const listeners = new Set<(l: Locale) => void>();

/** Maps any language tag to a supported locale, or undefined. */
function normalizeLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const t = tag.trim().toLowerCase().replace(/_/g, '-');
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return undefined;
}

function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function readStorage(): string | undefined {
  try {
    return localStorage.getItem(LANG_COOKIE) ?? undefined;
  } catch {
    return undefined; // storage disabled
  }
}

function remember(l: Locale): void {
  const secure = location.protocol === 'https:' ? '; secure' : '';
  document.cookie = `${LANG_COOKIE}=${encodeURIComponent(l)}; path=/; max-age=${ONE_YEAR_S}; samesite=lax${secure}`;
  try {
    localStorage.setItem(LANG_COOKIE, l);
  } catch {
    // storage disabled: the cookie is enough
  }
}

/** The language to use, and whether it came from the URL. */
function detectLocale(): { locale: Locale; fromQuery: boolean } {
  const fromQuery = normalizeLocale(new URLSearchParams(location.search).get('lang'));
  if (fromQuery) return { locale: fromQuery, fromQuery: true };
  const saved = normalizeLocale(readCookie(LANG_COOKIE)) ?? normalizeLocale(readStorage());
  if (saved) return { locale: saved, fromQuery: false };
  for (const tag of navigator.languages ?? [navigator.language]) {
    const l = normalizeLocale(tag);
    if (l) return { locale: l, fromQuery: false };
  }
  return { locale: 'en', fromQuery: false };
}

export function getLocale(): Locale {
  return current;
}

/** The message for `key` in the current language, with `{placeholders}` filled in. */
export function t(key: MessageKey, vars?: Vars): string {
  const template = DICTIONARIES[current][key] ?? en[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

function isKey(k: string | undefined): k is MessageKey {
  return k !== undefined && Object.prototype.hasOwnProperty.call(en, k);
}

/** Sets the text of `el` to a translated message and remembers it for language switches. */
export function setText(el: HTMLElement, key: MessageKey, vars?: Vars): void {
  el.dataset.i18n = key;
  if (vars) el.dataset.i18nVars = JSON.stringify(vars);
  else delete el.dataset.i18nVars;
  el.textContent = t(key, vars);
}

/** Re-translates every marked element under `root`. */
function applyTranslations(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset.i18n;
    if (!isKey(key)) {
      console.warn(`i18n: unknown key ${String(key)}`);
      continue;
    }
    let vars: Vars | undefined;
    if (el.dataset.i18nVars) {
      try {
        vars = JSON.parse(el.dataset.i18nVars) as Vars;
      } catch {
        vars = undefined;
      }
    }
    el.textContent = t(key, vars);
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
    for (const pair of (el.dataset.i18nAttr ?? '').split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && isKey(key)) el.setAttribute(attr, t(key));
    }
  }
}

/** Switches the language, remembers it, and re-translates the page. */
function setLocale(l: Locale, opts: { persist?: boolean } = {}): void {
  current = l;
  if (opts.persist ?? true) remember(l);
  document.documentElement.lang = l;
  // Keep a shared `?lang=` link truthful after a switch.
  const url = new URL(location.href);
  if (url.searchParams.has('lang') && url.searchParams.get('lang') !== l) {
    url.searchParams.set('lang', l);
    history.replaceState(history.state, '', url);
  }
  applyTranslations();
  for (const fn of listeners) fn(l);
}

/** Calls `fn` after every language switch (for text that is built, not marked). */
export function onLocaleChange(fn: (l: Locale) => void): void {
  listeners.add(fn);
}

/** Renders the language switch: one button per language, the current one pressed. */
export function mountLanguageSwitch(container: HTMLElement): void {
  container.replaceChildren();
  container.setAttribute('role', 'group');
  container.dataset.i18nAttr = 'aria-label:lang.label';
  container.setAttribute('aria-label', t('lang.label'));
  const buttons = LOCALES.map((l) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'lang-option';
    b.lang = l;
    b.textContent = LOCALE_NAMES[l];
    b.addEventListener('click', () => {
      if (l !== current) setLocale(l);
    });
    container.append(b);
    return b;
  });
  const sync = () => {
    LOCALES.forEach((l, i) => buttons[i]!.setAttribute('aria-pressed', String(l === current)));
  };
  sync();
  onLocaleChange(sync);
}

/** Picks the language, translates the page and reveals it. Call once per page. */
export function initI18n(): Locale {
  const { locale, fromQuery } = detectLocale();
  setLocale(locale, { persist: fromQuery });
  document.documentElement.classList.add('i18n-ready');
  return locale;
}
