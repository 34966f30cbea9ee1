/** Fix plans as values: the narrowest change that unblocks, with an id derived from its content. */
import { createHash } from 'node:crypto';
import type { FindingCode, FixAction, FixPlan } from '../model/index.js';

/** Apply order: things other fixes depend on first (accept a peering, start an instance, attach a gateway). */
const ORDER: Record<FixAction['action'], number> = {
  AcceptVpcPeeringConnection: 1,
  CreateVpcPeeringConnection: 1,
  StartInstances: 1,
  CreateAndAttachInternetGateway: 1,
  AssociateTransitGatewayRouteTable: 2,
  EnableTransitGatewayRouteTablePropagation: 2,
  CreateTransitGatewayRoute: 2,
  AllocateAndAssociateAddress: 2,
  CreateRoute: 2,
  ReplaceRoute: 2,
  DisableSourceDestCheck: 2,
  AuthorizeSecurityGroupIngress: 3,
  AuthorizeSecurityGroupEgress: 3,
  CreateNetworkAclEntry: 3,
};

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

function undoText(a: FixAction): { undo: string; reversible: boolean } {
  switch (a.action) {
    case 'CreateRoute':
      return { undo: `DeleteRoute ${a.params.destinationCidrBlock} from ${a.params.routeTableId}`, reversible: true };
    case 'ReplaceRoute':
      return {
        undo: `ReplaceRoute ${a.params.destinationCidrBlock} in ${a.params.routeTableId} back to ${a.params.previousTarget ?? 'its previous target'}`,
        reversible: a.params.previousTarget !== undefined && a.params.previousTarget !== 'blackhole',
      };
    case 'AuthorizeSecurityGroupIngress':
      return { undo: `RevokeSecurityGroupIngress of the rule added to ${a.params.groupId}`, reversible: true };
    case 'AuthorizeSecurityGroupEgress':
      return { undo: `RevokeSecurityGroupEgress of the rule added to ${a.params.groupId}`, reversible: true };
    case 'AcceptVpcPeeringConnection':
      return {
        undo: `cannot be undone: accepting ${a.params.vpcPeeringConnectionId} is final (DeleteVpcPeeringConnection removes the peering altogether)`,
        reversible: false,
      };
    case 'CreateVpcPeeringConnection':
      return {
        undo: `DeleteVpcPeeringConnection of the new peering (its ${a.params.routes.length === 1 ? 'route becomes' : `${a.params.routes.length} routes become`} a blackhole again, as before)`,
        reversible: true,
      };
    case 'AllocateAndAssociateAddress':
      return { undo: 'DisassociateAddress, then ReleaseAddress of the new Elastic IP', reversible: true };
    case 'CreateNetworkAclEntry':
      return {
        undo: `DeleteNetworkAclEntry ${a.params.ruleNumber} (${a.params.egress ? 'outbound' : 'inbound'}) from ${a.params.networkAclId}`,
        reversible: true,
      };
    case 'CreateAndAttachInternetGateway': {
      const p = a.params;
      // A route that named a dead gateway cannot name it again: the undo deletes the route instead.
      const route = p.routeTableId
        ? `, then DeleteRoute ${p.destinationCidrBlock ?? '0.0.0.0/0'} from ${p.routeTableId}${p.previousTarget ? ` (its old target ${p.previousTarget} cannot be restored)` : ''}`
        : '';
      return {
        undo: `DetachInternetGateway from ${p.vpcId}, then DeleteInternetGateway${route} (AWS refuses the detach while instances of the VPC have public IPs)`,
        reversible: true,
      };
    }
    case 'AssociateTransitGatewayRouteTable':
      return {
        undo: `DisassociateTransitGatewayRouteTable ${a.params.transitGatewayAttachmentId} from ${a.params.transitGatewayRouteTableId}`,
        reversible: true,
      };
    case 'EnableTransitGatewayRouteTablePropagation':
      return {
        undo: `DisableTransitGatewayRouteTablePropagation of ${a.params.transitGatewayAttachmentId} into ${a.params.transitGatewayRouteTableId}`,
        reversible: true,
      };
    case 'CreateTransitGatewayRoute':
      return {
        undo: `DeleteTransitGatewayRoute ${a.params.destinationCidrBlock} from ${a.params.transitGatewayRouteTableId}`,
        reversible: true,
      };
    case 'StartInstances':
      return { undo: `StopInstances ${a.params.instanceId}`, reversible: true };
    case 'DisableSourceDestCheck':
      return {
        undo: `ModifyNetworkInterfaceAttribute ${a.params.networkInterfaceId} SourceDestCheck=true`,
        reversible: true,
      };
  }
}

/** Builds a complete plan from an action and a one-line summary. */
export function makeFix(
  code: FindingCode,
  resource: string,
  action: FixAction,
  summary: string,
  warnings: string[] = [],
): FixPlan {
  return {
    ...action,
    id: fixId(code, resource, action),
    order: ORDER[action.action],
    summary,
    ...undoText(action),
    ...(warnings.length > 0 ? { warnings } : {}),
  } as FixPlan;
}
