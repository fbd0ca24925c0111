/**
 * The attendee's check-in code: a compact token signed with the event's
 * Ed25519 key, carrying who (attendee), where (event) and when (a 15-second
 * window). A scanner that holds the event's public key can check it offline.
 *
 *   "sp1." + base64url( version:1 | event:16 | attendee:16 | window:4 (uint32 BE) | signature:64 )
 *
 * The signature covers the first 37 bytes. Ids are UUIDs carried as their 16
 * bytes. A code for window `w` is shown from `w * 15 s` and accepted until
 * `w * 15 s + 30 s`, so a screenshot stops working within 30 s; it is also
 * accepted a few seconds early, for scanners whose clock runs behind.
 *
 * No I/O here: signing and verifying come in through the two interfaces below.
 */
export const PASS_TOKEN_PREFIX = 'sp1.';
export const PASS_TOKEN_VERSION = 1;
export const WINDOW_SECONDS = 15;
/** How long after its window starts a code is still accepted. */
export const ACCEPT_SECONDS = 30;
/** How long before its window starts a code is already accepted (scanner clock behind the phone's). */
export const EARLY_SECONDS = 5;

const PAYLOAD_BYTES = 1 + 16 + 16 + 4;
const SIGNATURE_BYTES = 64;
const TOKEN_BYTES = PAYLOAD_BYTES + SIGNATURE_BYTES;
const BODY_CHARS = Math.ceil((TOKEN_BYTES * 4) / 3);
const BODY_RE = new RegExp(`^[A-Za-z0-9_-]{${BODY_CHARS}}$`);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Signs with an event's private key (Ed25519 in production). */
export interface PassSigner {
  sign(message: Uint8Array): Uint8Array;
}

