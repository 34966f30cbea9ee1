/**
 * Where a fix runs: in the account and region that own what it changes (accepting a peering as the accepter, a route
 * in the far side's table), through that account's fix role (WHYPING_ACCOUNT_FIX_ROLE) when it is not the home one.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { asWhypingError } from '../errors.js';
import type { UndoStep, UndoToken } from '../fix/index.js';
import type { FixPlan, Snapshot } from '../model/index.js';
import type { Deps } from './deps.js';

/** The account and region owning what `plan` changes, as the describe calls reported them (when they did). */
export function whereOfPlan(snapshot: Snapshot, plan: FixPlan): { account?: string; region?: string } {
  const p = plan.params as Record<string, unknown>;
  if (plan.action === 'AcceptVpcPeeringConnection') {
    // Only the accepter can accept, in the accepter's region.
    const pcx = snapshot.peeringConnections.get(plan.params.vpcPeeringConnectionId);
    return { account: pcx?.accepter.ownerId, region: pcx?.accepter.region ?? pcx?.region };
  }
  const firstRoute = plan.action === 'CreateVpcPeeringConnection' ? plan.params.routes[0]?.routeTableId : undefined;
  const owners: [unknown, { get(id: never): { accountId?: string; region?: string } | undefined }][] = [
    [p.routeTableId ?? firstRoute, snapshot.routeTables],
    [p.groupId, snapshot.securityGroups],
    [p.networkAclId, snapshot.networkAcls],
    [p.networkInterfaceId, snapshot.networkInterfaces],
    [p.instanceId, snapshot.instances],
    [p.vpcId, snapshot.vpcs],
    [p.transitGatewayRouteTableId, snapshot.transitGatewayRouteTables],
  ];
  for (const [id, map] of owners) {
    const o = typeof id === 'string' ? map.get(id as never) : undefined;
    if (o) return { account: o.accountId, region: o.region };
  }
  return {};
}

/** The client a plan runs with, or why none can be had (no fix role for its account). */
export function clientForPlan(
  deps: Deps,
  snapshot: Snapshot,
  plan: FixPlan,
  homeAccount: string | null,
): { ec2: EC2Client; account: string | undefined; region: string } | { refused: string } {
  const w = whereOfPlan(snapshot, plan);
  const region = w.region ?? deps.region;
  const accounts = deps.clients.accounts;
  const home = !w.account || !homeAccount || w.account === homeAccount;
  if (!accounts || (home && region === deps.region)) return { ec2: deps.clients.ec2, account: w.account, region };
  try {
    const ec2 = home ? accounts.home(region) : accounts.other({ account: w.account as string, region }, 'fix');
    return { ec2, account: w.account, region };
  } catch (e) {
    return {
      refused: `${plan.summary}: not applied in account ${w.account} (${region}) — ${asWhypingError(e).message}.`,
    };
  }
}

/**
 * The client an undo step runs with: the one the fix used — the default credentials for the home account (the token's
 * `home`, or every step when it names none), the fix role of any other account — in the step's region.
 */
export function clientForStep(deps: Deps, token: UndoToken, step: UndoStep): EC2Client | { refused: string } {
  const accounts = deps.clients.accounts;
  const home = !token.home || step.account === token.home || step.account === 'unknown';
  if (home && step.region === deps.region) return deps.clients.ec2;
  if (!accounts) return { refused: `it was made in ${step.region}: run the undo with --region ${step.region}` };
  try {
    return home ? accounts.home(step.region) : accounts.other({ account: step.account, region: step.region }, 'fix');
  } catch (e) {
    return { refused: `account ${step.account} (${step.region}): ${asWhypingError(e).message}` };
  }
}
