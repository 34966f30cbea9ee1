/**
 * Executes a verified undo token: every step is re-read first, and nothing is undone unless every object is still
 * what whyping left (same owner, same target, whyping's description or tag, same content). Then the steps are undone
 * in reverse order, each call dry-run first. How each kind of change is re-read and reversed lives with its executor
 * in src/fix/actions/<noun>.ts; this file holds the protocol.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Logger } from '../log.js';
import { type ApplyResult, type Call, type Check, changed, fromCallError, gone, UNDO } from './actions/index.js';
import { CallLog, isAwsCallError, isAwsCode } from './aws.js';
import { describeUndoStep, type UndoChange, type UndoStep, type UndoToken } from './undo.js';
/** Who undoes, against which region. */
export interface UndoContext {
  actor: string;
  /** The region the EC2 client talks to: without `clientFor`, a step made in another region is refused. */
  region: string;
  logger: Logger;
  /**
   * The client of the account and region a step was made in (the fix role of another account, as the fix used), or
   * why there is none (no fix role configured). Absent: every step must be in `region`, read with the one client.
   */
  clientFor?: (step: UndoStep) => EC2Client | { refused: string };
}

/** Outcome of an undo: `refused` names the step that is no longer what whyping left (`refusedStep`, 1-based). */
export type UndoResult = ApplyResult & { refusedStep?: number };

const isNotFound = (e: unknown) => isAwsCallError(e) && /\.NotFound$|NotFound$/.test(e.details.aws.awsCode);

/** The undo spec of a change (its kind pairs it with its spec; TypeScript cannot follow that through the table). */
function specOf<C extends UndoChange>(c: C) {
  return UNDO[c.kind] as unknown as {
    verify: (v: { ec2: EC2Client; log: CallLog; token: UndoToken; step: UndoStep }, c: C) => Promise<Check>;
    calls: (ec2: EC2Client, c: C) => Call[];
  };
}

/** Reads what a step changed and compares it with what whyping left. */
async function check(ec2: EC2Client, log: CallLog, token: UndoToken, step: UndoStep): Promise<Check> {
  const c = step.change;
  try {
    if (!Object.hasOwn(UNDO, c.kind)) return changed(`unknown change ${JSON.stringify(c)}`);
    return await specOf(c).verify({ ec2, log, token, step }, c);
  } catch (e) {
    if (isNotFound(e)) return gone('it no longer exists');
    throw e;
  }
}

function callsFor(ec2: EC2Client, c: UndoChange): Call[] {
  if (!Object.hasOwn(UNDO, c.kind)) throw new Error(`unknown undo change ${JSON.stringify(c)}`);
  return specOf(c).calls(ec2, c);
}

const isDenied = (e: unknown) => isAwsCode(e, 'UnauthorizedOperation', 'AccessDenied');

const targetGone = (e: unknown) => {
  if (!isAwsCallError(e)) return false;
  const code = e.details.aws.awsCode;
  return (
    code !== 'InvalidRoute.NotFound' &&
    code !== 'InvalidRouteTableID.NotFound' &&
    (code.endsWith('.NotFound') || code === 'NatGatewayNotFound')
  );
};

/**
 * Undoes every step of a verified token, or nothing: (1) re-read every step; refuse (naming the step and why) unless
 * each is still what whyping left; (2) dry-run every call so a missing IAM action is reported before anything
 * changes; (3) undo the steps in reverse order.
 */
