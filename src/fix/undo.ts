/**
 * Undo tokens: what one fix command changed, as data, authenticated so that `undo` only ever reverses what whyping
 * did. A token is `wpu2.<base64url JSON>.<base64url HMAC-SHA256>`; its readable text is derived from the verified
 * steps (`describeUndoStep`), never carried in it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WhypingError } from '../errors.js';
import { isCidr } from '../net/ip.js';
import { UNDO } from './actions/index.js';

/** A route target as EC2 names it in CreateRoute / ReplaceRoute. */
export type RouteTargetSpec =
  | { vpcPeeringConnectionId: string }
  | { gatewayId: string }
  | { natGatewayId: string }
  | { transitGatewayId: string }
  | { networkInterfaceId: string };

/** A route's state as DescribeRouteTables reports it. */
export type RouteState = 'active' | 'blackhole';

/** One SG permission as whyping authorized it. */
export interface PermissionSpec {
  protocol: 'icmp' | 'tcp' | 'udp';
  fromPort: number;
  toPort: number;
  cidr?: string;
  peerGroupId?: string;
}

/**
 * One change whyping made, with what it left in AWS (so undo can check the object is still that) and what undoing it
 * takes. `previous: null` on a replaced route means undo deletes the route (its old target cannot be named again).
 */
export type UndoChange =
  | {
      kind: 'route-created';
      routeTableId: string;
      destinationCidrBlock: string;
      target: RouteTargetSpec;
      /** The route's state when the fix command ended (a route to a peering turns active once it is accepted). */
      state?: RouteState;
    }
  | {
      kind: 'route-replaced';
      routeTableId: string;
      destinationCidrBlock: string;
      target: RouteTargetSpec;
      previous: RouteTargetSpec | null;
      state?: RouteState;
    }
  | { kind: 'sg-rule'; groupId: string; egress: boolean; ruleId: string; permission: PermissionSpec }
  | { kind: 'elastic-ip'; allocationId: string; associationId: string; networkInterfaceId: string; privateIp: string }
  | {
      kind: 'nacl-entry';
      networkAclId: string;
      egress: boolean;
      ruleNumber: number;
      /** The NACL protocol number as EC2 reports it ('1', '6', '17', '58'). */
      protocol: string;
      cidrBlock: string;
      portRange?: { from: number; to: number };
      icmpTypeCode?: { type: number; code: number };
    }
  | {
      kind: 'internet-gateway';
      internetGatewayId: string;
      vpcId: string;
      /** The route whyping made to the new gateway in the same fix, undone after the gateway is removed. */
      route?: { routeTableId: string; destinationCidrBlock: string; previous: RouteTargetSpec | null };
    }
  | { kind: 'instance-started'; instanceId: string }
  | { kind: 'source-dest-check-off'; networkInterfaceId: string }
  | {
      kind: 'peering-created';
      vpcPeeringConnectionId: string;
      /** The routes whyping pointed at the new peering (they named a dead one): the only routes allowed to use it. */
      routes: { routeTableId: string; destinationCidrBlock: string }[];
    }
  | { kind: 'tgw-association'; transitGatewayRouteTableId: string; transitGatewayAttachmentId: string }
  | { kind: 'tgw-propagation'; transitGatewayRouteTableId: string; transitGatewayAttachmentId: string }
  | {
      kind: 'tgw-route';
      transitGatewayRouteTableId: string;
      destinationCidrBlock: string;
      transitGatewayAttachmentId: string;
    };

/** One reversible change of a fix command, bound to the account that owns the object, its region and the fix. */
export interface UndoStep {
  /** The owner of the changed object, as the describe calls report it (OwnerId). */
  account: string;
  region: string;
  /** The fix (plan id) that made the change. */
  fixId: string;
  change: UndoChange;
}

