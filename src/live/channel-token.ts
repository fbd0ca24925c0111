import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors.js';

/**
 * A channel token is a read-only capability for one channel until `exp`:
 * `<exp in seconds, base36>.<HMAC-SHA256(key, channel \n exp), base64url>`.
 * The channel is not in the token; the caller names it and the MAC binds them.
 */
export class ChannelTokens {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number,
    private readonly defaultTtlSeconds: number,
  ) {
    if (key.length < 16) throw new Error('channel token key must have at least 128 bits');
  }

  mint(channel: string, ttlSeconds = this.defaultTtlSeconds): { token: string; expiresAt: number } {
    const exp = Math.floor(this.now() / 1000) + ttlSeconds;
    const expText = exp.toString(36);
    return { token: `${expText}.${this.mac(channel, expText)}`, expiresAt: exp * 1000 };
  }

  /** Throws `invalid_token` or `token_expired`. */
  verify(channel: string, token: unknown): void {
    if (typeof token !== 'string' || token.length > 128) throw new AppError('invalid_token', 'channel token is missing or malformed');
    const dot = token.indexOf('.');
    const expText = token.slice(0, dot);
    const mac = token.slice(dot + 1);
    if (dot <= 0 || !/^[0-9a-z]{1,12}$/.test(expText)) throw new AppError('invalid_token', 'channel token is malformed');
    const expected = Buffer.from(this.mac(channel, expText));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError('invalid_token', 'channel token does not match this channel');
    }
    if (parseInt(expText, 36) * 1000 <= this.now()) throw new AppError('token_expired', 'channel token has expired');
  }

  private mac(channel: string, expText: string): string {
    return createHmac('sha256', this.key).update(`${channel}\n${expText}`).digest('base64url');
  }
}
