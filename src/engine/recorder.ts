/**
 * What a walk writes down: the hops of each direction, the findings (deduplicated, with fix plans shared between
 * findings that need the same change), the first thing not analyzed, and every resource touched (for warnings).
 */

import type {
  AwsExplanationCode,
  Finding,
  FindingCode,
  FixAction,
  Hop,
  NetworkInterfaceId,
  NotAnalyzed,
  PartlyDeniedPorts,
  Snapshot,
  SubnetId,
} from '../model/index.js';
import { makeFix } from './fixes.js';
import type { Flow, Side } from './flow.js';

/** Reachability Analyzer's name for each finding code (null where it has none). */
export const AWS_CODE: Record<FindingCode, AwsExplanationCode | null> = {
  INSTANCE_NOT_RUNNING: 'BAD_STATE',
  SG_EGRESS_DENIED: 'ENI_SG_RULES_MISMATCH',
  SG_INGRESS_DENIED: 'ENI_SG_RULES_MISMATCH',
  NACL_EGRESS_DENIED: 'SUBNET_ACL_RESTRICTION',
  NACL_INGRESS_DENIED: 'SUBNET_ACL_RESTRICTION',
  NO_ROUTE: 'NO_ROUTE_TO_DESTINATION',
  ROUTE_BLACKHOLE: 'BAD_STATE_ROUTE',
  // Reachability Analyzer has no code for a shadowed route; each finding carries the code of why the winner fails.
  ROUTE_SHADOWED: null,
  PEERING_NOT_ACTIVE: 'BAD_STATE_ATTACHMENT',
  PEERING_NOT_TRANSITIVE: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR',
  NO_PUBLIC_IP: 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS',
  NO_INTERNET_GATEWAY_ROUTE: 'NO_ROUTE_TO_DESTINATION',
  INTERNET_GATEWAY_NOT_ATTACHED: 'BAD_STATE_ATTACHMENT',
  NAT_GATEWAY_NOT_AVAILABLE: 'BAD_STATE',
  NAT_REQUIRES_SOURCE_IN_VPC: 'NGW_REQUIRES_SOURCE_IN_VPC',
  SOURCE_DEST_CHECK: 'ENI_SOURCE_DEST_CHECK_RESTRICTION',
  TGW_ATTACHMENT_NOT_ASSOCIATED: 'TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION',
  TGW_NO_ROUTE: 'TGW_RTB_CANNOT_ROUTE',
  TGW_ROUTE_BLACKHOLE: 'TGW_RTB_BAD_STATE_ROUTE',
  TGW_NO_ATTACHMENT_IN_AZ: 'TGW_ROUTE_AZ_RESTRICTION',
  TGW_ATTACHMENT_NOT_AVAILABLE: 'BAD_STATE_ATTACHMENT',
  ROUTING_LOOP: null,
  PRIVATE_DESTINATION_VIA_INTERNET: 'IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS',
  PRIVATE_SOURCE_VIA_INTERNET: 'IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS',
  NAT_GATEWAY_NOT_A_DESTINATION: null,
  NO_INTERFACE_AT_DESTINATION: null,
  LB_NO_LISTENER: 'ELBV2_LISTENERS_MISMATCH',
  LB_NO_HEALTHY_TARGET: 'ELBV2_NO_TARGETS_IN_AZ',
  LB_INTERNAL_SCHEME: 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS',
  VPC_ENDPOINT_PORT_NOT_SERVED: 'PROTOCOL_RESTRICTION',
  HOST_FIREWALL_SUSPECTED: null,
  NOTHING_LISTENING: null,
  PROBE_CONTRADICTS_VERDICT: null,
};

/** A change the engine proposes (before it becomes a plan with an id) and its one-line summary. */
export interface FixProposal {
  action: FixAction;
  summary: string;
  /** What the change exposes (src/engine/exposure.ts), shown before confirmation. */
  warnings?: string[];
}

/** One blocker, in named fields. */
export interface FindingInput {
  /** The direction it blocks (or the flow, whose side is taken). */
  flow: Flow | Side;
  code: FindingCode;
  resource: string;
  message: string;
  evidence?: string | undefined;
  fix?: FixProposal | null;
  /** Reachability Analyzer's code, when it differs from AWS_CODE[code]. */
  awsCode?: AwsExplanationCode | null;
}

function sameChange(plan: FixAction, action: FixAction | undefined): boolean {
  return (
    action !== undefined &&
    plan.action === action.action &&
    JSON.stringify(plan.params) === JSON.stringify(action.params)
  );
}

/** The notebook of one diagnosis. */
export class Recorder {
  readonly findings: Finding[] = [];
  notAnalyzed: NotAnalyzed | null = null;
  readonly touched = new Set<string>();
  /** Reply paths on which a network ACL denies a minority of the client's ephemeral ports (not blockers). */
  readonly partlyDenied: PartlyDeniedPorts[] = [];

  /** A hop of one direction. */
  hop(flow: Flow, h: Hop): void {
    flow.hops.push(h);
    this.touched.add(h.id);
  }

  /** A blocker; a second one of the same code on the same resource (and plan) is dropped. */
  record({ flow, code, resource, message, evidence, fix = null, awsCode = AWS_CODE[code] }: FindingInput): void {
    const direction = typeof flow === 'string' ? flow : flow.side;
    let plan = fix ? makeFix(code, resource, fix.action, fix.summary, fix.warnings) : null;
    // Two findings that need the very same change share one plan (one id), so "apply all" makes it once.
    const same = plan ? this.findings.find((f) => f.fix && sameChange(f.fix, fix?.action)) : undefined;
    if (same?.fix) plan = same.fix;
    const dup = this.findings.some(
      (f) => f.code === code && f.resource === resource && (plan === null || f.fix?.id === plan.id),
    );
    this.touched.add(resource);
    if (dup) return;
    const finding: Finding = { code, awsCode, direction, resource, message, fix: plan };
    if (evidence) finding.evidence = evidence;
    this.findings.push(finding);
  }

  /** A network ACL that denies part of the client's ephemeral ports, too little to block; the same one twice is kept once. */
  partly(p: PartlyDeniedPorts): void {
    this.touched.add(p.networkAclId);
    if (!this.partlyDenied.some((q) => q.message === p.message)) this.partlyDenied.push(p);
  }

  /** The first thing the model cannot decide (later ones are dropped: one reason is enough). */
  stop(component: string, id: string, reason: string): void {
    this.touched.add(id);
    this.notAnalyzed ??= { component, id, reason };
  }

  /** The snapshot's warnings about anything the paths touched, a VPC counting as touched with its subnets and ENIs. */
  warnings(snapshot: Snapshot): string[] {
    // A snapshot without warnings (most are) answers at once: the lookups below cost the more, the bigger the account.
    if (snapshot.warnings.length === 0) return [];
    // A VPC is on the path whenever one of its subnets or interfaces is: warnings about a whole VPC (an assumed
    // default network ACL, a missing SecurityGroups file) reach the answers that cross it.
    for (const id of [...this.touched]) {
      const vpc =
        snapshot.subnets.get(id as SubnetId)?.vpcId ?? snapshot.networkInterfaces.get(id as NetworkInterfaceId)?.vpcId;
      if (vpc) this.touched.add(vpc);
    }
    const byResource = snapshot.index.warningsByResource;
    const touching = byResource
      ? [...this.touched].flatMap((id) => byResource.get(id) ?? [])
      : snapshot.warnings.filter((w) => w.resourceIds.some((id) => this.touched.has(id)));
    return [...new Set(touching.map((w) => `${w.code}: ${w.message}`))];
  }
}
