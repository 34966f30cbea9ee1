/**
 * Elastic Load Balancing v2 (Network and Application Load Balancers) as the snapshot holds them, linked to the
 * subnets and network interfaces of their nodes, and the VPC endpoints' interfaces. Built by
 * src/snapshot/aws/load-balancers.ts from the describe-* keys `LoadBalancers`, `LoadBalancerListeners`,
 * `TargetGroups`, `LoadBalancerTargetHealth`, `LoadBalancerAttributes` (and `TargetGroupAttributes` when present).
 */
import type { AllocationId, InstanceId, NetworkInterfaceId, SecurityGroupId, SubnetId, VpcId } from './ids.js';
import type { Origin, Tags } from './resources.js';

/** One node of a load balancer: its subnet (one per Availability Zone) and the interface that carries it. */
export interface LoadBalancerNode {
  subnetId: SubnetId;
  availabilityZone?: string;
  /** The node's interface (description `ELB <type>/<name>/<id>`), when the snapshot holds it. */
  networkInterfaceId?: NetworkInterfaceId;
  /** The node's private address (from its interface, or `LoadBalancerAddresses[].PrivateIPv4Address`). */
  privateIp?: string;
  /** The node's public or Elastic IP (internet-facing only). */
  publicIp?: string;
  allocationId?: AllocationId;
}

export interface LoadBalancerListener {
  arn: string;
  port: number;
  /** TCP | TLS | UDP | TCP_UDP | HTTP | HTTPS | … */
  protocol: string;
  /** The default action's type: forward | redirect | fixed-response | authenticate-* … */
  defaultAction: string;
  /** Target groups the default action forwards to (ForwardConfig, or the action's TargetGroupArn). */
  targetGroupArns: string[];
}

export interface LoadBalancer extends Origin {
  arn: string;
  name: string;
  /** network | application | gateway (Classic Load Balancers are not in elbv2 data). */
  type: string;
  scheme: 'internet-facing' | 'internal';
  /** active | provisioning | active_impaired | failed */
  state: string;
  vpcId: VpcId;
  dnsName?: string;
  /** Its security groups; an NLB created without any has none, and then filters nothing. */
  securityGroupIds: SecurityGroupId[];
  nodes: LoadBalancerNode[];
  listeners: LoadBalancerListener[];
  /** `load_balancing.cross_zone.enabled` as read; null when the attributes are absent (NLB default: off). */
  crossZone: boolean | null;
  attributes: Readonly<Record<string, string>>;
  tags: Tags;
}

/** A registered target and its health as `describe-target-health` reported it. */
export interface Target {
  /** An instance id (target type instance), an IP address (ip), a Lambda or ALB ARN. */
  id: string;
  port: number | null;
  /** `all` or a zone, for ip targets outside the VPC. */
  availabilityZone?: string;
  /** healthy | unhealthy | initial | unused | draining | unavailable | unhealthy.draining */
  health: string;
  reason?: string;
}

export interface TargetGroup extends Origin {
  arn: string;
  name: string;
  /** instance | ip | lambda | alb */
  targetType: string;
  protocol: string | null;
  port: number | null;
  vpcId?: VpcId;
  loadBalancerArns: string[];
  targets: Target[];
  /** True when `describe-target-health` data covered this group (else its targets are unknown). */
  healthKnown: boolean;
  attributes: Readonly<Record<string, string>>;
}

/** The load balancing part of a snapshot, with its lookups. */
export interface LoadBalancing {
  loadBalancers: Map<string, LoadBalancer>;
  targetGroups: Map<string, TargetGroup>;
  /** A node's interface → its load balancer's ARN. */
  byEni: Map<NetworkInterfaceId, string>;
  /** Lower-cased name, DNS name (with and without a `dualstack.` prefix) → ARNs. */
  byName: Map<string, string[]>;
  /** An interface endpoint's interface → the endpoint id. */
  endpointByEni: Map<NetworkInterfaceId, `vpce-${string}`>;
  /** Lower-cased DNS names of interface endpoints → endpoint id. */
  endpointByDns: Map<string, `vpce-${string}`>;
  /** Instances registered as targets → the groups that hold them (for "which load balancer sends here"). */
  groupsByInstance: Map<InstanceId, string[]>;
}
