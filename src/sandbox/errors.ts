/** AWS-shaped errors: the SDK's own service exception classes, with the code, fault, status and request id AWS sends. */

import * as cloudtrailModels from '@aws-sdk/client-cloudtrail';
import { CloudTrailServiceException } from '@aws-sdk/client-cloudtrail';
import * as dynamoModels from '@aws-sdk/client-dynamodb';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import * as eicModels from '@aws-sdk/client-ec2-instance-connect';
import { EC2InstanceConnectServiceException } from '@aws-sdk/client-ec2-instance-connect';
import * as elbModels from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElasticLoadBalancingV2ServiceException } from '@aws-sdk/client-elastic-load-balancing-v2';
import * as ssmModels from '@aws-sdk/client-ssm';
import { SSMServiceException } from '@aws-sdk/client-ssm';

/** `$metadata` as the SDK fills it from a response. */
export function responseMetadata(requestId: string, httpStatusCode = 200) {
  return { httpStatusCode, requestId, extendedRequestId: undefined, cfId: undefined, attempts: 1, totalRetryDelay: 0 };
}

/**
 * Gives an exception the own properties the SDK's deserializer leaves on it: an enumerable `message`, the extra
 * fields of the error body, and a non-enumerable `$response`.
 */
function asDeserialized<E extends Error>(e: E, requestId: string, status: number, extra: Record<string, unknown>): E {
  Object.defineProperty(e, 'message', { value: e.message, writable: true, enumerable: true, configurable: true });
  Object.assign(e, extra);
  Object.defineProperty(e, '$response', {
    value: { statusCode: status, headers: { 'x-amzn-requestid': requestId }, body: undefined },
    writable: true,
    enumerable: false,
    configurable: true,
  });
  return e;
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
  return asDeserialized(e, requestId, status, { Code: code, Error: { Code: code, Message: message, Type: undefined } });
}

type ExceptionCtor = new (opts: {
  $metadata: ReturnType<typeof responseMetadata>;
  message: string;
  [k: string]: unknown;
}) => Error;

/** An SSM error: the modeled exception class when SSM models the code (`InvocationDoesNotExist`, …), else the base class. */
export function ssmError(code: string, message: string | undefined, requestId: string): SSMServiceException {
  const ctor = (ssmModels as unknown as Record<string, unknown>)[code];
  const status = code === 'InternalServerError' ? 500 : 400;
  const $metadata = responseMetadata(requestId, status);
  // The real InvocationDoesNotExist body carries no message; the SDK then sets message 'UnknownError'.
  const msg = message ?? 'UnknownError';
  const e =
    typeof ctor === 'function' && ctor.prototype instanceof SSMServiceException
      ? (new (ctor as ExceptionCtor)({ $metadata, message: msg }) as SSMServiceException)
      : new SSMServiceException({ name: code, $fault: 'client', $metadata, message: msg });
  return asDeserialized(e, requestId, status, { __type: code });
}

/** An EC2 Instance Connect error (modeled classes such as `EC2InstanceNotFoundException`). */
export function eicError(code: string, message: string, requestId: string): EC2InstanceConnectServiceException {
  const ctor = (eicModels as unknown as Record<string, unknown>)[code];
  const status = code === 'ServiceException' ? 500 : 400;
  const $metadata = responseMetadata(requestId, status);
  const e =
    typeof ctor === 'function' && ctor.prototype instanceof EC2InstanceConnectServiceException
      ? (new (ctor as ExceptionCtor)({ $metadata, message, Message: message }) as EC2InstanceConnectServiceException)
      : new EC2InstanceConnectServiceException({ name: code, $fault: 'client', $metadata, message });
  return asDeserialized(e, requestId, status, { __type: code });
}

/** A DynamoDB error (modeled classes such as `ConditionalCheckFailedException`, with their extra fields, e.g. `Item`). */
export function dynamoError(
  code: string,
  message: string,
  requestId: string,
  extra: Record<string, unknown> = {},
): DynamoDBServiceException {
  const ctor = (dynamoModels as unknown as Record<string, unknown>)[code];
  const status = code === 'InternalServerError' ? 500 : 400;
  const $metadata = responseMetadata(requestId, status);
  const e =
    typeof ctor === 'function' && ctor.prototype instanceof DynamoDBServiceException
      ? (new (ctor as ExceptionCtor)({ $metadata, message, ...extra }) as DynamoDBServiceException)
      : new DynamoDBServiceException({ name: code, $fault: 'client', $metadata, message });
  return asDeserialized(e, requestId, status, { __type: `com.amazonaws.dynamodb.v20120810#${code}`, ...extra });
}

/** A CloudTrail error (modeled classes such as `ThrottlingException`; AccessDeniedException is unmodeled). */
export function cloudtrailError(code: string, message: string, requestId: string): CloudTrailServiceException {
  const ctor = (cloudtrailModels as unknown as Record<string, unknown>)[code];
  const $metadata = responseMetadata(requestId, 400);
  const e =
    typeof ctor === 'function' && ctor.prototype instanceof CloudTrailServiceException
      ? (new (ctor as ExceptionCtor)({ $metadata, message }) as CloudTrailServiceException)
      : new CloudTrailServiceException({ name: code, $fault: 'client', $metadata, message });
  return asDeserialized(e, requestId, 400, { __type: code });
}

/** An Elastic Load Balancing error (Query protocol: code `LoadBalancerNotFound` → `LoadBalancerNotFoundException`). */
export function elbv2Error(code: string, message: string, requestId: string): ElasticLoadBalancingV2ServiceException {
  const ctor = (elbModels as unknown as Record<string, unknown>)[`${code}Exception`];
  const $metadata = responseMetadata(requestId, 400);
  const e =
    typeof ctor === 'function' && ctor.prototype instanceof ElasticLoadBalancingV2ServiceException
      ? (new (ctor as ExceptionCtor)({ $metadata, message }) as ElasticLoadBalancingV2ServiceException)
      : new ElasticLoadBalancingV2ServiceException({ name: code, $fault: 'client', $metadata, message });
  return asDeserialized(e, requestId, 400, { Code: code, Error: { Code: code, Message: message, Type: 'Sender' } });
}
