/**
 * Issue 16's "never scan per query": on two sizes of the bench's synthetic account (bench/synthetic.ts), every class of
 * question users ask makes about the same number of lookups in the snapshot's top-level maps and sets, and walks none
 * of them (bench/lookups.ts counts; the bench prints the same table at 0.1×, 1× and 4×). Counted, not timed: the same
 * on any machine. A question that iterated `s.vpcs` or `s.networkInterfaces`, or looked up once per VPC, fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { countLookups, type LookupCounts } from '../../bench/lookups.js';
import { QUERY_CLASSES, queriesOf, rng, syntheticAccount } from '../../bench/synthetic.js';
import type { Snapshot } from '../../src/model/index.js';
import { buildSnapshot } from '../../src/snapshot/index.js';

interface Measured {
  s: Snapshot;
  counts: LookupCounts;
}

function measure(scale: number): Measured {
  const account = syntheticAccount(scale);
  const s = buildSnapshot(account.files);
  const rand = rng(7);
  const questions = QUERY_CLASSES.flatMap((kind) => queriesOf(account, kind, 100, rand));
  return { s, counts: countLookups(s, questions) };
}

describe('lookups per question (bench/lookups.ts)', () => {
  let small: Measured;
  let large: Measured;
  // Building a half-size synthetic account takes a few seconds alone, and many times that on a loaded machine: the
  // hook gets the time the work needs (nothing here is timed).
  beforeAll(() => {
    small = measure(0.1);
    large = measure(0.5);
  }, 120_000);

  it('compares two sizes five times apart', () => {
    expect(large.s.vpcs.size).toBe(5 * small.s.vpcs.size);
  });

  for (const kind of QUERY_CLASSES) {
    it(`${kind}: no walk over the snapshot's maps, and the same lookups at both sizes (within 15 %)`, () => {
      const a = small.counts[kind];
      const b = large.counts[kind];
      if (!a || !b) throw new Error(`no count for ${kind}`);
      expect(a.walked).toBe(0);
      expect(b.walked).toBe(0);
      expect(a.lookups).toBeGreaterThan(5);
      expect(b.lookups / a.lookups).toBeGreaterThan(0.85);
      expect(b.lookups / a.lookups).toBeLessThan(1.15);
    });
  }

  it("leaves the snapshot's maps as they were, and Map and Set untouched", () => {
    for (const v of [...Object.values(large.s), ...Object.values(large.s.index)]) {
      if (!(v instanceof Map || v instanceof Set)) continue;
      expect(Object.getOwnPropertyNames(v)).toEqual([]);
      expect(Object.getOwnPropertySymbols(v)).toEqual([]);
    }
    expect(Map.prototype[Symbol.iterator]).toBe(Map.prototype.entries);
    expect(Object.hasOwn(Map.prototype, 'get') && Map.prototype.get.name).toBe('get');
  });
});