/** What one token carries: every reversible change of one fix command, in the order they were made. */
export interface UndoToken {
  v: 2;
  /** Who applied the fix and in which diagnosis (also written in rule descriptions and tags). */
  actor: string;
  diagnosisId: string;
  /** When the fix was applied (ISO seconds, as in the audit descriptions). */
  appliedAt: string;
  /** Unix seconds after which the token is refused (WHYPING_UNDO_TTL_H). */
  expiresAt: number;
  /**
   * The account of the credentials that applied the fix, when a step was made in another account: undo reads and
   * undoes its steps with the default credentials, the others through their account's fix role, as the fix did.
   */
  home?: string;
  steps: UndoStep[];
}

/** A Slack button value holds 2,000 characters; a token longer than this is split into one token per change. */
export const MAX_UNDO_TOKEN_LENGTH = 1900;
const PREFIX = 'wpu2';

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

const changeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('route-created'),
    routeTableId: awsId('rtb'),
    destinationCidrBlock: cidr,
    target: targetSchema,
    state: z.enum(['active', 'blackhole']).optional(),
  }),
  z.strictObject({
    kind: z.literal('route-replaced'),
    routeTableId: awsId('rtb'),
    destinationCidrBlock: cidr,
    target: targetSchema,
    previous: targetSchema.nullable(),
    state: z.enum(['active', 'blackhole']).optional(),
  }),
  z.strictObject({
    kind: z.literal('sg-rule'),
    groupId: awsId('sg'),
    egress: z.boolean(),
    ruleId: awsId('sgr'),
    permission: z.strictObject({
      protocol: z.enum(['icmp', 'tcp', 'udp']),
      fromPort: port,
      toPort: port,
      cidr: cidr.optional(),
      peerGroupId: awsId('sg').optional(),
    }),
  }),
  z.strictObject({
    kind: z.literal('elastic-ip'),
    allocationId: awsId('eipalloc'),
    associationId: awsId('eipassoc'),
    networkInterfaceId: awsId('eni'),
    privateIp: z
      .string()
      .max(45)
      .regex(/^[0-9a-fA-F.:]+$/),
  }),
  z.strictObject({
    kind: z.literal('nacl-entry'),
    networkAclId: awsId('acl'),
    egress: z.boolean(),
    ruleNumber: z.number().int().min(1).max(32766),
    protocol: z.string().regex(/^(-1|\d{1,3})$/),
    cidrBlock: cidr,
    portRange: z.strictObject({ from: port, to: port }).optional(),
    icmpTypeCode: z.strictObject({ type: port, code: port }).optional(),
  }),
  z.strictObject({
    kind: z.literal('internet-gateway'),
    internetGatewayId: awsId('igw'),
    vpcId: awsId('vpc'),
    route: z
      .strictObject({ routeTableId: awsId('rtb'), destinationCidrBlock: cidr, previous: targetSchema.nullable() })
      .optional(),
  }),
  z.strictObject({ kind: z.literal('instance-started'), instanceId: awsId('i') }),
  z.strictObject({
    kind: z.literal('peering-created'),
    vpcPeeringConnectionId: awsId('pcx'),
    routes: z.array(z.strictObject({ routeTableId: awsId('rtb'), destinationCidrBlock: cidr })).max(20),
  }),
  z.strictObject({
    kind: z.literal('tgw-association'),
    transitGatewayRouteTableId: awsId('tgw-rtb'),
    transitGatewayAttachmentId: awsId('tgw-attach'),
  }),
  z.strictObject({
    kind: z.literal('tgw-propagation'),
    transitGatewayRouteTableId: awsId('tgw-rtb'),
    transitGatewayAttachmentId: awsId('tgw-attach'),
  }),
  z.strictObject({
    kind: z.literal('tgw-route'),
    transitGatewayRouteTableId: awsId('tgw-rtb'),
    destinationCidrBlock: cidr,
    transitGatewayAttachmentId: awsId('tgw-attach'),
  }),
  z.strictObject({ kind: z.literal('source-dest-check-off'), networkInterfaceId: awsId('eni') }),
]);

