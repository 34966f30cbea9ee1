import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/synthetic.js';
import { CidrIndex } from '../../src/net/cidr-index.js';
import { cidrContains, cidrCovers } from '../../src/net/ip.js';

describe('CidrIndex', () => {
  it('returns every block holding an address in the order the blocks were added, each value once', () => {
    const ix = new CidrIndex<string>();
    ix.add('10.1.0.0/16', 'b');
    ix.add('10.0.0.0/8', 'a');
    ix.add('10.1.2.0/24', 'c');
    ix.add('10.1.0.0/16', 'b');
    expect(ix.holding('10.1.2.3')).toEqual(['b', 'a', 'c']);
    expect(ix.holding('10.2.0.1')).toEqual(['a']);
    expect(ix.holding('192.168.0.1')).toEqual([]);
  });

  it('groups the blocks covering an address or a block by prefix length, longest first', () => {
    const ix = new CidrIndex<string>();
    ix.add('0.0.0.0/0', 'default');
    ix.add('10.1.0.0/16', 'vpc');
    ix.add('10.1.0.0/16', 'vpc again');
    ix.add('10.1.2.0/24', 'subnet');
    expect(ix.covering('10.1.2.3')).toEqual([
      { prefix: 24, values: ['subnet'] },
      { prefix: 16, values: ['vpc', 'vpc again'] },
      { prefix: 0, values: ['default'] },
    ]);
    // A block is covered only by blocks at least as wide.
    expect(ix.covering('10.1.0.0/20').map((g) => g.prefix)).toEqual([16, 0]);
  });

  it('keeps IPv6 apart from IPv4 and ignores malformed blocks and addresses', () => {
    const ix = new CidrIndex<string>();
    ix.add('2600:1f18:abcd::/56', 'v6');
    ix.add('0.0.0.0/0', 'v4');
    ix.add('10.0.0.0/33', 'bad');
    expect(ix.holding('2600:1f18:abcd:0012::5')).toEqual(['v6']);
    expect(ix.holding('2600:1f18:abce::5')).toEqual([]);
    expect(ix.holding('10.0.0.1')).toEqual(['v4']);
    expect(ix.holding('not an address')).toEqual([]);
    expect(ix.covering('10.0.0.0/40')).toEqual([]);
  });

  it('agrees with a scan of cidrContains and cidrCovers over random blocks and addresses', () => {
    const rand = rng(16);
    const octet = () => Math.floor(rand() * 4);
    const blocks = Array.from({ length: 300 }, () => `10.${octet()}.${octet()}.0/${8 + Math.floor(rand() * 17)}`);
    const ix = new CidrIndex<number>();
    for (const [i, b] of blocks.entries()) ix.add(b, i);
    for (let n = 0; n < 500; n++) {
      const ip = `10.${octet()}.${octet()}.${Math.floor(rand() * 256)}`;
      const scanned = blocks.flatMap((b, i) => (cidrContains(b, ip) ? [i] : []));
      expect(ix.holding(ip)).toEqual(scanned);
      const block = `${ip}/${20 + Math.floor(rand() * 13)}`;
      const widest = ix.covering(block).flatMap((g) => g.values);
      expect(new Set(widest)).toEqual(new Set(blocks.flatMap((b, i) => (cidrCovers(b, block) ? [i] : []))));
    }
  });
});
