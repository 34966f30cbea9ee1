/**
 * Internet gateways: DescribeInternetGateways, DescribeEgressOnlyInternetGateways and
 * Create/Attach/Detach/DeleteInternetGateway.
 */
import type { InternetGateway, Tag } from '@aws-sdk/client-ec2';
import type { Handler, Input, OpContext } from '../context.js';
import { byId, describe } from './describe.js';
import { refreshRoutesTo } from './route-tables.js';
import { dryRunGate, tagsFor } from './write.js';

const internetGateways = describe<InternetGateway>({
  op: 'DescribeInternetGateways',
  outputKey: 'InternetGateways',
  items: (s) => s.docs.InternetGateways,
  ids: {
    param: 'InternetGatewayIds',
    of: (v) => v.InternetGatewayId,
    prefix: 'igw',
    malformed: 'InvalidInternetGatewayID.Malformed',
    notFound: byId('internetGateway', 'InvalidInternetGatewayID.NotFound'),
  },
  fields: (g) => ({
    'internet-gateway-id': g.InternetGatewayId,
    'owner-id': g.OwnerId,
    'attachment.vpc-id': (g.Attachments ?? []).map((a) => a.VpcId),
    'attachment.state': (g.Attachments ?? []).map((a) => a.State),
  }),
  limits: { min: 5, max: 1000 },
});

const egressOnlyInternetGateways = describe<Record<string, unknown>>({
  op: 'DescribeEgressOnlyInternetGateways',
  outputKey: 'EgressOnlyInternetGateways',
  items: (s) => s.docs.EgressOnlyInternetGateways,
  ids: {
    param: 'EgressOnlyInternetGatewayIds',
    of: (v) => v.EgressOnlyInternetGatewayId as string,
    notFound: byId('egressOnlyInternetGateway', 'InvalidGatewayID.NotFound'),
  },
  fields: (g) => ({ 'egress-only-internet-gateway-id': g.EgressOnlyInternetGatewayId }),
  tags: (g) => g.Tags as Tag[] | undefined,
  limits: { min: 5, max: 255 },
});

// ---- internet gateways ----

const createIgw: Handler = (input: Input, ctx: OpContext) => {
  dryRunGate(input, ctx);
  const s = ctx.state;
  const igw = {
    Attachments: [],
    InternetGatewayId: s.ids.id('igw'),
    OwnerId: s.accountId,
    Tags: tagsFor(input.TagSpecifications, 'internet-gateway'),
  };
  s.docs.InternetGateways.push(igw);
  return { InternetGateway: structuredClone(igw) };
};

function igwAndVpc(input: Input, ctx: OpContext) {
  const igw = ctx.state.docs.InternetGateways.find((g) => g.InternetGatewayId === input.InternetGatewayId);
  if (!igw)
    return ctx.fail(
      'InvalidInternetGatewayID.NotFound',
      `The internetGateway ID '${input.InternetGatewayId}' does not exist`,
    );
  const vpc = ctx.state.docs.Vpcs.find((v) => v.VpcId === input.VpcId);
  if (!vpc) return ctx.fail('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
  return { igw, vpc };
}

const attachIgw: Handler = (input: Input, ctx: OpContext) => {
  const { igw, vpc } = igwAndVpc(input, ctx);
  dryRunGate(input, ctx);
  const s = ctx.state;
  if ((igw.Attachments ?? []).length > 0) {
    ctx.fail(
      'Resource.AlreadyAssociated',
      `resource ${igw.InternetGatewayId} is already attached to network ${igw.Attachments?.[0]?.VpcId}`,
    );
  }
  const other = s.docs.InternetGateways.find((g) => g.Attachments?.some((a) => a.VpcId === vpc.VpcId));
  if (other) {
    ctx.fail(
      'Resource.AlreadyAssociated',
      `resource ${vpc.VpcId} is already attached to network ${other.InternetGatewayId}`,
    );
  }
  // describe-internet-gateways shows attached gateways as `available` (not the `attached` of the SDK enum).
  igw.Attachments = [{ State: 'available' as never, VpcId: vpc.VpcId }];
  refreshRoutesTo(s, igw.InternetGatewayId ?? '');
  return {};
};

const detachIgw: Handler = (input: Input, ctx: OpContext) => {
  const { igw, vpc } = igwAndVpc(input, ctx);
  dryRunGate(input, ctx);
  const s = ctx.state;
  if (!igw.Attachments?.some((a) => a.VpcId === vpc.VpcId)) {
    ctx.fail('Gateway.NotAttached', `resource ${igw.InternetGatewayId} is not attached to network ${vpc.VpcId}`);
  }
  const mapped = s.docs.NetworkInterfaces.some((n) => n.VpcId === vpc.VpcId && n.Association?.PublicIp);
  if (mapped) {
    ctx.fail(
      'DependencyViolation',
      `Network ${vpc.VpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
    );
  }
  igw.Attachments = [];
  refreshRoutesTo(s, igw.InternetGatewayId ?? '');
  return {};
};

const deleteIgw: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const igw = s.docs.InternetGateways.find((g) => g.InternetGatewayId === input.InternetGatewayId);
  if (!igw)
    return ctx.fail(
      'InvalidInternetGatewayID.NotFound',
      `The internetGateway ID '${input.InternetGatewayId}' does not exist`,
    );
  dryRunGate(input, ctx);
  if ((igw.Attachments ?? []).length > 0) {
    ctx.fail(
      'DependencyViolation',
      `The internetGateway '${igw.InternetGatewayId}' has dependencies and cannot be deleted.`,
    );
  }
  s.docs.InternetGateways = s.docs.InternetGateways.filter((g) => g !== igw);
  return {};
};

/** The operations this noun answers, by command name. */
export const internetGatewayHandlers = {
  DescribeInternetGateways: internetGateways,
  DescribeEgressOnlyInternetGateways: egressOnlyInternetGateways,
  CreateInternetGateway: createIgw,
  AttachInternetGateway: attachIgw,
  DetachInternetGateway: detachIgw,
  DeleteInternetGateway: deleteIgw,
} satisfies Record<string, Handler>;
