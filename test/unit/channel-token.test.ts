import { describe, expect, it } from 'vitest';
import { apiKeyGrant, deviceGrant, userGrant } from '../../src/domain/live-grant.js';
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
    const [exp, iat, grants, mac] = token.split('.');
    const later = (parseInt(exp!, 36) + 1000).toString(36);
    expect(() => tokens.verify('login:abc', `${later}.${iat}.${grants}.${mac}`)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
  });

  it.each([undefined, 42, '', 'nodot', '.abc', 'zzzzzzzzzzzzzz.abc', 'x'.repeat(500)])('refuses malformed token %j', (bad) => {
    const tokens = new ChannelTokens(key, () => 0, 60);
    expect(() => tokens.verify('login:abc', bad)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
  });

  it('will not run on a key shorter than 128 bits', () => {
    expect(() => new ChannelTokens(Buffer.alloc(8), () => 0, 60)).toThrow(/128 bits/);
  });
});

describe('channel token grants', () => {
  const uuid = '7f1c2a4e-0d1b-4c8e-9a55-2f3b6c7d8e9f';

  it('carries the grants it was minted under, covered by its MAC', () => {
    const tokens = new ChannelTokens(key, () => 1_000_000, 60);
    const { token } = tokens.mint('session:abc', 60, { grants: [apiKeyGrant(uuid), userGrant(uuid)] });
    expect(token.length).toBeLessThanOrEqual(128);
    expect(tokens.verify('session:abc', token)).toEqual({ exp: 1_060_000, iat: 1_000_000, grants: [apiKeyGrant(uuid), userGrant(uuid)] });
    // Dropping a grant (to escape its revocation) breaks the MAC.
    const [exp, iat, , mac] = token.split('.');
    expect(() => tokens.verify('session:abc', `${exp}.${iat}.${userGrant(uuid)}.${mac}`)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    expect(() => tokens.verify('session:abc', `${exp}.${iat}..${mac}`)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
  });

  it('expires no later than the sign-in it was minted under', () => {
    const tokens = new ChannelTokens(key, () => 1_000_000, 900);
    const { expiresAt } = tokens.mint('session:abc', 900, { grants: [deviceGrant(uuid)], notAfter: 1_030_000 });
    expect(expiresAt).toBe(1_030_000);
  });
});
