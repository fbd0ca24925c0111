import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { ANONYMOUS, GRANT_RE, type LiveAccess } from '../domain/live-grant.js';
import { MAX_TOKEN_LENGTH } from './protocol.js';

/**
 * No token lives longer than this, whatever a feature asks for: every node
 * remembers a revocation this long, so no token minted before it can outlive
 * the memory of it.
 */
export const MAX_CHANNEL_TOKEN_TTL_SECONDS = 86_400;

/** What a verified token says: when it expires, when it was minted, and the grants it carries. */
export interface TokenClaims {
  /** Epoch ms. */
  exp: number;
  /** Epoch ms, to the second. */
  iat: number;
  grants: readonly string[];
}

/**
 * A channel token is a read-only capability for one channel until `exp`:
 * `<exp s, base36>.<iat s, base36>.<grants, comma-separated>.<HMAC-SHA256(key, channel \n exp \n iat \n grants), base64url>`.
 * The channel is not in the token; the caller names it and the MAC binds them.
 * Grants (domain/live-grant.ts) name the rights it was minted under, so a
 * revocation can end what it opened. Worst case (an API key's two grants) is
 * about 110 characters.
 */
export class ChannelTokens {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number,
    private readonly defaultTtlSeconds: number,
  ) {
    if (key.length < 16) throw new Error('channel token key must have at least 128 bits');
  }

  mint(channel: string, ttlSeconds = this.defaultTtlSeconds, access: LiveAccess = ANONYMOUS): { token: string; expiresAt: number } {
    const nowMs = this.now();
    const iat = Math.floor(nowMs / 1000);
    let exp = iat + Math.min(ttlSeconds, MAX_CHANNEL_TOKEN_TTL_SECONDS);
    // A token minted under a sign-in ends when the sign-in does.
    if (access.notAfter !== undefined) exp = Math.max(iat, Math.min(exp, Math.floor(access.notAfter / 1000)));
    for (const g of access.grants) if (!GRANT_RE.test(g)) throw new Error(`malformed live grant: ${g}`);
    const body = `${exp.toString(36)}.${iat.toString(36)}.${access.grants.join(',')}`;
    const token = `${body}.${this.mac(channel, body)}`;
    if (token.length > MAX_TOKEN_LENGTH) throw new Error(`channel token longer than ${MAX_TOKEN_LENGTH} characters`);
    return { token, expiresAt: exp * 1000 };
  }

  /** Returns what the token says; throws `invalid_token` or `token_expired`. */
  verify(channel: string, token: unknown): TokenClaims {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new AppError('invalid_token', 'channel token is missing or malformed');
    const macAt = token.lastIndexOf('.');
    const body = token.slice(0, macAt);
    const parts = body.split('.');
    if (macAt <= 0 || parts.length !== 3 || !/^[0-9a-z]{1,12}$/.test(parts[0]!) || !/^[0-9a-z]{1,12}$/.test(parts[1]!)) {
      throw new AppError('invalid_token', 'channel token is malformed');
    }
    const expected = Buffer.from(this.mac(channel, body));
    const given = Buffer.from(token.slice(macAt + 1));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError('invalid_token', 'channel token does not match this channel');
    }
    const exp = parseInt(parts[0]!, 36) * 1000;
    if (exp <= this.now()) throw new AppError('token_expired', 'channel token has expired');
    return { exp, iat: parseInt(parts[1]!, 36) * 1000, grants: parts[2] ? parts[2].split(',') : [] };
  }

  /** The key imported once: importing it on every MAC cost 40% of a verify, which a burst of subscribes does 40,000 times a second. */
  private keyObject: KeyObject | undefined;

  private mac(channel: string, body: string): string {
    return createHmac('sha256', (this.keyObject ??= createSecretKey(this.key))).update(`${channel}\n${body}`).digest('base64url');
  }
}
