import { createHash, timingSafeEqual } from 'node:crypto';

/** Secrets with ≥128 random bits need no slow hash: sha256 makes the stored value useless to a thief. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
