/** The fix plans of a diagnosis in apply order: one source for the order every front end numbers and applies. */
import type { Diagnosis, FixPlan } from '../model/index.js';

/** The fix plans of a diagnosis, once each, in apply order (then in finding order). */
export function fixPlansOf(d: Diagnosis): FixPlan[] {
  const seen = new Map<string, { plan: FixPlan; first: number }>();
  d.findings.forEach((f, i) => {
    if (f.fix && !seen.has(f.fix.id)) seen.set(f.fix.id, { plan: f.fix, first: i });
  });
  return [...seen.values()].sort((a, b) => a.plan.order - b.plan.order || a.first - b.first).map((x) => x.plan);
}
