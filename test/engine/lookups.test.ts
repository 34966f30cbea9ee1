/**
 * Issue 16's "never scan per query": on two sizes of the bench's synthetic account (bench/synthetic.ts), every class of
 * question users ask makes about the same number of lookups in the snapshot's top-level maps and sets, and walks none
 * of them (bench/lookups.ts counts; the bench prints the same table at 0.1×, 1× and 4×). Counted, not timed: the same
 * on any machine. A question that iterated `s.vpcs` or `s.networkInterfaces`, or looked up once per VPC, fails here.
 */
import { describe, expect, it } from 'vitest';
import { countLookups } from '../../bench/lookups.js';
import { QUERY_CLASSES, queriesOf, rng, syntheticAccount } from '../../bench/synthetic.js';
import { buildSnapshot } from '../../src/snapshot/index.js';

function countsAt(scale: number) {
  const account = syntheticAccount(scale);
  const s = buildSnapshot(account.files);
  const rand = rng(7);
  const questions = QUERY_CLASSES.flatMap((kind) => queriesOf(account, kind, 100, rand));
  return { counts: countLookups(s, questions), vpcs: s.vpcs.size };
}

describe('lookups per question (bench/lookups.ts)', () => {
  const small = countsAt(0.02);
  const large = countsAt(0.1);

  it('compares two sizes five times apart', () => {
    expect(large.vpcs).toBe(5 * small.vpcs);
  });

  for (const kind of QUERY_CLASSES) {
    it(`${kind}: no walk over the snapshot's maps, and the same lookups at both sizes (within 15 %)`, () => {
      const a = small.counts[kind];
      const b = large.counts[kind];
      expect(a && b).toBeTruthy();
      if (!a || !b) return;
      expect(a.walked).toBe(0);
      expect(b.walked).toBe(0);
      expect(a.lookups).toBeGreaterThan(5);
      expect(b.lookups / a.lookups).toBeGreaterThan(0.85);
      expect(b.lookups / a.lookups).toBeLessThan(1.15);
    });
  }

  it('puts Map and Set back as they were', () => {
    expect(Map.prototype.get.name).toBe('get');
    expect(Set.prototype.has.name).toBe('has');
    expect(Map.prototype[Symbol.iterator]).toBe(Map.prototype.entries);
  });
});
