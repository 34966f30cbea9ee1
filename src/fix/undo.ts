/** Undo plans: the inverse of an applied fix, as data, and the compact token that carries one (CLI, Slack button). */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { WhypingError } from '../errors.js';
import { isCidr } from '../net/ip.js';

/** A route target as EC2 names it in CreateRoute / ReplaceRoute. */
export type RouteTargetSpec =
  | { vpcPeeringConnectionId: string }
  | { gatewayId: string }
  | { natGatewayId: string }
  | { transitGatewayId: string }
  | { networkInterfaceId: string };

/** One SG permission, for revoking by content when AWS returned no rule id. */
export interface PermissionSpec {
  protocol: 'icmp' | 'tcp' | 'udp';
  fromPort: number;
  toPort: number;
  cidr?: string;
  peerGroupId?: string;
}

/** One EC2 call of an undo, executed in order. */
export type UndoStep =
  | {
      op: 'RevokeSecurityGroupIngress' | 'RevokeSecurityGroupEgress';
      groupId: string;
      ruleId?: string;
      permission?: PermissionSpec;
    }
  | { op: 'DeleteRoute'; routeTableId: string; destinationCidrBlock: string }
  | { op: 'ReplaceRoute'; routeTableId: string; destinationCidrBlock: string; target: RouteTargetSpec }
  | { op: 'DisassociateAddress'; associationId: string }
  | { op: 'ReleaseAddress'; allocationId: string }
  | { op: 'DeleteNetworkAclEntry'; networkAclId: string; ruleNumber: number; egress: boolean }
  | { op: 'DetachInternetGateway'; internetGatewayId: string; vpcId: string }
  | { op: 'DeleteInternetGateway'; internetGatewayId: string }
  | {
      op: 'DisassociateTransitGatewayRouteTable';
      transitGatewayRouteTableId: string;
      transitGatewayAttachmentId: string;
    }
  | {
      op: 'DisableTransitGatewayRouteTablePropagation';
      transitGatewayRouteTableId: string;
      transitGatewayAttachmentId: string;
    }
  | { op: 'DeleteTransitGatewayRoute'; transitGatewayRouteTableId: string; destinationCidrBlock: string }
  | { op: 'DeleteVpcPeeringConnection'; vpcPeeringConnectionId: string }
  | { op: 'StopInstances'; instanceId: string }
  | { op: 'EnableSourceDestCheck'; networkInterfaceId: string };

/** The inverse of one applied fix. */
export interface UndoPlan {
  v: 1;
  /** The fix this undoes. */
  fixId: string;
  /** One line for humans: what the undo changes. */
  summary: string;
  steps: UndoStep[];
}

