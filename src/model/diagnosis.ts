/** The question and the answer: query, endpoints, hops, findings, fix plans, probe results (DESIGN.md §3). */
import type {
  InstanceId,
  NetworkAclId,
  NetworkInterfaceId,
  RouteTableId,
  SecurityGroupId,
  TransitGatewayAttachmentId,
  TransitGatewayRouteTableId,
  VpcId,
  VpcPeeringConnectionId,
} from './ids.js';

export type Protocol = 'icmp' | 'tcp' | 'udp';

/** What the user asked: from, to, and the kind of packet. `port` is null for ICMP. */
export interface Query {
  from: string;
  to: string;
  protocol: Protocol;
  port: number | null;
}

/** An endpoint after resolution (JSON: `endpoints.from` / `endpoints.to`). */
export interface ResolvedEndpoint {
  /** instance, network-interface, ip (an address, inside or outside the snapshot), internet (a host on the internet). */
  kind: 'instance' | 'network-interface' | 'ip' | 'internet' | 'load-balancer' | 'vpc-endpoint';
  /** What the user typed. */
  input: string;
  /** Instance id or ENI id, when the endpoint is one; a load balancer's ARN; a VPC endpoint's id. */
  id?: string;
  /** The address packets use: the ENI's primary private IP, the given IP, or null for `internet`. */
  ip: string | null;
  eni?: NetworkInterfaceId;
  instanceId?: InstanceId;
  /** Name tag of the instance, for display. */
  name?: string;
  /** True when `ip` is a public/Elastic IP of `eni` (packets reach it through the internet gateway). */
  viaPublicIp?: boolean;
  /** For an internet source standing for an AWS service range (e.g. EC2 Instance Connect): its CIDRs and label. */
  sourceRange?: { label: string; cidrs: string[]; prefixListId?: string };
}

/** Component kinds of a hop (never rename one; add as the model grows). */
export type Component =
  | 'instance'
  | 'network-interface'
  | 'security-group'
  | 'network-acl'
  | 'route-table'
  | 'peering-connection'
  | 'internet-gateway'
  | 'egress-only-internet-gateway'
  | 'nat-gateway'
  | 'transit-gateway'
  | 'transit-gateway-attachment'
  | 'transit-gateway-route-table'
  | 'vpc-endpoint'
  | 'vpc'
  | 'internet'
  | 'load-balancer';

/** One step of a path and the decision made there, citing the AWS object in the console's words. */
export interface Hop {
  component: Component;
  id: string;
  /** For SG/NACL hops: which rule set was evaluated. */
  direction?: 'ingress' | 'egress';
  allowed: boolean;
  /** The rule, route or entry that decided, in console wording (`100 ICMP ALL 10.2.0.0/16 DENY`). */
  rule: string;
  /** A short explanation when the rule alone does not say it. */
  detail?: string;
}

