/**
 * What every fix action file shares: the executor's context, outcomes, the verdict of re-reading a change before
 * undoing it, and one EC2 call of an undo.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { FixAction, FixParams, Snapshot } from '../../model/index.js';
import { type Audit, type CallLog, isAwsCallError } from '../aws.js';
import type { RouteTargetSpec, UndoChange, UndoStep, UndoToken } from '../undo.js';

/**
 * Outcome of a fix or an undo. `would-apply` is the answer of a dry run (`dryRun: true`) that AWS says would succeed;
 * `refused` means nothing was changed (AWS denied the IAM action, or the plan cannot be applied as it stands);
 * `failed` means AWS rejected a call (see `awsCode`; `leftBehind` lists anything created that could not be cleaned up).
 */
export interface ApplyResult {
  status: 'applied' | 'already-in-place' | 'refused' | 'would-apply' | 'failed';
  requestIds: string[];
  message: string;
  /** The reversible changes made, in order (the undo token of the fix command carries them); null when none. */
  undo: UndoChange[] | null;
  /** The IAM action AWS refused (UnauthorizedOperation), e.g. `ec2:CreateRoute`. */
  missingPermission?: string;
  /** The AWS error code behind `failed` or a permission refusal. */
  awsCode?: string;
  /** Ids created by this fix that a partial failure left behind (never silent). */
  leftBehind?: string[];
}

/** Everything an executor needs. */
export interface Exec {
  ec2: EC2Client;
  log: CallLog;
  audit: Audit;
  dryOnly: boolean;
}

/** An executor's answer before the request ids are added. */
export type Outcome = Omit<ApplyResult, 'requestIds'>;

/** One executor per fix action: the plan's parameters become EC2 calls. */
export type Applies<A extends FixAction['action']> = { [P in A]: (x: Exec, p: FixParams<P>) => Promise<Outcome> };

/** A dry run AWS says would succeed. */
export const wouldApply = (message: string): Outcome => ({
  status: 'would-apply',
  message: `Dry run: AWS says this would succeed — ${message}`,
  undo: null,
});
/** Nothing needed doing. */
export const already = (message: string): Outcome => ({ status: 'already-in-place', message, undo: null });
/** Nothing was changed: the plan cannot be applied as it stands. */
export const refused = (message: string): Outcome => ({ status: 'refused', message, undo: null });

/** The tagging permission AWS also requires when a create call carries TagSpecifications. */
export const TAG_ON_CREATE = 'ec2:CreateTags';
/** Calls whyping sends with TagSpecifications. */
const TAGS_ON_CREATE = new Set([
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:AuthorizeSecurityGroupEgress',
  'ec2:AllocateAddress',
  'ec2:CreateInternetGateway',
  'ec2:CreateVpcPeeringConnection',
]);

/** Maps an AWS error that ended a fix or an undo to a result; anything else is rethrown. */
export function fromCallError(e: unknown, somethingChanged: boolean): Outcome {
  if (!isAwsCallError(e)) throw e;
  const { awsCode, action } = e.details.aws;
  const changed = somethingChanged
    ? 'Earlier calls of this fix did apply (see the request ids).'
    : 'Nothing was changed.';
  if (awsCode === 'UnauthorizedOperation' || awsCode === 'AccessDenied' || awsCode === 'AccessDeniedException') {
    const tagging = TAGS_ON_CREATE.has(action) ? ` (and ${TAG_ON_CREATE}, which tagging on create needs)` : '';
    const policy = /^ec2:(Describe|Get)/.test(action) ? 'iam/readonly.json' : 'iam/fix.json';
    return {
      status: 'refused',
      message: `AWS denied ${action}${tagging}: grant it to the role whyping runs as (see ${policy}). ${changed}`,
      undo: null,
      missingPermission: action,
      awsCode,
    };
  }
  return {
    status: 'failed',
    message: `${action} failed: ${awsCode}: ${e.message} ${changed}`,
    undo: null,
    awsCode,
  };
}

/** The target id a route spec names (`pcx-…`, `igw-…`, …). */
export function targetText(t: RouteTargetSpec): string {
  return Object.values(t)[0] as string;
}

// ---------------------------------------------------------------- undo

/** What re-reading a step found. */
export type Check = { state: 'as-left' } | { state: 'gone'; why: string } | { state: 'changed'; why: string };

/** The object is what whyping left. */
export const asLeft: Check = { state: 'as-left' };
/** The change is undone already (by someone, or AWS). */
export const gone = (why: string): Check => ({ state: 'gone', why });
/** The object changed since: undo refuses. */
export const changed = (why: string): Check => ({ state: 'changed', why });

/** A change made in another account than the one that owns the object now is refused. */
export function ownerCheck(owner: string | undefined, step: UndoStep, what: string): Check | null {
  const have = owner ?? 'unknown';
  if (have === step.account) return null;
  return changed(`${what} belongs to account ${have}, not ${step.account} where whyping made the change`);
}

/** One EC2 call of an undo: its IAM action, text and send function (dry or real). */
export interface Call {
  action: string;
  text: string;
  send: (dry: boolean) => Promise<{ $metadata?: { requestId?: string } }>;
  /** ReplaceRoute back to a target that no longer exists: delete the route instead. */
  fallback?: Call;
}

/** What re-reading a step needs: the clients, the call log, the token and the step. */
export interface VerifyContext {
  ec2: EC2Client;
  log: CallLog;
  token: UndoToken;
  step: UndoStep;
}

/**
 * Everything undo knows about one kind of change, side by side: the line a person reads, the account that owns the
 * object (from the snapshot the fix was applied to), how the object is re-read and compared with what whyping left,
 * and the calls that reverse it.
 */
export interface UndoSpec<C extends UndoChange> {
  describe: (c: C) => string;
  owner: (snapshot: Snapshot, c: C) => string | undefined;
  verify: (v: VerifyContext, c: C) => Promise<Check>;
  calls: (ec2: EC2Client, c: C) => Call[];
}

/** One UndoSpec per kind of change. */
export type UndoSpecs<K extends UndoChange['kind']> = { [P in K]: UndoSpec<Extract<UndoChange, { kind: P }>> };
