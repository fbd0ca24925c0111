/**
 * The rights a channel token was minted under. A token names each right it
 * came from as a short "grant" (`d:<device>`, `k:<api key>`, `s:<sign-in>`,
 * `u:<user>`, `l:<pass link>`, `t:<queue ticket>`), covered by its MAC. When a right ends (a device
 * revoked, a key revoked, a sign-out, a staff assignment removed, a pass link
 * replaced) the server names the grant in a revocation, and every node ends
 * the subscriptions whose token carries it and refuses such tokens from then on.
 * Tokens for anonymous capabilities (a login screen's request) carry none and
 * end only when they expire.
 *
 * Grants are compact because tokens travel in URLs: a UUID is written as its
 * 16 bytes in base64url (22 characters), a base64url hash as its first 22
 * characters (132 bits).
 */

/** What a token is minted under: its grants, and a moment it may not outlive (the sign-in's own expiry). */
export interface LiveAccess {
  readonly grants: readonly string[];
  /** Epoch ms; the token expires no later than this. */
  readonly notAfter?: number | undefined;
}

/** A capability that depends on no revocable right: ends only at expiry. */
export const ANONYMOUS: LiveAccess = { grants: [] };

/**
 * "Subscriptions under `grant` end, and tokens carrying it are refused from
 * now on." Without `channel` the right is gone for good (a device, a key, a
 * sign-in, a link never comes back), so every such token is refused whenever
 * it was minted. With `channel`, only that channel, and only tokens minted at
 * or before `at` (a staff member removed from one session keeps their other
 * sessions and their own pass, and may be assigned again later).
 */
export interface Revocation {
  grant: string;
  channel?: string | undefined;
  /** Epoch ms of the revocation. */
  at: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A grant: a kind letter, a colon and 1-40 characters that never contain the token's separators (`.` and `,`). */
export const GRANT_RE = /^[a-z]:[A-Za-z0-9_-]{1,40}$/;

/**
 * Our ids are UUIDs. Anything else is cut to 22 characters so a token stays
 * within its length bound; two ids sharing that prefix would share a grant,
 * which only ever ends more subscriptions than asked, never fewer.
 */
function compactId(id: string): string {
  if (UUID_RE.test(id)) return hexToBase64url(id.replace(/-/g, ''));
  return id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 22) || '_';
}

function hexToBase64url(hex: string): string {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const ch of hex) {
    value = (value << 4) | parseInt(ch, 16);
    bits += 4;
    while (bits >= 6) {
      bits -= 6;
      out += ALPHABET[(value >> bits) & 63];
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (6 - bits)) & 63];
  return out;
}

/** A cookie sign-in, by the hash of its token (the store's key). */
export const signInGrant = (signInHash: string): string => `s:${signInHash.slice(0, 22)}`;
export const apiKeyGrant = (keyId: string): string => `k:${compactId(keyId)}`;
export const deviceGrant = (deviceId: string): string => `d:${compactId(deviceId)}`;
/** The account: for rights that come from who the user is (a staff assignment). */
export const userGrant = (userId: string): string => `u:${compactId(userId)}`;
/** An attendee's personal pass link, by the hash of its token; replacing the link revokes it. */
export const passLinkGrant = (linkHash: string): string => `l:${linkHash.slice(0, 22)}`;
/** A queue ticket's link, by the hash of its token: covers the ticket's channel and its service's line. */
export const ticketGrant = (tokenHash: string): string => `t:${tokenHash.slice(0, 22)}`;
