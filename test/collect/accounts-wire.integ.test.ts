/**
 * Accounts and regions at the wire: real SDK clients from createAwsClients, STS AssumeRole (XML query protocol)
 * answered by nock, EC2 answered per regional endpoint and per signing key (one fake account each). The role of the
 * other account is assumed once and its clients reused; a refused AssumeRole is an unread part naming the trust
 * policy; a shared VPC seen from a participant is read in its owner's account.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectForQuery } from '../../src/collect/index.js';
import { resolveEnds } from '../../src/core/ends.js';
import { withUnread } from '../../src/core/unread.js';
import { diagnose } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import { parseAccountRoles, roleFor } from '../../src/main/accounts.js';
import { createAwsClients } from '../../src/main/aws.js';
import type { Query, RawSnapshotFile } from '../../src/model/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';
import { fakeEc2 } from '../support/ec2-wire.js';

const A = '111122223333';
const B = '444455556666';
const C = '555566667777';
type Docs = Record<string, unknown[]>;
const scenario = JSON.parse(
  readFileSync(new URL('../../src/sandbox/scenarios/cross-account-peering.json', import.meta.url), 'utf8'),
) as { Accounts: Record<string, Record<string, Docs>> };
const docsA = scenario.Accounts[A]?.['us-east-1'] as Docs;
const docsB = scenario.Accounts[B]?.['eu-west-1'] as Docs;

const HOME_KEY = 'AKIDWHYPINGHOME';
const keyOf = (account: string) => `ASIA${account}`;

/** STS AssumeRole: temporary credentials whose key names the account; `refuse` accounts get AccessDenied. */
function fakeSts(refuse: string[] = []) {
  const asked: { role: string; session: string }[] = [];
  for (const host of ['https://sts.us-east-1.amazonaws.com', 'https://sts.amazonaws.com']) {
    nock(host)
      .persist()
      .post('/', (b: Record<string, string>) => b.Action === 'AssumeRole')
      .reply((_uri, body) => {
        const b = new URLSearchParams(body as string);
        const role = b.get('RoleArn') ?? '';
        asked.push({ role, session: b.get('RoleSessionName') ?? '' });
        const account = role.split(':')[4] ?? '';
        if (refuse.includes(account)) {
          return [
            403,
            `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::${A}:user/whyping is not authorized to perform: sts:AssumeRole on resource: ${role}</Message></Error><RequestId>sts-denied</RequestId></ErrorResponse>`,
            { 'Content-Type': 'text/xml' },
          ];
        }
        return [
          200,
          `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${keyOf(account)}</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/whyping-read/whyping-test</Arn><AssumedRoleId>AROA:whyping-test</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
          { 'Content-Type': 'text/xml' },
        ];
      });
  }
  return asked;
}

let restore: (() => void) | null = null;

/** Live clients with home credentials in the environment (kept until the test ends: credentials load lazily). */
async function liveClients(env: Record<string, string>) {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (/^AWS_|^WHYPING_/.test(k)) delete process.env[k];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: HOME_KEY,
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_CONFIG_FILE: '/nonexistent/whyping-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/whyping-test/credentials',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: saved.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? '1',
  });
  restore = () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
  return createAwsClients({ region: 'us-east-1', logger: silentLogger, sessionName: 'whyping-test', env });
}

function answer(files: RawSnapshotFile[], q: Query) {
  const s = buildSnapshot(files);
  return diagnose(s, q, resolveEndpoints(s, q.from, q.to));
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  restore?.();
  restore = null;
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

const q: Query = { from: 'app-a', to: '10.20.1.20', protocol: 'icmp', port: null };

describe('following a path into another account and region, at the wire', () => {
  it('assumes the partner role once (WHYPING_ACCOUNT_ROLE) and reads eu-west-1 through it', async () => {
    const asked = fakeSts();
    const home = fakeEc2([docsA], { region: 'us-east-1', accessKeyId: HOME_KEY });
    const partner = fakeEc2([docsB], { region: 'eu-west-1', accessKeyId: keyOf(B) });
    const { clients } = await liveClients({ WHYPING_ACCOUNT_ROLE: 'arn:aws:iam::{account}:role/whyping-read' });
    const got = await collectForQuery(clients.ec2, q, {
      region: 'us-east-1',
      logger: silentLogger,
      ...(clients.accounts ? { accounts: clients.accounts } : {}),
    });
    expect(asked).toEqual([{ role: `arn:aws:iam::${B}:role/whyping-read`, session: 'whyping-test' }]);
    expect(partner.calls.map((c) => c.action)).toContain('DescribeRouteTables');
    expect(home.calls.length + partner.calls.length).toBe(got.stats.calls);
    expect(got.unread).toEqual([]);
    const d = answer(got.files, q);
    expect(d.findings.map((f) => `${f.code} ${f.resource}`).sort()).toEqual([
      'NO_ROUTE rtb-0a1b2c3d4e5f6071a',
      'NO_ROUTE rtb-0b2c3d4e5f6a7081b',
      'PEERING_NOT_ACTIVE pcx-0c1d2e3f4a5b60718',
    ]);
  });

  it('WHYPING_ACCOUNT_ROLES names the role of an account that differs from the pattern', async () => {
    const asked = fakeSts();
    fakeEc2([docsA], { region: 'us-east-1', accessKeyId: HOME_KEY });
    fakeEc2([docsB], { region: 'eu-west-1', accessKeyId: keyOf(B) });
    const { clients } = await liveClients({
      WHYPING_ACCOUNT_ROLE: 'arn:aws:iam::{account}:role/whyping-read',
      WHYPING_ACCOUNT_ROLES: `${B}=arn:aws:iam::${B}:role/partner-net-read`,
    });
    await collectForQuery(clients.ec2, q, {
      region: 'us-east-1',
      logger: silentLogger,
      ...(clients.accounts ? { accounts: clients.accounts } : {}),
    });
    expect(asked.map((a) => a.role)).toEqual([`arn:aws:iam::${B}:role/partner-net-read`]);
  });

  it('a refused AssumeRole: the far side is named with the trust policy to fix, the near side still answers', async () => {
    fakeSts([B]);
    const home = fakeEc2([docsA], { region: 'us-east-1', accessKeyId: HOME_KEY });
    const partner = fakeEc2([docsB], { region: 'eu-west-1', accessKeyId: keyOf(B) });
    const { clients } = await liveClients({ WHYPING_ACCOUNT_ROLE: 'arn:aws:iam::{account}:role/whyping-read' });
    const got = await collectForQuery(clients.ec2, q, {
      region: 'us-east-1',
      logger: silentLogger,
      ...(clients.accounts ? { accounts: clients.accounts } : {}),
    });
    expect(partner.calls).toEqual([]);
    expect(home.calls.length).toBeGreaterThan(5);
    expect(got.unread).toHaveLength(1);
    expect(got.unread[0]?.reason).toBe(
      `whyping could not assume arn:aws:iam::${B}:role/whyping-read in account ${B} (AWS AccessDenied): let this identity assume it in the role's trust policy (iam/account-role-trust.json)`,
    );
    const d = withUnread(answer(got.files, q), got.unread);
    expect(d.reachable).toBe(false);
    expect(d.notAnalyzed?.id).toBe(`${B}/eu-west-1`);
  });

  it('a shared VPC seen from a participant: the owner account reads its route tables and its instances', async () => {
    fakeSts();
    // The participant C sees the shared VPC and subnet (owned by A), its own instance, interface and group only.
    const web = structuredClone((docsA.Reservations as Record<string, unknown>[])[0]) as {
      OwnerId: string;
      ReservationId: string;
      Instances: Record<string, unknown>[];
    };
    web.OwnerId = C;
    web.ReservationId = 'r-0c3d4e5f6a7b80910';
    const inst = web.Instances[0] as Record<string, unknown> & { NetworkInterfaces: Record<string, unknown>[] };
    Object.assign(inst, {
      InstanceId: 'i-0c3d4e5f6a7b80911',
      PrivateIpAddress: '10.10.1.30',
      Tags: [{ Key: 'Name', Value: 'web-c' }],
      SecurityGroups: [{ GroupName: 'web-c-sg', GroupId: 'sg-0c3d4e5f6a7b80913' }],
    });
    const ni = inst.NetworkInterfaces[0] as Record<string, unknown>;
    Object.assign(ni, {
      NetworkInterfaceId: 'eni-0c3d4e5f6a7b80912',
      OwnerId: C,
      PrivateIpAddress: '10.10.1.30',
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.10.1.30' }],
      Groups: [{ GroupName: 'web-c-sg', GroupId: 'sg-0c3d4e5f6a7b80913' }],
    });
    const participant: Docs = {
      Vpcs: docsA.Vpcs as unknown[],
      Subnets: docsA.Subnets as unknown[],
      Reservations: [web],
      NetworkInterfaces: [{ ...ni, InterfaceType: 'interface', Attachment: { InstanceId: 'i-0c3d4e5f6a7b80911' } }],
      SecurityGroups: [
        {
          GroupId: 'sg-0c3d4e5f6a7b80913',
          GroupName: 'web-c-sg',
          OwnerId: C,
          VpcId: 'vpc-0a1b2c3d4e5f60718',
          IpPermissions: [],
          IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
      ],
    };
    const seen = fakeEc2([participant], { region: 'us-east-1', accessKeyId: HOME_KEY });
    // (Without its peering to B, which this question does not need.)
    const owner = fakeEc2([{ ...docsA, VpcPeeringConnections: [] }], { region: 'us-east-1', accessKeyId: keyOf(A) });
    const { clients } = await liveClients({ WHYPING_ACCOUNT_ROLE: 'arn:aws:iam::{account}:role/whyping-read' });
    const shared: Query = { from: 'web-c', to: '10.10.1.10', protocol: 'icmp', port: null };
    const got = await collectForQuery(clients.ec2, shared, {
      region: 'us-east-1',
      logger: silentLogger,
      ...(clients.accounts ? { accounts: clients.accounts } : {}),
    });
    expect(seen.calls.length).toBeGreaterThan(0);
    expect(owner.calls.map((c) => c.action)).toEqual(
      expect.arrayContaining(['DescribeRouteTables', 'DescribeNetworkAcls']),
    );
    expect(got.unread).toEqual([]);
    const d = answer(got.files, shared);
    // The owner's instance was found by its address in the owner's account, and its group decides: it admits ICMP
    // from 10.20.0.0/16 only.
    expect(d.endpoints.to.instanceId).toBe('i-0a1b2c3d4e5f6071b');
    expect(d.findings.map((f) => `${f.code} ${f.resource}`)).toEqual(['SG_INGRESS_DENIED sg-0a1b2c3d4e5f6071e']);
  });
});

describe('an end named with its account, at the wire', () => {
  it('db-b@444455556666/eu-west-1: looked up by Name in that account and region through its role', async () => {
    const asked = fakeSts();
    const home = fakeEc2([docsA], { region: 'us-east-1', accessKeyId: HOME_KEY });
    const partner = fakeEc2([docsB], { region: 'eu-west-1', accessKeyId: keyOf(B) });
    const { clients } = await liveClients({ WHYPING_ACCOUNT_ROLE: 'arn:aws:iam::{account}:role/whyping-read' });
    const named: Query = { from: 'app-a', to: `db-b@${B}/eu-west-1`, protocol: 'icmp', port: null };
    const got = await collectForQuery(clients.ec2, named, {
      region: 'us-east-1',
      logger: silentLogger,
      ...(clients.accounts ? { accounts: clients.accounts } : {}),
    });
    expect(asked.map((a) => a.role)).toEqual([`arn:aws:iam::${B}:role/whyping-read`]);
    // The Name went to B's eu-west-1 endpoint as a tag filter (the account suffix never reaches AWS); home never saw it.
    const lookup = partner.calls.find((c) => c.action === 'DescribeInstances');
    expect(lookup?.filters).toEqual([{ name: 'tag:Name', values: expect.arrayContaining(['db-b']) }]);
    expect(home.calls.some((c) => JSON.stringify(c.filters).includes('db-b'))).toBe(false);
    expect(got.unread).toEqual([]);
    const s = buildSnapshot(got.files);
    const d = diagnose(s, named, resolveEnds(s, named.from, named.to));
    expect(d.endpoints.to.instanceId).toBe('i-0b2c3d4e5f6a7081c');
    expect(d.findings.map((f) => `${f.code} ${f.resource}`).sort()).toEqual([
      'NO_ROUTE rtb-0a1b2c3d4e5f6071a',
      'NO_ROUTE rtb-0b2c3d4e5f6a7081b',
      'PEERING_NOT_ACTIVE pcx-0c1d2e3f4a5b60718',
    ]);
  });

  it('an account with no role configured: refused before any call there, naming the variables', async () => {
    fakeSts();
    fakeEc2([docsA], { region: 'us-east-1', accessKeyId: HOME_KEY });
    const { clients } = await liveClients({});
    const named: Query = { from: 'app-a', to: `db-b@${B}`, protocol: 'icmp', port: null };
    await expect(
      collectForQuery(clients.ec2, named, {
        region: 'us-east-1',
        logger: silentLogger,
        ...(clients.accounts ? { accounts: clients.accounts } : {}),
      }),
    ).rejects.toThrow(
      `account ${B} is not the account of the default credentials (${A}), and no role is configured for it`,
    );
  });
});

describe('the account roles from the environment', () => {
  it('reads the explicit map first, then the pattern; fixes use their own pattern', () => {
    const roles = parseAccountRoles({
      WHYPING_ACCOUNT_ROLE: 'arn:aws:iam::{account}:role/whyping-read',
      WHYPING_ACCOUNT_ROLES: ` ${B}=arn:aws:iam::${B}:role/net-read , `,
      WHYPING_ACCOUNT_FIX_ROLE: 'arn:aws:iam::{account}:role/whyping-fix',
    });
    expect(roleFor(roles, B, 'read')).toBe(`arn:aws:iam::${B}:role/net-read`);
    expect(roleFor(roles, C, 'read')).toBe(`arn:aws:iam::${C}:role/whyping-read`);
    expect(roleFor(roles, B, 'fix')).toBe(`arn:aws:iam::${B}:role/whyping-fix`);
    expect(roleFor(parseAccountRoles({}), B, 'read')).toBeNull();
  });

  it('refuses malformed values with a message naming the variable (exit 2)', () => {
    expect(() => parseAccountRoles({ WHYPING_ACCOUNT_ROLE: 'arn:aws:iam::111122223333:role/x' })).toThrow(
      /WHYPING_ACCOUNT_ROLE must be an IAM role ARN with \{account\}/,
    );
    expect(() => parseAccountRoles({ WHYPING_ACCOUNT_ROLES: '4444=arn:aws:iam::4444:role/x' })).toThrow(
      /WHYPING_ACCOUNT_ROLES has "4444=arn:aws:iam::4444:role\/x"/,
    );
    try {
      parseAccountRoles({ WHYPING_ACCOUNT_FIX_ROLE: 'nope' });
    } catch (e) {
      expect(e).toMatchObject({ code: 'BAD_INPUT', exitCode: 2 });
    }
  });
});
