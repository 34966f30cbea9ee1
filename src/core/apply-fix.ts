/**
 * The fix protocol every front end follows (DESIGN.md §1, §5): re-collect fresh state and re-diagnose, check the
 * blocker still exists, dry-run, confirm, apply in order recording request ids, re-diagnose, and hand back undo tokens.
 */
import { createHash } from 'node:crypto';
import { fixSpecOf } from '../engine/index.js';
import {
  type ApplyResult,
  describeUndoStep,
  encodeUndoTokens,
  executeFix,
  executeUndo,
  isoSeconds,
  ownerOfChange,
  type UndoResult,
  type UndoStep,
  type UndoToken,
  verifyUndoToken,
} from '../fix/index.js';
import type { Diagnosis, FixPlan, Query, Snapshot } from '../model/index.js';
import type { Deps } from './deps.js';
import { fixPlansOf } from './fix-order.js';
import { clientForPlan, clientForStep } from './fix-where.js';
import { diagnoseLive } from './investigate.js';
import { acquireAll, FIX_LEASE_TTL_MS, processLeases } from './lease.js';
import { withInvestigation } from './log-context.js';

/** Status of one plan in a report: an executor outcome, or `skipped` when an earlier step stopped the run. */
export type PlanStatus = ApplyResult['status'] | 'skipped';

/** What happened to one fix plan. */
export interface PlanReport {
  plan: FixPlan;
  status: PlanStatus;
  requestIds: string[];
  message: string;
  missingPermission?: string;
  awsCode?: string;
  leftBehind?: string[];
}

/** The outcome of `applyFix`: per plan, plus the verdict before and after. */
export interface ApplyFixReport {
  query: Query;
  /** What was asked: a fix id or `all`. */
  fixId: string;
  /** Recorded in rule descriptions and tags, to tie AWS changes to this run. */
  diagnosisId: string;
  /**
   * applied: at least one change was made; already-in-place: nothing needed doing (fixed by someone already);
   * refused: nothing was changed (stale plan, not fixable, cancelled, or an IAM action denied: see `missingPermission`);
   * failed: AWS rejected a change (see the plans).
   */
  status: 'applied' | 'already-in-place' | 'refused' | 'failed';
  message: string;
  reachableBefore: boolean | null;
  /** After the changes (re-diagnosed from fresh state); the same as before when nothing changed. */
  reachableAfter: boolean | null;
  before: Diagnosis;
  /** The fresh diagnosis after applying; null when nothing changed. */
  after: Diagnosis | null;
  plans: PlanReport[];
  /** The IAM action AWS denied, when that is why nothing changed (the CLI exits 3). */
  missingPermission?: string;
  /** How to undo this command; null when nothing reversible changed. */
  undo: UndoReport | null;
  /** Changes made that no undo token can reverse (accepting a peering); empty when none. */
  irreversible: IrreversibleChange[];
}

/** A change a fix made that no undo reverses: the fix, and why (said once, without "cannot be undone"). */
export interface IrreversibleChange {
  fixId: string;
  summary: string;
  /** "accepting pcx-… is final (…)", or how to reverse it by hand when the executor recorded no undo. */
  why: string;
}

/** The reason part of a plan's undo text (`cannot be undone: <why>`), so a report says "cannot be undone" once. */
export function irreversibleChange(plan: FixPlan): IrreversibleChange {
  const prefix = /^cannot be undone:\s*/i;
  const why = prefix.test(plan.undo) ? plan.undo.replace(prefix, '') : `to reverse it by hand: ${plan.undo}`;
  return { fixId: plan.id, summary: plan.summary, why };
}

/**
 * The undo of one fix command: one token holding every reversible change in order (`whyping undo <token>` reverses
 * them all, or nothing), or, when one token would pass 1,900 characters, one token per change (`split`).
 */
export interface UndoReport {
  tokens: string[];
  split: boolean;
  /** What undoing does, one line per change in the order they were made (derived from the steps, as undo shows it). */
  steps: string[];
  /** When the tokens stop being accepted (ISO time). */
  expiresAt: string;
}

