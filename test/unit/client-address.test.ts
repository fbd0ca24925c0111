import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { clientAddress, trustFunction } from '../../src/http/client-address.js';

/** The rule SCANPASS_TRUST_PROXY sets, as the WebSocket upgrade applies it (HTTP routes get it through Fastify). */
const request = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, connection: { remoteAddress: peer }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;
const addressWith = (setting: string, peer: string, xff?: string) => clientAddress(request(peer, xff), trustFunction(loadConfig({ env: { SCANPASS_TRUST_PROXY: setting } }).trustProxy));

describe('the client address', () => {
  it('is the peer when no proxy is trusted, whatever the header says', () => {
    expect(addressWith('false', '198.51.100.7', '203.0.113.1')).toBe('198.51.100.7');
  });

  it('with a hop count, is the entry the nearest proxies appended: forged entries before it are ignored', () => {
    expect(addressWith('1', '10.0.0.2', '1.2.3.4, 203.0.113.9')).toBe('203.0.113.9');
    expect(addressWith('1', '10.0.0.2', '203.0.113.9')).toBe('203.0.113.9');
    expect(addressWith('2', '10.0.0.2', '1.2.3.4, 203.0.113.9, 10.0.0.1')).toBe('203.0.113.9');
  });

  it('with a list, skips only the listed proxies, so a direct client cannot forge its address', () => {
    expect(addressWith('10.0.0.0/8', '10.0.0.2', '1.2.3.4, 203.0.113.9, 10.0.0.1')).toBe('203.0.113.9');
    expect(addressWith('10.0.0.0/8', '198.51.100.7', '10.0.0.1, 1.2.3.4')).toBe('198.51.100.7');
  });
});
