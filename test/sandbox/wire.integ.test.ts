/**
 * The sandbox checked against AWS's documented shapes, not against itself: each answer is serialized to the EC2
 * Query XML that AWS sends (test/support/ec2-wire.ts writes it from the SDK's own schemas), parsed back by a plain
 * EC2Client through nock, and must come out identical — so no field is one the real SDK would not produce, and every
 * type (Date, number, boolean, list) is what the SDK deserializer yields. Errors likewise: the sandbox's error must
 * equal the one the SDK builds from AWS's error envelope.
 */
import {
  AcceptVpcPeeringConnectionCommand,
  AllocateAddressCommand,
  AssociateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
  RevokeSecurityGroupIngressCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ec2ErrorXml, fakeEc2, toEc2Xml, unknownKeysSeen } from '../support/ec2-wire.js';
import { awsError, SEED } from './helpers.js';

type Uuid = `${string}-${string}-${string}-${string}-${string}`;

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const wireClient = () => new EC2Client({ region: 'us-east-1', maxAttempts: 1, credentials });

type AnyCommand = { input: object; constructor: { name: string } };

function rebuild(command: AnyCommand): AnyCommand {
  const Ctor = command.constructor as unknown as new (input: object) => AnyCommand;
  return new Ctor(structuredClone(command.input));
}

/** Sends `command` to the sandbox, then replays the sandbox's answer as AWS XML to a real client: both must agree. */
async function sameOverTheWire(sb: Sandbox, command: AnyCommand): Promise<Record<string, unknown>> {
  const operation = command.constructor.name.replace(/Command$/, '');
  // biome-ignore lint/suspicious/noExplicitAny: commands of many types go through one helper
  const fromSandbox = (await sb.clients.ec2.send(rebuild(command) as any)) as unknown as Record<string, unknown>;
  const { $metadata, ...body } = fromSandbox;
  const requestId = ($metadata as { requestId: string }).requestId;
  nock('https://ec2.us-east-1.amazonaws.com')
    .post('/', (b: Record<string, string>) => b.Action === operation)
    .reply(200, toEc2Xml(operation, body, requestId as Uuid), {
      'Content-Type': 'text/xml;charset=UTF-8',
      'x-amzn-RequestId': requestId,
    });
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const fromWire = (await wireClient().send(rebuild(command) as any)) as unknown as Record<string, unknown>;
  const { $metadata: wireMeta, ...wireBody } = fromWire;
  expect(wireBody, operation).toEqual(body);
  expect((wireMeta as { requestId: string }).requestId).toBe(requestId);
  return body;
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('sandbox answers as AWS XML parsed by the real SDK', () => {
  it('describe-* answers of the seed lab survive the wire unchanged', async () => {
    const sb = createSandbox();
    unknownKeysSeen.length = 0;
    const commands: AnyCommand[] = [
      new DescribeVpcsCommand({}),
      new DescribeSubnetsCommand({}),
      new DescribeRouteTablesCommand({}),
      new DescribeSecurityGroupsCommand({}),
      new DescribeSecurityGroupRulesCommand({ MaxResults: 5 }),
      new DescribeNetworkAclsCommand({}),
      new DescribeNetworkInterfacesCommand({}),
      new DescribeInstancesCommand({}),
      new DescribeInternetGatewaysCommand({}),
      new DescribeVpcPeeringConnectionsCommand({}),
      new DescribeAddressesCommand({}),
      new DescribeManagedPrefixListsCommand({}),
      new GetManagedPrefixListEntriesCommand({ PrefixListId: SEED.eicPrefixList }),
    ];
    for (const c of commands) await sameOverTheWire(sb, c);
    expect(unknownKeysSeen).toEqual([]);
  });

  it('write answers and the state they leave survive the wire unchanged', async () => {
    const sb = createSandbox();
    unknownKeysSeen.length = 0;
    await sameOverTheWire(sb, new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: SEED.pcx }));
    await sameOverTheWire(
      sb,
      new CreateRouteCommand({
        RouteTableId: SEED.rtbPublic1,
        DestinationCidrBlock: '10.2.0.0/16',
        VpcPeeringConnectionId: SEED.pcx,
      }),
    );
    const rule = await sameOverTheWire(
      sb,
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: SEED.sg2,
        IpPermissions: [
          { IpProtocol: 'icmp', FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: '10.1.0.0/16', Description: 'ping' }] },
        ],
      }),
    );
    const ruleId = (rule.SecurityGroupRules as { SecurityGroupRuleId: string }[])[0]?.SecurityGroupRuleId ?? '';
    const alloc = (await sameOverTheWire(sb, new AllocateAddressCommand({ Domain: 'vpc' }))) as {
      AllocationId: string;
    };
    await sameOverTheWire(
      sb,
      new AssociateAddressCommand({ AllocationId: alloc.AllocationId, InstanceId: SEED.instance1 }),
    );
    await sameOverTheWire(sb, new CreateInternetGatewayCommand({}));
    await sameOverTheWire(sb, new StopInstancesCommand({ InstanceIds: [SEED.instance2] }));
    for (const c of [
      new DescribeRouteTablesCommand({}),
      new DescribeVpcPeeringConnectionsCommand({}),
      new DescribeSecurityGroupsCommand({}),
      new DescribeAddressesCommand({}),
      new DescribeNetworkInterfacesCommand({}),
      new DescribeInstancesCommand({}),
      new DescribeInternetGatewaysCommand({}),
    ]) {
      await sameOverTheWire(sb, c);
    }
    await sameOverTheWire(
      sb,
      new RevokeSecurityGroupIngressCommand({ GroupId: SEED.sg2, SecurityGroupRuleIds: [ruleId] }),
    );
    expect(unknownKeysSeen).toEqual([]);
  });

  it('built-in scenarios survive the wire unchanged', async () => {
    for (const scenario of ['transitive-peering', 'nacl-reply', 'blackhole-route', 'host-firewall']) {
      const sb = createSandbox({ scenario });
      await sameOverTheWire(sb, new DescribeRouteTablesCommand({}));
      await sameOverTheWire(sb, new DescribeNetworkAclsCommand({}));
      await sameOverTheWire(sb, new DescribeInstancesCommand({}));
      await sameOverTheWire(sb, new DescribeSecurityGroupsCommand({}));
    }
  });
});