/** The key and lifetime of undo tokens (src/core/secret.ts `resolveUndoSecret`, WHYPING_UNDO_TTL_H). */
export interface UndoKey {
  key: Buffer;
  ttlHours: number;
}

/** Options of `applyFix`. */
export interface ApplyFixOptions {
  /** Who asked (Slack user id, `cli:<user>`): recorded in descriptions and tags. */
  actor: string;
  /** Shown the fresh plans (exact changes) after AWS says they would succeed; false cancels with no change. */
  confirm: (plans: FixPlan[]) => Promise<boolean>;
  /**
   * The plan the user saw (a Slack button carries it). Lets a missing fix id be told apart: the same kind of change
   * on the same object with other parameters is a stale plan (refused); no such blocker any more is already fixed.
   */
  expected?: FixPlan;
  /** Signs the undo token of this command. */
  undo: UndoKey;
}

/** The object a plan changes (and the kind of change), to recognise a changed plan for the same blocker. */
export function planTarget(p: FixPlan): string {
  return fixSpecOf(p).target;
}

function diagnosisIdOf(d: Diagnosis, now: Date): string {
  const h = createHash('sha256')
    .update(JSON.stringify([d.query, d.findings.map((f) => f.fix?.id ?? f.code), now.toISOString()]))
    .digest('hex');
  return `d-${h.slice(0, 10)}`;
}

/** Re-collects fresh state and re-diagnoses (no probe). */
async function fresh(
  deps: Deps,
  query: Query,
): Promise<{ diagnosis: Diagnosis; snapshot: Snapshot; homeAccount: string | null }> {
  return diagnoseLive(query, deps);
}

/** A route change with the route's state as the fresh snapshot after the command shows it (when it shows the route). */
function withRouteState(s: UndoStep, snapshot: Snapshot): UndoStep {
  const c = s.change;
  if (c.kind !== 'route-created' && c.kind !== 'route-replaced') return s;
  const route = snapshot.routeTables
    .get(c.routeTableId as never)
    ?.routes.find((r) => r.destination.kind === 'cidr' && r.destination.cidr === c.destinationCidrBlock);
  return route ? { ...s, change: { ...c, state: route.state } } : s;
}

/** The undo token(s) of the changes a command made; null when none is reversible. */
function undoReport(
  steps: UndoStep[],
  header: Omit<UndoToken, 'steps' | 'expiresAt' | 'v'>,
  at: Date,
  key: UndoKey,
): UndoReport | null {
  if (steps.length === 0) return null;
  const expiresAt = Math.floor(at.getTime() / 1000 + key.ttlHours * 3600);
  const { tokens, split } = encodeUndoTokens({ v: 2, ...header, expiresAt, steps }, key.key);
  return {
    tokens,
    split,
    steps: steps.map(describeUndoStep),
    expiresAt: isoSeconds(new Date(expiresAt * 1000)),
  };
}

/**
 * Applies one fix (by id) or `all` fixes of the fresh diagnosis for `query`, following the protocol: (1) re-collect
 * and re-diagnose, refusing a plan that is no longer proposed; (2) dry-run every plan; (3) confirm; (4) apply in
 * `order`, stopping at the first failure; (5) re-diagnose and report before/after with one undo token for the command.
 */
export async function applyFix(
  deps: Deps,
  query: Query,
  fixId: string | 'all',
  opts: ApplyFixOptions,
): Promise<ApplyFixReport> {
  const logged = withInvestigation(deps);
  // Two clicks on one fix (a double click, or one on each of two replicas) apply it once: hold a lease per fix id
  // from before fresh state is read until the change is made (src/core/lease.ts). For `all`, a first look names them.
  const ids = fixId === 'all' ? fixPlansOf((await fresh(logged, query)).diagnosis).map((p) => p.id) : [fixId];
  const held = await acquireAll(logged.leases ?? processLeases, ids, { holder: opts.actor, ttlMs: FIX_LEASE_TTL_MS });
  if ('heldBy' in held) {
    const before = (await fresh(logged, query)).diagnosis;
    logged.logger.info({ actor: opts.actor, fixId: held.key, heldBy: held.heldBy }, 'whyping fix: already in progress');
    return {
      query,
      fixId,
      diagnosisId: diagnosisIdOf(before, logged.now()),
      before,
      reachableBefore: before.reachable,
      status: 'refused',
      message: `In progress: ${held.key} is being applied right now (asked by ${held.heldBy}: a second click, here or on another replica). Nothing was changed by this request.`,
      plans: [],
      after: null,
      reachableAfter: before.reachable,
      undo: null,
      irreversible: [],
    };
  }
  try {
    return await applyLeased(logged, query, fixId, opts);
  } finally {
    await Promise.all(held.leases.map((l) => l.release()));
  }
}

