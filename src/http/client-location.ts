import net from 'node:net';
import path from 'node:path';
import type { CityResponse, Reader } from 'maxmind';
import { CONFIG_KEYS, ConfigError } from '../config.js';
import { isPublicAddress } from '../webhooks/webhook-target.js';

/** The languages a location is described in: those of the pages (web/locales). */
export type LocationLocale = 'en' | 'zh-CN';

/**
 * Roughly where a client address is, for the phone that is asked to approve a
 * sign-in ("Shanghai, China", as Steam and Discord show it). Built once at
 * start-up from SCANPASS_GEOIP_DB; without it every answer is null.
 */
export interface GeoLocator {
  /**
   * "Shanghai, China" (en) or "中国 上海" (zh-CN); only the country when the
   * database knows no city; null for private, loopback, reserved and unknown
   * addresses and for anything that is not an address. Never throws.
   */
  describe(ip: string, locale: LocationLocale): string | null;
}

/** The locator when no database is configured. */
export const noGeoLocator: GeoLocator = { describe: () => null };

/**
 * The name in the locale, else the English one: GeoLite2 has no Chinese name
 * for many smaller cities. Read as unknown: a database may lack or misshape any field.
 */
function nameIn(names: object | undefined, locale: LocationLocale): string | null {
  for (const lang of locale === 'en' ? ['en'] : [locale, 'en']) {
    const name = (names as Readonly<Record<string, unknown>> | undefined)?.[lang];
    if (typeof name === 'string' && name.trim() !== '') return name.trim();
  }
  return null;
}

/**
 * English goes from small to large with a comma ("Shanghai, China"); Chinese
 * from large to small, as addresses are written there. A space rather than
 * nothing between them ("中国 上海", not "中国上海"): a name without a Chinese
 * form stays in Latin letters ("中国 Wuxi") and must not run into the other.
 * A city named as its country (Singapore, Hong Kong) is said once.
 */
function placeName(city: string | null, country: string | null, locale: LocationLocale): string | null {
  if (!city || !country || city === country) return country ?? city;
  return locale === 'en' ? `${city}, ${country}` : `${country} ${city}`;
}

/**
 * The form the database is searched by. A dual-stack socket reports an IPv4
 * client as ::ffff:a.b.c.d; not every database aliases that range to its IPv4
 * tree, so it is looked up as the IPv4 address it is.
 */
function lookupAddress(ip: string): string {
  if (net.isIPv4(ip)) return ip;
  // The URL parser writes IPv6 in one canonical form, the mapped range as ::ffff:hhhh:hhhh.
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

function locatorFor(reader: Reader<CityResponse>): GeoLocator {
  // An IPv4-only database would answer an IPv6 address by its first 32 bits: refuse instead.
  const ipv6 = reader.metadata.ipVersion === 6;
  return {
    describe(ip, locale) {
      try {
        // mmdb-lib parses whatever it is given, so only a valid public address reaches it.
        if (typeof ip !== 'string' || ip.length > 64 || !isPublicAddress(ip)) return null;
        const address = lookupAddress(ip);
        if (!ipv6 && !net.isIPv4(address)) return null;
        const lang = locale === 'zh-CN' ? 'zh-CN' : 'en';
        const found = reader.get(address);
        return placeName(nameIn(found?.city?.names, lang), nameIn(found?.country?.names, lang), lang);
      } catch {
        // A damaged database (or an address form no check above foresaw) means "no location", not a failed request.
        return null;
      }
    },
  };
}

/**
 * Opens the city database at `file` (SCANPASS_GEOIP_DB) once, into memory.
 * No file, no locations. A file that cannot be read, or is not a MaxMind DB
 * (a .mmdb.gz or a .tar.gz as downloaded, say), stops the start with a
 * ConfigError naming the variable and the path, rather than running on
 * silently without the locations the operator asked for.
 */
export async function openGeoLocator(file: string | undefined): Promise<GeoLocator> {
  if (file === undefined || file === '') return noGeoLocator;
  const resolved = path.resolve(file);
  try {
    // Loaded only when a database is configured.
    const { default: maxmind } = await import('maxmind');
    return locatorFor(await maxmind.open<CityResponse>(resolved));
  } catch (err) {
    const shown = resolved === file ? `"${file}"` : `"${file}" (${resolved})`;
    throw new ConfigError(`${CONFIG_KEYS.geoipDb.env}=${shown} cannot be opened as a MaxMind city database (.mmdb): ${(err as Error).message}`);
  }
}
