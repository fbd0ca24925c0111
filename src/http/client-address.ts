import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';

/** What Fastify's `trustProxy` option accepts, and so what SCANPASS_TRUST_PROXY may become. */
type TrustProxy = boolean | number | string | string[] | ((address: string, hop: number) => boolean);

/**
 * The trust rule for SCANPASS_TRUST_PROXY, handed to Fastify as its
 * `trustProxy` (so `req.ip` and the rate limits follow it) and used by code
 * outside a Fastify request (the WebSocket upgrade), so the two cannot drift
 * apart. A hop count trusts that many proxies nearest to us (Express's
 * meaning): with 1, the entry our proxy appended is the client and whatever
 * a client wrote before it is ignored. (Fastify 5.12 alone treats a bare
 * number as "trust nothing".) A list trusts those addresses wherever they
 * stand in the chain.
 */
export function trustFunction(tp: TrustProxy): (address: string, hop: number) => boolean {
  if (typeof tp === 'function') return tp;
  if (tp === true) return () => true;
  if (tp === false) return () => false;
  // The `hops` proxies nearest to us are trusted; only use it when nothing but them can reach the node.
  if (typeof tp === 'number') return (_address, hop) => hop < tp;
  if (typeof tp === 'string') return proxyAddr.compile(tp.split(',').map((s) => s.trim()));
  return proxyAddr.compile(tp);
}

/** The client's address as Fastify's `req.ip` gives it, for a raw request (an upgrade). */
export function clientAddress(req: IncomingMessage, trust: (address: string, hop: number) => boolean): string {
  const all = proxyAddr.all(req, trust);
  return all[all.length - 1] ?? req.socket.remoteAddress ?? '';
}

/**
 * The key a per-address limit counts under: an IPv4 address (also when
 * IPv4-mapped), or the /64 network of an IPv6 address, since one host
 * usually holds a whole /64 and could otherwise rotate through it.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%', 1)[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
