import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  cidrCovers,
  cidrsOverlap,
  holdsPublicAddress,
  hostCidr,
  isCidr,
  isIp,
  isPort,
  isPublicIp,
  isRfc1918,
  isRfc6598,
  longestPrefixMatches,
  NON_PUBLIC_V4,
  parseCidr,
  parseIp,
  splitByLongestPrefix,
} from '../../src/net/ip.js';

describe('parsing', () => {
  it('parses dotted-quad IPv4 and rejects octal-looking or partial forms', () => {
    expect(parseIp('10.2.4.95')).toMatchObject({ family: 4, text: '10.2.4.95' });
    expect(parseIp('10.2.4')).toBeNull();
    expect(parseIp('10.2.4.256')).toBeNull();
    expect(parseIp('not-an-ip')).toBeNull();
    expect(parseIp('')).toBeNull();
  });

  it('parses IPv6 and treats IPv4-mapped IPv6 as IPv4', () => {
    expect(parseIp('2600:1f18::1')).toMatchObject({ family: 6 });
    expect(parseIp('::ffff:10.0.0.1')).toMatchObject({ family: 4, text: '10.0.0.1' });
  });

  it('normalizes host bits away and rejects prefixes out of range', () => {
    expect(parseCidr('10.1.2.3/16')?.text).toBe('10.1.0.0/16');
    expect(parseCidr('0.0.0.0/0')?.prefix).toBe(0);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('10.0.0.0')).toBeNull();
    expect(parseCidr('10.0.0.0/')).toBeNull();
    expect(parseCidr('2600:1f18::/129')).toBeNull();
    expect(parseCidr('2600:1f18:abcd:12ff::/56')?.text).toBe('2600:1f18:abcd:1200::/56');
  });
});

