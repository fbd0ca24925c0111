import fs from 'node:fs';
import net from 'node:net';

/**
 * Writes a small MaxMind DB file (format 2.0,
 * https://maxmind.github.io/MaxMind-DB/), so tests read a real .mmdb through
 * the real reader without shipping or downloading GeoLite2. No maintained npm
 * package writes the format. Only what the tests need: an IPv6 (or IPv4)
 * search tree with 24-bit records, and data made of maps, arrays, UTF-8
 * strings, unsigned integers and booleans. Networks may not overlap.
 *
 * The file is: the search tree, 16 zero bytes, the data section, then
 * "\xAB\xCD\xEFMaxMind.com" and the metadata map.
 */

export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** "202.96.209.0/24" or "240e:e9::/32"; in an IPv6 database an IPv4 network sits at ::a.b.c.d/96+n, as MaxMind's own. */
  cidr: string;
  data: { [key: string]: MmdbValue };
}

const RECORD_BITS = 24;

// Data section types (spec: "Output Data Section"); 8 and above are "extended".
const T = { utf8: 2, map: 7, uint16: 5, uint32: 6, uint64: 9, array: 11, boolean: 14 } as const;

/** A control byte (type, size) with the size and extended-type bytes that follow it. */
function control(type: number, size: number): Buffer {
  const head: number[] = [];
  const extra: number[] = [];
  let sizeBits = size;
  if (size >= 65821) [sizeBits, extra[0], extra[1], extra[2]] = [31, ((size - 65821) >> 16) & 0xff, ((size - 65821) >> 8) & 0xff, (size - 65821) & 0xff];
  else if (size >= 285) [sizeBits, extra[0], extra[1]] = [30, ((size - 285) >> 8) & 0xff, (size - 285) & 0xff];
  else if (size >= 29) [sizeBits, extra[0]] = [29, size - 29];
  if (type <= 7) head.push((type << 5) | sizeBits);
  else head.push(sizeBits, type - 7);
  return Buffer.from([...head, ...extra]);
}

/** An unsigned integer: big-endian, without leading zero bytes (0 is zero bytes). */
function uint(type: number, n: number | bigint): Buffer {
  const bytes: number[] = [];
  for (let v = BigInt(n); v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(T.utf8, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return control(T.boolean, value ? 1 : 0);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`mmdb-writer: only unsigned 32-bit integers, got ${value}`);
    return uint(T.uint32, value);
  }
  if (Array.isArray(value)) return Buffer.concat([control(T.array, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(T.map, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** The bits of a network's prefix, from the most significant. */
function prefixBits(cidr: string, ipVersion: 4 | 6): number[] {
  const [addr = '', len] = cidr.split('/');
  const family = net.isIP(addr);
  if (family === 0 || len === undefined || !/^\d+$/.test(len)) throw new Error(`mmdb-writer: not a network: ${cidr}`);
  if (family === 6 && ipVersion === 4) throw new Error(`mmdb-writer: IPv6 network ${cidr} in an IPv4 database`);
  let bytes: number[];
  if (family === 4) bytes = addr.split('.').map(Number);
  else {
    const [head = '', tail] = addr.split('::');
    const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
    const left = groups(head);
    const right = tail === undefined ? [] : groups(tail);
    bytes = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right].flatMap((g) => [g >> 8, g & 0xff]);
  }
  const bits = bytes.flatMap((b) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (b >> i) & 1));
  const v4InV6 = family === 4 && ipVersion === 6;
  const prefix = Number(len) + (v4InV6 ? 96 : 0);
  return [...(v4InV6 ? Array<number>(96).fill(0) : []), ...bits].slice(0, prefix);
}

interface TreeNode {
  children: [Child, Child];
}
type Child = TreeNode | { data: number } | null;

export function buildMmdb(networks: MmdbNetwork[], opts: { databaseType?: string; ipVersion?: 4 | 6; languages?: string[] } = {}): Buffer {
  const ipVersion = opts.ipVersion ?? 6;
  const root: TreeNode = { children: [null, null] };
  const chunks: Buffer[] = [];
  let dataSize = 0;
  for (const { cidr, data } of networks) {
    const bits = prefixBits(cidr, ipVersion);
    if (bits.length === 0) throw new Error('mmdb-writer: a /0 network is not supported');
    const encoded = encode(data);
    const leaf = { data: dataSize };
    chunks.push(encoded);
    dataSize += encoded.length;
    let node = root;
    for (const [i, bit] of bits.entries()) {
      const child = node.children[bit as 0 | 1];
      if (i === bits.length - 1) {
        if (child !== null) throw new Error(`mmdb-writer: ${cidr} overlaps another network`);
        node.children[bit as 0 | 1] = leaf;
      } else if (child === null) {
        node = node.children[bit as 0 | 1] = { children: [null, null] };
      } else if ('children' in child) node = child;
      else throw new Error(`mmdb-writer: ${cidr} overlaps another network`);
    }
  }

  // Number the nodes breadth-first from the root (node 0), as readers start there.
  const order: TreeNode[] = [root];
  for (let i = 0; i < order.length; i++) for (const c of order[i]!.children) if (c && 'children' in c) order.push(c);
  const index = new Map(order.map((n, i) => [n, i]));
  const nodeCount = order.length;
  // A record is a node number, node_count for "no data", or node_count + 16 + an offset into the data section.
  const record = (c: Child) => (c === null ? nodeCount : 'children' in c ? index.get(c)! : nodeCount + 16 + c.data);
  const tree = Buffer.alloc((nodeCount * RECORD_BITS * 2) / 8);
  for (const [i, n] of order.entries()) {
    tree.writeUIntBE(record(n.children[0]), i * 6, 3);
    tree.writeUIntBE(record(n.children[1]), i * 6 + 3, 3);
  }
  if (nodeCount + 16 + dataSize >= 2 ** RECORD_BITS) throw new Error('mmdb-writer: too large for 24-bit records');

  const metadata = Buffer.concat([
    control(T.map, 9),
    encode('node_count'), uint(T.uint32, nodeCount),
    encode('record_size'), uint(T.uint16, RECORD_BITS),
    encode('ip_version'), uint(T.uint16, ipVersion),
    encode('database_type'), encode(opts.databaseType ?? 'GeoLite2-City'),
    encode('languages'), encode(opts.languages ?? ['en', 'zh-CN']),
    encode('binary_format_major_version'), uint(T.uint16, 2),
    encode('binary_format_minor_version'), uint(T.uint16, 0),
    encode('build_epoch'), uint(T.uint64, Math.floor(Date.now() / 1000)),
    encode('description'), encode({ en: 'scanpass test fixture' }),
  ]);
  return Buffer.concat([tree, Buffer.alloc(16), ...chunks, Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), metadata]);
}

/** Writes the database to `file` and returns the path. */
export function writeMmdb(file: string, networks: MmdbNetwork[], opts?: Parameters<typeof buildMmdb>[1]): string {
  fs.writeFileSync(file, buildMmdb(networks, opts));
  return file;
}
