/**
 * The sandbox's EC2: one file per AWS noun, each holding that noun's Describe answer and its writes
 * (route-tables.ts answers DescribeRouteTables and Create/Replace/DeleteRoute).
 */
import type { Handler } from '../context.js';
import { addressHandlers } from './addresses.js';
import { instanceHandlers } from './instances.js';
import { internetGatewayHandlers } from './internet-gateways.js';
import { natGatewayHandlers } from './nat-gateways.js';
import { networkAclHandlers } from './network-acls.js';
import { networkInterfaceHandlers } from './network-interfaces.js';
import { prefixListHandlers } from './prefix-lists.js';
import { routeTableHandlers } from './route-tables.js';
import { securityGroupHandlers } from './security-groups.js';
import { subnetHandlers } from './subnets.js';
import { tagHandlers } from './tags.js';
import { transitGatewayHandlers } from './transit-gateways.js';
import { vpcEndpointHandlers } from './vpc-endpoints.js';
import { peeringConnectionHandlers } from './vpc-peering-connections.js';
import { vpcHandlers } from './vpcs.js';

/** Every EC2 operation the sandbox answers, by command name (the SDK's `context.commandName` minus `Command`). */
export const ec2Handlers: Record<string, Handler> = {
  ...vpcHandlers,
  ...subnetHandlers,
  ...routeTableHandlers,
  ...securityGroupHandlers,
  ...networkAclHandlers,
  ...networkInterfaceHandlers,
  ...instanceHandlers,
  ...internetGatewayHandlers,
  ...natGatewayHandlers,
  ...peeringConnectionHandlers,
  ...addressHandlers,
  ...transitGatewayHandlers,
  ...vpcEndpointHandlers,
  ...prefixListHandlers,
  ...tagHandlers,
};
