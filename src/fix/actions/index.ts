/**
 * The fix actions, one file per AWS noun, each holding its executors (apply) and, per kind of change it makes, how
 * that change is described, re-read before an undo (verify) and reversed (undo). These tables are what
 * `executeFix` and `executeUndo` dispatch on; the spec of each action (apply order, undo text, reversible, the object
 * it changes) is src/engine/fix-specs.ts.
 */
import type { FixAction, Snapshot } from '../../model/index.js';
import type { UndoChange } from '../undo.js';
import { elasticIpApplies, elasticIpUndos } from './elastic-ips.js';
import { instanceApplies, instanceUndos } from './instances.js';
import { internetGatewayApplies, internetGatewayUndos } from './internet-gateways.js';
import { networkAclApplies, networkAclUndos } from './network-acl-entries.js';
import { networkInterfaceApplies, networkInterfaceUndos } from './network-interfaces.js';
import { peeringApplies, peeringUndos } from './peering.js';
import { routeApplies, routeUndos } from './routes.js';
import { securityGroupApplies, securityGroupUndos } from './security-group-rules.js';
import type { Applies, UndoSpecs } from './shared.js';
import { transitGatewayApplies, transitGatewayUndos } from './transit-gateways.js';

export { EIP_TARGET_TAG } from './elastic-ips.js';
export { routeTargetOf } from './routes.js';
export * from './shared.js';

/** The executor of every fix action. */
export const APPLY = {
  ...routeApplies,
  ...securityGroupApplies,
  ...peeringApplies,
  ...elasticIpApplies,
  ...networkAclApplies,
  ...internetGatewayApplies,
  ...instanceApplies,
  ...networkInterfaceApplies,
  ...transitGatewayApplies,
} satisfies Applies<FixAction['action']>;

/** Describe, verify and undo for every kind of change a fix makes. */
export const UNDO = {
  ...routeUndos,
  ...securityGroupUndos,
  ...peeringUndos,
  ...elasticIpUndos,
  ...networkAclUndos,
  ...internetGatewayUndos,
  ...instanceUndos,
  ...networkInterfaceUndos,
  ...transitGatewayUndos,
} satisfies UndoSpecs<UndoChange['kind']>;

/** The account that owns the object a change touches, as the snapshot the fix was applied to reports it (OwnerId). */
export function ownerOfChange(snapshot: Snapshot, c: UndoChange): string | undefined {
  if (!Object.hasOwn(UNDO, c.kind)) return String(c);
  // The kind pairs the change with its spec; TypeScript cannot follow that through the table by itself.
  const owner = UNDO[c.kind].owner as (s: Snapshot, c: UndoChange) => string | undefined;
  return owner(snapshot, c);
}
