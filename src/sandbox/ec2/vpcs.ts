/** VPCs: DescribeVpcs. */
import type { Vpc } from '@aws-sdk/client-ec2';
import type { Handler } from '../context.js';
import { byId, describe } from './describe.js';

const vpcs = describe<Vpc>({
  op: 'DescribeVpcs',
  outputKey: 'Vpcs',
  items: (s) => s.docs.Vpcs,
  ids: {
    param: 'VpcIds',
    of: (v) => v.VpcId,
    prefix: 'vpc',
    malformed: 'InvalidVpcID.Malformed',
    notFound: byId('vpc', 'InvalidVpcID.NotFound'),
  },
  fields: (v) => ({
    'vpc-id': v.VpcId,
    cidr: v.CidrBlock,
    'cidr-block-association.cidr-block': v.CidrBlockAssociationSet?.map((a) => a.CidrBlock) ?? v.CidrBlock,
    'cidr-block-association.association-id': v.CidrBlockAssociationSet?.map((a) => a.AssociationId),
    'cidr-block-association.state': v.CidrBlockAssociationSet?.map((a) => a.CidrBlockState?.State),
    'ipv6-cidr-block-association.ipv6-cidr-block': v.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlock),
    'dhcp-options-id': v.DhcpOptionsId,
    'is-default': v.IsDefault ?? false,
    'owner-id': v.OwnerId,
    state: v.State,
  }),
  limits: { min: 5, max: 1000 },
});

/** The operations this noun answers, by command name. */
export const vpcHandlers = {
  DescribeVpcs: vpcs,
} satisfies Record<string, Handler>;