const awsId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}-[0-9a-zA-Z]{1,40}$`));
const cidr = z.string().max(50).refine(isCidr, 'not a CIDR');
const port = z.number().int().min(-1).max(65535);

const targetSchema = z.union([
  z.strictObject({ vpcPeeringConnectionId: awsId('pcx') }),
  z.strictObject({ gatewayId: z.union([awsId('igw'), awsId('vgw')]) }),
  z.strictObject({ natGatewayId: awsId('nat') }),
  z.strictObject({ transitGatewayId: awsId('tgw') }),
  z.strictObject({ networkInterfaceId: awsId('eni') }),
]);

const stepSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.enum(['RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress']),
    groupId: awsId('sg'),
    ruleId: awsId('sgr').optional(),
    permission: z
      .strictObject({
        protocol: z.enum(['icmp', 'tcp', 'udp']),
        fromPort: port,
        toPort: port,
        cidr: cidr.optional(),
        peerGroupId: awsId('sg').optional(),
      })
      .optional(),
  }),
  z.strictObject({ op: z.literal('DeleteRoute'), routeTableId: awsId('rtb'), destinationCidrBlock: cidr }),
  z.strictObject({
    op: z.literal('ReplaceRoute'),
    routeTableId: awsId('rtb'),
    destinationCidrBlock: cidr,
    target: targetSchema,
  }),
  z.strictObject({ op: z.literal('DisassociateAddress'), associationId: awsId('eipassoc') }),
  z.strictObject({ op: z.literal('ReleaseAddress'), allocationId: awsId('eipalloc') }),
  z.strictObject({
    op: z.literal('DeleteNetworkAclEntry'),
    networkAclId: awsId('acl'),
    ruleNumber: z.number().int().min(1).max(32766),
    egress: z.boolean(),
  }),
  z.strictObject({ op: z.literal('DetachInternetGateway'), internetGatewayId: awsId('igw'), vpcId: awsId('vpc') }),
  z.strictObject({ op: z.literal('DeleteInternetGateway'), internetGatewayId: awsId('igw') }),
  z.strictObject({
    op: z.enum(['DisassociateTransitGatewayRouteTable', 'DisableTransitGatewayRouteTablePropagation']),
    transitGatewayRouteTableId: awsId('tgw-rtb'),
    transitGatewayAttachmentId: awsId('tgw-attach'),
  }),
  z.strictObject({
    op: z.literal('DeleteTransitGatewayRoute'),
    transitGatewayRouteTableId: awsId('tgw-rtb'),
    destinationCidrBlock: cidr,
  }),
  z.strictObject({ op: z.literal('DeleteVpcPeeringConnection'), vpcPeeringConnectionId: awsId('pcx') }),
  z.strictObject({ op: z.literal('StopInstances'), instanceId: awsId('i') }),
  z.strictObject({ op: z.literal('EnableSourceDestCheck'), networkInterfaceId: awsId('eni') }),
]);

const undoSchema = z.strictObject({
  v: z.literal(1),
  fixId: z.string().regex(/^[0-9A-Za-z._:@#/-]{1,100}$/),
  summary: z.string().max(300),
  steps: z.array(stepSchema).min(1).max(4),
});

/** Maximum length of an undo token (fits a Slack button value with room for the rest). */
export const MAX_UNDO_TOKEN_LENGTH = 1500;
const PREFIX = 'wpu1';

function checksum(body: string): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 8);
}

/**
 * Encodes an undo plan as `wpu1.<base64url JSON>.<checksum>`. The checksum catches garbled or hand-edited tokens;
 * it is not a signature (whoever can run `undo` already holds the IAM rights the steps need).
 */
export function encodeUndoToken(u: UndoPlan): string {
  const plan = undoSchema.parse({ ...u, summary: u.summary.slice(0, 300) });
  const body = Buffer.from(JSON.stringify(plan), 'utf8').toString('base64url');
  const token = `${PREFIX}.${body}.${checksum(body)}`;
  if (token.length > MAX_UNDO_TOKEN_LENGTH) {
    throw new WhypingError('INTERNAL', `undo token too long (${token.length} > ${MAX_UNDO_TOKEN_LENGTH})`);
  }
  return token;
}

/** Decodes and validates an undo token; anything garbled or tampered with is BAD_INPUT. */
export function decodeUndoToken(t: string): UndoPlan {
  const bad = (why: string) =>
    new WhypingError('BAD_INPUT', `Not a valid whyping undo token (${why}). Copy the whole token printed by \`fix\`.`);
  const text = t.trim();
  if (text.length > MAX_UNDO_TOKEN_LENGTH) throw bad('too long');
  const m = /^wpu1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{8})$/.exec(text);
  if (!m?.[1] || !m[2]) throw bad('wrong format');
  if (checksum(m[1]) !== m[2]) throw bad('checksum mismatch');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
  } catch {
    throw bad('unreadable content');
  }
  const parsed = undoSchema.safeParse(json);
  if (!parsed.success) throw bad(`invalid content: ${parsed.error.issues[0]?.message ?? 'schema'}`);
  return parsed.data as UndoPlan;
}