export async function executeUndo(ec2: EC2Client, token: UndoToken, ctx: UndoContext): Promise<UndoResult> {
  const log = new CallLog(ctx.logger);
  ctx.logger.info(
    { actor: ctx.actor, diagnosisId: token.diagnosisId, steps: token.steps.length },
    'whyping undo: verifying',
  );
  const result = (r: Omit<UndoResult, 'requestIds' | 'undo'>): UndoResult => ({
    ...r,
    requestIds: log.requestIds,
    undo: null,
  });
  const n = token.steps.length;
  const name = (i: number) => (n === 1 ? 'its step' : `step ${i + 1} of ${n}`);

  const checks: Check[] = [];
  // Each step is re-read, dry-run and undone with the client of its own account and region.
  const clients: EC2Client[] = [];
  try {
    for (const [i, step] of token.steps.entries()) {
      const c = ctx.clientFor ? ctx.clientFor(step) : step.region === ctx.region ? ec2 : null;
      if (!c || 'refused' in c) {
        const why = c
          ? `${c.refused}`
          : `was made in ${step.region}, and this undo reads ${ctx.region}. Run it with --region ${step.region}`;
        return result({
          status: 'refused',
          refusedStep: i + 1,
          message: `Nothing was undone: ${name(i)} (${describeUndoStep(step)}) ${c ? `cannot be reached: ${why}` : why}.`,
        });
      }
      clients.push(c);
      checks.push(await check(c, log, token, step));
    }
  } catch (e) {
    const out = fromCallError(e, false);
    return result({ ...out, message: `Nothing was undone: re-reading the changes failed: ${out.message}` });
  }
  const changedAt = checks.findIndex((c) => c.state === 'changed');
  const goneCount = checks.filter((c) => c.state === 'gone').length;
  if (changedAt >= 0) {
    const c = checks[changedAt] as Extract<Check, { state: 'changed' }>;
    return result({
      status: 'refused',
      refusedStep: changedAt + 1,
      message: `Nothing was undone: ${name(changedAt)} (${describeUndoStep(token.steps[changedAt] as UndoStep)}) is no longer what whyping left: ${c.why}.`,
    });
  }
  if (goneCount === n) {
    return result({
      status: 'already-in-place',
      message: `Nothing to undo: ${checks.map((c) => (c as { why: string }).why).join('; ')} (undone already).`,
    });
  }
  if (goneCount > 0) {
    const i = checks.findIndex((c) => c.state === 'gone');
    return result({
      status: 'refused',
      refusedStep: i + 1,
      message: `Nothing was undone: ${name(i)} (${describeUndoStep(token.steps[i] as UndoStep)}) is no longer what whyping left: ${(checks[i] as { why: string }).why}, while the others are still in place.`,
    });
  }

  // Newest first; each with the client of its account and region.
  const order = token.steps.map((_, i) => i).reverse();
  const plan = order.map((i) => callsFor(clients[i] as EC2Client, (token.steps[i] as UndoStep).change));
  const done: string[] = [];
  const undoneSteps: number[] = [];
  let current = -1;
  try {
    for (const c of plan.flat()) {
      try {
        await log.dryRun(c.action, () => c.send(true));
      } catch (e) {
        if (isDenied(e)) throw e;
        // Other answers (a call that depends on an earlier one, a target gone) are decided when the call runs.
      }
    }
    ctx.logger.info({ actor: ctx.actor, diagnosisId: token.diagnosisId }, 'whyping undo: applying');
    for (const [k, calls] of plan.entries()) {
      current = order[k] as number;
      for (const first of calls) {
        let c = first;
        try {
          await log.dryRun(c.action, () => c.send(true));
        } catch (e) {
          if (!c.fallback || !targetGone(e)) throw e;
          c = c.fallback;
          await log.dryRun(c.action, () => c.send(true));
        }
        await log.write(c.action, () => c.send(false));
        done.push(c.text);
      }
      undoneSteps.push(current);
    }
  } catch (e) {
    const out = fromCallError(e, done.length > 0);
    const progress = done.length > 0 ? ` Done before the failure: ${done.join('; ')}.` : '';
    // Which steps are undone and which are not, by account and region, so nothing half-undone goes unsaid.
    const where = (i: number) => {
      const st = token.steps[i] as UndoStep;
      return `${name(i)} (${describeUndoStep(st)})`;
    };
    const notUndone = order.filter((i) => !undoneSteps.includes(i));
    const steps =
      current >= 0 && n > 1
        ? ` Undone: ${undoneSteps.length ? undoneSteps.map(where).join('; ') : 'none'}. Not undone: ${notUndone.map(where).join('; ')}.`
        : '';
    return result({ ...out, message: `Undo stopped: ${out.message}${progress}${steps}` });
  }
  return result({ status: 'applied', message: `Undone: ${done.join('; ')}.` });
}
