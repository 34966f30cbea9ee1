/** The shell's fix and undo: the core fix protocol (src/core/apply-fix) and the undo executor, as lines of text. */
import type { ShellFixer } from '../cli/shell.js';
import { type ApplyFixReport, applyFix, applyUndo, readUndoToken } from '../core/apply-fix.js';

const MARK: Record<string, string> = {
  applied: '✓ applied',
  'already-in-place': '= already in place',
  refused: '✗ refused',
  failed: '✗ failed',
  skipped: '- skipped',
  'would-apply': '- would apply',
};

/** One line per plan (with the AWS request ids, the audit trail), then the overall message. */
export function fixReportLines(r: ApplyFixReport, actor: string, when: Date): string[] {
  // Cancelled at the question: every plan is "skipped — Cancelled: not applied."; the overall message says it once.
  const plans = r.plans.every((p) => p.status === 'skipped') ? [] : r.plans;
  const lines = plans.map((p) => {
    const ids = p.requestIds.length > 0 ? ` [request ${p.requestIds.join(', ')}]` : '';
    return `  ${MARK[p.status] ?? p.status}: ${p.plan.summary}${ids}${p.status === 'applied' ? '' : ` — ${p.message}`}`;
  });
  if (r.plans.some((p) => p.status === 'applied')) {
    lines.push(`  audit: ${actor} at ${when.toISOString()}, diagnosis ${r.diagnosisId}`);
  }
  if (r.missingPermission) lines.push(`  missing IAM permission: ${r.missingPermission} (see iam/fix.json)`);
  for (const i of r.irreversible) lines.push(`  cannot be undone (not in the undo): ${i}`);
  if (r.undo) {
    const n = r.undo.steps.length;
    lines.push(
      r.undo.split
        ? `  undo: the changes do not fit one token, so each has its own; \`undo\` reverses the last, again for the one before.`
        : `  undo: \`undo\` reverses ${n === 1 ? 'this change' : `these ${n} changes, in reverse order, or none of them`} (until ${r.undo.expiresAt}).`,
    );
  }
  lines.push(r.message);
  return lines;
}

/** The shell's fixer over the given clients (live or sandbox). */
export const shellFixer: ShellFixer = {
  async apply(deps, query, fixId, opts) {
    const report = await applyFix(deps, query, fixId, opts);
    const tokens = report.undo?.tokens ?? [];
    const label = (i: number) =>
      tokens.length === 1
        ? report.plans
            .filter((p) => p.status === 'applied')
            .map((p) => p.plan.summary)
            .join('; ')
        : (report.undo?.steps[i] ?? '');
    const undos = tokens.map((token, i) => ({ label: label(i), token }));
    return { lines: fixReportLines(report, opts.actor, deps.now()), undos, diagnosis: report.after };
  },
  async undo(deps, text, opts) {
    const { token } = readUndoToken(text, opts.undo.key, deps.now());
    const r = await applyUndo(deps, token, opts.actor);
    const ids = r.requestIds.length > 0 ? ` [request ${r.requestIds.join(', ')}]` : '';
    return { lines: [`  ${MARK[r.status] ?? r.status}: ${r.message}${ids}`], ok: r.status === 'applied' };
  },
};
