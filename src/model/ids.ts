/** AWS resource id types: template literals catch mix-ups at compile time. */

export type VpcId = `vpc-${string}`;
export type SubnetId = `subnet-${string}`;
export type RouteTableId = `rtb-${string}`;
export type SecurityGroupId = `sg-${string}`;
export type NetworkAclId = `acl-${string}`;
export type NetworkInterfaceId = `eni-${string}`;
export type InstanceId = `i-${string}`;
export type InternetGatewayId = `igw-${string}`;
export type EgressOnlyInternetGatewayId = `eigw-${string}`;
export type NatGatewayId = `nat-${string}`;
export type VpcPeeringConnectionId = `pcx-${string}`;
export type TransitGatewayId = `tgw-${string}`;
export type TransitGatewayAttachmentId = `tgw-attach-${string}`;
export type TransitGatewayRouteTableId = `tgw-rtb-${string}`;
export type VpcEndpointId = `vpce-${string}`;
export type PrefixListId = `pl-${string}`;
export type AllocationId = `eipalloc-${string}`;
export type VpnGatewayId = `vgw-${string}`;

/** Any AWS id whyping names in a hop or a finding. */
export type ResourceId = string;
