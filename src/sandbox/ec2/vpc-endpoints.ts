/** VPC endpoints: DescribeVpcEndpoints. */
import type { VpcEndpoint } from '@aws-sdk/client-ec2';
import type { Handler } from '../context.js';
import { describe } from './describe.js';

const vpcEndpoints = describe<VpcEndpoint>({
  op: 'DescribeVpcEndpoints',
  outputKey: 'VpcEndpoints',
  items: (s) => s.docs.VpcEndpoints,
  ids: {
    param: 'VpcEndpointIds',
    of: (v) => v.VpcEndpointId,
    notFound: (m) => ['InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${m.join(', ')}' does not exist`],
  },
  fields: (e) => ({
    'vpc-endpoint-id': e.VpcEndpointId,
    'vpc-id': e.VpcId,
    'service-name': e.ServiceName,
    'vpc-endpoint-state': e.State,
    'vpc-endpoint-type': e.VpcEndpointType,
    'ip-address-type': e.IpAddressType,
  }),
  limits: { min: 1, max: 1000 },
});

/** The operations this noun answers, by command name. */
export const vpcEndpointHandlers = {
  DescribeVpcEndpoints: vpcEndpoints,
} satisfies Record<string, Handler>;