/** Verifies with an event's public key; false for any bad signature, never throws. */
export interface PassVerifier {
  verify(message: Uint8Array, signature: Uint8Array): boolean;
  /** The same check, where it can run off the event loop (the server's own check of its codes). */
  verifyAsync?(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export interface PassClaims {
  eventId: string;
  attendeeId: string;
  window: number;
}

/** Why a code is refused before anyone looks at who it names. */
type TokenRefusal = 'invalid_code' | 'expired_code';

type DecodedPassToken = { ok: true; claims: PassClaims; message: Uint8Array; signature: Uint8Array } | { ok: false; reason: 'invalid_code' };

export type VerifiedPassToken = { ok: true; claims: PassClaims } | { ok: false; reason: TokenRefusal; claims?: PassClaims };

/** The window a moment (ms since the epoch) falls in. */
export const windowAt = (ms: number): number => Math.floor(ms / 1000 / WINDOW_SECONDS);

/** When a window's code starts being shown, and when it stops being accepted (ms). */
const windowBounds = (window: number) => ({
  shownFrom: window * WINDOW_SECONDS * 1000,
  shownUntil: (window + 1) * WINDOW_SECONDS * 1000,
  acceptedUntil: window * WINDOW_SECONDS * 1000 + ACCEPT_SECONDS * 1000,
});

/** True when a code of `window` may be accepted at `atMs`. */
export function isFresh(window: number, atMs: number): boolean {
  const start = window * WINDOW_SECONDS * 1000;
  return atMs >= start - EARLY_SECONDS * 1000 && atMs < start + ACCEPT_SECONDS * 1000;
}

function uuidToBytes(id: string, out: Uint8Array, at: number): void {
  if (!UUID_RE.test(id)) throw new TypeError(`not a UUID: ${id}`);
  const hex = id.replace(/-/g, '');
  for (let i = 0; i < 16; i++) out[at + i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
}

function bytesToUuid(b: Uint8Array, at: number): string {
  let hex = '';
  for (let i = 0; i < 16; i++) hex += b[at + i]!.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The signed part of a code. Throws on ids that are not UUIDs or a window out of range (a bug, not input). */
function passMessage(c: PassClaims): Uint8Array {
  if (!Number.isInteger(c.window) || c.window < 0 || c.window > 0xffffffff) throw new RangeError(`window out of range: ${c.window}`);
  const m = new Uint8Array(PAYLOAD_BYTES);
  m[0] = PASS_TOKEN_VERSION;
  uuidToBytes(c.eventId, m, 1);
  uuidToBytes(c.attendeeId, m, 17);
  new DataView(m.buffer).setUint32(33, c.window, false);
  return m;
}

export function encodePassToken(c: PassClaims, signer: PassSigner): string {
  const message = passMessage(c);
  const signature = signer.sign(message);
  if (signature.length !== SIGNATURE_BYTES) throw new Error(`signature must be ${SIGNATURE_BYTES} bytes`);
  const all = new Uint8Array(TOKEN_BYTES);
  all.set(message, 0);
  all.set(signature, PAYLOAD_BYTES);
  return PASS_TOKEN_PREFIX + Buffer.from(all).toString('base64url');
}

/**
 * Reads a code without checking its signature (that needs the event's key,
 * which the event id inside names). Anything malformed is `invalid_code`;
 * never throws, whatever the input.
 */
export function decodePassToken(token: unknown): DecodedPassToken {
  const invalid = { ok: false, reason: 'invalid_code' } as const;
  if (typeof token !== 'string' || !token.startsWith(PASS_TOKEN_PREFIX)) return invalid;
  const body = token.slice(PASS_TOKEN_PREFIX.length);
  if (!BODY_RE.test(body)) return invalid;
  const bytes = new Uint8Array(Buffer.from(body, 'base64url'));
  // One spelling per code: stray bits in the last character make another string for the same bytes.
  if (bytes.length !== TOKEN_BYTES || Buffer.from(bytes).toString('base64url') !== body) return invalid;
  if (bytes[0] !== PASS_TOKEN_VERSION) return invalid;
  const window = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(33, false);
  return {
    ok: true,
    claims: { eventId: bytesToUuid(bytes, 1), attendeeId: bytesToUuid(bytes, 17), window },
    message: bytes.subarray(0, PAYLOAD_BYTES),
    signature: bytes.subarray(PAYLOAD_BYTES),
  };
}

/**
 * Full check of a decoded code: the signature with the key of the event it
 * names (undefined for an unknown event), then its freshness at `atMs`. A
 * forged code is `invalid_code`; a genuine but stale (or not yet valid) one is
 * `expired_code`, with its claims.
 */
export function checkDecoded(d: DecodedPassToken, verifier: PassVerifier | undefined, atMs: number): VerifiedPassToken {
  return judgeDecoded(d, d.ok && verifier !== undefined && verifier.verify(d.message, d.signature), atMs);
}

/** checkDecoded, with the verifier's async check where it has one (see PassVerifier.verifyAsync). */
export async function checkDecodedAsync(d: DecodedPassToken, verifier: PassVerifier | undefined, atMs: number): Promise<VerifiedPassToken> {
  if (!d.ok || !verifier) return judgeDecoded(d, false, atMs);
  return judgeDecoded(d, verifier.verifyAsync ? await verifier.verifyAsync(d.message, d.signature) : verifier.verify(d.message, d.signature), atMs);
}

/** A decoded code once its signature is judged: forged is `invalid_code`, genuine but stale `expired_code`. */
function judgeDecoded(d: DecodedPassToken, genuine: boolean, atMs: number): VerifiedPassToken {
  if (!d.ok) return d;
  if (!genuine) return { ok: false, reason: 'invalid_code' };
  if (!isFresh(d.claims.window, atMs)) return { ok: false, reason: 'expired_code', claims: d.claims };
  return { ok: true, claims: d.claims };
}

/** Decodes and checks in one step, with `verifierFor` naming the key of each event. */
export function verifyPassToken(token: unknown, verifierFor: (eventId: string) => PassVerifier | undefined, atMs: number): VerifiedPassToken {
  const d = decodePassToken(token);
  return checkDecoded(d, d.ok ? verifierFor(d.claims.eventId) : undefined, atMs);
}

/** The codes a pass shows from `fromMs` on: `count` consecutive windows. */
export function upcomingCodes(eventId: string, attendeeId: string, signer: PassSigner, fromMs: number, count: number) {
  const first = windowAt(fromMs);
  return Array.from({ length: count }, (_, i) => {
    const window = first + i;
    const b = windowBounds(window);
    return { window, shown_from: b.shownFrom, shown_until: b.shownUntil, accepted_until: b.acceptedUntil, code: encodePassToken({ eventId, attendeeId, window }, signer) };
  });
}
