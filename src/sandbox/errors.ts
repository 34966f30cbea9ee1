/** AWS-shaped errors: the SDK's own service exception classes, with the code, fault, status and request id AWS sends. */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import * as eicModels from '@aws-sdk/client-ec2-instance-connect';
import { EC2InstanceConnectServiceException } from '@aws-sdk/client-ec2-instance-connect';
import * as ssmModels from '@aws-sdk/client-ssm';
import { SSMServiceException } from '@aws-sdk/client-ssm';

/** `$metadata` as the SDK fills it from a response. */
export function responseMetadata(requestId: string, httpStatusCode = 200) {
  return { httpStatusCode, requestId, extendedRequestId: undefined, cfId: undefined, attempts: 1, totalRetryDelay: 0 };
}

/** HTTP status EC2 uses for codes that are not 400. */
const ec2Status: Record<string, number> = {
  DryRunOperation: 412,
  UnauthorizedOperation: 403,
  AuthFailure: 401,
  RequestLimitExceeded: 503,
  InternalError: 500,
  ServiceUnavailable: 503,
};

/**
 * An EC2 error as the SDK throws it: EC2 models no error shapes, so the SDK raises an `EC2ServiceException`
 * whose `name` is the AWS code, with `Code`/`Error` copied from the `<Response><Errors>` envelope.
 */
export function ec2Error(code: string, message: string, requestId: string): EC2ServiceException {
  const status = ec2Status[code] ?? 400;
  const fault = status >= 500 ? 'server' : 'client';
  const e = new EC2ServiceException({
    name: code,
    $fault: fault,
    $metadata: responseMetadata(requestId, status),
    message,
  });
  Object.assign(e, { Code: code, Error: { Code: code, Message: message } });
  return e;
}

type ExceptionCtor = new (opts: {
  $metadata: ReturnType<typeof responseMetadata>;
  message: string;
  [k: string]: unknown;
}) => Error;

/** An SSM error: the modeled exception class when SSM models the code (`InvocationDoesNotExist`, …), else the base class. */
export function ssmError(code: string, message: string | undefined, requestId: string): SSMServiceException {
  const ctor = (ssmModels as unknown as Record<string, unknown>)[code];
  const $metadata = responseMetadata(requestId, code === 'InternalServerError' ? 500 : 400);
  // The real InvocationDoesNotExist body carries no message; the SDK then sets message 'UnknownError'.
  const msg = message ?? 'UnknownError';
  if (typeof ctor === 'function' && ctor.prototype instanceof SSMServiceException) {
    const e = new (ctor as ExceptionCtor)({ $metadata, message: msg, ...(message ? { Message: message } : {}) });
    return e as SSMServiceException;
  }
  return new SSMServiceException({ name: code, $fault: 'client', $metadata, message: msg });
}

/** An EC2 Instance Connect error (modeled classes such as `EC2InstanceNotFoundException`). */
export function eicError(code: string, message: string, requestId: string): EC2InstanceConnectServiceException {
  const ctor = (eicModels as unknown as Record<string, unknown>)[code];
  const $metadata = responseMetadata(requestId, code === 'ServiceException' ? 500 : 400);
  if (typeof ctor === 'function' && ctor.prototype instanceof EC2InstanceConnectServiceException) {
    return new (ctor as ExceptionCtor)({ $metadata, message, Message: message }) as EC2InstanceConnectServiceException;
  }
  return new EC2InstanceConnectServiceException({ name: code, $fault: 'client', $metadata, message });
}
