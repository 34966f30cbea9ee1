/** Coded errors: every failure a user can meet has a code, a message that says what to do next, and an exit code. */

/** The closed set of error codes whyping raises. */
export type ErrorCode =
  | 'BAD_INPUT' // malformed argument: IP, port, protocol, flag
  | 'UNKNOWN_ENDPOINT' // an endpoint matches nothing
  | 'AMBIGUOUS_ENDPOINT' // an endpoint matches several things
  | 'SNAPSHOT_UNREADABLE' // a snapshot path that cannot be read or parsed
  | 'SNAPSHOT_INVALID' // a known key with a malformed value
  | 'AWS_CREDENTIALS' // no or expired credentials
  | 'AWS_ACCESS_DENIED' // the role lacks an IAM action
  | 'AWS_THROTTLED' // throttled past retries
  | 'AWS_REGION' // unknown or missing region
  | 'AWS_ERROR' // any other AWS failure
  | 'FIX_REFUSED' // a fix that cannot or must not be applied
  | 'NOT_AUTHORIZED' // a user who may not apply fixes
  | 'PROBE_FAILED' // a probe that could not run
  | 'INTERNAL';

/** Process exit codes of the CLI (DESIGN.md §3). */
export const EXIT = { reachable: 0, unreachable: 1, badInput: 2, aws: 3 } as const;

const exitByCode: Record<ErrorCode, number> = {
  BAD_INPUT: EXIT.badInput,
  UNKNOWN_ENDPOINT: EXIT.badInput,
  AMBIGUOUS_ENDPOINT: EXIT.badInput,
  SNAPSHOT_UNREADABLE: EXIT.badInput,
  SNAPSHOT_INVALID: EXIT.badInput,
  AWS_CREDENTIALS: EXIT.aws,
  AWS_ACCESS_DENIED: EXIT.aws,
  AWS_THROTTLED: EXIT.aws,
  AWS_REGION: EXIT.aws,
  AWS_ERROR: EXIT.aws,
  FIX_REFUSED: 1,
  NOT_AUTHORIZED: 1,
  PROBE_FAILED: EXIT.aws,
  INTERNAL: 70,
};

/** Details kept from an AWS ServiceException (its name is the AWS error code). */
export interface AwsErrorInfo {
  awsCode: string;
  fault?: 'client' | 'server';
  requestId?: string;
  httpStatusCode?: number;
  action?: string;
}

/** An error with a stable code; `cause` keeps the original. */
export class WhypingError extends Error {
  override readonly name = 'WhypingError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { aws?: AwsErrorInfo; candidates?: string[]; [key: string]: unknown } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The exit code the CLI uses for this error. */
  get exitCode(): number {
    return exitByCode[this.code];
  }
}

/** True when `e` is a WhypingError (optionally of one of the given codes). */
export function isWhypingError(e: unknown, ...codes: ErrorCode[]): e is WhypingError {
  return e instanceof WhypingError && (codes.length === 0 || codes.includes(e.code));
}

