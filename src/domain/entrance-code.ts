/**
 * The code in a queue's entrance QR. It rotates, so a photo of the QR sent to
 * a group chat stops working within two minutes and people join only where
 * they stand:
 *
 *   <window in base36> "." <16 base64url chars: the first 96 bits of HMAC-SHA256(key, "entrance" | queue id | window)>
 *
 * A window is 60 s; the code of window `w` is shown from `w * 60 s` and
 * accepted until `w * 60 s + 120 s` (the current and the previous window), and
 * a few seconds before its window starts, for a node whose clock runs behind
 * the one that made it. `key` is the queue's own secret (rotating it voids
 * every code of that queue, posters included).
 *
 * A place without a screen may print a poster: a static code, "P." + the MAC
 * of ("poster" | queue id), accepted only when the caller says the place has
 * posters enabled (so turning posters off voids the printed ones).
 *
 * Checking never throws on what a visitor sends: anything malformed is
 * refused. The MAC is compared in constant time. No I/O here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Random } from './random.js';

export const ENTRANCE_WINDOW_SECONDS = 60;
/** How long after its window starts a code is still accepted. */
export const ENTRANCE_ACCEPT_SECONDS = 120;
/** How long before its window starts a code is already accepted (clock skew between nodes). */
export const ENTRANCE_EARLY_SECONDS = 5;
/** Size of a queue's entrance key (a fresh random key per queue). */
export const ENTRANCE_KEY_BYTES = 32;
/** The shortest key accepted: anything shorter is a bug (an empty or truncated key). */
const MIN_KEY_BYTES = 16;

const MAC_BYTES = 12;
const MAC_CHARS = 16; // 12 bytes in base64url, no padding, no stray bits
const POSTER_PREFIX = 'P.';
/** A window in base36 (lower case, no leading zero) and the MAC. Windows stay below 36^9 until the year 2.0e8. */
const ROTATING_RE = /^(0|[1-9a-z][0-9a-z]{0,8})\.([A-Za-z0-9_-]{16})$/;
const POSTER_RE = /^P\.([A-Za-z0-9_-]{16})$/;

export type EntranceCodeCheck = 'ok' | 'expired' | 'invalid';

/** A fresh key for a new queue. */
export function newEntranceKey(random: Random): Uint8Array {
  return random.bytes(ENTRANCE_KEY_BYTES);
}

/** The window a moment (ms since the epoch) falls in. */
export const entranceWindowAt = (ms: number): number => Math.floor(ms / 1000 / ENTRANCE_WINDOW_SECONDS);

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length < MIN_KEY_BYTES) throw new TypeError(`entrance key must be at least ${MIN_KEY_BYTES} bytes`);
}

function mac(key: Uint8Array, parts: string[]): string {
  // Parts are joined by NUL; a queue id with a NUL would still not collide, as the last part (window or "poster") has none.
  return createHmac('sha256', key).update(parts.join('\0')).digest().subarray(0, MAC_BYTES).toString('base64url');
}

const rotatingMac = (key: Uint8Array, queueId: string, window: number) => mac(key, ['scanpass entrance v1', queueId, String(window)]);
const posterMac = (key: Uint8Array, queueId: string) => mac(key, ['scanpass entrance poster v1', queueId, 'poster']);

function sameMac(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'latin1');
  const b = Buffer.from(expected, 'latin1');
  return a.length === b.length && a.length === MAC_CHARS && timingSafeEqual(a, b);
}

/**
 * The code to show at `now`, and when it stops being accepted (`expiresAt`,
 * ms) and when the next one replaces it (`rotatesAt`, ms: when a board
 * should fetch again). Throws on a key shorter than 16 bytes or a `now`
 * that is not a time (bugs).
 */
export function entranceCode(key: Uint8Array, queueId: string, now: number): { code: string; expiresAt: number; rotatesAt: number; window: number } {
  checkKey(key);
  if (!Number.isFinite(now) || now < 0) throw new RangeError(`entranceCode: bad time ${now}`);
  const window = entranceWindowAt(now);
  const start = window * ENTRANCE_WINDOW_SECONDS * 1000;
  return {
    code: `${window.toString(36)}.${rotatingMac(key, queueId, window)}`,
    expiresAt: start + ENTRANCE_ACCEPT_SECONDS * 1000,
    rotatesAt: start + ENTRANCE_WINDOW_SECONDS * 1000,
    window,
  };
}

/** The static code printed on a poster for places without a screen. */
export function posterCode(key: Uint8Array, queueId: string): string {
  checkKey(key);
  return POSTER_PREFIX + posterMac(key, queueId);
}

/**
 * Why a code is accepted or not at `now`: 'ok'; 'expired' for a genuine
 * code of this queue outside its time (stale, or from further in the future
 * than the skew allowance); 'invalid' for anything else (forged, another
 * queue's, malformed, a poster while posters are off). Never throws on the
 * code, the queue id or the time.
 */
export function verifyEntranceCode(key: Uint8Array, queueId: string, code: unknown, now: number, opts: { poster: boolean } = { poster: false }): EntranceCodeCheck {
  checkKey(key);
  if (typeof code !== 'string' || typeof queueId !== 'string' || code.length > 32) return 'invalid';
  const poster = POSTER_RE.exec(code);
  if (poster) return opts.poster && sameMac(poster[1]!, posterMac(key, queueId)) ? 'ok' : 'invalid';
  const m = ROTATING_RE.exec(code);
  if (!m) return 'invalid';
  const window = parseInt(m[1]!, 36);
  if (!Number.isSafeInteger(window)) return 'invalid';
  if (!sameMac(m[2]!, rotatingMac(key, queueId, window))) return 'invalid';
  if (!Number.isFinite(now)) return 'expired';
  const start = window * ENTRANCE_WINDOW_SECONDS * 1000;
  return now >= start - ENTRANCE_EARLY_SECONDS * 1000 && now < start + ENTRANCE_ACCEPT_SECONDS * 1000 ? 'ok' : 'expired';
}

/** True when the entrance code may be used to join `queueId` at `now` (see verifyEntranceCode). */
export function checkEntranceCode(key: Uint8Array, queueId: string, code: unknown, now: number, opts: { poster: boolean } = { poster: false }): boolean {
  return verifyEntranceCode(key, queueId, code, now, opts) === 'ok';
}