const stepSchema = z.strictObject({
  account: z.string().regex(/^(\d{12}|unknown)$/),
  region: z.string().regex(/^[a-z0-9-]{1,30}$/),
  fixId: z.string().regex(/^[0-9A-Za-z._:-]{1,100}$/),
  change: changeSchema,
});

const tokenSchema = z.strictObject({
  v: z.literal(2),
  actor: z.string().max(200),
  diagnosisId: z.string().regex(/^[0-9A-Za-z._:-]{1,100}$/),
  appliedAt: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
  expiresAt: z.number().int().positive(),
  home: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  steps: z.array(stepSchema).min(1).max(40),
});

function mac(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

function encodeOne(t: UndoToken, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(tokenSchema.parse(t)), 'utf8').toString('base64url');
  const signed = `${PREFIX}.${body}`;
  return `${signed}.${mac(key, signed).toString('base64url')}`;
}

/**
 * Encodes the changes of one fix command as one authenticated token; when that token would pass
 * MAX_UNDO_TOKEN_LENGTH, as one token per change instead (`split: true`; each undoes its own change).
 */
export function encodeUndoTokens(t: UndoToken, key: Buffer): { tokens: string[]; split: boolean } {
  const one = encodeOne(t, key);
  if (one.length <= MAX_UNDO_TOKEN_LENGTH) return { tokens: [one], split: false };
  const tokens = t.steps.map((s) => encodeOne({ ...t, steps: [s] }, key));
  const long = tokens.find((x) => x.length > MAX_UNDO_TOKEN_LENGTH);
  if (long) throw new WhypingError('INTERNAL', `undo token too long (${long.length} > ${MAX_UNDO_TOKEN_LENGTH})`);
  return { tokens, split: true };
}

/**
 * Verifies and decodes an undo token: the HMAC (compared in constant time) with `key`, then the content, then the
 * expiry. Anything forged, edited, garbled, made with another key or expired is BAD_INPUT, and nothing in it is shown.
 */
export function verifyUndoToken(text: string, key: Buffer, now: Date): UndoToken {
  const bad = (why: string) => new WhypingError('BAD_INPUT', `Not a valid whyping undo token: ${why}.`);
  const t = text.trim();
  if (t.length > MAX_UNDO_TOKEN_LENGTH) throw bad('too long; copy the whole token printed by `fix`');
  if (t.startsWith('wpu1.')) {
    throw bad('it was made by an older whyping and carries no signature; undo that change by hand');
  }
  const m = /^(wpu2\.([A-Za-z0-9_-]+))\.([A-Za-z0-9_-]{43})$/.exec(t);
  if (!m?.[1] || !m[2] || !m[3]) throw bad('wrong format; copy the whole token printed by `fix`');
  const given = Buffer.from(m[3], 'base64url');
  const want = mac(key, m[1]);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw bad(
      'its signature does not match (it was edited, or made with another key: WHYPING_SECRET, the Slack signing secret, or the local key file)',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8'));
  } catch {
    throw bad('unreadable content');
  }
  const parsed = tokenSchema.safeParse(json);
  if (!parsed.success) throw bad('content of an unknown shape');
  const token = parsed.data as UndoToken;
  if (now.getTime() / 1000 > token.expiresAt) {
    const when = new Date(token.expiresAt * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    throw new WhypingError(
      'BAD_INPUT',
      `This undo token expired at ${when} (WHYPING_UNDO_TTL_H); undo by hand if still needed: ${token.steps.map(describeUndoStep).join('; ')}.`,
    );
  }
  return token;
}

/** One line for a person: what undoing this step changes (derived from the verified step, never from free text). */
export function describeUndoStep(s: UndoStep): string {
  const c = s.change;
  const where = ` [${s.fixId}; account ${s.account}, ${s.region}]`;
  if (!Object.hasOwn(UNDO, c.kind)) return String(c);
  // Each kind's text lives with its executor (src/fix/actions/<noun>.ts); the kind pairs the change with its spec.
  const describe = UNDO[c.kind].describe as (c: UndoChange) => string;
  return `${describe(c)}${where}`;
}
