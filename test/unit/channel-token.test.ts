import { describe, expect, it } from 'vitest';
import { ChannelTokens } from '../../src/live/channel-token.js';

const key = Buffer.alloc(32, 7);

describe('channel tokens', () => {
  it('accepts a token for the channel it was minted for until it expires', () => {
    let now = 1_000_000;
    const tokens = new ChannelTokens(key, () => now, 60);
    const { token, expiresAt } = tokens.mint('login:abc');
    expect(expiresAt).toBe(1_000_000 + 60_000);
    expect(() => tokens.verify('login:abc', token)).not.toThrow();
    now = expiresAt - 1;
    expect(() => tokens.verify('login:abc', token)).not.toThrow();
    now = expiresAt;
    expect(() => tokens.verify('login:abc', token)).toThrow(expect.objectContaining({ code: 'token_expired' }));
  });

  it('refuses a token for another channel, from another key, or altered', () => {
    const tokens = new ChannelTokens(key, () => 0, 60);
    const { token } = tokens.mint('login:abc');
    expect(() => tokens.verify('login:abd', token)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    expect(() => new ChannelTokens(Buffer.alloc(32, 8), () => 0, 60).verify('login:abc', token)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    const [exp, mac] = token.split('.');
    const later = (parseInt(exp!, 36) + 1000).toString(36);
    expect(() => tokens.verify('login:abc', `${later}.${mac}`)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
  });

  it.each([undefined, 42, '', 'nodot', '.abc', 'zzzzzzzzzzzzzz.abc', 'x'.repeat(500)])('refuses malformed token %j', (bad) => {
    const tokens = new ChannelTokens(key, () => 0, 60);
    expect(() => tokens.verify('login:abc', bad)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
  });

  it('will not run on a key shorter than 128 bits', () => {
    expect(() => new ChannelTokens(Buffer.alloc(8), () => 0, 60)).toThrow(/128 bits/);
  });
});