/** Finding codes (stable: tests and users match on them; never rename one). */
export type FindingCode =
  | 'INSTANCE_NOT_RUNNING'
  | 'SG_EGRESS_DENIED'
  | 'SG_INGRESS_DENIED'
  | 'NACL_EGRESS_DENIED'
  | 'NACL_INGRESS_DENIED'
  | 'NO_ROUTE'
  | 'ROUTE_BLACKHOLE'
  /** The longest-prefix route's target cannot deliver the destination, and a less specific route it shadows would. */
  | 'ROUTE_SHADOWED'
  | 'PEERING_NOT_ACTIVE'
  | 'PEERING_NOT_TRANSITIVE'
  | 'NO_PUBLIC_IP'
  | 'NO_INTERNET_GATEWAY_ROUTE'
  | 'INTERNET_GATEWAY_NOT_ATTACHED'
  | 'NAT_GATEWAY_NOT_AVAILABLE'
  | 'NAT_REQUIRES_SOURCE_IN_VPC'
  | 'SOURCE_DEST_CHECK'
  | 'TGW_ATTACHMENT_NOT_ASSOCIATED'
  | 'TGW_NO_ROUTE'
  | 'TGW_ROUTE_BLACKHOLE'
  | 'TGW_NO_ATTACHMENT_IN_AZ'
  /** A transit gateway attachment on the path is not available: pending (acceptance), or rejected, failed, deleted. */
  | 'TGW_ATTACHMENT_NOT_AVAILABLE'
  /** The routes send the packet round in a circle (a transit gateway route back into the VPC that sent it). */
  | 'ROUTING_LOOP'
  | 'PRIVATE_DESTINATION_VIA_INTERNET'
  /** The source is a private (RFC 1918/6598) address outside the snapshot and the packet must cross the internet. */
  | 'PRIVATE_SOURCE_VIA_INTERNET'
  /** The destination is a NAT gateway's address: a NAT gateway answers no connection addressed to it. */
  | 'NAT_GATEWAY_NOT_A_DESTINATION'
  /** The destination address lies in a VPC of the snapshot, but no network interface holds it: nothing answers. */
  | 'NO_INTERFACE_AT_DESTINATION'
  /** A load balancer has no listener for the protocol and port (an NLB answers no ping): nothing answers. */
  | 'LB_NO_LISTENER'
  /** The listener's target groups hold no target the node can send to (none registered, none in its zone, none healthy there). */
  | 'LB_NO_HEALTHY_TARGET'
  /** A client on the internet asks for an internal load balancer: it has no public address. */
  | 'LB_INTERNAL_SCHEME'
  /** An interface VPC endpoint's AWS service answers only on its service's ports (HTTPS 443 for most), never ping. */
  | 'VPC_ENDPOINT_PORT_NOT_SERVED'
  /** Probe-only (reported in `probe.findings`, never in `findings`): the configuration allows it, the host drops it. */
  | 'HOST_FIREWALL_SUSPECTED'
  /** Probe-only: the connection reached the host and was refused (TCP RST): nothing listens on that port. */
  | 'NOTHING_LISTENING'
  /** Probe-only: the configuration says blocked, yet the probe got an answer: the model missed something. */
  | 'PROBE_CONTRADICTS_VERDICT';

/** Reachability Analyzer explanation codes we map to (so users can search that vocabulary). */
export type AwsExplanationCode =
  | 'BAD_STATE'
  | 'NO_ROUTE_TO_DESTINATION'
  | 'BAD_STATE_ROUTE'
  | 'ENI_SG_RULES_MISMATCH'
  | 'SUBNET_ACL_RESTRICTION'
  | 'BAD_STATE_ATTACHMENT'
  | 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'
  | 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS'
  | 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS'
  | 'NGW_REQUIRES_SOURCE_IN_VPC'
  | 'ENI_SOURCE_DEST_CHECK_RESTRICTION'
  | 'TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION'
  | 'TGW_RTB_CANNOT_ROUTE'
  | 'TGW_RTB_BAD_STATE_ROUTE'
  | 'TGW_ROUTE_AZ_RESTRICTION'
  | 'IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS'
  | 'IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS'
  | 'IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS'
  | 'IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS'
  | 'ELBV2_LISTENERS_MISMATCH'
  | 'ELBV2_LISTENER_HAS_NO_TG'
  | 'ELBV2_NO_TARGETS_IN_AZ'
  | 'PROTOCOL_RESTRICTION';