/** Wraps anything thrown into a WhypingError, keeping a WhypingError as it is. */
export function asWhypingError(e: unknown): WhypingError {
  if (e instanceof WhypingError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new WhypingError('INTERNAL', message, {}, { cause: e });
}

const ACCESS_DENIED = new Set([
  'UnauthorizedOperation',
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedAccess',
  'Blocked',
]);
const BAD_CREDENTIALS = new Set([
  'CredentialsProviderError',
  'TokenProviderError', // an SSO session that expired
  'InvalidGrantException',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'AuthFailure',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidToken',
  'TokenRefreshRequired',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'EC2ThrottledException',
]);
/** AWS codes that mean "no such instance/ENI": bad input, as offline. */
const NOT_FOUND_ENDPOINT = /^Invalid(InstanceID|NetworkInterfaceID)\.(NotFound|Malformed)$/;
/** Other ids the user typed (a `--vpc` that does not exist). */
const NOT_FOUND_INPUT = /^Invalid[A-Za-z]*ID\.(NotFound|Malformed)$|^InvalidVpcID\.NotFound$/;

/** The policy in iam/ that lists `action`: reads, probes (SSM, Instance Connect), or fixes (writes). */
function policyFileFor(action: string): string {
  if (/^ec2:(Describe|Get|Search)/.test(action)) return 'iam/readonly.json';
  if (/^(ssm|ec2-instance-connect):/.test(action)) return 'iam/probe.json';
  if (/^dynamodb:/.test(action)) return 'iam/lock-table.json';
  return 'iam/fix.json';
}

/**
 * Turns an error thrown by an AWS SDK v3 client into a WhypingError whose message says what to do next.
 * Duck-typed on `name` (the AWS error code), `$fault` and `$metadata`, so this module does not import the SDK.
 * `action` is the IAM action of the call that failed, e.g. `ec2:DescribeRouteTables`.
 */
export function fromAwsError(e: unknown, action: string): WhypingError {
  if (e instanceof WhypingError) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    hostname?: unknown;
    $fault?: unknown;
    $metadata?: { requestId?: unknown; httpStatusCode?: unknown; attempts?: unknown };
  };
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const original = typeof err.message === 'string' ? err.message : String(e);
  const awsCode = name === 'Error' && typeof err.code === 'string' ? err.code : name;
  const aws: AwsErrorInfo = { awsCode, action };
  if (err.$fault === 'client' || err.$fault === 'server') aws.fault = err.$fault;
  if (typeof err.$metadata?.requestId === 'string') aws.requestId = err.$metadata.requestId;
  if (typeof err.$metadata?.httpStatusCode === 'number') aws.httpStatusCode = err.$metadata.httpStatusCode;
  const attempts = typeof err.$metadata?.attempts === 'number' ? err.$metadata.attempts : undefined;
  // Network failures (ECONNREFUSED…) never reached AWS: no AWS code to cite.
  const network = typeof err.code === 'string' && /^E[A-Z_]+$/.test(err.code) && name === 'Error';
  const fromAws = !network && (err.$metadata !== undefined || name !== 'Error');
  const ref = aws.requestId ? ` (AWS ${awsCode}, request id ${aws.requestId})` : fromAws ? ` (AWS ${awsCode})` : '';
  const make = (code: ErrorCode, message: string) => new WhypingError(code, message, { aws }, { cause: e });

  if (ACCESS_DENIED.has(name)) {
    // An AssumeRole refusal surfaces here too (from the credential provider), with the STS action in the message.
    if (/AssumeRole/i.test(original)) {
      return make(
        'AWS_ACCESS_DENIED',
        `whyping could not assume the role given by --role-arn / WHYPING_ROLE_ARN: ${original}. Allow sts:AssumeRole for your identity in the role's trust policy${ref}.`,
      );
    }
    return make(
      'AWS_ACCESS_DENIED',
      `AWS refused ${action}: grant ${action} to the identity whyping runs as (see ${policyFileFor(action)})${ref}.`,
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    const why = /expired/i.test(name) || /expired/i.test(original) ? 'expired' : 'missing or invalid';
    return make(
      'AWS_CREDENTIALS',
      `AWS credentials are ${why} (${original.split('\n')[0]}): sign in again (aws sso login, or refresh AWS_* variables / AWS_PROFILE), or run with --sandbox to use the built-in demo account${ref}.`,
    );
  }
  if (THROTTLED.has(name)) {
    const tries = attempts ? ` after ${attempts} attempts` : '';
    return make(
      'AWS_THROTTLED',
      `AWS throttled ${action}${tries}: wait a minute and try again, or raise AWS_MAX_ATTEMPTS${ref}.`,
    );
  }
  if (NOT_FOUND_ENDPOINT.test(name)) {
    return make('UNKNOWN_ENDPOINT', `${original.split('\n')[0]}: check the id and the region${ref}.`);
  }
  if (NOT_FOUND_INPUT.test(name)) {
    return make('BAD_INPUT', `${original.split('\n')[0]}: check the id and the region${ref}.`);
  }
  if (err.code === 'ENOTFOUND' && typeof err.hostname === 'string' && err.hostname.endsWith('.amazonaws.com')) {
    // No DNS answer for an AWS endpoint: a region that does not exist, or a machine that cannot reach AWS at all.
    return make(
      'AWS_REGION',
      `Could not find ${err.hostname}: either that region does not exist (pass --region or AWS_REGION, e.g. us-east-1) or this machine cannot resolve AWS hosts (DNS, proxy, network). Without AWS, try --sandbox.`,
    );
  }
  if (name === 'OptInRequired' || /Invalid region/i.test(original)) {
    return make(
      'AWS_REGION',
      `The region is unknown or not enabled for this account (${original.split('\n')[0]}): pass --region (or set AWS_REGION) to a region such as us-east-1${ref}.`,
    );
  }
  if (name === 'WhypingAwsTimeout') {
    return make(
      'AWS_ERROR',
      `AWS did not answer ${action} in time (${original}): check the network, a proxy, or AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_EC2, or raise WHYPING_AWS_TIMEOUT_S.`,
    );
  }
  if (typeof err.code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(err.code)) {
    return make(
      'AWS_ERROR',
      `Could not reach AWS for ${action} (${err.code}): check the network, a proxy, or AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_EC2${ref}.`,
    );
  }
  return make('AWS_ERROR', `AWS ${action} failed: ${original.split('\n')[0]}${ref}.`);
}

/** No role is configured for another account the path reaches: which variable to set (WHYPING_ACCOUNT_ROLE…). */
export function noAccountRole(account: string, purpose: 'read' | 'fix'): WhypingError {
  const how =
    purpose === 'fix'
      ? 'set WHYPING_ACCOUNT_FIX_ROLE=arn:aws:iam::{account}:role/whyping-fix'
      : `set WHYPING_ACCOUNT_ROLE=arn:aws:iam::{account}:role/whyping-read or WHYPING_ACCOUNT_ROLES=${account}=arn:aws:iam::${account}:role/<name>`;
  return new WhypingError(
    'AWS_ACCESS_DENIED',
    `no role is configured for account ${account}: ${how}, and let this identity assume it (iam/account-role-trust.json)`,
  );
}