describe('sandbox errors equal the SDK errors built from AWS error envelopes', () => {
  const cases: [string, number, AnyCommand][] = [
    ['InvalidVpcID.NotFound', 400, new DescribeVpcsCommand({ VpcIds: ['vpc-0000000000000dead'] })],
    ['DryRunOperation', 412, new AllocateAddressCommand({ DryRun: true })],
    [
      'RouteAlreadyExists',
      400,
      new CreateRouteCommand({
        RouteTableId: SEED.rtbPublic1,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: SEED.igw1,
      }),
    ],
  ];
  for (const [code, status, command] of cases) {
    it(`${code} (${status})`, async () => {
      const sb = createSandbox();
      // biome-ignore lint/suspicious/noExplicitAny: commands of many types
      const mine = await awsError(() => sb.clients.ec2.send(rebuild(command) as any));
      expect(mine.name).toBe(code);
      const requestId = mine.$metadata.requestId ?? '';
      nock('https://ec2.us-east-1.amazonaws.com')
        .post('/')
        .reply(status, ec2ErrorXml(code, mine.message, requestId as Uuid), { 'x-amzn-RequestId': requestId });
      // biome-ignore lint/suspicious/noExplicitAny: as above
      const real = await awsError(() => wireClient().send(rebuild(command) as any));
      expect(mine.constructor).toBe(real.constructor);
      expect({ ...mine, stack: undefined }).toEqual({ ...real, stack: undefined });
      expect(mine.$metadata).toEqual(real.$metadata);
      expect(mine.message).toBe(real.message);
    });
  }
});

describe('the same reads against the wire-level fake account and the sandbox', () => {
  it('answer the collector-style filters identically', async () => {
    const sb = createSandbox();
    const fake = fakeEc2(sb.snapshotFiles());
    try {
      const queries: AnyCommand[] = [
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [SEED.subnet1] }] }),
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [SEED.vpc2] }] }),
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.2.4.95'] }],
        }),
        new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['Instance - NextWork VPC 1'] }] }),
        new DescribeVpcPeeringConnectionsCommand({
          Filters: [{ Name: 'requester-vpc-info.vpc-id', Values: [SEED.vpc1] }],
        }),
        new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [SEED.vpc1] }] }),
        new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [SEED.vpc1, SEED.vpc2] }] }),
        new DescribeSecurityGroupsCommand({ GroupIds: [SEED.sg1, SEED.sg2] }),
      ];
      for (const c of queries) {
        // biome-ignore lint/suspicious/noExplicitAny: commands of many types
        const { $metadata: _a, ...mine } = (await sb.clients.ec2.send(rebuild(c) as any)) as unknown as Record<
          string,
          unknown
        >;
        // biome-ignore lint/suspicious/noExplicitAny: as above
        const { $metadata: _b, ...wire } = (await wireClient().send(rebuild(c) as any)) as unknown as Record<
          string,
          unknown
        >;
        expect(mine, c.constructor.name).toEqual(wire);
      }
    } finally {
      fake.stop();
    }
  });
});