/** EC2 write actions a fix plan can carry. Executors (src/fix) turn each into SDK commands. */
export type FixAction =
  | {
      action: 'CreateRoute' | 'ReplaceRoute';
      params: {
        routeTableId: RouteTableId;
        destinationCidrBlock: string;
        target:
          | { vpcPeeringConnectionId: VpcPeeringConnectionId }
          | { gatewayId: `igw-${string}` }
          | { natGatewayId: `nat-${string}` }
          | { transitGatewayId: `tgw-${string}` };
        /** ReplaceRoute only: the target being replaced (for undo), or `blackhole`. */
        previousTarget?: string;
      };
    }
  | {
      action: 'AuthorizeSecurityGroupIngress' | 'AuthorizeSecurityGroupEgress';
      params: {
        groupId: SecurityGroupId;
        protocol: 'icmp' | 'tcp' | 'udp';
        /** tcp/udp: port range; icmp: type (fromPort) and code (toPort), -1 = all. */
        fromPort: number;
        toPort: number;
        /** Exactly one of cidr / sourceGroupId. */
        cidr?: string;
        peerGroupId?: SecurityGroupId;
      };
    }
  | { action: 'AcceptVpcPeeringConnection'; params: { vpcPeeringConnectionId: VpcPeeringConnectionId } }
  | {
      /**
       * A new peering in place of a dead one (deleted, rejected, expired, failed) between two VPCs of one account and
       * region: created, accepted, and every route that named the dead peering pointed at it (both sides).
       */
      action: 'CreateVpcPeeringConnection';
      params: {
        vpcId: VpcId;
        peerVpcId: VpcId;
        /**
         * The routes to point at the new peering: each one that named a dead peering (`previousTarget`), and the
         * ones the paths lack altogether (no `previousTarget`: created).
         */
        routes: { routeTableId: RouteTableId; destinationCidrBlock: string; previousTarget?: string }[];
      };
    }
  | {
      action: 'AllocateAndAssociateAddress';
      params: { instanceId?: InstanceId; networkInterfaceId: NetworkInterfaceId; privateIp: string };
    }
  | {
      action: 'CreateNetworkAclEntry';
      params: {
        networkAclId: NetworkAclId;
        ruleNumber: number;
        egress: boolean;
        protocol: 'icmp' | 'tcp' | 'udp';
        cidrBlock: string;
        portRange?: { from: number; to: number };
        icmpTypeCode?: { type: number; code: number };
      };
    }
  | {
      action: 'CreateAndAttachInternetGateway';
      params: {
        vpcId: VpcId;
        /**
         * Optional: the route the path needs through the new gateway, made by the same fix once the gateway is
         * attached (CreateRoute, or ReplaceRoute when `destinationCidrBlock` already has a route, e.g. a blackhole
         * to the deleted gateway). The route table in force for the subnet that needs it.
         */
        routeTableId?: RouteTableId;
        /** With routeTableId: the destination of that route (`0.0.0.0/0` unless an existing route is replaced). */
        destinationCidrBlock?: string;
        /** With routeTableId: the dead target the route points at now (the old gateway), when it is replaced. */
        previousTarget?: string;
      };
    }
  | {
      /** Associates a transit gateway attachment (that has none) with a route table, for what enters through it. */
      action: 'AssociateTransitGatewayRouteTable';
      params: {
        transitGatewayRouteTableId: TransitGatewayRouteTableId;
        transitGatewayAttachmentId: TransitGatewayAttachmentId;
      };
    }
  | {
      /** Lets an attachment propagate its VPC's CIDRs into a transit gateway route table. */
      action: 'EnableTransitGatewayRouteTablePropagation';
      params: {
        transitGatewayRouteTableId: TransitGatewayRouteTableId;
        transitGatewayAttachmentId: TransitGatewayAttachmentId;
      };
    }
  | {
      /** A static route in a transit gateway route table (to a peering attachment, which cannot propagate). */
      action: 'CreateTransitGatewayRoute';
      params: {
        transitGatewayRouteTableId: TransitGatewayRouteTableId;
        destinationCidrBlock: string;
        transitGatewayAttachmentId: TransitGatewayAttachmentId;
      };
    }
  | { action: 'StartInstances'; params: { instanceId: InstanceId } }
  | { action: 'DisableSourceDestCheck'; params: { networkInterfaceId: NetworkInterfaceId } };

/** The parameters of one fix action (CreateRoute and ReplaceRoute share theirs). */
export type FixParams<A extends FixAction['action']> = (FixAction & { action: A })['params'];

/** A proposed change, as data: it can be logged, shown, stored in a button and replayed. */
export type FixPlan = FixAction & {
  /** Derived from the content (code, resource, params): the same diagnosis gives the same id anywhere. */
  id: string;
  /** Apply order when fixes depend on each other (accept a peering before routes through it). */
  order: number;
  /** One line for humans: what will change. */
  summary: string;
  /** How it is undone, or why it cannot be. */
  undo: string;
  /** False when the change has no inverse (accepting a peering): the confirmation says so. */
  reversible: boolean;
  /**
   * What the change exposes, said before confirmation: an administration port opened to the whole internet, the
   * ports a new public address makes reachable. Absent when there is nothing to say.
   */
  warnings?: string[];
};

/** One blocker: where it is, why it blocks, and the fix. */
export interface Finding {
  code: FindingCode;
  awsCode: AwsExplanationCode | null;
  direction: 'forward' | 'return';
  /** The object to change (route table, pcx, SG, NACL, instance …). */
  resource: string;
  message: string;
  /** The rule/route/entry that decided, in console words. */
  evidence?: string;
  fix: FixPlan | null;
  /** What changed on `resource` lately (CloudTrail), when asked (`--history`, the shell, Slack); absent otherwise. */
  history?: FindingHistory;
}