describe('containment at the boundaries', () => {
  it('matches everything with /0 and exactly one address with /32', () => {
    expect(cidrContains('0.0.0.0/0', '8.8.8.8')).toBe(true);
    expect(cidrContains('0.0.0.0/0', '255.255.255.255')).toBe(true);
    expect(cidrContains('10.2.4.95/32', '10.2.4.95')).toBe(true);
    expect(cidrContains('10.2.4.95/32', '10.2.4.96')).toBe(false);
  });

  it('includes the first and last address of a block and nothing beyond', () => {
    expect(cidrContains('10.1.0.0/16', '10.1.0.0')).toBe(true);
    expect(cidrContains('10.1.0.0/16', '10.1.255.255')).toBe(true);
    expect(cidrContains('10.1.0.0/16', '10.2.0.0')).toBe(false);
    expect(cidrContains('10.1.0.0/16', '10.0.255.255')).toBe(false);
  });

  it('never matches across address families or on malformed input', () => {
    expect(cidrContains('::/0', '10.0.0.1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '2600::1')).toBe(false);
    expect(cidrContains('garbage', '10.0.0.1')).toBe(false);
    expect(cidrContains('10.0.0.0/8', 'garbage')).toBe(false);
  });

  it('matches IPv6 blocks by prefix', () => {
    expect(cidrContains('2600:1f18::/56', '2600:1f18:0:ff::1')).toBe(true);
    expect(cidrContains('2600:1f18::/56', '2600:1f18:0:100::1')).toBe(false);
    expect(cidrContains('::/0', '2600:1f18::1')).toBe(true);
  });

  it('tells covering from overlapping', () => {
    expect(cidrCovers('10.0.0.0/8', '10.1.0.0/16')).toBe(true);
    expect(cidrCovers('10.1.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(cidrsOverlap('10.1.0.0/16', '10.0.0.0/8')).toBe(true);
    expect(cidrsOverlap('10.1.0.0/16', '10.2.0.0/16')).toBe(false);
  });

  it('writes the host block of an address', () => {
    expect(hostCidr('10.1.0.12')).toBe('10.1.0.12/32');
    expect(hostCidr('2600::1')).toBe('2600::1/128');
  });
});

describe('longest prefix match', () => {
  const routes = [{ c: '0.0.0.0/0' }, { c: '10.0.0.0/8' }, { c: '10.1.0.0/16' }, { c: '10.1.0.0/16', twin: true }];

  it('picks the most specific route and returns ties together', () => {
    expect(longestPrefixMatches(routes, (r) => [r.c], '10.1.2.3')).toHaveLength(2);
    expect(longestPrefixMatches(routes, (r) => [r.c], '10.9.2.3')).toEqual([{ c: '10.0.0.0/8' }]);
    expect(longestPrefixMatches(routes, (r) => [r.c], '8.8.8.8')).toEqual([{ c: '0.0.0.0/0' }]);
  });

  it('uses the longest of several CIDRs of one candidate (a prefix list)', () => {
    const lists = [{ cidrs: ['10.0.0.0/8', '10.1.2.0/24'] }, { cidrs: ['10.1.0.0/16'] }];
    expect(longestPrefixMatches(lists, (l) => l.cidrs, '10.1.2.3')).toEqual([lists[0]]);
  });

  it('returns nothing when no route covers the address', () => {
    expect(longestPrefixMatches([{ c: '10.0.0.0/8' }], (r) => [r.c], '192.168.1.1')).toEqual([]);
  });
});

describe('address classes', () => {
  it('knows private, shared and public space', () => {
    expect(isRfc1918('172.31.255.255')).toBe(true);
    expect(isRfc1918('172.32.0.0')).toBe(false);
    expect(isRfc6598('100.64.0.1')).toBe(true);
    expect(isPublicIp('8.8.8.8')).toBe(true);
    expect(isPublicIp('10.0.0.1')).toBe(false);
    expect(isPublicIp('100.64.0.1')).toBe(false);
    expect(isPublicIp('127.0.0.1')).toBe(false);
  });

  it('accepts ports 1 to 65535 only', () => {
    expect(isPort(1)).toBe(true);
    expect(isPort(65535)).toBe(true);
    expect(isPort(0)).toBe(false);
    expect(isPort(65536)).toBe(false);
    expect(isPort(22.5)).toBe(false);
  });
});

describe('isIp / isCidr without parsing', () => {
  it('say what parsing says, for dotted quads and blocks of every octet and prefix spelling', () => {
    const octets = [
      '0',
      '00',
      '01',
      '9',
      '10',
      '99',
      '099',
      '100',
      '199',
      '200',
      '249',
      '250',
      '255',
      '256',
      '299',
      '300',
      ' 1',
      '1 ',
      '-1',
      '+1',
      'a',
    ];
    const prefixes = ['0', '00', '05', '8', '9', '10', '19', '20', '29', '30', '32', '33', '40', '100', '', 'x'];
    let checked = 0;
    for (const a of octets)
      for (const b of ['0', '255', '256', '01'])
        for (const d of octets) {
          const ip = `${a}.${b}.1.${d}`;
          expect(isIp(ip), ip).toBe(parseIp(ip) !== null);
          for (const p of prefixes) {
            const cidr = `${ip}/${p}`;
            expect(isCidr(cidr), cidr).toBe(parseCidr(cidr) !== null);
            checked++;
          }
        }
    for (const odd of [
      '1.2.3',
      '1.2.3.4.5',
      '1.2.3.4/',
      '/8',
      '::1',
      '::ffff:10.0.0.1',
      '2001:db8::/32',
      '10.0.0.0/8\n',
    ])
      expect([isIp(odd), isCidr(odd)], odd).toEqual([parseIp(odd) !== null, parseCidr(odd) !== null]);
    expect(checked).toBeGreaterThan(20_000);
  });
});

describe('a range split by longest prefix', () => {
  it('splits 0.0.0.0/0 into two halves when two /1 blocks cover it', () => {
    expect(splitByLongestPrefix('0.0.0.0/0', ['0.0.0.0/1', '128.0.0.0/1'])).toEqual([
      { cidr: '0.0.0.0/1', longest: [0] },
      { cidr: '128.0.0.0/1', longest: [1] },
    ]);
  });

  it('leaves the uncovered half with no block', () => {
    expect(splitByLongestPrefix('0.0.0.0/0', ['0.0.0.0/1'])).toEqual([
      { cidr: '0.0.0.0/1', longest: [0] },
      { cidr: '128.0.0.0/1', longest: [] },
    ]);
  });

  it('gives a more specific block its own piece, and the rest to the block around it', () => {
    const pieces = splitByLongestPrefix('0.0.0.0/0', ['0.0.0.0/0', '8.8.8.0/24']) ?? [];
    expect(pieces.find((p) => p.cidr === '8.8.8.0/24')).toEqual({ cidr: '8.8.8.0/24', longest: [1] });
    expect(pieces.filter((p) => p.cidr !== '8.8.8.0/24').every((p) => p.longest.join() === '0')).toBe(true);
    // The pieces tile the range: their sizes add up to 2^32.
    expect(pieces.reduce((n, p) => n + 2 ** (32 - Number(p.cidr.split('/')[1])), 0)).toBe(2 ** 32);
  });

  it('splits down to a /32 and keeps ties in the order given', () => {
    expect(splitByLongestPrefix('10.0.0.0/31', ['10.0.0.1/32', '10.0.0.0/31', '10.0.0.0/31'])).toEqual([
      { cidr: '10.0.0.0/32', longest: [1, 2] },
      { cidr: '10.0.0.1/32', longest: [0] },
    ]);
  });

  it('answers null for IPv6 and malformed ranges', () => {
    expect(splitByLongestPrefix('::/0', ['::/1'])).toBeNull();
    expect(splitByLongestPrefix('nope', [])).toBeNull();
  });
});

describe('blocks that hold internet hosts', () => {
  it('agrees with isPublicIp at the edges of every non-public block', () => {
    for (const block of NON_PUBLIC_V4) {
      const c = parseCidr(block);
      if (c?.family !== 4) throw new Error(block);
      const last = c.base + 2 ** (32 - c.prefix) - 1;
      expect(holdsPublicAddress(block)).toBe(false);
      for (const v of [c.base - 1, last + 1].filter((x) => x >= 0 && x < 2 ** 32)) {
        const ip = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
        expect(isPublicIp(ip), ip).toBe(holdsPublicAddress(`${ip}/32`));
      }
    }
  });

  it('finds the public addresses of a block that is mostly private', () => {
    expect(holdsPublicAddress('0.0.0.0/0')).toBe(true);
    expect(holdsPublicAddress('10.0.0.0/7')).toBe(true); // 11.0.0.0/8 is public
    expect(holdsPublicAddress('10.2.0.0/16')).toBe(false);
    expect(holdsPublicAddress('54.1.2.3/32')).toBe(true);
  });
});