/** JSON 1.1 bodies carry timestamps as epoch seconds. */
function toJson11(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(toJson11);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, toJson11(x)]),
    );
  }
  return v;
}

describe('sandbox SSM answers as AWS JSON 1.1 parsed by the real SDK', () => {
  const JSON11 = { 'Content-Type': 'application/x-amz-json-1.1' };
  const ssmWire = () => new SSMClient({ region: 'us-east-1', maxAttempts: 1, credentials });

  async function sameOverJson(sb: Sandbox, command: AnyCommand, target: string) {
    // biome-ignore lint/suspicious/noExplicitAny: commands of many types
    const { $metadata, ...body } = (await sb.clients.ssm.send(rebuild(command) as any)) as unknown as Record<
      string,
      unknown
    >;
    const requestId = ($metadata as { requestId: string }).requestId;
    nock('https://ssm.us-east-1.amazonaws.com')
      .post('/')
      .matchHeader('x-amz-target', `AmazonSSM.${target}`)
      .reply(200, toJson11(body) as Record<string, unknown>, { ...JSON11, 'x-amzn-RequestId': requestId });
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const { $metadata: _m, ...wire } = (await ssmWire().send(rebuild(command) as any)) as unknown as Record<
      string,
      unknown
    >;
    expect(wire, target).toEqual(toUndefinedFree(body));
  }

  function toUndefinedFree(v: unknown): unknown {
    if (v instanceof Date) return v;
    if (Array.isArray(v)) return v.map(toUndefinedFree);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => [k, toUndefinedFree(x)]),
      );
    }
    return v;
  }

  it('DescribeInstanceInformation, SendCommand and GetCommandInvocation survive the wire unchanged', async () => {
    const sb = createSandbox();
    await sameOverJson(sb, new DescribeInstanceInformationCommand({}), 'DescribeInstanceInformation');
    const sent = await sb.clients.ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [SEED.instance1],
        Parameters: { commands: ['ping -c 3 -W 2 10.2.4.95'] },
      }),
    );
    const get = new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: SEED.instance1 });
    await awsError(() => sb.clients.ssm.send(get));
    await sameOverJson(sb, get, 'GetCommandInvocation');
    await sameOverJson(sb, get, 'GetCommandInvocation');
    await sameOverJson(
      sb,
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [SEED.instance2],
        Parameters: { commands: ['true'] },
        TimeoutSeconds: 30,
      }),
      'SendCommand',
    );
  });

  it('InvocationDoesNotExist equals the error the SDK builds from the real (message-less) body', async () => {
    const sb = createSandbox();
    const sent = await sb.clients.ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [SEED.instance1],
        Parameters: { commands: ['true'] },
      }),
    );
    const get = new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: SEED.instance1 });
    const mine = await awsError(() => sb.clients.ssm.send(get));
    nock('https://ssm.us-east-1.amazonaws.com')
      .post('/')
      .reply(
        400,
        { __type: 'InvocationDoesNotExist' },
        { ...JSON11, 'x-amzn-RequestId': mine.$metadata.requestId ?? '' },
      );
    const real = await awsError(() => ssmWire().send(get));
    expect(mine.constructor).toBe(real.constructor);
    expect({ ...mine, stack: undefined }).toEqual({ ...real, stack: undefined });
  });

  it('InvalidInstanceId equals the error the SDK builds from the real body', async () => {
    const sb = createSandbox({ hostFacts: { instances: { [SEED.instance1]: { ssm: 'none' } } } });
    const send = new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [SEED.instance1],
      Parameters: { commands: ['true'] },
    });
    const mine = await awsError(() => sb.clients.ssm.send(send));
    nock('https://ssm.us-east-1.amazonaws.com')
      .post('/')
      .reply(
        400,
        { __type: 'InvalidInstanceId', message: mine.message },
        { ...JSON11, 'x-amzn-RequestId': mine.$metadata.requestId ?? '' },
      );
    const real = await awsError(() => ssmWire().send(send));
    expect(mine.constructor).toBe(real.constructor);
    expect({ ...mine, stack: undefined }).toEqual({ ...real, stack: undefined });
  });
});