/** `applyFix` once the leases on its fixes are held. */
async function applyLeased(
  deps: Deps,
  query: Query,
  fixId: string | 'all',
  opts: ApplyFixOptions,
): Promise<ApplyFixReport> {
  const first = await fresh(deps, query);
  const before = first.diagnosis;
  // One instant for the whole command: the rule descriptions and tags it writes, and the undo token, name it alike.
  const at = new Date(Math.floor(deps.now().getTime() / 1000) * 1000);
  const diagnosisId = diagnosisIdOf(before, at);
  const base = {
    query,
    fixId,
    diagnosisId,
    before,
    reachableBefore: before.reachable,
    undo: null,
    irreversible: [] as IrreversibleChange[],
  };
  const unchanged = (
    status: ApplyFixReport['status'],
    message: string,
    plans: PlanReport[] = [],
    extra: Partial<ApplyFixReport> = {},
  ): ApplyFixReport => ({
    ...base,
    status,
    message,
    plans,
    after: null,
    reachableAfter: before.reachable,
    ...extra,
  });

  const proposed = fixPlansOf(before);
  let plans: FixPlan[];
  if (fixId === 'all') {
    if (proposed.length === 0) {
      if (before.reachable === true) return unchanged('already-in-place', 'Already reachable: nothing to fix.');
      const why = before.findings.length > 0 ? 'none of its blockers has a fix whyping can apply' : 'no blocker found';
      return unchanged('refused', `Not fixable by whyping: ${why}.`);
    }
    plans = proposed;
  } else {
    const plan = proposed.find((p) => p.id === fixId);
    if (!plan) return missingPlan(fixId, proposed, before, opts.expected, unchanged);
    plans = [plan];
  }
  deps.logger.info({ actor: opts.actor, diagnosisId, fixIds: plans.map((p) => p.id) }, 'whyping fix: plans');

  // (2) Dry-run everything first: a denied IAM action or an impossible change is reported before anything changes.
  const ctx = { actor: opts.actor, diagnosisId, now: () => at, logger: deps.logger };
  const dry: ApplyResult[] = [];
  // Each plan runs in the account and region that own what it changes (another account through its fix role).
  const run = async (plan: FixPlan, dryRun: boolean): Promise<ApplyResult & { region?: string }> => {
    const c = clientForPlan(deps, first.snapshot, plan, first.homeAccount);
    if ('refused' in c) return { status: 'refused', requestIds: [], message: c.refused, undo: null };
    return { ...(await executeFix(c.ec2, plan, { ...ctx, dryRun })), region: c.region };
  };
  for (const plan of plans) dry.push(await run(plan, true));
  // A plan can be valid only once an earlier one is in place (a rule naming a peer VPC's security group needs the
  // peering accepted first), so AWS rejects its dry run today. A permission refusal always blocks; any other dry-run
  // failure of a plan that comes after a plan about to be applied is deferred: the executor dry-runs it again right
  // before applying it, once its predecessors are in place.
  const deferred = plans.map(
    (plan, i) =>
      dry[i]?.status === 'failed' &&
      !dry[i]?.missingPermission &&
      plans.some((earlier, j) => earlier.order < plan.order && dry[j]?.status === 'would-apply'),
  );
  const blocking = dry.findIndex((r, i) => (r.status === 'refused' || r.status === 'failed') && !deferred[i]);
  if (blocking >= 0) {
    const b = dry[blocking] as ApplyResult;
    const reports = plans.map((plan, i) =>
      i === blocking || dry[i]?.status === 'already-in-place'
        ? report(plan, dry[i] as ApplyResult)
        : skipped(plan, `Not applied: ${plans[blocking]?.id} cannot be applied, so nothing was changed.`),
    );
    const extra: Partial<ApplyFixReport> = b.missingPermission ? { missingPermission: b.missingPermission } : {};
    return unchanged(b.status === 'failed' ? 'failed' : 'refused', b.message, reports, extra);
  }
  const toApply = plans.filter((_, i) => dry[i]?.status === 'would-apply' || deferred[i]);
  if (toApply.length === 0) {
    return unchanged(
      'already-in-place',
      'Already in place: someone made these changes already.',
      plans.map((p, i) => report(p, dry[i] as ApplyResult)),
    );
  }

  // (3) Confirmation shows the fresh plans, exactly what will change.
  if (!(await opts.confirm(toApply))) {
    return unchanged(
      'refused',
      'Cancelled: nothing was changed.',
      plans.map((p) => skipped(p, 'Cancelled: not applied.')),
    );
  }

  // (4) Apply in order; stop at the first failure (later fixes may depend on it).
  const reports: PlanReport[] = [];
  const steps: UndoStep[] = [];
  const irreversible: IrreversibleChange[] = [];
  let stopped: PlanReport | null = null;
  for (const [i, plan] of plans.entries()) {
    if (dry[i]?.status === 'already-in-place') {
      reports.push(report(plan, dry[i]));
      continue;
    }
    if (stopped) {
      reports.push(skipped(plan, `Not applied: ${stopped.plan.id} failed before it.`));
      continue;
    }
    const { region, ...result } = await run(plan, false);
    const r = report(plan, result);
    if (result.status === 'applied') {
      for (const change of result.undo ?? []) {
        steps.push({
          account: ownerOfChange(first.snapshot, change) ?? 'unknown',
          region: region ?? deps.region,
          fixId: plan.id,
          change,
        });
      }
      if (!result.undo) irreversible.push(irreversibleChange(plan));
    }
    deps.logger.info(
      { actor: opts.actor, diagnosisId, fixId: plan.id, status: r.status, requestIds: r.requestIds },
      'whyping fix: audit',
    );
    reports.push(r);
    if (r.status === 'refused' || r.status === 'failed') stopped = r;
  }
  const changed = reports.some((r) => r.status === 'applied' || r.requestIds.length > 0);
  if (!changed) {
    const status = stopped ? (stopped.status === 'failed' ? 'failed' : 'refused') : 'already-in-place';
    const extra: Partial<ApplyFixReport> = stopped?.missingPermission
      ? { missingPermission: stopped.missingPermission }
      : {};
    return unchanged(status, stopped?.message ?? 'Already in place.', reports, extra);
  }

  // (5) Re-diagnose from fresh state; the undo token records each route's state as the command left it.
  const last = await fresh(deps, query);
  const after = last.diagnosis;
  const undo = undoReport(
    steps.map((s) => withRouteState(s, last.snapshot)),
    {
      actor: opts.actor,
      diagnosisId,
      appliedAt: isoSeconds(at),
      // Steps in another account: undo tells the default credentials' steps from those of a fix role by this.
      ...(first.homeAccount && steps.some((s) => s.account !== first.homeAccount) ? { home: first.homeAccount } : {}),
    },
    at,
    opts.undo,
  );
  const verdict =
    after.reachable === true ? 'now reachable' : after.reachable === false ? 'still not reachable' : 'not analyzed';
  const applied = reports.filter((r) => r.status === 'applied').length;
  const changes = applied === 1 ? '1 change' : `${applied} changes`;
  // Blockers counted before and after, as the two diagnoses show them: a change can clear one blocker and uncover
  // another (a route to a pending peering becomes a blackhole route), so "fixes no longer proposed" is not the count.
  const message = stopped
    ? `Stopped at ${stopped.plan.id}: ${stopped.message} ${changes} applied before it; ${verdict}.`
    : `Applied ${changes}; blockers ${before.findings.length} → ${after.findings.length}; ${verdict}.`;
  return {
    ...base,
    // Some changes were made and a later one was refused or failed: a partial run is a failure (exit 3).
    status: stopped ? 'failed' : 'applied',
    message,
    plans: reports,
    after,
    reachableAfter: after.reachable,
    ...(stopped?.missingPermission ? { missingPermission: stopped.missingPermission } : {}),
    undo,
    irreversible,
  };
}

