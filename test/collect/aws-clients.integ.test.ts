/**
 * src/main/aws.ts: region and role resolution, the SDK's endpoint variables, the shared assumed-role session, and a
 * credential check that answers fast where no metadata service exists. Nothing but 127.0.0.1 is contacted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createAwsClients, hasAwsCredentials, resolveRegion, resolveRoleArn } from '../../src/main/aws.js';
import { fakeEc2 } from '../support/ec2-wire.js';
import { loadDocs } from '../support/fixtures.js';

const seed = loadDocs('src/sandbox/scenarios/seed-lab.json');

/** Runs `fn` with exactly these AWS-related variables set (all others of the credential chain removed). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) {
    if (/^AWS_|^WHYPING_ROLE_ARN$/.test(k) && k !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED')
      delete process.env[k];
  }
  Object.assign(process.env, {
    AWS_CONFIG_FILE: '/nonexistent/whyping-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/whyping-test/credentials',
    ...vars,
  });
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('the region', () => {
  it('comes from --region, else AWS_REGION, else AWS_DEFAULT_REGION', () => {
    expect(resolveRegion('eu-west-2', { AWS_REGION: 'us-east-1' })).toBe('eu-west-2');
    expect(resolveRegion(undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('us-east-1');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('eu-west-1');
    expect(resolveRegion('us-gov-west-1', {})).toBe('us-gov-west-1');
  });

  it('missing or malformed is a clear exit-3 error', () => {
    expect(() => resolveRegion(undefined, {})).toThrow(/pass --region .* or set AWS_REGION/);
    expect(() => resolveRegion('useast1', {})).toThrow(/not an AWS region/);
    try {
      resolveRegion(undefined, {});
    } catch (e) {
      expect(e).toMatchObject({ code: 'AWS_REGION', exitCode: 3 });
    }
  });
});

describe('the role', () => {
  it('comes from --role-arn, else WHYPING_ROLE_ARN, never AWS_ROLE_ARN', () => {
    const arn = 'arn:aws:iam::123456789012:role/whyping-read';
    expect(resolveRoleArn(arn, {})).toBe(arn);
    expect(resolveRoleArn(undefined, { WHYPING_ROLE_ARN: arn })).toBe(arn);
    expect(resolveRoleArn(undefined, { AWS_ROLE_ARN: arn })).toBeUndefined();
    expect(() => resolveRoleArn('role/x', {})).toThrow(/not an IAM role ARN/);
  });
});

describe('live clients', () => {
  it('honor AWS_ENDPOINT_URL_EC2 (no endpoint is hard-coded)', async () => {
    const fake = fakeEc2(seed, { endpoint: 'http://127.0.0.1:4599' });
    await withEnv(
      {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:4599',
      },
      async () => {
        const { clients, region } = await createAwsClients({ region: 'us-east-1', logger: silentLogger });
        expect(region).toBe('us-east-1');
        const out = await clients.ec2.send(new DescribeVpcsCommand({}));
        expect(out.Vpcs).toHaveLength(2);
      },
    );
    expect(fake.calls.map((c) => c.action)).toEqual(['DescribeVpcs']);
  });

  it('assume --role-arn once with the SDK provider and share the session between the clients', async () => {
    let assumed = 0;
    let roleAsked = '';
    nock('http://127.0.0.1:4600')
      .persist()
      .post('/', (b: Record<string, string>) => {
        roleAsked = b.RoleArn ?? '';
        return b.Action === 'AssumeRole';
      })
      .reply(() => {
        assumed += 1;
        return [
          200,
          `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAWHYPINGTEST</AccessKeyId><SecretAccessKey>temp-secret</SecretAccessKey><SessionToken>temp-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/whyping-read/whyping-test</Arn><AssumedRoleId>AROATEST:whyping-test</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
          { 'Content-Type': 'text/xml' },
        ];
      });
    let ec2Auth = '';
    nock('http://127.0.0.1:4599')
      .persist()
      .post('/')
      .matchHeader('authorization', (v: string) => {
        ec2Auth = v;
        return true;
      })
      .reply(
        200,
        '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><vpcSet/></DescribeVpcsResponse>',
        {
          'Content-Type': 'text/xml',
        },
      );
    let ssmAuth = '';
    nock('http://127.0.0.1:4601')
      .persist()
      .post('/')
      .matchHeader('authorization', (v: string) => {
        ssmAuth = v;
        return true;
      })
      .reply(200, { InstanceInformationList: [] }, { 'Content-Type': 'application/x-amz-json-1.1' });
    await withEnv(
      {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4600',
        AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:4599',
        AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:4601',
        WHYPING_ROLE_ARN: 'arn:aws:iam::123456789012:role/whyping-read',
      },
      async () => {
        const { clients } = await createAwsClients({ region: 'us-east-1', logger: silentLogger });
        await clients.ec2.send(new DescribeVpcsCommand({}));
        await clients.ec2.send(new DescribeVpcsCommand({}));
        await clients.ssm.send(new DescribeInstanceInformationCommand({}));
      },
    );
    expect(roleAsked).toBe('arn:aws:iam::123456789012:role/whyping-read');
    expect(assumed).toBe(1);
    expect(ec2Auth).toContain('Credential=ASIAWHYPINGTEST/');
    expect(ssmAuth).toContain('Credential=ASIAWHYPINGTEST/');
  });
});

describe("the Slack app's per-click fix role", () => {
  it('is assumed with the session name whyping-<slack user id>, so CloudTrail shows who asked', async () => {
    let session = '';
    nock('http://127.0.0.1:4602')
      .post('/', (b: Record<string, string>) => {
        session = b.RoleSessionName ?? '';
        return b.Action === 'AssumeRole';
      })
      .reply(
        200,
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAWHYPINGFIX</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/whyping-fix/whyping-U0ALICE</Arn><AssumedRoleId>AROAFIX:whyping-U0ALICE</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>sts-2</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        { 'Content-Type': 'text/xml' },
      );
    let ec2Auth = '';
    nock('http://127.0.0.1:4603')
      .post('/')
      .matchHeader('authorization', (v: string) => {
        ec2Auth = v;
        return true;
      })
      .reply(
        200,
        '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><vpcSet/></DescribeVpcsResponse>',
        {
          'Content-Type': 'text/xml',
        },
      );
    await withEnv(
      {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4602',
        AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:4603',
      },
      async () => {
        const { clients } = await createAwsClients({
          region: 'us-east-1',
          roleArn: 'arn:aws:iam::123456789012:role/whyping-fix',
          sessionName: 'whyping-U0ALICE',
          logger: silentLogger,
        });
        await clients.ec2.send(new DescribeVpcsCommand({}));
      },
    );
    expect(session).toBe('whyping-U0ALICE');
    expect(ec2Auth).toContain('Credential=ASIAWHYPINGFIX/');
  });
});

describe('hasAwsCredentials', () => {
  let silent: Server;
  let silentUrl = '';
  beforeAll(async () => {
    // A metadata service that accepts connections and never answers: the check must still return promptly.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(() => {
    silent.closeAllConnections();
    silent.close();
    nock.disableNetConnect();
  });

  it('is true with credentials in the environment', async () => {
    await withEnv({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' }, async () => {
      expect(await hasAwsCredentials()).toBe(true);
    });
  });

  it('is false, within its bound, when nothing answers for credentials', async () => {
    await withEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: silentUrl }, async () => {
      const started = performance.now();
      expect(await hasAwsCredentials({ timeoutMs: 800 })).toBe(false);
      expect(performance.now() - started).toBeLessThan(1500);
    });
  });

  it('is false at once when the metadata service is disabled', async () => {
    await withEnv({ AWS_EC2_METADATA_DISABLED: 'true' }, async () => {
      expect(await hasAwsCredentials()).toBe(false);
    });
  });
});
