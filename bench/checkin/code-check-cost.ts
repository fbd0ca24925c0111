/**
 * What one code check costs on this machine: the server's own path for a
 * scanned code (decode, then the Ed25519 check by signing again, see
 * flows/checkin/event-keys.ts), timed here in the bench's process while
 * nothing else runs. Every scan of a code pays it on the event loop on two
 * cores, so it belongs to a check-in's floor.
 */
import { randomUUID } from 'node:crypto';
import { EventKeyCache, generateEventKeys } from '../../src/flows/checkin/event-keys.js';
import { checkDecoded, decodePassToken, encodePassToken, windowAt } from '../../src/domain/pass-token.js';

/** Median µs per code over `batches` batches of `perBatch` distinct codes. */
export function codeCheckMicros(batches = 7, perBatch = 2000): number {
  const eventId = randomUUID();
  const keys = new EventKeyCache();
  const { privateKey } = generateEventKeys();
  const verifier = keys.verifier(eventId, privateKey);
  const signer = keys.signer(eventId, privateKey);
  const now = Date.now();
  const codes = Array.from({ length: perBatch }, () => encodePassToken({ eventId, attendeeId: randomUUID(), window: windowAt(now) }, signer));
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = performance.now();
    for (const code of codes) if (!checkDecoded(decodePassToken(code), verifier, now).ok) throw new Error('a genuine code failed its check');
    times.push(((performance.now() - start) * 1000) / perBatch);
  }
  return times.sort((a, b) => a - b)[Math.floor(batches / 2)]!;
}
