/**
 * User codes as people type them on a phone: any case, with or without the
 * dash, with spaces, or with the "smart" dashes a keyboard may substitute.
 * The format itself (alphabet, length) comes from the server's domain code, so
 * page and server can never disagree about what a code looks like.
 */
import { formatUserCode, normaliseUserCode } from '../../src/domain/user-code.js';

/** `XXXX-XXXX` for anything that can be a user code, else null. */
export function parseUserCode(input: string | null | undefined): string | null {
  if (!input) return null;
  const plain = input.replace(/[\u2010-\u2015\u2212\u30fc\uff0d_.·]/g, '-');
  const code = normaliseUserCode(plain.replace(/\s+/g, ''));
  return code ? formatUserCode(code) : null;
}
