/**
 * One id per investigation (a question, or a fix with its re-checks), carried by every log line of that request:
 * the use cases bind it to the logger they hand down (collect, probe, fix executors all log through deps.logger), so
 * `grep inv-…` on the logs of any replica shows one request whole.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from './deps.js';

/** A new investigation id: `inv-` and 10 random hex digits. */
export function newInvestigationId(): string {
  return `inv-${randomBytes(5).toString('hex')}`;
}

/**
 * `deps` whose logger binds `investigation`: a new id, or `id` when the front end made one (to log its own lines
 * with it). Deps that already carry an id keep it, so a fix's re-checks log under the fix's id.
 */
export function withInvestigation(deps: Deps, id?: string): Deps {
  if (id === undefined && typeof deps.logger.bindings().investigation === 'string') return deps;
  return { ...deps, logger: deps.logger.child({ investigation: id ?? newInvestigationId() }) };
}
