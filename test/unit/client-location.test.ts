import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { openGeoLocator, type GeoLocator } from '../../src/http/client-location.js';
import { buildMmdb, writeMmdb, type MmdbNetwork } from '../support/mmdb-writer.js';

const place = (city: Record<string, string> | null, country: Record<string, string>) => ({
  ...(city ? { city: { geoname_id: 1, names: city } } : {}),
  country: { geoname_id: 2, iso_code: 'XX', names: country },
});
const CHINA = { en: 'China', 'zh-CN': '中国', ja: '中国' };
const SHANGHAI = place({ en: 'Shanghai', 'zh-CN': '上海', de: 'Schanghai' }, CHINA);

/** Shaped like GeoLite2-City records; the private and loopback ranges are in it too, so only the locator's own check keeps them out. */
const FIXTURE: MmdbNetwork[] = [
  { cidr: '202.96.209.0/24', data: SHANGHAI },
  { cidr: '240e:e9::/32', data: SHANGHAI },
  { cidr: '58.215.0.0/16', data: place({ en: 'Wuxi' }, CHINA) },
  { cidr: '8.8.8.0/24', data: { country: { geoname_id: 3, iso_code: 'US', names: { en: 'United States', 'zh-CN': '美国' } } } },
  { cidr: '119.73.128.0/17', data: place({ en: 'Singapore', 'zh-CN': '新加坡' }, { en: 'Singapore', 'zh-CN': '新加坡' }) },
  { cidr: '10.0.0.0/8', data: SHANGHAI },
  { cidr: '127.0.0.0/8', data: SHANGHAI },
  { cidr: '192.168.0.0/16', data: SHANGHAI },
  { cidr: 'fd00::/8', data: SHANGHAI },
];

describe('client location (SCANPASS_GEOIP_DB)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanpass-geo-'));
  let geo: GeoLocator;
  beforeAll(async () => {
    geo = await openGeoLocator(writeMmdb(path.join(dir, 'city.mmdb'), FIXTURE));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names a Shanghai address as city and country, in English and in Chinese', () => {
    expect(geo.describe('202.96.209.133', 'en')).toBe('Shanghai, China');
    expect(geo.describe('202.96.209.133', 'zh-CN')).toBe('中国 上海');
    expect(geo.describe('240e:e9:8819::12', 'en')).toBe('Shanghai, China');
    expect(geo.describe('240e:e9:8819::12', 'zh-CN')).toBe('中国 上海');
  });

  it('finds an IPv4 client that a dual-stack socket reports as IPv4-mapped IPv6', () => {
    expect(geo.describe('::ffff:202.96.209.133', 'en')).toBe('Shanghai, China');
    expect(geo.describe('::FFFF:ca60:d185', 'zh-CN')).toBe('中国 上海');
  });

  it('falls back to the English name where the database has no Chinese one', () => {
    expect(geo.describe('58.215.1.1', 'zh-CN')).toBe('中国 Wuxi');
    expect(geo.describe('58.215.1.1', 'en')).toBe('Wuxi, China');
  });

  it('gives the country alone when the database knows no city, and a city-state once', () => {
    expect(geo.describe('8.8.8.8', 'en')).toBe('United States');
    expect(geo.describe('8.8.8.8', 'zh-CN')).toBe('美国');
    expect(geo.describe('119.73.200.1', 'en')).toBe('Singapore');
    expect(geo.describe('119.73.200.1', 'zh-CN')).toBe('新加坡');
  });

  it.each(['10.1.2.3', '127.0.0.1', '192.168.1.10', '::1', 'fd00::1', '::ffff:10.1.2.3', '::ffff:127.0.0.1', 'fe80::1%eth0'])(
    'says nothing about the private or loopback address %s, though the database has it',
    (ip) => {
      expect(geo.describe(ip, 'en')).toBeNull();
      expect(geo.describe(ip, 'zh-CN')).toBeNull();
    },
  );

  it('says nothing about a public address the database does not know', () => {
    expect(geo.describe('1.1.1.1', 'en')).toBeNull();
    expect(geo.describe('2a00:1450::1', 'zh-CN')).toBeNull();
  });

  it.each([
    '', ' ', 'localhost', 'abc', '1.2.3', '202.96.209', '999.1.1.1', '202.96.209.133/24', ' 202.96.209.133', '202.96.209.133 ', '202.96.209.133:443',
    '[240e:e9::1]', '240e:e9::1::1', '::ffff:zzzz', '%', '::ffff:202.96.209.133%25', '\u0000', '上海',
  ])('says nothing, and does not throw, for the non-address %j', (input) => {
    expect(geo.describe(input, 'en')).toBeNull();
    expect(geo.describe(input, 'zh-CN')).toBeNull();
  });

  it('says nothing, and does not throw, for very long input', () => {
    for (const input of ['x'.repeat(100_000), '1.'.repeat(5000), `::ffff:${'0:'.repeat(2000)}1`]) {
      expect(geo.describe(input, 'en')).toBeNull();
      expect(geo.describe(input, 'zh-CN')).toBeNull();
    }
  });

  it('says nothing for values a JavaScript caller might pass by mistake, and treats an unknown locale as English', () => {
    for (const bad of [undefined, null, 42, {}, ['202.96.209.133']]) expect(geo.describe(bad as unknown as string, 'en')).toBeNull();
    expect(geo.describe('202.96.209.133', 'fr' as 'en')).toBe('Shanghai, China');
  });

  it('answers null for everything when no database is configured', async () => {
    for (const file of [undefined, '']) {
      const none = await openGeoLocator(file);
      expect(none.describe('202.96.209.133', 'en')).toBeNull();
      expect(none.describe('202.96.209.133', 'zh-CN')).toBeNull();
    }
  });

  it('does not read an IPv6 address out of an IPv4-only database', async () => {
    const v4 = await openGeoLocator(writeMmdb(path.join(dir, 'v4.mmdb'), [{ cidr: '36.0.0.0/8', data: SHANGHAI }], { ipVersion: 4 }));
    expect(v4.describe('36.1.2.3', 'en')).toBe('Shanghai, China');
    // 2400:... begins with the bits of 36.0.0.0: a reader walking only its first 32 bits would say Shanghai.
    expect(v4.describe('2400:cb00::1', 'en')).toBeNull();
  });

  it.each([
    ['a missing file', () => path.join(dir, 'missing', 'GeoLite2-City.mmdb'), /ENOENT/],
    ['a folder', () => dir, /EISDIR/],
    ['a text file', () => writeFile('notes.mmdb', 'not a database\n'), /.+/],
    ['an empty file', () => writeFile('empty.mmdb', ''), /.+/],
    ['a gzipped database as downloaded', () => writeFile('GeoLite2-City.mmdb.gz', gzipSync(buildMmdb(FIXTURE))), /gzip/],
  ])('refuses %s with a ConfigError naming SCANPASS_GEOIP_DB and the path', async (_what, file, reason) => {
    const p = file();
    const err = await openGeoLocator(p).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`SCANPASS_GEOIP_DB="${p}"`);
    expect((err as Error).message).toMatch(reason);
  });

  it('names a relative path as given and as resolved', async () => {
    await expect(openGeoLocator('no-such-dir/city.mmdb')).rejects.toThrow(`SCANPASS_GEOIP_DB="no-such-dir/city.mmdb" (${path.resolve('no-such-dir/city.mmdb')})`);
  });

  function writeFile(name: string, content: string | Buffer): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  }
});
