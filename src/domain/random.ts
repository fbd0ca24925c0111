/** Randomness is passed in so tests can make it repeatable. */
export interface Random {
  /** `bytes` cryptographically random bytes. */
  bytes(n: number): Uint8Array;
}

/** base64url of `bytes` random bytes: 16 bytes = 128 bits = 22 characters. */
export function randomToken(random: Random, bytes = 32): string {
  return Buffer.from(random.bytes(bytes)).toString('base64url');
}

/** A uniformly random integer in [0, maxExclusive), for maxExclusive up to 2^32. */
export function randomInt(random: Random, maxExclusive: number): number {
  if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 2 ** 32) throw new RangeError(`randomInt: bad bound ${maxExclusive}`);
  // Values at or above the largest multiple of the bound are redrawn, so every result is equally likely.
  const limit = 2 ** 32 - (2 ** 32 % maxExclusive);
  for (;;) {
    const b = random.bytes(4);
    const n = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
    if (n < limit) return n % maxExclusive;
  }
}

/** A version 4 UUID (RFC 9562) from 16 random bytes: the ids of rows. */
export function randomUuid(random: Random): string {
  const b = Uint8Array.from(random.bytes(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, then 74 random
 * bits. For rows written at a high rate whose id is an index key (check-ins):
 * new ids land at the end of the index, so a busy door dirties one page of it
 * per commit instead of one per scan. The time in it is no secret where the
 * row already shows when it was made.
 */
export function timeOrderedUuid(random: Random, nowMs: number): string {
  if (!Number.isInteger(nowMs) || nowMs < 0 || nowMs >= 2 ** 48) throw new RangeError(`timeOrderedUuid: bad time ${nowMs}`);
  const b = Uint8Array.from(random.bytes(16));
  for (let i = 5, t = nowMs; i >= 0; i--, t = Math.floor(t / 256)) b[i] = t % 256;
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