function report(plan: FixPlan, r: ApplyResult): PlanReport {
  const out: PlanReport = { plan, status: r.status, requestIds: r.requestIds, message: r.message };
  if (r.missingPermission) out.missingPermission = r.missingPermission;
  if (r.awsCode) out.awsCode = r.awsCode;
  if (r.leftBehind) out.leftBehind = r.leftBehind;
  return out;
}

function skipped(plan: FixPlan, message: string): PlanReport {
  return { plan, status: 'skipped', requestIds: [], message };
}

/** A fix id the fresh diagnosis does not propose: already fixed, or a stale plan (refused). */
function missingPlan(
  fixId: string,
  proposed: FixPlan[],
  before: Diagnosis,
  expected: FixPlan | undefined,
  unchanged: (status: ApplyFixReport['status'], message: string) => ApplyFixReport,
): ApplyFixReport {
  const current =
    proposed.length > 0 ? ` The current fixes are: ${proposed.map((p) => `${p.id} (${p.summary})`).join('; ')}.` : '';
  if (expected && expected.id === fixId) {
    const same = proposed.find((p) => planTarget(p) === planTarget(expected));
    if (same) {
      return unchanged(
        'refused',
        `Stale plan: ${fixId} no longer matches the network (the fix for that blocker is now ${same.id}: ${same.summary}). Nothing was changed; review the new plan and apply it instead.`,
      );
    }
    const rest = before.reachable === true ? ' It is reachable now.' : current;
    return unchanged('already-in-place', `Already fixed by someone: that blocker is gone. Nothing was changed.${rest}`);
  }
  if (before.reachable === true) {
    return unchanged('already-in-place', `Already fixed by someone: it is reachable now. Nothing was changed.`);
  }
  return unchanged(
    'refused',
    `Stale plan: ${fixId} is not a fix of the current diagnosis (fixed already, changed since, or mistyped). Nothing was changed.${current || ' No fix is proposed now.'}`,
  );
}

