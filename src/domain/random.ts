/** Randomness is passed in so tests can make it repeatable. */
export interface Random {
  /** `bytes` cryptographically random bytes. */
  bytes(n: number): Uint8Array;
}

/** base64url of `bytes` random bytes: 16 bytes = 128 bits = 22 characters. */
export function randomToken(random: Random, bytes = 32): string {
  return Buffer.from(random.bytes(bytes)).toString('base64url');
}
