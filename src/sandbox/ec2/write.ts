/**
 * What every EC2 write shares: the DryRun gate, tags on create, and the lookups that fail with AWS's NotFound codes.
 * Every write honours DryRun: after the permission and existence checks, a DryRun request that would succeed throws
 * `DryRunOperation` (AWS checks permissions and the resources named, not conflicts such as a duplicate route).
 */
import type { Instance, NetworkInterface, RouteTable, Tag, TagSpecification } from '@aws-sdk/client-ec2';
import type { Input, OpContext } from '../context.js';
import type { SecurityGroupShell } from '../state.js';

export function isAttached(state: string | undefined): boolean {
  return state === 'available' || state === 'attached';
}

/** Throws DryRunOperation when the request is a dry run (call after the checks AWS makes before it). */
export function dryRunGate(input: Input, ctx: OpContext): void {
  if (input.DryRun === true) ctx.fail('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
}

export function tagsFor(specs: TagSpecification[] | undefined, type: string): Tag[] {
  return (specs ?? []).filter((s) => s.ResourceType === type).flatMap((s) => s.Tags ?? []);
}

export function routeTable(ctx: OpContext, id: string | undefined): RouteTable {
  const t = ctx.state.docs.RouteTables.find((r) => r.RouteTableId === id);
  if (!t) return ctx.fail('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
  return t;
}

export function securityGroup(ctx: OpContext, id: string | undefined): SecurityGroupShell {
  const g = ctx.state.docs.SecurityGroups.find((x) => x.GroupId === id);
  if (!g) return ctx.fail('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  return g;
}

export function instance(ctx: OpContext, id: string | undefined): Instance {
  const i = ctx.state.instances().find((x) => x.InstanceId === id);
  if (!i) return ctx.fail('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  return i;
}

export function eni(ctx: OpContext, id: string | undefined): NetworkInterface {
  const n = ctx.state.docs.NetworkInterfaces.find((x) => x.NetworkInterfaceId === id);
  if (!n) return ctx.fail('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);
  return n;
}
