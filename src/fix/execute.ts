/**
 * Executors: a fix plan becomes EC2 calls — dry-run first, idempotent, audited, with an undo plan where one exists.
 * Each action's executor lives in src/fix/actions/<noun>.ts; this file dispatches to it.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Logger } from '../log.js';
import type { FixAction, FixPlan } from '../model/diagnosis.js';
import { APPLY, type ApplyResult, type Exec, fromCallError, type Outcome, refused } from './actions/index.js';
import { CallLog } from './aws.js';

export { type ApplyResult, EIP_TARGET_TAG, fromCallError, routeTargetOf } from './actions/index.js';

/** Who applies a fix and in which diagnosis (recorded in rule descriptions and tags). */
export interface ApplyContext {
  actor: string;
  diagnosisId: string;
  now: () => Date;
  logger: Logger;
}

/**
 * Applies one fix plan: every write is dry-run first (DryRunOperation = would succeed, UnauthorizedOperation = the IAM
 * action is reported and nothing changes); a change already in place is reported as such; request ids are recorded.
 * With `dryRun: true` only the dry-run calls are made.
 */
export async function executeFix(
  ec2: EC2Client,
  plan: FixPlan,
  ctx: ApplyContext & { dryRun: boolean },
): Promise<ApplyResult> {
  const log = new CallLog(ctx.logger);
  const x: Exec = {
    ec2,
    log,
    audit: { actor: ctx.actor, diagnosisId: ctx.diagnosisId, fixId: plan.id, now: ctx.now },
    dryOnly: ctx.dryRun,
  };
  try {
    const out = await dispatch(x, plan);
    return { ...out, requestIds: log.requestIds };
  } catch (e) {
    return { ...fromCallError(e, log.applied > 0), requestIds: log.requestIds };
  }
}

async function dispatch(x: Exec, plan: FixPlan): Promise<Outcome> {
  if (!Object.hasOwn(APPLY, plan.action)) return refused(`Unknown fix action ${plan.action}.`);
  // One executor per action (APPLY is checked against every FixAction); TypeScript cannot pair plan.action with
  // plan.params through the table by itself.
  const apply = APPLY[plan.action] as (x: Exec, p: FixAction['params']) => Promise<Outcome>;
  return apply(x, plan.params);
}
