/**
 * One spec per fix action: its apply order, whether it can be undone, the undo a person is told about before
 * confirming, and the object it changes (how a changed plan for the same blocker is recognised). The executor, the
 * re-read before an undo and the undo calls of each action are in src/fix/actions/<noun>.ts.
 */
import type { FixAction, FixParams } from '../model/index.js';

/** What one fix action means, apart from the EC2 calls that make it. */
export interface FixSpec<P> {
  /** Apply order: things other fixes depend on first (accept a peering, start an instance, attach a gateway). */
  order: 1 | 2 | 3;
  /** False when the change has no inverse (accepting a peering): the confirmation says so. */
  reversible: boolean | ((p: P) => boolean);
  /** How the change is undone, or why it cannot be, shown before confirming. */
  undoText: (p: P) => string;
  /** The object the plan changes and the kind of change: the same target with other parameters is a stale plan. */
  target: (p: P) => string;
}

/** The spec of every fix action. */
export const FIX_SPECS = {
  CreateRoute: {
    order: 2,
    reversible: true,
    undoText: (p) => `DeleteRoute ${p.destinationCidrBlock} from ${p.routeTableId}`,
    target: (p) => `route:${p.routeTableId}:${p.destinationCidrBlock}`,
  },
  ReplaceRoute: {
    order: 2,
    reversible: (p) => p.previousTarget !== undefined && p.previousTarget !== 'blackhole',
    undoText: (p) =>
      `ReplaceRoute ${p.destinationCidrBlock} in ${p.routeTableId} back to ${p.previousTarget ?? 'its previous target'}`,
    target: (p) => `route:${p.routeTableId}:${p.destinationCidrBlock}`,
  },
  AuthorizeSecurityGroupIngress: {
    order: 3,
    reversible: true,
    undoText: (p) => `RevokeSecurityGroupIngress of the rule added to ${p.groupId}`,
    target: (p) => `AuthorizeSecurityGroupIngress:${p.groupId}`,
  },
  AuthorizeSecurityGroupEgress: {
    order: 3,
    reversible: true,
    undoText: (p) => `RevokeSecurityGroupEgress of the rule added to ${p.groupId}`,
    target: (p) => `AuthorizeSecurityGroupEgress:${p.groupId}`,
  },
  AcceptVpcPeeringConnection: {
    order: 1,
    reversible: false,
    undoText: (p) =>
      `cannot be undone: accepting ${p.vpcPeeringConnectionId} is final (DeleteVpcPeeringConnection removes the peering altogether)`,
    target: (p) => `AcceptVpcPeeringConnection:${p.vpcPeeringConnectionId}`,
  },
  CreateVpcPeeringConnection: {
    order: 1,
    reversible: true,
    undoText: (p) =>
      `DeleteVpcPeeringConnection of the new peering (its ${p.routes.length === 1 ? 'route becomes' : `${p.routes.length} routes become`} a blackhole again, as before)`,
    target: (p) => `CreateVpcPeeringConnection:${[p.vpcId, p.peerVpcId].sort().join(':')}`,
  },
  AllocateAndAssociateAddress: {
    order: 2,
    reversible: true,
    undoText: () => 'DisassociateAddress, then ReleaseAddress of the new Elastic IP',
    target: (p) => `AllocateAndAssociateAddress:${p.networkInterfaceId}`,
  },
  CreateNetworkAclEntry: {
    order: 3,
    reversible: true,
    undoText: (p) =>
      `DeleteNetworkAclEntry ${p.ruleNumber} (${p.egress ? 'outbound' : 'inbound'}) from ${p.networkAclId}`,
    target: (p) => `CreateNetworkAclEntry:${p.networkAclId}:${p.egress}`,
  },
  CreateAndAttachInternetGateway: {
    order: 1,
    reversible: true,
    undoText: (p) => {
      // A route that named a dead gateway cannot name it again: the undo deletes the route instead.
      const route = p.routeTableId
        ? `, then DeleteRoute ${p.destinationCidrBlock ?? '0.0.0.0/0'} from ${p.routeTableId}${p.previousTarget ? ` (its old target ${p.previousTarget} cannot be restored)` : ''}`
        : '';
      return `DetachInternetGateway from ${p.vpcId}, then DeleteInternetGateway${route} (AWS refuses the detach while instances of the VPC have public IPs)`;
    },
    target: (p) => `CreateAndAttachInternetGateway:${p.vpcId}`,
  },
  AssociateTransitGatewayRouteTable: {
    order: 2,
    reversible: true,
    undoText: (p) =>
      `DisassociateTransitGatewayRouteTable ${p.transitGatewayAttachmentId} from ${p.transitGatewayRouteTableId}`,
    target: (p) => `AssociateTransitGatewayRouteTable:${p.transitGatewayAttachmentId}`,
  },
  EnableTransitGatewayRouteTablePropagation: {
    order: 2,
    reversible: true,
    undoText: (p) =>
      `DisableTransitGatewayRouteTablePropagation of ${p.transitGatewayAttachmentId} into ${p.transitGatewayRouteTableId}`,
    target: (p) =>
      `EnableTransitGatewayRouteTablePropagation:${p.transitGatewayRouteTableId}:${p.transitGatewayAttachmentId}`,
  },
  CreateTransitGatewayRoute: {
    order: 2,
    reversible: true,
    undoText: (p) => `DeleteTransitGatewayRoute ${p.destinationCidrBlock} from ${p.transitGatewayRouteTableId}`,
    target: (p) => `tgw-route:${p.transitGatewayRouteTableId}:${p.destinationCidrBlock}`,
  },
  StartInstances: {
    order: 1,
    reversible: true,
    undoText: (p) => `StopInstances ${p.instanceId}`,
    target: (p) => `StartInstances:${p.instanceId}`,
  },
  DisableSourceDestCheck: {
    order: 2,
    reversible: true,
    undoText: (p) => `ModifyNetworkInterfaceAttribute ${p.networkInterfaceId} SourceDestCheck=true`,
    target: (p) => `DisableSourceDestCheck:${p.networkInterfaceId}`,
  },
} satisfies { [A in FixAction['action']]: FixSpec<FixParams<A>> };

/** The spec of an action, applied to its parameters. */
export function fixSpecOf(a: FixAction): { order: number; reversible: boolean; undo: string; target: string } {
  // The action pairs the parameters with their spec; TypeScript cannot follow that through the table by itself.
  const spec = FIX_SPECS[a.action] as FixSpec<FixAction['params']>;
  const reversible = typeof spec.reversible === 'function' ? spec.reversible(a.params) : spec.reversible;
  return { order: spec.order, reversible, undo: spec.undoText(a.params), target: spec.target(a.params) };
}
