/** VPC peering connections: DescribeVpcPeeringConnections and Create/Accept/DeleteVpcPeeringConnection. */
import type { VpcPeeringConnection } from '@aws-sdk/client-ec2';
import type { Handler, Input, OpContext } from '../context.js';
import { reviveDates } from '../dates.js';
import { byId, describe } from './describe.js';
import { refreshRoutesTo } from './route-tables.js';
import { dryRunGate, tagsFor } from './write.js';

const peeringConnections = describe<VpcPeeringConnection>({
  op: 'DescribeVpcPeeringConnections',
  outputKey: 'VpcPeeringConnections',
  items: (s) => s.docs.VpcPeeringConnections,
  ids: {
    param: 'VpcPeeringConnectionIds',
    of: (v) => v.VpcPeeringConnectionId,
    prefix: 'pcx',
    malformed: 'InvalidVpcPeeringConnectionId.Malformed',
    notFound: byId('vpcPeeringConnection', 'InvalidVpcPeeringConnectionID.NotFound'),
  },
  fields: (p) => ({
    'vpc-peering-connection-id': p.VpcPeeringConnectionId,
    'status-code': p.Status?.Code,
    'status-message': p.Status?.Message,
    'expiration-time': p.ExpirationTime,
    'requester-vpc-info.vpc-id': p.RequesterVpcInfo?.VpcId,
    'requester-vpc-info.owner-id': p.RequesterVpcInfo?.OwnerId,
    'requester-vpc-info.cidr-block': p.RequesterVpcInfo?.CidrBlock,
    'accepter-vpc-info.vpc-id': p.AccepterVpcInfo?.VpcId,
    'accepter-vpc-info.owner-id': p.AccepterVpcInfo?.OwnerId,
    'accepter-vpc-info.cidr-block': p.AccepterVpcInfo?.CidrBlock,
  }),
  limits: { min: 5, max: 1000 },
});

// ---- peering ----

const acceptPeering: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const id = input.VpcPeeringConnectionId as string;
  const pcx = s.docs.VpcPeeringConnections.find((p) => p.VpcPeeringConnectionId === id);
  if (!pcx)
    return ctx.fail('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${id}' does not exist`);
  const accepterOwner = pcx.AccepterVpcInfo?.OwnerId;
  if (accepterOwner && accepterOwner !== s.accountId) {
    ctx.fail('OperationNotPermitted', `User ${s.accountId} cannot accept peering ${id}`);
  }
  dryRunGate(input, ctx);
  const from = pcx.Status?.Code ?? 'unknown';
  if (from !== 'pending-acceptance') {
    ctx.fail(
      'InvalidStateTransition',
      `Invalid state transition for ${id}, attempted to transition from ${from} to provisioning`,
    );
  }
  // AWS goes pending-acceptance → provisioning → active within seconds; the sandbox lands on active at once.
  pcx.Status = { Code: 'active', Message: 'Active' };
  delete pcx.ExpirationTime;
  // CIDR information is only returned while a peering is active.
  for (const side of [pcx.RequesterVpcInfo, pcx.AccepterVpcInfo]) {
    if (!side) continue;
    const vpc = s.docs.Vpcs.find((v) => v.VpcId === side.VpcId);
    if (!vpc) continue;
    side.CidrBlock = vpc.CidrBlock;
    side.CidrBlockSet = (vpc.CidrBlockAssociationSet ?? [{ CidrBlock: vpc.CidrBlock }]).map((a) => ({
      CidrBlock: a.CidrBlock,
    }));
    side.PeeringOptions = {
      AllowDnsResolutionFromRemoteVpc: false,
      AllowEgressFromLocalClassicLinkToRemoteVpc: false,
      AllowEgressFromLocalVpcToRemoteClassicLink: false,
    };
    side.Region ??= s.region;
  }
  refreshRoutesTo(s, id);
  // The answer shows the state AWS reports at that moment (provisioning); the next read already sees active.
  return { VpcPeeringConnection: reviveDates({ ...pcx, Status: { Code: 'provisioning', Message: 'Provisioning' } }) };
};

const createPeering: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const vpcOf = (id: unknown) => {
    const v = s.docs.Vpcs.find((x) => x.VpcId === id);
    if (!v) return ctx.fail('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
    return v;
  };
  const requester = vpcOf(input.VpcId);
  const peerOwner = (input.PeerOwnerId as string | undefined) ?? s.accountId;
  const peerRegion = (input.PeerRegion as string | undefined) ?? s.region;
  // Another account's or region's VPC is not in this account's state: only the id is known.
  const accepter = peerOwner === s.accountId && peerRegion === s.region ? vpcOf(input.PeerVpcId) : undefined;
  dryRunGate(input, ctx);
  const cidrs = (v: typeof requester) => ({
    CidrBlock: v.CidrBlock,
    CidrBlockSet: (v.CidrBlockAssociationSet ?? [{ CidrBlock: v.CidrBlock }]).map((a) => ({ CidrBlock: a.CidrBlock })),
  });
  const pcx: VpcPeeringConnection = {
    VpcPeeringConnectionId: s.ids.id('pcx'),
    RequesterVpcInfo: { OwnerId: s.accountId, VpcId: requester.VpcId, Region: s.region, ...cidrs(requester) },
    AccepterVpcInfo: { OwnerId: peerOwner, VpcId: accepter?.VpcId ?? (input.PeerVpcId as string), Region: peerRegion },
    Status: { Code: 'pending-acceptance', Message: `Pending Acceptance by ${peerOwner}` },
    Tags: tagsFor(input.TagSpecifications, 'vpc-peering-connection'),
  };
  s.docs.VpcPeeringConnections.push(pcx);
  // AWS answers `initiating-request`; the request is pending acceptance a moment later (at once, here).
  return {
    VpcPeeringConnection: structuredClone({
      ...pcx,
      Status: { Code: 'initiating-request', Message: 'Initiating Request' },
    }),
  };
};

const deletePeering: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const id = input.VpcPeeringConnectionId as string;
  const pcx = s.docs.VpcPeeringConnections.find((p) => p.VpcPeeringConnectionId === id);
  if (!pcx || pcx.Status?.Code === 'deleted')
    return ctx.fail('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${id}' does not exist`);
  dryRunGate(input, ctx);
  pcx.Status = { Code: 'deleted', Message: `Deleted by ${s.accountId}` };
  refreshRoutesTo(s, id);
  return { Return: true };
};

/** The operations this noun answers, by command name. */
export const peeringConnectionHandlers = {
  DescribeVpcPeeringConnections: peeringConnections,
  AcceptVpcPeeringConnection: acceptPeering,
  CreateVpcPeeringConnection: createPeering,
  DeleteVpcPeeringConnection: deletePeering,
} satisfies Record<string, Handler>;
