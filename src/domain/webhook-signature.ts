/**
 * Webhook signatures, Stripe style: the header
 * `x-scanpass-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
 * Signing the time with the body lets a receiver refuse a captured request
 * replayed later. More than one `v1=` may appear; any match is enough.
 *
 * The HMAC itself is passed in (`Hmac`), so this file does no I/O and imports
 * no library.
 */

/** HMAC-SHA256 of `message` under `secret` (both UTF-8), as lowercase hex. */
export type Hmac = (secret: string, message: string) => string;

/** How far a signature's time may lie from the receiver's clock, either way. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'malformed_header' | 'timestamp_out_of_tolerance' | 'signature_mismatch' };

/** The header value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(hmac: Hmac, secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac(secret, `${timestamp}.${body}`)}`;
}

/** Checks a received header against the exact raw body; `now` in unix seconds. */
export function verifyWebhook(hmac: Hmac, secret: string, body: string, header: string, now: number, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS): SignatureCheck {
  let t: number | undefined;
  const sigs: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) sigs.push(value);
  }
  if (t === undefined || sigs.length === 0) return { ok: false, reason: 'malformed_header' };
  if (Math.abs(now - t) > toleranceSeconds) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  const expected = hmac(secret, `${t}.${body}`);
  // Check every candidate, so the time taken says nothing about which matched.
  let match = false;
  for (const s of sigs) match = equalHex(s, expected) || match;
  return match ? { ok: true, timestamp: t } : { ok: false, reason: 'signature_mismatch' };
}

/** Constant-time comparison of two strings of equal length. */
function equalHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
