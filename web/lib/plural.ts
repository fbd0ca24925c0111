/**
 * Plural messages: a message with counts has one key per plural category the
 * pages use (`.one`, `.other`), picked with the language's own rules
 * (Intl.PluralRules), so English says "1 scan" and "2 scans" while Chinese,
 * which has no plural, uses its one form for both.
 */
import { getLocale, type MessageKey } from './i18n.js';

/** The `base` of every `base.one` key that has its `base.other` too. */
type PluralBase<K extends string, All extends string = K> = K extends `${infer B}.one` ? (`${B}.other` extends All ? B : never) : never;

/** The key of `base` for `count` in the current language. */
export function pluralKey<B extends PluralBase<MessageKey>>(base: B, count: number): MessageKey {
  const cat = new Intl.PluralRules(getLocale()).select(count);
  return (cat === 'one' ? `${base}.one` : `${base}.other`) as MessageKey;
}
