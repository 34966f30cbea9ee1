/** fromAwsError: each AWS failure becomes one coded error with a next step, the original kept as the cause. */
import { describe, expect, it } from 'vitest';
import { fromAwsError, WhypingError } from '../../src/errors.js';

/** An error shaped like an SDK v3 ServiceException (name = AWS code, $fault, $metadata). */
function awsError(name: string, message = `${name} happened`, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'req-123', attempts: 1 },
    ...extra,
  });
}

describe('fromAwsError', () => {
  it('UnauthorizedOperation names the IAM action and the read policy, with the AWS code and request id', () => {
    const original = awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.');
    const e = fromAwsError(original, 'ec2:DescribeRouteTables');
    expect(e.code).toBe('AWS_ACCESS_DENIED');
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(
      'AWS refused ec2:DescribeRouteTables: grant ec2:DescribeRouteTables to the identity whyping runs as (see iam/readonly.json) (AWS UnauthorizedOperation, request id req-123).',
    );
    expect(e.cause).toBe(original);
    expect(e.details.aws).toEqual({
      awsCode: 'UnauthorizedOperation',
      action: 'ec2:DescribeRouteTables',
      fault: 'client',
      requestId: 'req-123',
      httpStatusCode: 400,
    });
  });

  it('points a refused write at iam/fix.json and a refused probe at iam/probe.json', () => {
    expect(fromAwsError(awsError('UnauthorizedOperation'), 'ec2:CreateRoute').message).toContain('iam/fix.json');
    expect(fromAwsError(awsError('AccessDeniedException'), 'ssm:SendCommand').message).toContain('iam/probe.json');
  });

  it('a refused AssumeRole says to fix the role trust policy', () => {
    const e = fromAwsError(
      awsError(
        'AccessDenied',
        'User: arn:aws:iam::1:user/x is not authorized to perform: sts:AssumeRole on resource: r',
      ),
      'ec2:DescribeInstances',
    );
    expect(e.code).toBe('AWS_ACCESS_DENIED');
    expect(e.message).toContain('--role-arn');
  });

  it.each(['ExpiredToken', 'RequestExpired', 'AuthFailure', 'InvalidClientTokenId', 'CredentialsProviderError'])(
    '%s is a credentials problem that mentions --sandbox',
    (name) => {
      const e = fromAwsError(awsError(name), 'ec2:DescribeVpcs');
      expect(e.code).toBe('AWS_CREDENTIALS');
      expect(e.exitCode).toBe(3);
      expect(e.message).toContain('--sandbox');
    },
  );

  it('says "expired" when the token expired', () => {
    expect(fromAwsError(awsError('ExpiredToken'), 'ec2:DescribeVpcs').message).toMatch(/^AWS credentials are expired/);
  });

  it('throttling past the retries says how many attempts were made', () => {
    const e = fromAwsError(
      awsError('RequestLimitExceeded', 'Request limit exceeded.', {
        $metadata: { httpStatusCode: 503, attempts: 5, requestId: 'r' },
      }),
      'ec2:DescribeVpcs',
    );
    expect(e.code).toBe('AWS_THROTTLED');
    expect(e.message).toContain('after 5 attempts');
  });

  it('an unknown instance or ENI id is an unknown endpoint (exit 2), as offline', () => {
    for (const name of [
      'InvalidInstanceID.NotFound',
      'InvalidInstanceID.Malformed',
      'InvalidNetworkInterfaceID.NotFound',
    ]) {
      const e = fromAwsError(awsError(name, "The instance ID 'i-1' does not exist"), 'ec2:DescribeInstances');
      expect(e.code).toBe('UNKNOWN_ENDPOINT');
      expect(e.exitCode).toBe(2);
    }
    expect(fromAwsError(awsError('InvalidVpcID.NotFound'), 'ec2:DescribeVpcs').code).toBe('BAD_INPUT');
  });

  it('a region with no endpoint (DNS fails on ec2.<region>.amazonaws.com) is a region error', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND ec2.xx-fake-1.amazonaws.com'), {
      code: 'ENOTFOUND',
      hostname: 'ec2.xx-fake-1.amazonaws.com',
    });
    const e = fromAwsError(dns, 'ec2:DescribeVpcs');
    expect(e.code).toBe('AWS_REGION');
    expect(e.message).toContain('--region');
    // It may also be a machine with no DNS for AWS at all: the message says both.
    expect(e.message).toContain('cannot resolve AWS hosts');
    expect(fromAwsError(awsError('OptInRequired'), 'ec2:DescribeVpcs').code).toBe('AWS_REGION');
  });

  it('a refused connection to a custom endpoint mentions AWS_ENDPOINT_URL', () => {
    const e = fromAwsError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'ec2:DescribeVpcs',
    );
    expect(e.code).toBe('AWS_ERROR');
    expect(e.message).toContain('AWS_ENDPOINT_URL');
    // A connection that never reached AWS cites no AWS error code, even when the SDK attached $metadata to it.
    const viaSdk = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      $metadata: { attempts: 1 },
    });
    expect(fromAwsError(viaSdk, 'ec2:DescribeVpcs').message).not.toContain('(AWS ');
  });

  it('anything else is AWS_ERROR with the first line of the AWS message; a WhypingError passes through', () => {
    const e = fromAwsError(awsError('InternalError', 'An internal error has occurred\nmore'), 'ec2:DescribeVpcs');
    expect(e.code).toBe('AWS_ERROR');
    expect(e.message).toBe(
      'AWS ec2:DescribeVpcs failed: An internal error has occurred (AWS InternalError, request id req-123).',
    );
    const mine = new WhypingError('BAD_INPUT', 'x');
    expect(fromAwsError(mine, 'ec2:DescribeVpcs')).toBe(mine);
    expect(fromAwsError('a string', 'ec2:DescribeVpcs').code).toBe('AWS_ERROR');
  });
});
