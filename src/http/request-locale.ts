import type { FastifyRequest } from 'fastify';
import type { LocationLocale } from './client-location.js';

/** The pages' language choice (web/lib/i18n.ts keeps it in this cookie). */
const LANG_COOKIE = 'scanpass_lang';

/**
 * The language to word an answer in for a person (a place name on the
 * phone): the language the pages were switched to, else the browser's first
 * choice; English otherwise.
 */
export function requestLocale(req: FastifyRequest): LocationLocale {
  const chosen = req.cookies?.[LANG_COOKIE];
  if (chosen === 'zh-CN' || chosen === 'en') return chosen;
  const first = (req.headers['accept-language'] ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first === 'zh' || first.startsWith('zh-') ? 'zh-CN' : 'en';
}
