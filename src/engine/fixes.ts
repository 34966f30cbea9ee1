/** Fix plans as values: the narrowest change that unblocks, with an id derived from its content. */
import { createHash } from 'node:crypto';
import type { FindingCode, FixAction, FixPlan } from '../model/index.js';
import { fixSpecOf } from './fix-specs.js';

/** Stable JSON (sorted keys) so the id does not depend on property order. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** `fix-` + 12 hex of sha256(code, resource, action, params): the same finding gives the same id anywhere. */
export function fixId(code: FindingCode, resource: string, action: FixAction): string {
  const h = createHash('sha256').update(stable({ code, resource, action: action.action, params: action.params }));
  return `fix-${h.digest('hex').slice(0, 12)}`;
}

/** Builds a complete plan from an action and a one-line summary. */
export function makeFix(
  code: FindingCode,
  resource: string,
  action: FixAction,
  summary: string,
  warnings: string[] = [],
): FixPlan {
  const spec = fixSpecOf(action);
  return {
    ...action,
    id: fixId(code, resource, action),
    order: spec.order,
    summary,
    undo: spec.undo,
    reversible: spec.reversible,
    ...(warnings.length > 0 ? { warnings } : {}),
  } as FixPlan;
}
