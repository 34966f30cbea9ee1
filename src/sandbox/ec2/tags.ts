/** Tags on any resource: Create/DeleteTags (an ENI keeps its tags in `TagSet`). */
import type { Tag } from '@aws-sdk/client-ec2';
import type { Handler, Input, OpContext } from '../context.js';
import type { SandboxState } from '../state.js';
import { dryRunGate } from './write.js';

/** Finds the object a tag write names, with the NotFound error AWS gives for its kind. */
function taggable(s: SandboxState, id: string): { Tags?: Tag[]; TagSet?: Tag[] } | { notFound: [string, string] } {
  const d = s.docs;
  const lookups: [string, () => { Tags?: Tag[]; TagSet?: Tag[] } | undefined, string, string][] = [
    ['vpc-', () => d.Vpcs.find((x) => x.VpcId === id), 'InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`],
    [
      'subnet-',
      () => d.Subnets.find((x) => x.SubnetId === id),
      'InvalidSubnetID.NotFound',
      `The subnet ID '${id}' does not exist`,
    ],
    [
      'rtb-',
      () => d.RouteTables.find((x) => x.RouteTableId === id),
      'InvalidRouteTableID.NotFound',
      `The routeTable ID '${id}' does not exist`,
    ],
    [
      'sgr-',
      () => s.securityGroupRules.find((x) => x.SecurityGroupRuleId === id),
      'InvalidSecurityGroupRuleId.NotFound',
      `The security group rule ID '${id}' does not exist`,
    ],
    [
      'sg-',
      () => d.SecurityGroups.find((x) => x.GroupId === id),
      'InvalidGroup.NotFound',
      `The security group '${id}' does not exist`,
    ],
    [
      'acl-',
      () => d.NetworkAcls.find((x) => x.NetworkAclId === id),
      'InvalidNetworkAclID.NotFound',
      `The network ACL ID '${id}' does not exist`,
    ],
    [
      'eni-',
      () => d.NetworkInterfaces.find((x) => x.NetworkInterfaceId === id),
      'InvalidNetworkInterfaceID.NotFound',
      `The networkInterface ID '${id}' does not exist`,
    ],
    [
      'i-',
      () => s.instances().find((x) => x.InstanceId === id),
      'InvalidInstanceID.NotFound',
      `The instance ID '${id}' does not exist`,
    ],
    [
      'igw-',
      () => d.InternetGateways.find((x) => x.InternetGatewayId === id),
      'InvalidInternetGatewayID.NotFound',
      `The internetGateway ID '${id}' does not exist`,
    ],
    [
      'nat-',
      () => d.NatGateways.find((x) => x.NatGatewayId === id),
      'NatGatewayNotFound',
      `The Nat Gateway ${id} was not found`,
    ],
    [
      'pcx-',
      () => d.VpcPeeringConnections.find((x) => x.VpcPeeringConnectionId === id),
      'InvalidVpcPeeringConnectionID.NotFound',
      `The vpcPeeringConnection ID '${id}' does not exist`,
    ],
    [
      'eipalloc-',
      () => d.Addresses.find((x) => x.AllocationId === id),
      'InvalidAllocationID.NotFound',
      `The allocation ID '${id}' does not exist`,
    ],
    [
      'tgw-attach-',
      () => d.TransitGatewayAttachments.find((x) => x.TransitGatewayAttachmentId === id),
      'InvalidTransitGatewayAttachmentID.NotFound',
      `The transitGatewayAttachment ID '${id}' does not exist`,
    ],
    [
      'tgw-rtb-',
      () => d.TransitGatewayRouteTables.find((x) => x.TransitGatewayRouteTableId === id),
      'InvalidRouteTableID.NotFound',
      `The transitGatewayRouteTable ID '${id}' does not exist`,
    ],
    [
      'tgw-',
      () => d.TransitGateways.find((x) => x.TransitGatewayId === id),
      'InvalidTransitGatewayID.NotFound',
      `Transit Gateway ${id} was deleted or does not exist.`,
    ],
    [
      'vpce-',
      () => d.VpcEndpoints.find((x) => x.VpcEndpointId === id),
      'InvalidVpcEndpointId.NotFound',
      `The Vpc Endpoint Id '${id}' does not exist`,
    ],
  ];
  for (const [prefix, find, code, message] of lookups) {
    if (id.startsWith(prefix)) return find() ?? { notFound: [code, message] };
  }
  return { notFound: ['InvalidID', `The ID '${id}' is not valid`] };
}

function tagTargets(input: Input, ctx: OpContext) {
  const resources = (input.Resources as string[] | undefined) ?? [];
  return resources.map((id) => {
    const t = taggable(ctx.state, id);
    if ('notFound' in t) return ctx.fail(...t.notFound);
    return { id, t };
  });
}

function tagList(obj: { Tags?: Tag[]; TagSet?: Tag[] }, id: string): Tag[] {
  if (id.startsWith('eni-')) {
    obj.TagSet ??= [];
    return obj.TagSet;
  }
  obj.Tags ??= [];
  return obj.Tags;
}

const createTags: Handler = (input: Input, ctx: OpContext) => {
  const targets = tagTargets(input, ctx);
  dryRunGate(input, ctx);
  for (const { id, t } of targets) {
    const list = tagList(t, id);
    for (const tag of (input.Tags as Tag[] | undefined) ?? []) {
      const at = list.findIndex((x) => x.Key === tag.Key);
      if (at >= 0) list[at] = { Key: tag.Key, Value: tag.Value ?? '' };
      else list.push({ Key: tag.Key, Value: tag.Value ?? '' });
    }
    // DescribeInstances embeds ENIs; keep the instance's copy of a tagged ENI in step is not needed (AWS omits ENI tags there).
  }
  return {};
};

const deleteTags: Handler = (input: Input, ctx: OpContext) => {
  const targets = tagTargets(input, ctx);
  dryRunGate(input, ctx);
  const doomed = (input.Tags as Tag[] | undefined) ?? [];
  for (const { id, t } of targets) {
    const list = tagList(t, id);
    const keep = list.filter(
      (x) => !doomed.some((d) => d.Key === x.Key && (d.Value === undefined || d.Value === x.Value)),
    );
    list.splice(0, list.length, ...keep);
  }
  return {};
};

/** The operations this noun answers, by command name. */
export const tagHandlers = {
  CreateTags: createTags,
  DeleteTags: deleteTags,
} satisfies Record<string, Handler>;
