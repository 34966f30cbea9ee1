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
