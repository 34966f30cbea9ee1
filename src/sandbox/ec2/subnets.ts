/** Subnets: DescribeSubnets. */
import type { Subnet } from '@aws-sdk/client-ec2';
import type { Handler } from '../context.js';
import { byId, describe } from './describe.js';

const subnets = describe<Subnet>({
  op: 'DescribeSubnets',
  outputKey: 'Subnets',
  items: (s) => s.docs.Subnets,
  ids: {
    param: 'SubnetIds',
    of: (v) => v.SubnetId,
    prefix: 'subnet',
    malformed: 'InvalidSubnetID.Malformed',
    notFound: byId('subnet', 'InvalidSubnetID.NotFound'),
  },
  fields: (v) => ({
    'subnet-id': v.SubnetId,
    'vpc-id': v.VpcId,
    'cidr-block': v.CidrBlock,
    cidr: v.CidrBlock,
    cidrBlock: v.CidrBlock,
    'availability-zone': v.AvailabilityZone,
    'availability-zone-id': v.AvailabilityZoneId,
    'default-for-az': v.DefaultForAz ?? false,
    'map-public-ip-on-launch': v.MapPublicIpOnLaunch ?? false,
    'owner-id': v.OwnerId,
    state: v.State,
    'subnet-arn': v.SubnetArn,
    'ipv6-cidr-block-association.ipv6-cidr-block': v.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlock),
  }),
  limits: { min: 5, max: 1000 },
});

/** The operations this noun answers, by command name. */
export const subnetHandlers = {
  DescribeSubnets: subnets,
} satisfies Record<string, Handler>;
