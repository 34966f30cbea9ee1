/** IP and CIDR math on ipaddr.js: parsing, containment, longest-prefix match, address classes. */
import ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

/** A parsed address: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint. */
export type ParsedIp = { family: 4; value: number; text: string } | { family: 6; value: bigint; text: string };

/** A parsed CIDR block (network address normalized: `10.1.2.3/16` → 10.1.0.0/16). */
export type ParsedCidr =
  | { family: 4; base: number; prefix: number; text: string }
  | { family: 6; base: bigint; prefix: number; text: string };

const ipCache = new Map<string, ParsedIp | null>();
const cidrCache = new Map<string, ParsedCidr | null>();
const CACHE_LIMIT = 200_000;

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function v6ToBigInt(parts: number[]): bigint {
  let v = 0n;
  for (const p of parts) v = (v << 16n) | BigInt(p);
  return v;
}

function v4ToNumber(octets: number[]): number {
  return (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0;
}

/** A dotted quad without leading zeros or spaces (what describe-* output holds): valid without parsing. */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const PLAIN_V4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const PLAIN_V4_CIDR = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}/(?:3[0-2]|[12]?\\d)$`);

/** The 32-bit value of a dotted quad that PLAIN_V4 accepts. */
function plainV4Value(text: string): number {
  let value = 0;
  let octet = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      value = value * 256 + octet;
      octet = 0;
    } else octet = octet * 10 + (c - 48);
  }
  return value * 256 + octet;
}

/** Parses a dotted-quad IPv4 or an IPv6 address; null when it is not one (no octal/hex IPv4 shorthands). */
export function parseIp(text: string): ParsedIp | null {
  const hit = ipCache.get(text);
  if (hit !== undefined) return hit;
  let result: ParsedIp | null = null;
  const trimmed = text.trim();
  if (PLAIN_V4.test(text)) {
    // The common case needs no general parser: most addresses a question meets are parsed on its own path.
    result = { family: 4, value: plainV4Value(text), text };
  } else if (ipaddr.IPv4.isValidFourPartDecimal(trimmed)) {
    result = { family: 4, value: v4ToNumber(ipaddr.IPv4.parse(trimmed).octets), text: trimmed };
  } else if (ipaddr.IPv6.isValid(trimmed) && trimmed.includes(':')) {
    const v6 = ipaddr.IPv6.parse(trimmed);
    result = v6.isIPv4MappedAddress()
      ? { family: 4, value: v4ToNumber(v6.toIPv4Address().octets), text: v6.toIPv4Address().toString() }
      : { family: 6, value: v6ToBigInt(v6.parts), text: v6.toString() };
  }
  return remember(ipCache, text, result);
}

/**
 * True for a valid IPv4 or IPv6 address. A plain dotted quad is answered by a pattern, parsing and caching nothing:
 * validating a snapshot's hundred thousand addresses must not fill the parse cache (they are parsed when a question
 * uses them); anything else is parsed.
 */
export function isIp(text: string): boolean {
  return PLAIN_V4.test(text) || parseIp(text) !== null;
}

/** Parses `a.b.c.d/n` or `v6/n`; host bits are masked off. null when malformed. */
export function parseCidr(text: string): ParsedCidr | null {
  const hit = cidrCache.get(text);
  if (hit !== undefined) return hit;
  let result: ParsedCidr | null = null;
  const slash = text.indexOf('/');
  if (slash > 0) {
    const address = text.slice(0, slash);
    const ip = parseIp(address);
    const prefixText = text.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (ip?.family === 4 && prefix >= 0 && prefix <= 32) {
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      const base = (ip.value & mask) >>> 0;
      // A block already in its normal form (most are) is its own text.
      const normal = base === ip.value && ip.text === address && prefixText === String(prefix);
      result = { family: 4, base, prefix, text: normal ? text : `${numberToV4(base)}/${prefix}` };
    } else if (ip?.family === 6 && prefix >= 0 && prefix <= 128) {
      const mask = prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
      const base = ip.value & mask;
      result = { family: 6, base, prefix, text: `${bigIntToV6(base)}/${prefix}` };
    }
  }
  return remember(cidrCache, text, result);
}

/** True for a valid CIDR block (a plain IPv4 block by a pattern, as isIp). */
export function isCidr(text: string): boolean {
  return PLAIN_V4_CIDR.test(text) || parseCidr(text) !== null;
}

/** Formats a 32-bit number as dotted quad. */
export function numberToV4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

function bigIntToV6(value: bigint): string {
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return ipaddr.fromByteArray(new ipaddr.IPv6(parts).toByteArray()).toString();
}

/** Does the CIDR contain the address? Families must match. Malformed input never matches. */
export function cidrContains(cidr: string | ParsedCidr, ip: string | ParsedIp): boolean {
  const c = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const a = typeof ip === 'string' ? parseIp(ip) : ip;
  if (!c || !a || c.family !== a.family) return false;
  if (c.family === 4 && a.family === 4) {
    if (c.prefix === 0) return true;
    const mask = (0xffffffff << (32 - c.prefix)) >>> 0;
    return (a.value & mask) >>> 0 === c.base;
  }
  if (c.family === 6 && a.family === 6) {
    if (c.prefix === 0) return true;
    const shift = BigInt(128 - c.prefix);
    return a.value >> shift === c.base >> shift;
  }
  return false;
}

/** Does CIDR `outer` contain all of CIDR `inner`? */
export function cidrCovers(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return !!o && !!i && parsedCidrCovers(o, i);
}

/** cidrCovers for parsed blocks (a caller looping over many blocks parses the fixed one once). Allocates nothing. */
export function parsedCidrCovers(o: ParsedCidr, i: ParsedCidr): boolean {
  if (i.prefix < o.prefix) return false;
  if (o.prefix === 0) return o.family === i.family;
  if (o.family === 4 && i.family === 4) return (i.base & ((0xffffffff << (32 - o.prefix)) >>> 0)) >>> 0 === o.base;
  if (o.family === 6 && i.family === 6) {
    const shift = BigInt(128 - o.prefix);
    return i.base >> shift === o.base >> shift;
  }
  return false;
}

/** Do two CIDRs share any address? */
export function cidrsOverlap(a: string, b: string): boolean {
  return cidrCovers(a, b) || cidrCovers(b, a);
}

/** The prefix length of a CIDR, or -1 when malformed. */
export function prefixLength(cidr: string): number {
  return parseCidr(cidr)?.prefix ?? -1;
}

/** The /32 (or /128) block of a single address. */
export function hostCidr(ip: string): string {
  const a = parseIp(ip);
  if (!a) throw new Error(`not an IP address: ${ip}`);
  return a.family === 4 ? `${a.text}/32` : `${a.text}/128`;
}

/**
 * Longest-prefix match: among `candidates`, those whose CIDR contains `ip` with the longest prefix.
 * Returns every candidate tied at that length (the caller applies AWS's tie-break rules), or [] for no match.
 */
export function longestPrefixMatches<T>(candidates: Iterable<T>, cidrOf: (c: T) => string[], ip: string): T[] {
  const a = parseIp(ip);
  if (!a) return [];
  let best = -1;
  let winners: T[] = [];
  for (const c of candidates) {
    let len = -1;
    for (const text of cidrOf(c)) {
      const cidr = parseCidr(text);
      if (cidr && cidr.prefix > len && cidrContains(cidr, a)) len = cidr.prefix;
    }
    if (len < 0) continue;
    if (len > best) {
      best = len;
      winners = [c];
    } else if (len === best) winners.push(c);
  }
  return winners;
}

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => parseCidr(c) as ParsedCidr);
const RFC6598 = '100.64.0.0/10';

/** RFC 1918 private IPv4 (10/8, 172.16/12, 192.168/16). */
export function isRfc1918(ip: string): boolean {
  const a = parseIp(ip);
  return a !== null && RFC1918.some((c) => cidrContains(c, a));
}

/** RFC 6598 shared address space (100.64/10, carrier-grade NAT). */
export function isRfc6598(ip: string): boolean {
  return cidrContains(RFC6598, ip);
}

/**
 * ipaddr.js's `range()` of an IPv4 address as far as `unusableAddress` asks (these five ranges do not overlap), else
 * `other`, computed from the address's value.
 */
function v4Range(value: number): 'unspecified' | 'broadcast' | 'multicast' | 'linkLocal' | 'loopback' | 'other' {
  const first = value >>> 24;
  if (first === 0) return 'unspecified';
  if (value === 0xffffffff) return 'broadcast';
  if (value >>> 28 === 14) return 'multicast';
  if (value >>> 16 === 0xa9fe) return 'linkLocal';
  if (first === 127) return 'loopback';
  return 'other';
}

/**
 * Why an address can be no end of a network path, or null when it can: a loopback address never leaves its host, a
 * link-local one never leaves its link, a multicast one names a group, not a host, and the unspecified and broadcast
 * addresses name no host at all.
 */
export function unusableAddress(ip: string): string | null {
  const a = parseIp(ip);
  if (!a) return null;
  switch (a.family === 4 ? v4Range(a.value) : ipaddr.parse(a.text).range()) {
    case 'loopback':
      return `${a.text} is a loopback address: it never leaves the host that sends it, so no network path leads to or from it`;
    case 'linkLocal':
      return `${a.text} is a link-local address: it is never forwarded beyond its own link (in AWS, 169.254.0.0/16 holds the instance metadata and DNS services, reached from inside the instance)`;
    case 'multicast':
      return `${a.text} is a multicast address: it names a group, not a host, and VPC routing does not carry multicast outside a transit gateway multicast domain`;
    case 'unspecified':
      return `${a.text} is the unspecified address: it names no host`;
    case 'broadcast':
      return `${a.text} is the broadcast address: it names no host, and a VPC does not carry broadcast`;
    default:
      return null;
  }
}

/**
 * A host on the internet as far as an internet gateway is concerned: any IPv4 address that is not RFC 1918 or RFC
 * 6598 space (the only sources and destinations an internet gateway drops) and not unusable as an end (loopback,
 * link-local, multicast…), whatever name an IP library gives its range: documentation (192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24), benchmarking or reserved space is routed like any other public address.
 * IPv6: global unicast.
 */
export function isPublicIp(ip: string): boolean {
  const a = parseIp(ip);
  if (!a) return false;
  if (a.family === 6) return ipaddr.parse(a.text).range() === 'unicast';
  return !isRfc1918(a.text) && !isRfc6598(a.text) && unusableAddress(a.text) === null;
}

/**
 * The IPv4 blocks that hold no host on the internet: every address `isPublicIp` says no to (RFC 1918, RFC 6598, and
 * the "this network" 0.0.0.0/8, loopback, link-local, multicast and broadcast ranges `unusableAddress` names).
 */
export const NON_PUBLIC_V4: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '255.255.255.255/32',
];

/** One piece of a range split by `splitByLongestPrefix`. */
export interface RangePiece {
  /** The piece as a CIDR block. */
  cidr: string;
  /** Indexes (into the blocks given) of the longest blocks holding every address of the piece; empty when none does. */
  longest: number[];
}

/**
 * Splits an IPv4 range into aligned blocks in each of which one longest-prefix answer holds for every address: the
 * blocks of `blocks` that hold the piece whole, at the longest prefix (several when tied, in the order given). The
 * range is halved only where a block of `blocks` lies strictly inside it, so the pieces are as large as they can be,
 * in address order. Null for an IPv6 or malformed range (IPv6 blocks of `blocks` are ignored).
 */
export function splitByLongestPrefix(range: string, blocks: readonly string[]): RangePiece[] | null {
  const r = parseCidr(range);
  if (r?.family !== 4) return null;
  const all: { c: ParsedCidr; i: number }[] = [];
  blocks.forEach((b, i) => {
    const c = parseCidr(b);
    if (c?.family === 4) all.push({ c, i });
  });
  const out: RangePiece[] = [];
  const visit = (here: ParsedCidr, relevant: { c: ParsedCidr; i: number }[]): void => {
    const inside = relevant.filter((x) => x.c.prefix > here.prefix && parsedCidrCovers(here, x.c));
    if (inside.length === 0) {
      let best = -1;
      let longest: number[] = [];
      for (const x of relevant) {
        if (!parsedCidrCovers(x.c, here)) continue;
        if (x.c.prefix > best) {
          best = x.c.prefix;
          longest = [x.i];
        } else if (x.c.prefix === best) longest.push(x.i);
      }
      out.push({ cidr: here.text, longest });
      return;
    }
    // A block lies inside: halve this one (its prefix is below 32, since a longer block fits in it).
    const keep = relevant.filter((x) => parsedCidrCovers(x.c, here) || parsedCidrCovers(here, x.c));
    const prefix = here.prefix + 1;
    const half = 2 ** (32 - prefix);
    for (const base of [here.base as number, ((here.base as number) + half) >>> 0]) {
      visit({ family: 4, base, prefix, text: `${numberToV4(base)}/${prefix}` }, keep);
    }
  };
  visit(r, all);
  return out;
}

/** Does an IPv4 block hold at least one host on the internet (an address outside `NON_PUBLIC_V4`)? */
export function holdsPublicAddress(cidr: string): boolean {
  const pieces = splitByLongestPrefix(cidr, NON_PUBLIC_V4);
  return pieces?.some((p) => p.longest.length === 0) === true;
}

/** Is `port` within [from, to]? */
export function portInRange(port: number, from: number, to: number): boolean {
  return port >= from && port <= to;
}

/** A TCP/UDP port: an integer 1–65535 (0 is not a port anyone can connect to). */
export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}
