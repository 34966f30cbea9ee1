/**
 * Many CIDR blocks indexed for "which of them hold this address (or this block)?": one hash lookup per prefix
 * length present, so the cost of a question does not grow with the number of blocks. Each block is parsed once,
 * when it is added.
 */
import { type IpFamily, type ParsedCidr, parseCidr, parseIp } from './ip.js';

interface Entry<T> {
  value: T;
  /** Order of addition: answers come back in it. */
  order: number;
}

interface Length<T> {
  family: IpFamily;
  prefix: number;
  /** Network address (masked) → the entries with that network at this prefix length. */
  networks: Map<number | bigint, Entry<T>[]>;
}

function masked(family: IpFamily, value: number | bigint, prefix: number): number | bigint {
  if (family === 4) return prefix === 0 ? 0 : ((value as number) & ((0xffffffff << (32 - prefix)) >>> 0)) >>> 0;
  const shift = BigInt(128 - prefix);
  return prefix === 0 ? 0n : ((value as bigint) >> shift) << shift;
}

export class CidrIndex<T> {
  /** Per family and prefix length, longest prefix first. */
  private lengths: Length<T>[] = [];
  private added = 0;

  /** Adds a block with its value; a malformed block is ignored (it holds nothing, as `cidrContains` says). */
  add(cidr: string, value: T): void {
    const c = parseCidr(cidr);
    if (!c) return;
    let length = this.lengths.find((l) => l.family === c.family && l.prefix === c.prefix);
    if (!length) {
      length = { family: c.family, prefix: c.prefix, networks: new Map() };
      this.lengths.push(length);
      this.lengths.sort((a, b) => b.prefix - a.prefix || a.family - b.family);
    }
    const list = length.networks.get(c.base);
    const entry = { value, order: this.added++ };
    if (list) list.push(entry);
    else length.networks.set(c.base, [entry]);
  }

  /**
   * Every value whose block holds `what` (an address, or every address of a CIDR block), grouped by prefix length,
   * longest first, each group in the order added. Empty for malformed input.
   */
  covering(what: string | ParsedCidr): { prefix: number; values: T[] }[] {
    const target = typeof what === 'string' ? asBlock(what) : what;
    if (!target) return [];
    const out: { prefix: number; values: T[] }[] = [];
    for (const l of this.lengths) {
      if (l.family !== target.family || l.prefix > target.prefix) continue;
      const list = l.networks.get(masked(l.family, target.base, l.prefix));
      if (list) out.push({ prefix: l.prefix, values: list.map((e) => e.value) });
    }
    return out;
  }

  /** Every value whose block holds the address `ip`, in the order added (each value once). */
  holding(ip: string): T[] {
    const a = parseIp(ip);
    if (!a) return [];
    const found: Entry<T>[] = [];
    for (const l of this.lengths) {
      if (l.family !== a.family) continue;
      const list = l.networks.get(masked(l.family, a.value, l.prefix));
      if (list) found.push(...list);
    }
    if (found.length > 1) found.sort((x, y) => x.order - y.order);
    const out: T[] = [];
    for (const e of found) if (!out.includes(e.value)) out.push(e.value);
    return out;
  }
}

/** An address as a one-address block, or a CIDR block. */
function asBlock(text: string): ParsedCidr | null {
  if (text.includes('/')) return parseCidr(text);
  const a = parseIp(text);
  if (!a) return null;
  return a.family === 4
    ? { family: 4, base: a.value, prefix: 32, text }
    : { family: 6, base: a.value, prefix: 128, text };
}
