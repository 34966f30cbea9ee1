/** Deterministic AWS-looking ids and request ids: each sandbox has its own generator (no global state). */

/** A seeded generator of ids in AWS formats (`rtb-0a1b…` with 17 hex digits, UUID request ids). */
export class IdGenerator {
  private seed: number;

  constructor(seed = 0x5eed) {
    this.seed = seed >>> 0;
  }

  /** mulberry32: small, fast, good enough to make ids that look random and repeat across runs. */
  private next(): number {
    this.seed = (this.seed + 0x6d2b79f5) >>> 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A number in [0, 1) from the sandbox's own sequence (round-trip times, jitter). */
  fraction(): number {
    return this.next();
  }

  /** `count` random hex digits. */
  hex(count: number): string {
    let out = '';
    while (out.length < count) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  /** A resource id such as `rtb-0f3c…` (17 hex digits after the prefix, as AWS issues today). */
  id(prefix: string): string {
    return `${prefix}-0${this.hex(16)}`;
  }

  /** A request id in the UUID format AWS returns in `x-amzn-RequestId`. */
  requestId(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** A public IPv4 address from a documentation-free, AWS-owned looking range (3.x / 54.x / 52.x). */
  publicIp(taken: Set<string>): string {
    const firsts = [3, 18, 52, 54];
    for (;;) {
      const a = firsts[Math.floor(this.next() * firsts.length)] ?? 54;
      const ip = `${a}.${1 + Math.floor(this.next() * 250)}.${Math.floor(this.next() * 256)}.${1 + Math.floor(this.next() * 253)}`;
      if (!taken.has(ip)) return ip;
    }
  }
}
