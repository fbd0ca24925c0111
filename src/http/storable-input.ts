import { AppError } from '../domain/errors.js';
import type { App } from './types.js';

/**
 * Refuses a request whose validated query, path or body holds a value no
 * store can keep: Infinity or NaN in a number, or a NUL character in a string.
 *
 * Why a hook and not the schemas:
 * - with `coerceTypes`, ajv turns the strings "Infinity" and "1e400" into
 *   Infinity for an integer field and then skips `minimum`/`maximum` (it only
 *   compares finite numbers), so `limit=Infinity` passed `maximum: 500` and
 *   reached the database as a 500. JSON bodies cannot carry Infinity
 *   themselves, but a string "Infinity" in a number field can.
 * - Postgres text cannot hold U+0000 ("invalid byte sequence for encoding
 *   UTF8: 0x00"), so `/api/v1/passes/%00` was a 500 on Postgres while SQLite
 *   answered 404; no field of ours has a use for it, so it is refused on both.
 */
export function rejectUnstorableInput(app: App): void {
  app.addHook('preHandler', async (req) => {
    const nulAllowed = req.routeOptions.config.nulAllowed ?? [];
    for (const [where, value] of [
      ['querystring', req.query],
      ['params', req.params],
      ['body', req.body],
    ] as const) {
      const found = unstorable(value, where, 0, nulAllowed);
      if (found) throw new AppError('invalid_request', found);
    }
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Fields (as `body/code`) that may hold the NUL character: text taken exactly as read, never stored. */
    nulAllowed?: readonly string[];
  }
}

/** Why a parsed value cannot be stored (the path to the bad part), if it cannot. */
function unstorable(value: unknown, path: string, depth: number, nulAllowed: readonly string[]): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} must be a finite number`;
  if (typeof value === 'string') return value.includes('\u0000') && !nulAllowed.includes(path) ? `${path} must not contain the NUL character` : undefined;
  // Validated input is shallow; the depth bound only keeps a hostile shape from costing much.
  if (value === null || typeof value !== 'object' || depth > 32 || Buffer.isBuffer(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path} must not contain the NUL character in a key`;
    const found = unstorable(inner, `${path}/${key}`, depth + 1, nulAllowed);
    if (found) return found;
  }
  return undefined;
}
