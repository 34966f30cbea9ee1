/** NAT gateways: DescribeNatGateways (which names its filters `Filter`). */
import type { NatGateway } from '@aws-sdk/client-ec2';
import type { Handler } from '../context.js';
import { describe } from './describe.js';

const natGateways = describe<NatGateway>({
  op: 'DescribeNatGateways',
  outputKey: 'NatGateways',
  items: (s) => s.docs.NatGateways,
  ids: {
    param: 'NatGatewayIds',
    of: (v) => v.NatGatewayId,
    notFound: (m) => ['NatGatewayNotFound', `The Nat Gateway ${m.join(', ')} was not found`],
  },
  filterParam: 'Filter',
  fields: (n) => ({ 'nat-gateway-id': n.NatGatewayId, state: n.State, 'subnet-id': n.SubnetId, 'vpc-id': n.VpcId }),
  limits: { min: 5, max: 1000 },
});

/** The operations this noun answers, by command name. */
export const natGatewayHandlers = {
  DescribeNatGateways: natGateways,
} satisfies Record<string, Handler>;
