/**
 * The truth check as a test: the engine against the real AWS measurements of the lab-validation corpus
 * (test/fixtures/corpora/lab-validation). It fails when a fresh run agrees on fewer flows than
 * docs/accuracy-baseline.json records, per lab or in total. It never rewrites the baseline: raising it is a
 * deliberate `npx tsx scripts/accuracy.ts --write --baseline`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, runAll } from '../scripts/accuracy.js';

const baseline = JSON.parse(readFileSync(join(import.meta.dirname, '../docs/accuracy-baseline.json'), 'utf8')) as {
  labs: Record<string, { agreed: number; total: number }>;
  agreed: number;
};

describe('accuracy against the lab-validation measurements', () => {
  const dir = corpusDir();
  it('finds the corpus copied into test/fixtures', () => {
    expect(dir).toMatch(/test\/fixtures\/corpora\/lab-validation\/snapshots$/);
  });
  const results = dir ? runAll(dir) : [];

  it('runs every lab the baseline knows', () => {
    expect(results.map((r) => r.lab).sort()).toEqual(Object.keys(baseline.labs).sort());
  });

  for (const [lab, base] of Object.entries(baseline.labs)) {
    it(`agrees on at least ${base.agreed} of ${base.total} flows in ${lab}`, () => {
      const r = results.find((x) => x.lab === lab);
      expect(r?.total).toBe(base.total);
      expect(r?.agreed ?? 0).toBeGreaterThanOrEqual(base.agreed);
    });
  }

  it('agrees in total on at least as many flows as the baseline, with no in-scope disagreement', () => {
    expect(results.reduce((a, r) => a + r.agreed, 0)).toBeGreaterThanOrEqual(baseline.agreed);
    expect(
      results.flatMap((r) => r.disagreements.map((d) => `${r.lab} ${d.obs.src} → ${d.obs.dst} ${d.obs.probe}`)),
    ).toEqual([]);
  });
});
