/**
 * checkInstanceConnect through a real EC2InstanceConnectClient, nock at the wire (AWS JSON 1.1,
 * X-Amz-Target AWSEC2InstanceConnectService.SendSSHPublicKey).
 */
import { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isWhypingError } from '../../src/errors.js';
import { checkInstanceConnect } from '../../src/probe/instance-connect.js';

const HOST = 'https://ec2-instance-connect.us-east-1.amazonaws.com';
const JSON11 = {
  'Content-Type': 'application/x-amz-json-1.1',
  'x-amzn-RequestId': 'cec3279a-c220-45b7-b99b-930c0a7a8fe0',
};
const IID = 'i-0123456789abcdef0';
let bodies: Record<string, unknown>[] = [];

function sendKey() {
  return nock(HOST)
    .post('/', (b: Record<string, unknown>) => {
      bodies.push(b);
      return true;
    })
    .matchHeader('x-amz-target', 'AWSEC2InstanceConnectService.SendSSHPublicKey')
    .matchHeader('content-type', 'application/x-amz-json-1.1');
}

const client = () =>
  new EC2InstanceConnectClient({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  bodies = [];
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('checkInstanceConnect', () => {
  it('pushes a throwaway ed25519 key for the OS user and reports success with the request id', async () => {
    const scope = sendKey().reply(200, { RequestId: 'cec3279a-c220-45b7-b99b-930c0a7a8fe0', Success: true }, JSON11);
    const r = await checkInstanceConnect(client(), {
      instanceId: IID,
      osUser: 'ec2-user',
      availabilityZone: 'us-east-1a',
    });
    expect(scope.isDone()).toBe(true);
    expect(bodies[0]).toMatchObject({ InstanceId: IID, InstanceOSUser: 'ec2-user', AvailabilityZone: 'us-east-1a' });
    expect(String(bodies[0]?.SSHPublicKey)).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\S+ whyping-check$/);
    expect(r.ok).toBe(true);
    expect(r.requestId).toBe('cec3279a-c220-45b7-b99b-930c0a7a8fe0');
    expect(r.message).toMatch(/accepted a one-time key for ec2-user on i-0123456789abcdef0/);
    expect(r.message).toMatch(/does not test the network path to port 22/);
  });

  it('leaves out the availability zone when none is given', async () => {
    sendKey().reply(200, { RequestId: 'r', Success: true }, JSON11);
    await checkInstanceConnect(client(), { instanceId: IID, osUser: 'ubuntu' });
    expect(bodies[0]).not.toHaveProperty('AvailabilityZone');
  });

  it.each([
    [
      'AuthException',
      400,
      'Either your AWS credentials are not valid or you do not have access to the EC2 instance.',
      /lacks ec2-instance-connect:SendSSHPublicKey on this instance for OS user ec2-user \(check the ec2:osuser condition/,
    ],
    [
      'AccessDeniedException',
      400,
      `User: arn:aws:iam::111122223333:user/dev is not authorized to perform: ec2-instance-connect:SendSSHPublicKey on resource: arn:aws:ec2:us-east-1:111122223333:instance/${IID}`,
      /lacks ec2-instance-connect:SendSSHPublicKey/,
    ],
    [
      'EC2InstanceStateInvalidException',
      400,
      'Unable to connect because the instance is not in a valid state.',
      /is not running .* start it first/,
    ],
    [
      'EC2InstanceNotFoundException',
      400,
      'Instance not found',
      /found no instance i-0123456789abcdef0: check the id, the region/,
    ],
    [
      'EC2InstanceUnavailableException',
      503,
      'The instance is currently unavailable. Wait a few minutes and try again.',
      /unavailable to EC2 Instance Connect right now.*supports.*Windows instances are reached by RDP/,
    ],
    ['ThrottlingException', 400, 'Rate exceeded', /throttled the request: retry in a moment/],
    [
      'InvalidArgsException',
      400,
      'Availability zone us-east-1b does not match',
      /check that the availability zone matches/,
    ],
    ['ServiceException', 500, 'Internal error', /internal error: retry in a moment/],
  ])('explains %s', async (type, status, message, expected) => {
    sendKey().reply(status, { __type: type, Message: message }, JSON11);
    const r = await checkInstanceConnect(client(), { instanceId: IID, osUser: 'ec2-user' });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(expected);
    expect(r.message).toContain(`AWS said: ${message}`);
  });

  it.each([
    [{ instanceId: 'i-0123; reboot', osUser: 'ec2-user' }],
    [{ instanceId: IID, osUser: 'ec2-user; id' }],
    [{ instanceId: IID, osUser: '$(id)' }],
    [{ instanceId: IID, osUser: '' }],
    [{ instanceId: IID, osUser: 'ec2-user', availabilityZone: 'us-east-1a\nx' }],
  ])('refuses invalid input %j before any request', async (req) => {
    const err = await checkInstanceConnect(client(), req as never).catch((e: unknown) => e);
    expect(isWhypingError(err, 'BAD_INPUT')).toBe(true);
    expect(bodies).toEqual([]);
  });
});
