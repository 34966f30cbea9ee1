/** Calling EC2 for a fix: dry-run first, request ids recorded, AWS errors kept with their code and the IAM action. */
import type { Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { type AwsErrorInfo, WhypingError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * A WhypingError raised by a fix call, carrying AWS's own message and, in `details.aws`, the AWS error code
 * (`UnauthorizedOperation`, `InvalidPermission.Duplicate`, …), the IAM action of the call (`ec2:CreateRoute`) and the
 * request id. The executors turn it into an outcome the user reads (fromCallError).
 */
export type AwsCallError = WhypingError & { details: { aws: AwsErrorInfo & { action: string } } };

/** The error of a fix call that AWS answered with `awsCode`. */
export function awsCallError(
  awsCode: string,
  action: string,
  message: string,
  requestId: string | undefined,
  options?: { cause?: unknown },
): AwsCallError {
  const code = awsCode === 'UnauthorizedOperation' || awsCode === 'AccessDenied' ? 'AWS_ACCESS_DENIED' : 'AWS_ERROR';
  const aws = { awsCode, action, ...(requestId ? { requestId } : {}) };
  return new WhypingError(code, message, { aws }, options) as AwsCallError;
}

/** True for the error of a fix call (a WhypingError with the AWS code and the IAM action). */
export function isAwsCallError(e: unknown): e is AwsCallError {
  return e instanceof WhypingError && typeof e.details.aws?.action === 'string';
}

/** True for the error of a fix call with one of these AWS codes. */
export function isAwsCode(e: unknown, ...codes: string[]): e is AwsCallError {
  return isAwsCallError(e) && codes.includes(e.details.aws.awsCode);
}

/** Per-fix call recorder: the request ids of every write call (and of every failed one). */
export class CallLog {
  readonly requestIds: string[] = [];
  /** Write calls that succeeded (a failed call's request id is recorded too, but it changed nothing). */
  applied = 0;
  constructor(private readonly logger: Logger) {}

  /** A real (non-dry-run) call: records its request id, turns an SDK error into AwsCallError. */
  async write<T extends { $metadata?: { requestId?: string } }>(action: string, send: () => Promise<T>): Promise<T> {
    try {
      const out = await send();
      const id = out.$metadata?.requestId;
      if (id) this.requestIds.push(id);
      this.applied += 1;
      this.logger.info({ action, requestId: id }, 'whyping fix: AWS call applied');
      return out;
    } catch (e) {
      const err = toCallError(e, action);
      const { awsCode, requestId } = err.details.aws;
      if (requestId) this.requestIds.push(requestId);
      // Logged at info: the caller turns the error into an outcome the user sees (already in place, refused…).
      this.logger.info({ action, awsCode, requestId }, 'whyping fix: AWS call failed');
      throw err;
    }
  }

  /** A read call (describe): errors become AwsCallError, nothing recorded. */
  async read<T>(action: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      throw toCallError(e, action);
    }
  }

  /**
   * A call with `DryRun: true`: EC2 answers DryRunOperation when the real call would succeed. Any other error
   * (UnauthorizedOperation, a duplicate, a missing resource) is thrown as AwsCallError; nothing was changed.
   */
  async dryRun(action: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (e) {
      const err = toCallError(e, action);
      if (err.details.aws.awsCode === 'DryRunOperation') return;
      throw err;
    }
    // A DryRun request that "succeeds" changed nothing either (EC2 never does this; a stand-in might).
  }
}

/** Duck-types an SDK ServiceException (name = AWS code, $metadata.requestId) into an AwsCallError. */
export function toCallError(e: unknown, action: string): AwsCallError {
  if (isAwsCallError(e)) return e;
  const any = e as { name?: unknown; message?: unknown; Code?: unknown; $metadata?: { requestId?: string } } | null;
  const code =
    typeof any?.Code === 'string' ? any.Code : typeof any?.name === 'string' && any.name ? any.name : 'UnknownError';
  const message = typeof any?.message === 'string' ? any.message : String(e);
  return awsCallError(code, action, message, any?.$metadata?.requestId, { cause: e });
}

/**
 * Characters EC2 allows in every kind of security group rule description. CIDR ranges also allow `&`; rules that
 * reference a security group or a prefix list do not, so `&` is replaced too.
 */
const SG_DESCRIPTION_DISALLOWED = /[^a-zA-Z0-9. _\-:/()#,@[\]+=;{}!$*]/g;

/** A security group rule description: only the characters EC2 accepts, at most 255. */
export function sanitizeSgDescription(text: string): string {
  return text.replace(SG_DESCRIPTION_DISALLOWED, '_').slice(0, 255);
}

/** Characters EC2 allows in tag values (letters, digits, spaces and `_ . : / = + - @`). */
const TAG_DISALLOWED = /[^\p{L}\p{N} _.:/=+\-@]/gu;

/** A tag value EC2 accepts (≤ 256 characters). */
export function sanitizeTagValue(text: string): string {
  return text.replace(TAG_DISALLOWED, '_').slice(0, 256);
}

/** Who asked and why, for descriptions and tags. */
export interface Audit {
  actor: string;
  diagnosisId: string;
  fixId: string;
  now: () => Date;
}

/** `whyping: <actor> <date> <diagnosis id>`, sanitized for a security group rule description. */
export function auditDescription(a: Audit): string {
  return sanitizeSgDescription(`whyping: ${a.actor} ${isoSeconds(a.now())} ${a.diagnosisId}`);
}

/** The whyping tags every resource we create or change carries. */
export function auditTags(a: Audit, extra: Record<string, string> = {}): Tag[] {
  const tags: Record<string, string> = {
    'whyping:actor': a.actor,
    'whyping:date': isoSeconds(a.now()),
    'whyping:diagnosis': a.diagnosisId,
    'whyping:fix': a.fixId,
    ...extra,
  };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value: sanitizeTagValue(Value) }));
}

/** TagSpecifications for a resource type. */
export function tagSpec(resourceType: TagSpecification['ResourceType'], tags: Tag[]): TagSpecification[] {
  return [{ ResourceType: resourceType, Tags: tags }];
}

/** `2026-11-25T10:00:00Z`: the time as whyping writes it in descriptions, tags and undo tokens. */
export function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** A route target in the SDK's shape (`VpcPeeringConnectionId`, `GatewayId`, …) for CreateRoute / ReplaceRoute. */
export function routeTargetInput(t: Record<string, string>): {
  VpcPeeringConnectionId?: string;
  GatewayId?: string;
  NatGatewayId?: string;
  TransitGatewayId?: string;
  NetworkInterfaceId?: string;
} {
  const [key, value] = Object.entries(t)[0] ?? [];
  switch (key) {
    case 'vpcPeeringConnectionId':
      return { VpcPeeringConnectionId: value };
    case 'gatewayId':
      return { GatewayId: value };
    case 'natGatewayId':
      return { NatGatewayId: value };
    case 'transitGatewayId':
      return { TransitGatewayId: value };
    case 'networkInterfaceId':
      return { NetworkInterfaceId: value };
    default:
      throw new Error(`unsupported route target ${JSON.stringify(t)}`);
  }
}
