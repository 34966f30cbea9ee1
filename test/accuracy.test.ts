/**
 * The truth check as a test: the engine against the real AWS measurements of the lab-validation corpus
 * (test/fixtures/corpora/lab-validation). It fails on any in-scope disagreement, when a fresh run agrees on fewer
 * flows than docs/accuracy-baseline.json records (per lab or in total), and when a lab has more flows not analyzed or
 * out of scope (per class) than recorded: the goalposts never move silently. It never rewrites the baseline:
 * changing it is a deliberate `npx tsx scripts/accuracy.ts --baseline`, with the reason added to docs/accuracy.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, type LabBaseline, OUT_OF_SCOPE, runAll } from '../scripts/accuracy.js';

const baseline = JSON.parse(readFileSync(join(import.meta.dirname, '../docs/accuracy-baseline.json'), 'utf8')) as {
  labs: Record<string, LabBaseline>;
  agreed: number;
};
const report = readFileSync(join(import.meta.dirname, '../docs/accuracy.md'), 'utf8');

describe('accuracy against the lab-validation measurements', () => {
  const dir = corpusDir({ repoFirst: true });
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

    it(`has no more flows not analyzed or out of scope in ${lab} than docs/accuracy.md explains`, () => {
      const r = results.find((x) => x.lab === lab);
      expect(r?.notAnalyzed ?? 0).toBeLessThanOrEqual(base.notAnalyzed);
      for (const c of OUT_OF_SCOPE) {
        expect({ class: c.id, flows: r?.outOfScopeByClass[c.id]?.flows ?? 0 }).toEqual({
          class: c.id,
          flows: Math.min(r?.outOfScopeByClass[c.id]?.flows ?? 0, base.outOfScope[c.id] ?? 0),
        });
      }
    });
  }

  it('reports in docs/accuracy.md the out-of-scope counts the baseline records', () => {
    for (const [lab, base] of Object.entries(baseline.labs)) {
      expect(report).toContain(`| ${lab} | ${OUT_OF_SCOPE.map((c) => base.outOfScope[c.id] ?? 0).join(' | ')} |`);
    }
  });

  it('agrees in total on at least as many flows as the baseline, with no in-scope disagreement', () => {
    expect(results.reduce((a, r) => a + r.agreed, 0)).toBeGreaterThanOrEqual(baseline.agreed);
    expect(
      results.flatMap((r) => r.disagreements.map((d) => `${r.lab} ${d.obs.src} → ${d.obs.dst} ${d.obs.probe}`)),
    ).toEqual([]);
  });
});