/** One CloudTrail management event that could have made a finding (JSON: `findings[].history.events[]`). */
export interface HistoryEvent {
  eventId: string;
  /** The API call (`DeleteRoute`). */
  eventName: string;
  /** ISO 8601. */
  time: string;
  /** Who, readable: the role session or user name (`alice (role Admin)`, `whyping-U123 (whyping fix)`). */
  principal: string;
  /** What it did, from its request parameters when they say (`removed 10.2.0.0/16 → pcx-…`). */
  summary: string;
  /** True when whyping's own fix made it (session name whyping-…, or a whyping rule description). */
  byWhyping: boolean;
}

/** The recent history of a finding's resource (newest event first). */
export interface FindingHistory {
  window: { days: number; from: string; to: string };
  /** Why no history could be read (one line naming cloudtrail:LookupEvents), else null. */
  skipped: string | null;
  events: HistoryEvent[];
}

/** Something the model does not cover on this path: the answer is "not analyzed", never a guess. */
export interface NotAnalyzed {
  component: string;
  id: string;
  reason: string;
}

/**
 * The explanation of a probe that did not run, `Probe skipped: <reason>`: written by the probe runner and by core
 * (a probe that could not start), and cut from the reason by the terminal renderer, which shows the reason already.
 */
export function probeSkippedText(reason: string): string {
  return `Probe skipped: ${reason}`;
}

export interface ProbeDirectionResult {
  ran: boolean;
  skipped: string | null;
  from: string;
  to: string;
  protocol: Protocol;
  port: number | null;
  sent: number | null;
  received: number | null;
  lossPct: number | null;
  rttMs: { min: number; avg: number; max: number } | null;
  tcp: 'open' | 'refused' | 'timeout' | null;
  commandId: string | null;
  agreesWithVerdict: boolean | null;
  explanation: string;
  /** success: the packet got an answer of the kind asked for; failure: it did not; inconclusive: no conclusion (UDP silence, timeouts, skips). */
  outcome?: 'success' | 'failure' | 'inconclusive';
  /** UDP only: what came back (`no-reply` proves nothing either way). */
  udp?: 'reply' | 'port-unreachable' | 'no-reply' | null;
  /** The output line(s) the result was read from, trimmed, as evidence. */
  evidence?: string;
  /** Host-level findings only a probe can see (HOST_FIREWALL_SUSPECTED, NOTHING_LISTENING, PROBE_CONTRADICTS_VERDICT). */
  findings?: Finding[];
}

/** The live probe (JSON `probe`): the forward result and, when asked, the reverse. */
export type ProbeResult = ProbeDirectionResult & { reverse?: ProbeDirectionResult };

/** The whole answer (JSON contract of `diagnose --json`). */
export interface Diagnosis {
  query: Query;
  endpoints: { from: ResolvedEndpoint; to: ResolvedEndpoint };
  /** null when the path crosses something outside the model. */
  reachable: boolean | null;
  notAnalyzed: NotAnalyzed | null;
  forward: Hop[];
  return: Hop[];
  findings: Finding[];
  warnings: string[];
  probe: ProbeResult | null;
  /** Advice that is not a blocker (e.g. use an EC2 Instance Connect Endpoint when an instance has no public IP by design). */
  hints?: string[];
  /**
   * Network ACLs that deny part of the client's ephemeral port range on a reply path, too small a part to block the
   * flow: connections whose source port falls there fail (docs/engine.md, "Ephemeral ports"). Each is also a warning.
   */
  partlyDenied?: PartlyDeniedPorts[];
  /** With `--os-user`: whether EC2 Instance Connect accepted a throwaway key for that OS user on the destination. */
  instanceConnect?: InstanceConnectCheck | null;
}

/** A network ACL denying part (half or less) of a client's ephemeral port range on a reply path. */
export interface PartlyDeniedPorts {
  direction: 'forward' | 'return';
  networkAclId: string;
  subnetId: string;
  /** True for the ACL's outbound rules. */
  egress: boolean;
  protocol: 'tcp' | 'udp';
  /** The client's ephemeral port range (the reply's destination ports). */
  range: { from: number; to: number };
  /** The denied sub-ranges, each with the entry that denies it in console words (`90 TCP 6667 0.0.0.0/0 DENY`). */
  denied: { from: number; to: number; rule: string }[];
  /** Denied ports over the range's ports (0–1): about the share of connections that fail. */
  share: number;
  message: string;
}

/** The EC2 Instance Connect key check (SendSSHPublicKey with a throwaway key; the key is discarded). */
export interface InstanceConnectCheck {
  osUser: string;
  instanceId: string | null;
  ran: boolean;
  ok: boolean | null;
  message: string;
  requestId?: string;
}
