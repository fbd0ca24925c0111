import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { CONFIG_KEYS, ConfigError, describeConfig, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('uses the documented defaults with nothing set', () => {
    const c = loadConfig({ env: {} });
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect(c.dataDir.endsWith('.scanpass')).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads environment variables and lets flags of the same name win', () => {
    const c = loadConfig({ env: { SCANPASS_PORT: '9000', SCANPASS_LOG_LEVEL: 'debug' }, argv: ['--port', '9100', '--redis-url', 'redis://h:6379'] });
    expect(c.port).toBe(9100);
    expect(c.logLevel).toBe('debug');
    expect(c.redisUrl).toBe('redis://h:6379');
  });

  it.each([
    [{ SCANPASS_PORT: 'eighty' }, /SCANPASS_PORT must be a whole number/],
    [{ SCANPASS_PORT: '70000' }, /between 0 and 65535/],
    [{ SCANPASS_LOG_LEVEL: 'loud' }, /SCANPASS_LOG_LEVEL must be one of/],
    [{ SCANPASS_DATABASE_URL: 'not a url' }, /SCANPASS_DATABASE_URL must be a URL/],
    [{ SCANPASS_TRUST_PROXY: 'maybe' }, /SCANPASS_TRUST_PROXY must be false, a hop count, or proxy addresses\/CIDRs/],
    [{ SCANPASS_TRUST_PROXY: 'true' }, /SCANPASS_TRUST_PROXY=true would believe every X-Forwarded-For entry.*give the number of proxies/],
    [{ SCANPASS_TRUST_PROXY: '10.0.0.0/33' }, /"10.0.0.0\/33" is none of these/],
    [{ SCANPASS_TRUST_PROXY: '10.0.0.1,proxy.example' }, /"proxy.example" is none of these/],
    [{ SCANPASS_TOKEN_SECRET: 'short' }, /at least 32 characters/],
    [{ SCANPASS_CHECKIN_SIGNATURE_POOL: 'sometimes' }, /SCANPASS_CHECKIN_SIGNATURE_POOL must be auto, on or off/],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });

  it('takes SCANPASS_TRUST_PROXY as false, a hop count, or a list of proxy addresses', () => {
    const trust = (v: string | undefined) => loadConfig({ env: v === undefined ? {} : { SCANPASS_TRUST_PROXY: v } }).trustProxy;
    expect(trust(undefined)).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('1')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust(' 10.0.0.0/8, 127.0.0.1 ,::1,fd00::/8,loopback')).toBe('10.0.0.0/8,127.0.0.1,::1,fd00::/8,loopback');
  });

  it('takes SCANPASS_GEOIP_DB or --geoip-db as the city database path, unset by default (no locations)', () => {
    expect(loadConfig({ env: {} }).geoipDb).toBeUndefined();
    expect(loadConfig({ env: { SCANPASS_GEOIP_DB: '' } }).geoipDb).toBeUndefined();
    expect(loadConfig({ env: { SCANPASS_GEOIP_DB: '/var/lib/GeoIP/GeoLite2-City.mmdb' } }).geoipDb).toBe('/var/lib/GeoIP/GeoLite2-City.mmdb');
    expect(loadConfig({ env: { SCANPASS_GEOIP_DB: '/a.mmdb' }, argv: ['--geoip-db', 'dbip-city-lite.mmdb'] }).geoipDb).toBe('dbip-city-lite.mmdb');
    expect(describeConfig()).toContain('| `SCANPASS_GEOIP_DB` | `--geoip-db` |  |');
  });

  it('refuses unknown flags', () => {
    expect(() => loadConfig({ env: {}, argv: ['--prot', '1'] })).toThrow(/Unknown option/);
  });

  it('documents every key with its variable and flag', () => {
    const table = describeConfig();
    expect(table).toContain('`SCANPASS_DATABASE_URL` | `--database-url`');
    expect(table).toContain('`SCANPASS_PORT` | `--port` | `8080`');
  });

  it('is documented in the README, key for key, with its default', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const line of describeConfig().split('\n').slice(2)) expect(readme).toContain(line);
    expect(Object.keys(CONFIG_KEYS).length).toBeGreaterThan(10);
  });
});
