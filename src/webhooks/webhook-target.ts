import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import { AppError } from '../domain/errors.js';

/**
 * Where a webhook may be sent. An organiser picks the URL and reads the
 * delivery log, so a URL on loopback, a private network or a cloud metadata
 * address would let them probe and read internal services from the server's
 * position. Such targets are refused unless SCANPASS_WEBHOOK_ALLOW_PRIVATE is
 * set (labs, tests): at save time when the URL names an address (in any
 * spelling the URL parser accepts: 2130706433, 0x7f.1, [::ffff:127.0.0.1]) or
 * `localhost`, and at connect time on every address a name resolves to, so a
 * name that resolves (or later re-resolves: DNS rebinding) to such an address
 * is refused too.
 */

const NOT_PUBLIC = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(a, p, 'ipv4');
for (const [a, p] of [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001::', 32], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(a, p, 'ipv6');

/** The 16 bytes of an IPv6 address (one net.isIPv6 accepts), zone removed. */
function ipv6Bytes(ip: string): number[] {
  let s = ip.split('%')[0]!.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    tail.push(...dotted[1]!.split('.').map(Number));
    s = s.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head = '', rest] = s.split('::');
  const groups = (x: string) => (x ? x.split(':').filter(Boolean).map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), which is where it leads. */
function embeddedIPv4(b: number[]): string | null {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (at: number) => b.slice(at, at + 4).join('.');
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12); // ::ffff:a.b.c.d
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && b[15] === 1)) return v4(12); // ::a.b.c.d (deprecated)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) return v4(12); // 64:ff9b::/96 and 64:ff9b:1::/48
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2); // 2002:aabb:ccdd::/48
  return null;
}

/** True for an address on the public internet; false for loopback, private, link-local, reserved, or not an address. */
export function isPublicAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return !NOT_PUBLIC.check(ip, 'ipv4');
  if (family !== 6) return false;
  const inner = embeddedIPv4(ipv6Bytes(ip));
  if (inner) return !NOT_PUBLIC.check(inner, 'ipv4');
  return !NOT_PUBLIC.check(ip.split('%')[0]!, 'ipv6');
}

const isLocalhostName = (host: string) => /(^|\.)localhost\.?$/i.test(host);

/** The URL's host as an address, when it names one (the WHATWG parser has already normalised 2130706433 and friends). */
const literalAddress = (hostname: string): string | null => {
  const h = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return net.isIP(h) ? h : null;
};

const PRIVATE_TARGET_HINT = 'webhooks may not reach loopback, private, link-local or reserved addresses (SCANPASS_WEBHOOK_ALLOW_PRIVATE=true allows them in a lab)';

/** Why a URL's own host may not be a target, or null when only its resolved addresses can tell. */
export function refusedHost(url: URL): string | null {
  const addr = literalAddress(url.hostname);
  if (addr) return isPublicAddress(addr) ? null : `${url.hostname} is not a public address; ${PRIVATE_TARGET_HINT}`;
  return isLocalhostName(url.hostname) ? `${url.hostname} is this machine; ${PRIVATE_TARGET_HINT}` : null;
}

/** Save-time check: 400 `invalid_webhook_url` with the reason. */
export function requirePublicHost(url: URL): void {
  const why = refusedHost(url);
  if (why) throw new AppError('invalid_webhook_url', why);
}

/** A target refused at connect time; its message goes into the delivery log. */
export class RefusedTarget extends Error {
  override name = 'RefusedTarget';
  readonly code = 'ERR_WEBHOOK_TARGET_REFUSED';
}

/**
 * `dns.lookup` that fails when any address of the name is not public, for the
 * socket of a webhook attempt: checking the addresses actually connected to
 * (not an earlier, separate resolution) is what stops DNS rebinding.
 */
export function publicOnlyLookup(resolve: typeof dns.lookup = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(new RefusedTarget(`${hostname} resolves to ${bad.address}; ${PRIVATE_TARGET_HINT}`), '', 0);
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
