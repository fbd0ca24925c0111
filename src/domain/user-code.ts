import type { Random } from './random.js';

/**
 * User codes are 8 characters of 20 consonants, shown as XXXX-XXXX: no vowels
 * (no words), no look-alikes (no 0/O, 1/I). 20^8 ≈ 2.6e10 codes; guessing is
 * rate-limited and a code lives minutes.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;

export function generateUserCode(random: Random): string {
  let out = '';
  while (out.length < USER_CODE_LENGTH) {
    for (const b of random.bytes(16)) {
      // 240 is the largest multiple of 20 below 256: rejecting above it keeps every letter equally likely.
      if (b < 240 && out.length < USER_CODE_LENGTH) out += USER_CODE_ALPHABET[b % 20];
    }
  }
  return out;
}

export const formatUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

/** Accepts what a person types: any case, spaces or dashes. Null if it cannot be a user code. */
export function normaliseUserCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return null;
  return code;
}
