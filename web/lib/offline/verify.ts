/**
 * Checking a scanned code in the browser, without the server: the browser twin
 * of decodePassToken (src/domain/pass-token.ts decodes with Node's Buffer),
 * the Ed25519 signature checked with WebCrypto, the same freshness window
 * (isFresh), and the same decision order (decideCheckin) over what this
 * device knows: the event's attendee list and the check-ins it made itself.
 */
import { decideCheckin, type CheckinFacts, type Decision } from '../../../src/domain/checkin.js';
import type { SessionFacts } from '../../../src/domain/event.js';
import { isFresh, PASS_TOKEN_PREFIX, PASS_TOKEN_VERSION, type PassClaims, type VerifiedPassToken } from '../../../src/domain/pass-token.js';

const PAYLOAD_BYTES = 37;
const TOKEN_BYTES = PAYLOAD_BYTES + 64;
const BODY_RE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((TOKEN_BYTES * 4) / 3)}}$`);
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url (no padding) to bytes; null for anything else. */
export function fromBase64url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (const ch of s) {
    acc = (acc << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  // One spelling per code, as on the server: stray low bits make another string for the same bytes.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

const uuid = (b: Uint8Array, at: number): string => {
  let hex = '';
  for (let i = 0; i < 16; i++) hex += b[at + i]!.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

type DecodedCode = { claims: PassClaims; message: Uint8Array<ArrayBuffer>; signature: Uint8Array<ArrayBuffer> };

/** Reads an `sp1.` code without checking its signature; null when malformed. Never throws. */
export function decodeCode(text: string): DecodedCode | null {
  if (typeof text !== 'string' || !text.startsWith(PASS_TOKEN_PREFIX)) return null;
  const body = text.slice(PASS_TOKEN_PREFIX.length);
  if (!BODY_RE.test(body)) return null;
  const bytes = fromBase64url(body);
  if (!bytes || bytes.length !== TOKEN_BYTES || bytes[0] !== PASS_TOKEN_VERSION) return null;
  const window = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(33, false);
  return {
    claims: { eventId: uuid(bytes, 1), attendeeId: uuid(bytes, 17), window },
    message: new Uint8Array(bytes.slice(0, PAYLOAD_BYTES)),
    signature: new Uint8Array(bytes.slice(PAYLOAD_BYTES)),
  };
}

/** The event's raw public key (base64url) as a WebCrypto key; null where the browser has no Ed25519. */
export async function importPublicKey(publicKey: string): Promise<CryptoKey | null> {
  const raw = fromBase64url(publicKey);
  if (!raw || raw.length !== 32) return null;
  try {
    return await crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
}

/** Decodes, then checks the signature with `keyFor(eventId)` and the freshness at `atMs`. */
export async function verifyCode(text: string, keyFor: (eventId: string) => CryptoKey | null | undefined, atMs: number): Promise<VerifiedPassToken> {
  const d = decodeCode(text);
  if (!d) return { ok: false, reason: 'invalid_code' };
  const key = keyFor(d.claims.eventId);
  let good = false;
  if (key) {
    try {
      good = await crypto.subtle.verify({ name: 'Ed25519' }, key, d.signature, d.message);
    } catch {
      good = false;
    }
  }
  if (!good) return { ok: false, reason: 'invalid_code' };
  if (!isFresh(d.claims.window, atMs)) return { ok: false, reason: 'expired_code', claims: d.claims };
  return { ok: true, claims: d.claims };
}

export interface OfflineAttendee {
  id: string;
  name: string;
  revoked: boolean;
  sessions: string[];
}

export interface LocalFacts {
  session: SessionFacts;
  attendee: (id: string) => OfflineAttendee | undefined;
  /** The check-in this device knows of for the attendee in this session. */
  checkin: (attendeeId: string) => CheckinFacts | null;
}

/** The decision this device can make: the server's rules over what it knows. */
export function decideLocally(token: VerifiedPassToken, f: LocalFacts, atMs: number): { decision: Decision; attendee: OfflineAttendee | null } {
  const claims = token.ok ? token.claims : token.claims;
  const a = claims ? f.attendee(claims.attendeeId) : undefined;
  const decision = decideCheckin({
    id: { kind: 'code', token },
    direction: 'entry',
    at: atMs,
    session: f.session,
    attendee: a ? { id: a.id, eventId: f.session.eventId, revokedAt: a.revoked ? 0 : null } : null,
    registration: a && a.sessions.includes(f.session.id) ? { revokedAt: null } : null,
    checkin: a ? f.checkin(a.id) : null,
  });
  return { decision, attendee: a && claims?.eventId === f.session.eventId ? a : null };
}