export type { ApplyResult, UndoResult, UndoToken } from '../fix/index.js';
export { fixPlansOf } from './fix-order.js';

/** A verified undo token and what undoing it does, one line per change (derived from the verified steps). */
export interface ReadUndoToken {
  token: UndoToken;
  steps: string[];
  /** The region every step was made in, when they share one (the CLI reads that region). */
  region: string | undefined;
}

/**
 * Verifies an undo token (signature with `key`, shape, expiry): BAD_INPUT when it is forged, edited, garbled, made
 * with another key or expired. Nothing of an unverified token is ever shown.
 */
export function readUndoToken(text: string, key: Buffer, now: Date): ReadUndoToken {
  const token = verifyUndoToken(text, key, now);
  const regions = new Set(token.steps.map((s) => s.region));
  return { token, steps: token.steps.map(describeUndoStep), region: regions.size === 1 ? [...regions][0] : undefined };
}

/**
 * Reverses the changes of one fix command from its verified token: re-reads every step and undoes nothing unless all
 * are still what whyping left (`refused`, naming the step and why); otherwise undoes them in reverse order.
 */
export async function applyUndo(deps: Deps, token: UndoToken, actor: string): Promise<UndoResult> {
  return executeUndo(deps.clients.ec2, token, {
    actor,
    region: deps.region,
    logger: withInvestigation(deps).logger,
    ...(deps.clients.accounts ? { clientFor: (step: UndoStep) => clientForStep(deps, token, step) } : {}),
  });
}
