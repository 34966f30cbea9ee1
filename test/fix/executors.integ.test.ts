/**
 * Fix executors through a real EC2Client with nock at the wire: the exact form parameters sent, DryRun first,
 * permission refusals, idempotency, partial-failure cleanup, and the undo of each fix.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApplyResult, executeFix, executeUndo, type UndoChange, type UndoToken } from '../../src/fix/index.js';
import { silentLogger } from '../../src/log.js';
import type { FixPlan } from '../../src/model/diagnosis.js';
import { Ec2Wire, testEc2 } from './ec2-wire.js';

const NOW = new Date('2026-11-25T10:00:00.000Z');
const ctx = { actor: 'U012AB3CD', diagnosisId: 'd-1a2b3c4d', now: () => NOW, logger: silentLogger };
const apply = { ...ctx, dryRun: false };
const undoCtx = { actor: 'U012AB3CD', region: 'us-east-1', logger: silentLogger };
const ACCT = '111122223333';

const RTB = 'rtb-0a1b2c3d4e5f60718';
const PCX = 'pcx-0fedcba9876543210';
const OLD_PCX = 'pcx-0deadbeef0000000';
const SG = 'sg-0123456789abcdef0';
const ENI = 'eni-0aaaabbbbccccdddd';
const ACL = 'acl-0123abcd4567ef890';
const VPC = 'vpc-0123456789abcdef0';
const IID = 'i-0abc1234def567890';

/** The undo token a fix command would carry for these changes (made by ctx, in ACCT, us-east-1). */
function tokenOf(changes: UndoChange[], fixId = 'fix-test'): UndoToken {
  return {
    v: 2,
    actor: ctx.actor,
    diagnosisId: ctx.diagnosisId,
    appliedAt: '2026-11-25T10:00:00Z',
    expiresAt: NOW.getTime() / 1000 + 3600,
    steps: changes.map((change) => ({ account: ACCT, region: 'us-east-1', fixId, change })),
  };
}
function undoOf(r: ApplyResult): UndoToken {
  if (!r.undo) throw new Error(`no undo plan: ${r.message}`);
  return tokenOf(r.undo);
}
function first<T>(xs: T[]): T {
  const x = xs[0];
  if (x === undefined) throw new Error('no such call');
  return x;
}

const meta = { order: 1, summary: 'test', undo: 'test', reversible: true };

function routeTable(routes: string): string {
  return `<routeTableSet><item><routeTableId>${RTB}</routeTableId><vpcId>${VPC}</vpcId><ownerId>${ACCT}</ownerId><routeSet>
    <item><destinationCidrBlock>10.1.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state></item>
    ${routes}</routeSet><associationSet/><tagSet/></item></routeTableSet>`;
}

const pcxRoute = (pcx: string, state: string) =>
  `<item><destinationCidrBlock>10.2.0.0/16</destinationCidrBlock><vpcPeeringConnectionId>${pcx}</vpcPeeringConnectionId><state>${state}</state></item>`;

let wire: Ec2Wire;
beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

/** DescribeSecurityGroupRules: the rule whyping added (ICMP 8 from 10.1.0.0/16 into SG) with a description. */
const sgRule = (description: string) =>
  `<securityGroupRuleSet><item><securityGroupRuleId>sgr-0abc1234def567890</securityGroupRuleId><groupId>${SG}</groupId><groupOwnerId>${ACCT}</groupOwnerId><isEgress>false</isEgress><ipProtocol>icmp</ipProtocol><fromPort>8</fromPort><toPort>-1</toPort><cidrIpv4>10.1.0.0/16</cidrIpv4><description>${description}</description></item></securityGroupRuleSet>`;

/** DescribeAddresses: the whyping-tagged address, associated with `eni`. */
const associatedAddress = (eni: string, assoc = 'eipassoc-0123456789abcdef0') =>
  `<addressesSet><item><publicIp>203.0.113.25</publicIp><allocationId>eipalloc-0123456789abcdef0</allocationId><domain>vpc</domain><associationId>${assoc}</associationId><networkInterfaceId>${eni}</networkInterfaceId><networkInterfaceOwnerId>${ACCT}</networkInterfaceOwnerId><privateIpAddress>10.1.0.12</privateIpAddress><tagSet><item><key>whyping:target-eni</key><value>${ENI}</value></item></tagSet></item></addressesSet>`;

describe('routes', () => {
  const plan: FixPlan = {
    ...meta,
    id: 'fix-route-1',
    action: 'CreateRoute',
    params: { routeTableId: RTB, destinationCidrBlock: '10.2.0.0/16', target: { vpcPeeringConnectionId: PCX } },
  };

  it('adds the route with CreateRoute after a dry run, records the request id, and undoes it with DeleteRoute', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', { inner: routeTable('') });
    wire.write('CreateRoute', '<return>true</return>', 'req-create-route');
    const ec2 = testEc2();
    const r = await executeFix(ec2, plan, apply);
    expect(r.status).toBe('applied');
    expect(r.requestIds).toEqual(['req-create-route']);
    expect(wire.actions).toEqual(['DescribeRouteTables', 'CreateRoute(dry)', 'CreateRoute']);
    expect(wire.real('CreateRoute')[0]).toMatchObject({
      RouteTableId: RTB,
      DestinationCidrBlock: '10.2.0.0/16',
      VpcPeeringConnectionId: PCX,
    });
    expect(r.undo).toEqual([
      {
        kind: 'route-created',
        routeTableId: RTB,
        destinationCidrBlock: '10.2.0.0/16',
        target: { vpcPeeringConnectionId: PCX },
      },
    ]);

    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', { inner: routeTable(pcxRoute(PCX, 'active')) }); // re-read first
    wire.dryOk('DeleteRoute'); // the permission pre-check
    wire.write('DeleteRoute');
    const u = await executeUndo(ec2, undoOf(r), undoCtx);
    expect(u.status).toBe('applied');
    expect(wire.real('DeleteRoute')[0]).toMatchObject({ RouteTableId: RTB, DestinationCidrBlock: '10.2.0.0/16' });
  });

  it('replaces a blackhole route to another target and undoes it by pointing the route back', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', {
      inner: routeTable(
        `<item><destinationCidrBlock>10.2.0.0/16</destinationCidrBlock><vpcPeeringConnectionId>${OLD_PCX}</vpcPeeringConnectionId><state>blackhole</state></item>`,
      ),
    });
    wire.write('ReplaceRoute');
    const ec2 = testEc2();
    const r = await executeFix(ec2, plan, apply);
    expect(r.status).toBe('applied');
    expect(r.message).toContain(`${OLD_PCX} (blackhole)`);
    expect(wire.real('ReplaceRoute')[0]).toMatchObject({
      VpcPeeringConnectionId: PCX,
      DestinationCidrBlock: '10.2.0.0/16',
    });
    expect(r.undo).toEqual([
      {
        kind: 'route-replaced',
        routeTableId: RTB,
        destinationCidrBlock: '10.2.0.0/16',
        target: { vpcPeeringConnectionId: PCX },
        previous: { vpcPeeringConnectionId: OLD_PCX },
      },
    ]);

    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', { inner: routeTable(pcxRoute(PCX, 'active')) });
    wire.dryOk('ReplaceRoute');
    wire.write('ReplaceRoute');
    const u = await executeUndo(ec2, undoOf(r), undoCtx);
    expect(u.status).toBe('applied');
    expect(wire.real('ReplaceRoute')[0]).toMatchObject({ VpcPeeringConnectionId: OLD_PCX });
  });

  it('removes the route instead when the previous target of a replaced route no longer exists', async () => {
    wire = new Ec2Wire();
    const gone = {
      error: 'InvalidVpcPeeringConnectionID.NotFound',
      message: `The vpcPeeringConnection ID '${OLD_PCX}' does not exist`,
    };
    wire.on('DescribeRouteTables', { inner: routeTable(pcxRoute(PCX, 'active')) });
    wire.on('ReplaceRoute', gone, { dry: true });
    wire.on('ReplaceRoute', gone, { dry: true });
    wire.write('DeleteRoute');
    const u = await executeUndo(
      testEc2(),
      tokenOf([
        {
          kind: 'route-replaced',
          routeTableId: RTB,
          destinationCidrBlock: '10.2.0.0/16',
          target: { vpcPeeringConnectionId: PCX },
          previous: { vpcPeeringConnectionId: OLD_PCX },
        },
      ]),
      undoCtx,
    );
    expect(u.status).toBe('applied');
    expect(u.message).toContain('no longer exists');
    expect(wire.actions).toEqual([
      'DescribeRouteTables',
      'ReplaceRoute(dry)',
      'ReplaceRoute(dry)',
      'DeleteRoute(dry)',
      'DeleteRoute',
    ]);
  });

  it('reports a route that already points at the target as already in place and writes nothing', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', {
      inner: routeTable(
        `<item><destinationCidrBlock>10.2.0.0/16</destinationCidrBlock><vpcPeeringConnectionId>${PCX}</vpcPeeringConnectionId><state>active</state></item>`,
      ),
    });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r).toMatchObject({ status: 'already-in-place', requestIds: [], undo: null });
    expect(wire.actions).toEqual(['DescribeRouteTables']);
  });

  it('treats RouteAlreadyExists from a concurrent writer as already in place once the table is read again', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', { inner: routeTable('') });
    wire.dryOk('CreateRoute');
    wire.on('CreateRoute', {
      error: 'RouteAlreadyExists',
      message: 'The route identified by 10.2.0.0/16 already exists.',
    });
    wire.on('DescribeRouteTables', {
      inner: routeTable(
        `<item><destinationCidrBlock>10.2.0.0/16</destinationCidrBlock><vpcPeeringConnectionId>${PCX}</vpcPeeringConnectionId><state>active</state></item>`,
      ),
    });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('already-in-place');
  });

  it('reports a failed write as failed, with its request id, and says nothing changed', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', { inner: routeTable('') });
    wire.dryOk('CreateRoute');
    wire.on('CreateRoute', { error: 'InvalidVpcPeeringConnectionID.NotFound', message: 'gone' });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('failed');
    expect(r.awsCode).toBe('InvalidVpcPeeringConnectionID.NotFound');
    expect(r.message).toContain('Nothing was changed');
    expect(r.requestIds).toHaveLength(1);
  });

  it('points a denied read at the read-only policy', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', { error: 'UnauthorizedOperation' });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('refused');
    expect(r.missingPermission).toBe('ec2:DescribeRouteTables');
    expect(r.message).toContain('iam/readonly.json');
    expect(r.message).not.toContain('CreateTags');
  });

  it('sends GatewayId for an internet route 0.0.0.0/0 → igw', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', { inner: routeTable('') });
    wire.write('CreateRoute');
    const r = await executeFix(
      testEc2(),
      {
        ...meta,
        id: 'fix-igw-route',
        action: 'CreateRoute',
        params: { routeTableId: RTB, destinationCidrBlock: '0.0.0.0/0', target: { gatewayId: 'igw-0123abcd' } },
      },
      apply,
    );
    expect(r.status).toBe('applied');
    expect(wire.real('CreateRoute')[0]).toMatchObject({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123abcd' });
  });
});

describe('security group rules', () => {
  const plan: FixPlan = {
    ...meta,
    id: 'fix-sg-1',
    action: 'AuthorizeSecurityGroupIngress',
    params: { groupId: SG, protocol: 'icmp', fromPort: 8, toPort: -1, cidr: '10.1.0.0/16' },
  };
  const ruleXml = `<securityGroupRuleSet><item><securityGroupRuleId>sgr-0abc1234def567890</securityGroupRuleId><groupId>${SG}</groupId><isEgress>false</isEgress><ipProtocol>icmp</ipProtocol><fromPort>8</fromPort><toPort>-1</toPort><cidrIpv4>10.1.0.0/16</cidrIpv4></item></securityGroupRuleSet>`;

  it('authorizes the narrowest ICMP rule with a whyping description and tags, and revokes it by rule id', async () => {
    wire = new Ec2Wire();
    wire.write('AuthorizeSecurityGroupIngress', `<return>true</return>${ruleXml}`, 'req-sg');
    const ec2 = testEc2();
    const r = await executeFix(ec2, plan, { ...apply, actor: 'Ana <ana@example.com>' });
    expect(r.status).toBe('applied');
    expect(r.requestIds).toEqual(['req-sg']);
    const form = first(wire.real('AuthorizeSecurityGroupIngress'));
    expect(form).toMatchObject({
      GroupId: SG,
      'IpPermissions.1.IpProtocol': 'icmp',
      'IpPermissions.1.FromPort': '8',
      'IpPermissions.1.ToPort': '-1',
      'IpPermissions.1.IpRanges.1.CidrIp': '10.1.0.0/16',
      'IpPermissions.1.IpRanges.1.Description': 'whyping: Ana _ana@example.com_ 2026-11-25T10:00:00Z d-1a2b3c4d',
      'TagSpecification.1.ResourceType': 'security-group-rule',
      'TagSpecification.1.Tag.1.Key': 'whyping:actor',
      'TagSpecification.1.Tag.1.Value': 'Ana _ana@example.com_',
    });
    expect(wire.sent[0]).toMatchObject({ DryRun: 'true', 'IpPermissions.1.IpProtocol': 'icmp' });
    expect(r.undo).toEqual([
      {
        kind: 'sg-rule',
        groupId: SG,
        egress: false,
        ruleId: 'sgr-0abc1234def567890',
        permission: { protocol: 'icmp', fromPort: 8, toPort: -1, cidr: '10.1.0.0/16' },
      },
    ]);

    wire = new Ec2Wire();
    wire.on('DescribeSecurityGroupRules', {
      inner: sgRule('whyping: Ana _ana@example.com_ 2026-11-25T10:00:00Z d-1a2b3c4d'),
    });
    wire.dryOk('RevokeSecurityGroupIngress');
    wire.write('RevokeSecurityGroupIngress');
    const u = await executeUndo(ec2, { ...undoOf(r), actor: 'Ana <ana@example.com>' }, undoCtx);
    expect(u.status, u.message).toBe('applied');
    expect(wire.real('RevokeSecurityGroupIngress')[0]).toMatchObject({
      GroupId: SG,
      'SecurityGroupRuleId.1': 'sgr-0abc1234def567890',
    });
  });

  it('reports a duplicate rule (InvalidPermission.Duplicate on the dry run) as already in place', async () => {
    wire = new Ec2Wire();
    wire.on(
      'AuthorizeSecurityGroupIngress',
      { error: 'InvalidPermission.Duplicate', message: 'the specified rule already exists' },
      { dry: true },
    );
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('already-in-place');
    expect(wire.actions).toEqual(['AuthorizeSecurityGroupIngress(dry)']);
  });

  it('reports a duplicate rule found only by the real call as already in place', async () => {
    wire = new Ec2Wire();
    wire.dryOk('AuthorizeSecurityGroupIngress');
    wire.on('AuthorizeSecurityGroupIngress', { error: 'InvalidPermission.Duplicate' });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('already-in-place');
  });

  it('names the IAM action when the dry run is denied, and changes nothing', async () => {
    wire = new Ec2Wire();
    wire.on(
      'AuthorizeSecurityGroupIngress',
      { error: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' },
      { dry: true },
    );
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('refused');
    expect(r.missingPermission).toBe('ec2:AuthorizeSecurityGroupIngress');
    expect(r.message).toContain('ec2:AuthorizeSecurityGroupIngress');
    expect(r.message).toContain('Nothing was changed');
    expect(wire.real('AuthorizeSecurityGroupIngress')).toEqual([]);
  });

  it('allows egress to a peer security group through UserIdGroupPairs', async () => {
    wire = new Ec2Wire();
    wire.write('AuthorizeSecurityGroupEgress', '<return>true</return>');
    const r = await executeFix(
      testEc2(),
      {
        ...meta,
        id: 'fix-sg-egress',
        action: 'AuthorizeSecurityGroupEgress',
        params: { groupId: SG, protocol: 'tcp', fromPort: 443, toPort: 443, peerGroupId: 'sg-0fedcba987654321f' },
      },
      apply,
    );
    expect(r.status).toBe('applied');
    expect(wire.real('AuthorizeSecurityGroupEgress')[0]).toMatchObject({
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '443',
      'IpPermissions.1.Groups.1.GroupId': 'sg-0fedcba987654321f',
    });
    // No rule id in the answer: no token can name the rule, so the report says to revoke it by hand.
    expect(r.undo).toBeNull();
    expect(r.message).toContain('revoke it by hand');
  });

  it('sends an IPv6 source as Ipv6Ranges with ICMPv6', async () => {
    wire = new Ec2Wire();
    wire.write('AuthorizeSecurityGroupIngress', '<return>true</return>');
    const ec2 = testEc2();
    const r = await executeFix(
      ec2,
      {
        ...plan,
        id: 'fix-sg-v6',
        params: { groupId: SG, protocol: 'icmp', fromPort: 128, toPort: -1, cidr: '2001:db8::/56' },
      },
      apply,
    );
    expect(r.status).toBe('applied');
    expect(first(wire.real('AuthorizeSecurityGroupIngress'))).toMatchObject({
      'IpPermissions.1.IpProtocol': 'icmpv6',
      'IpPermissions.1.Ipv6Ranges.1.CidrIpv6': '2001:db8::/56',
    });
    expect(r.undo).toBeNull();
  });

  it('only dry-runs when asked to', async () => {
    wire = new Ec2Wire();
    wire.dryOk('AuthorizeSecurityGroupIngress');
    const r = await executeFix(testEc2(), plan, { ...ctx, dryRun: true });
    expect(r.status).toBe('would-apply');
    expect(wire.actions).toEqual(['AuthorizeSecurityGroupIngress(dry)']);
  });
});

describe('Elastic IP', () => {
  const plan: FixPlan = {
    ...meta,
    id: 'fix-eip-1',
    action: 'AllocateAndAssociateAddress',
    params: { instanceId: IID, networkInterfaceId: ENI, privateIp: '10.1.0.12' },
  };
  const alloc =
    '<publicIp>203.0.113.25</publicIp><domain>vpc</domain><allocationId>eipalloc-0123456789abcdef0</allocationId>';

  it('allocates a tagged address and associates it with the private IP, and undoes with disassociate + release', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeAddresses', { inner: '<addressesSet/>' });
    wire.write('AllocateAddress', alloc, 'req-alloc');
    wire.on('DescribeAddresses', { inner: '<addressesSet/>' });
    wire.write(
      'AssociateAddress',
      '<return>true</return><associationId>eipassoc-0123456789abcdef0</associationId>',
      'req-assoc',
    );
    const ec2 = testEc2();
    const r = await executeFix(ec2, plan, apply);
    expect(r.status).toBe('applied');
    expect(r.requestIds).toEqual(['req-alloc', 'req-assoc']);
    expect(wire.sent[0]).toMatchObject({ 'Filter.1.Name': 'tag:whyping:target-eni', 'Filter.1.Value.1': ENI });
    const allocForm = first(wire.real('AllocateAddress'));
    expect(allocForm).toMatchObject({ Domain: 'vpc', 'TagSpecification.1.ResourceType': 'elastic-ip' });
    const tags = Object.entries(allocForm).filter(([k]) => /^TagSpecification\.1\.Tag\.\d+\.Key$/.test(k));
    const targetKey = tags.find(([, v]) => v === 'whyping:target-eni')?.[0];
    expect(targetKey).toBeDefined();
    expect(allocForm[String(targetKey).replace('Key', 'Value')]).toBe(ENI);
    expect(wire.real('AssociateAddress')[0]).toMatchObject({
      AllocationId: 'eipalloc-0123456789abcdef0',
      NetworkInterfaceId: ENI,
      PrivateIpAddress: '10.1.0.12',
    });
    expect(r.undo).toEqual([
      {
        kind: 'elastic-ip',
        allocationId: 'eipalloc-0123456789abcdef0',
        associationId: 'eipassoc-0123456789abcdef0',
        networkInterfaceId: ENI,
        privateIp: '10.1.0.12',
      },
    ]);

    wire = new Ec2Wire();
    wire.on('DescribeAddresses', { inner: associatedAddress(ENI) });
    wire.dryOk('DisassociateAddress');
    wire.dryOk('ReleaseAddress');
    wire.write('DisassociateAddress');
    wire.write('ReleaseAddress');
    const u = await executeUndo(ec2, undoOf(r), undoCtx);
    expect(u.status, u.message).toBe('applied');
    expect(wire.actions.filter((a) => !a.endsWith('(dry)'))).toEqual([
      'DescribeAddresses',
      'DisassociateAddress',
      'ReleaseAddress',
    ]);
  });

  it('reuses an unassociated address already tagged for the ENI instead of allocating a second one', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeAddresses', {
      inner: `<addressesSet><item><publicIp>203.0.113.25</publicIp><allocationId>eipalloc-0123456789abcdef0</allocationId><domain>vpc</domain></item></addressesSet>`,
    });
    wire.write('AssociateAddress', '<return>true</return><associationId>eipassoc-0123456789abcdef0</associationId>');
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('applied');
    expect(r.message).toContain('Reused');
    expect(wire.actions).not.toContain('AllocateAddress');
  });

  it('reports an address already on the ENI as already in place', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeAddresses', {
      inner: `<addressesSet><item><publicIp>203.0.113.25</publicIp><allocationId>eipalloc-0123456789abcdef0</allocationId><associationId>eipassoc-0123456789abcdef0</associationId><networkInterfaceId>${ENI}</networkInterfaceId><privateIpAddress>10.1.0.12</privateIpAddress><domain>vpc</domain></item></addressesSet>`,
    });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('already-in-place');
  });

  it('gives its new address back when a concurrent run associated one meanwhile (two clicks apply once)', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeAddresses', { inner: '<addressesSet/>' });
    wire.write('AllocateAddress', alloc);
    wire.on('DescribeAddresses', {
      inner: `<addressesSet><item><publicIp>203.0.113.99</publicIp><allocationId>eipalloc-0999999999999999f</allocationId><associationId>eipassoc-0999999999999999f</associationId><networkInterfaceId>${ENI}</networkInterfaceId><privateIpAddress>10.1.0.12</privateIpAddress><domain>vpc</domain></item><item><publicIp>203.0.113.25</publicIp><allocationId>eipalloc-0123456789abcdef0</allocationId><domain>vpc</domain></item></addressesSet>`,
    });
    wire.on(
      'ReleaseAddress',
      { inner: '<return>true</return>' },
      { when: (f) => f.AllocationId === 'eipalloc-0123456789abcdef0' },
    );
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('already-in-place');
    expect(r.message).toContain('eipalloc-0999999999999999f');
    expect(wire.actions).not.toContain('AssociateAddress');
  });

  it('releases the new allocation when the association fails, leaving nothing behind', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeAddresses', { inner: '<addressesSet/>' });
    wire.write('AllocateAddress', alloc);
    wire.on('DescribeAddresses', { inner: '<addressesSet/>' });
    wire.on('AssociateAddress', { error: 'UnauthorizedOperation' }, { dry: true });
    wire.on(
      'ReleaseAddress',
      { inner: '<return>true</return>' },
      { when: (f) => f.AllocationId === 'eipalloc-0123456789abcdef0' },
    );
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('failed');
    expect(r.missingPermission).toBe('ec2:AssociateAddress');
    expect(r.message).toContain('released again');
    expect(r.leftBehind).toBeUndefined();
    expect(wire.actions).toEqual([
      'DescribeAddresses',
      'AllocateAddress(dry)',
      'AllocateAddress',
      'DescribeAddresses',
      'AssociateAddress(dry)',
      'ReleaseAddress',
    ]);
  });

  it('reports the allocation id left behind when releasing it fails too', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeAddresses', { inner: '<addressesSet/>' });
    wire.write('AllocateAddress', alloc);
    wire.on('DescribeAddresses', { inner: '<addressesSet/>' });
    wire.dryOk('AssociateAddress');
    wire.on('AssociateAddress', {
      error: 'InvalidNetworkInterfaceID.NotFound',
      message: `The networkInterface ID '${ENI}' does not exist`,
    });
    wire.on('ReleaseAddress', { error: 'InternalError', status: 500 });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('failed');
    expect(r.leftBehind).toEqual(['eipalloc-0123456789abcdef0']);
    expect(r.message).toContain('release-address --allocation-id eipalloc-0123456789abcdef0');
  });
});

describe('peering', () => {
  const plan: FixPlan = {
    ...meta,
    reversible: false,
    id: 'fix-pcx-1',
    action: 'AcceptVpcPeeringConnection',
    params: { vpcPeeringConnectionId: PCX },
  };
  const pcx = (status: string) =>
    `<vpcPeeringConnectionSet><item><vpcPeeringConnectionId>${PCX}</vpcPeeringConnectionId><status><code>${status}</code><message>x</message></status></item></vpcPeeringConnectionSet>`;

  it('accepts a pending peering, tags it with who asked, and says it has no inverse', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeVpcPeeringConnections', { inner: pcx('pending-acceptance') });
    wire.dryOk('AcceptVpcPeeringConnection');
    wire.dryOk('CreateTags');
    wire.on('AcceptVpcPeeringConnection', {
      inner: `<vpcPeeringConnection><vpcPeeringConnectionId>${PCX}</vpcPeeringConnectionId></vpcPeeringConnection>`,
    });
    wire.on('CreateTags', { inner: '<return>true</return>' });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('applied');
    expect(r.undo).toBeNull();
    expect(r.message).toContain('no inverse');
    expect(wire.real('AcceptVpcPeeringConnection')[0]).toMatchObject({ VpcPeeringConnectionId: PCX });
    const tags = first(wire.real('CreateTags'));
    expect(tags['ResourceId.1']).toBe(PCX);
    expect(Object.values(tags)).toContain('whyping:accepted-by');
    expect(r.requestIds).toHaveLength(2);
  });

  it('reports an active peering as already in place', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeVpcPeeringConnections', { inner: pcx('active') });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('already-in-place');
  });

  it('refuses to accept a rejected peering', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeVpcPeeringConnections', { inner: pcx('rejected') });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('refused');
    expect(r.message).toContain('rejected');
  });
});

describe('network ACL entries', () => {
  const plan: FixPlan = {
    ...meta,
    id: 'fix-nacl-1',
    action: 'CreateNetworkAclEntry',
    params: {
      networkAclId: ACL,
      ruleNumber: 100,
      egress: false,
      protocol: 'icmp',
      cidrBlock: '10.1.0.0/16',
      icmpTypeCode: { type: 8, code: -1 },
    },
  };
  const acl = (entries: string) =>
    `<networkAclSet><item><networkAclId>${ACL}</networkAclId><vpcId>${VPC}</vpcId><ownerId>${ACCT}</ownerId><default>false</default><entrySet>${entries}</entrySet><associationSet/><tagSet/></item></networkAclSet>`;
  const entry = (n: number, egress: boolean, proto: string, action: string, cidr: string, extra = '') =>
    `<item><ruleNumber>${n}</ruleNumber><protocol>${proto}</protocol><ruleAction>${action}</ruleAction><egress>${egress}</egress><cidrBlock>${cidr}</cidrBlock>${extra}</item>`;
  const star = entry(32767, false, '-1', 'deny', '0.0.0.0/0') + entry(32767, true, '-1', 'deny', '0.0.0.0/0');

  it('creates the entry with the plan rule number and undoes it with DeleteNetworkAclEntry', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeNetworkAcls', { inner: acl(star) });
    wire.write('CreateNetworkAclEntry');
    const ec2 = testEc2();
    const r = await executeFix(ec2, plan, apply);
    expect(r.status).toBe('applied');
    expect(wire.real('CreateNetworkAclEntry')[0]).toMatchObject({
      NetworkAclId: ACL,
      RuleNumber: '100',
      Protocol: '1',
      RuleAction: 'allow',
      Egress: 'false',
      CidrBlock: '10.1.0.0/16',
      'Icmp.Type': '8',
      'Icmp.Code': '-1',
    });
    expect(r.undo).toEqual([
      {
        kind: 'nacl-entry',
        networkAclId: ACL,
        egress: false,
        ruleNumber: 100,
        protocol: '1',
        cidrBlock: '10.1.0.0/16',
        icmpTypeCode: { type: 8, code: -1 },
      },
    ]);

    wire = new Ec2Wire();
    wire.on('DescribeNetworkAcls', {
      inner: acl(
        entry(100, false, '1', 'allow', '10.1.0.0/16', '<icmpTypeCode><type>8</type><code>-1</code></icmpTypeCode>') +
          star,
      ),
    });
    wire.dryOk('DeleteNetworkAclEntry');
    wire.write('DeleteNetworkAclEntry');
    const u = await executeUndo(ec2, undoOf(r), undoCtx);
    expect(u.status).toBe('applied');
    expect(wire.real('DeleteNetworkAclEntry')[0]).toMatchObject({ RuleNumber: '100', Egress: 'false' });
  });

  it('picks a free number below the matching deny when the plan number is now taken', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeNetworkAcls', {
      inner: acl(
        entry(100, false, '6', 'allow', '0.0.0.0/0', '<portRange><from>22</from><to>22</to></portRange>') +
          entry(110, false, '1', 'deny', '10.0.0.0/8', '<icmpTypeCode><type>-1</type><code>-1</code></icmpTypeCode>') +
          entry(109, false, '-1', 'allow', '192.168.0.0/16') +
          star,
      ),
    });
    wire.write('CreateNetworkAclEntry');
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('applied');
    expect(wire.real('CreateNetworkAclEntry')[0]).toMatchObject({ RuleNumber: '108' });
    expect(r.message).toContain('rule 100 was taken');
  });

  it('reports traffic an earlier allow entry already covers as already in place', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeNetworkAcls', { inner: acl(entry(90, false, '-1', 'allow', '10.0.0.0/8') + star) });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('already-in-place');
  });
});

describe('internet gateway, instance state, source/dest check', () => {
  it('creates and attaches an internet gateway, labelled as two calls, and undoes with detach + delete', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeInternetGateways', { inner: '<internetGatewaySet/>' });
    wire.write(
      'CreateInternetGateway',
      '<internetGateway><internetGatewayId>igw-0aaa1111bbbb2222c</internetGatewayId><attachmentSet/><tagSet/></internetGateway>',
    );
    wire.write('AttachInternetGateway');
    const ec2 = testEc2();
    const r = await executeFix(
      ec2,
      { ...meta, id: 'fix-igw', action: 'CreateAndAttachInternetGateway', params: { vpcId: VPC } },
      apply,
    );
    expect(r.status).toBe('applied');
    expect(r.message).toMatch(/\(1\) Created internet gateway igw-0aaa1111bbbb2222c; \(2\) attached it/);
    expect(wire.real('CreateInternetGateway')[0]).toMatchObject({
      'TagSpecification.1.ResourceType': 'internet-gateway',
    });
    expect(wire.real('AttachInternetGateway')[0]).toMatchObject({
      InternetGatewayId: 'igw-0aaa1111bbbb2222c',
      VpcId: VPC,
    });

    expect(r.undo).toEqual([{ kind: 'internet-gateway', internetGatewayId: 'igw-0aaa1111bbbb2222c', vpcId: VPC }]);

    wire = new Ec2Wire();
    wire.on('DescribeInternetGateways', {
      inner: `<internetGatewaySet><item><internetGatewayId>igw-0aaa1111bbbb2222c</internetGatewayId><ownerId>${ACCT}</ownerId><attachmentSet><item><vpcId>${VPC}</vpcId><state>available</state></item></attachmentSet><tagSet><item><key>whyping:diagnosis</key><value>d-1a2b3c4d</value></item></tagSet></item></internetGatewaySet>`,
    });
    wire.on('DescribeRouteTables', { inner: routeTable('') });
    wire.dryOk('DetachInternetGateway');
    wire.dryOk('DeleteInternetGateway');
    wire.write('DetachInternetGateway');
    wire.write('DeleteInternetGateway');
    const u = await executeUndo(ec2, undoOf(r), undoCtx);
    expect(u.status, u.message).toBe('applied');
    expect(wire.actions.filter((a) => !a.endsWith('(dry)') && !a.startsWith('Describe'))).toEqual([
      'DetachInternetGateway',
      'DeleteInternetGateway',
    ]);
  });

  it('reports a VPC that already has an attached internet gateway as already in place', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeInternetGateways', {
      inner: `<internetGatewaySet><item><internetGatewayId>igw-0aaa1111bbbb2222c</internetGatewayId><attachmentSet><item><vpcId>${VPC}</vpcId><state>available</state></item></attachmentSet></item></internetGatewaySet>`,
    });
    const r = await executeFix(
      testEc2(),
      { ...meta, id: 'fix-igw', action: 'CreateAndAttachInternetGateway', params: { vpcId: VPC } },
      apply,
    );
    expect(r.status).toBe('already-in-place');
  });

  it('starts a stopped instance and undoes with StopInstances', async () => {
    wire = new Ec2Wire();
    wire.write(
      'StartInstances',
      `<instancesSet><item><instanceId>${IID}</instanceId><currentState><code>0</code><name>pending</name></currentState><previousState><code>80</code><name>stopped</name></previousState></item></instancesSet>`,
    );
    const ec2 = testEc2();
    const r = await executeFix(
      ec2,
      { ...meta, id: 'fix-start', action: 'StartInstances', params: { instanceId: IID } },
      apply,
    );
    expect(r.status).toBe('applied');
    expect(wire.real('StartInstances')[0]).toMatchObject({ 'InstanceId.1': IID });

    wire = new Ec2Wire();
    wire.on('DescribeInstances', {
      inner: `<reservationSet><item><reservationId>r-1</reservationId><ownerId>${ACCT}</ownerId><instancesSet><item><instanceId>${IID}</instanceId><instanceState><code>16</code><name>running</name></instanceState></item></instancesSet></item></reservationSet>`,
    });
    wire.dryOk('StopInstances');
    wire.write('StopInstances', `<instancesSet><item><instanceId>${IID}</instanceId></item></instancesSet>`);
    const u = await executeUndo(ec2, undoOf(r), undoCtx);
    expect(u.status, u.message).toBe('applied');
    expect(wire.real('StopInstances')[0]).toMatchObject({ 'InstanceId.1': IID });
  });

  it('turns off the source/dest check and turns it back on in the undo', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeNetworkInterfaces', {
      inner: `<networkInterfaceSet><item><networkInterfaceId>${ENI}</networkInterfaceId><sourceDestCheck>true</sourceDestCheck></item></networkInterfaceSet>`,
    });
    wire.write('ModifyNetworkInterfaceAttribute');
    const ec2 = testEc2();
    const r = await executeFix(
      ec2,
      { ...meta, id: 'fix-sdc', action: 'DisableSourceDestCheck', params: { networkInterfaceId: ENI } },
      apply,
    );
    expect(r.status).toBe('applied');
    expect(wire.real('ModifyNetworkInterfaceAttribute')[0]).toMatchObject({
      NetworkInterfaceId: ENI,
      'SourceDestCheck.Value': 'false',
    });

    wire = new Ec2Wire();
    wire.on('DescribeNetworkInterfaces', {
      inner: `<networkInterfaceSet><item><networkInterfaceId>${ENI}</networkInterfaceId><ownerId>${ACCT}</ownerId><sourceDestCheck>false</sourceDestCheck></item></networkInterfaceSet>`,
    });
    wire.dryOk('ModifyNetworkInterfaceAttribute');
    wire.write('ModifyNetworkInterfaceAttribute');
    const u = await executeUndo(ec2, undoOf(r), undoCtx);
    expect(u.status, u.message).toBe('applied');
    expect(wire.real('ModifyNetworkInterfaceAttribute')[0]).toMatchObject({ 'SourceDestCheck.Value': 'true' });
  });
});

describe('undo', () => {
  const rule: UndoChange = {
    kind: 'sg-rule',
    groupId: SG,
    egress: false,
    ruleId: 'sgr-0abc1234def567890',
    permission: { protocol: 'icmp', fromPort: 8, toPort: -1, cidr: '10.1.0.0/16' },
  };
  const eip: UndoChange = {
    kind: 'elastic-ip',
    allocationId: 'eipalloc-0123456789abcdef0',
    associationId: 'eipassoc-0123456789abcdef0',
    networkInterfaceId: ENI,
    privateIp: '10.1.0.12',
  };

  it('reports an undo whose objects are already gone as nothing to undo, and calls nothing that writes', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeSecurityGroupRules', { error: 'InvalidSecurityGroupRuleId.NotFound', message: 'not found' });
    const u = await executeUndo(testEc2(), tokenOf([rule]), undoCtx);
    expect(u.status).toBe('already-in-place');
    expect(wire.actions).toEqual(['DescribeSecurityGroupRules']);
  });

  it('names the IAM action and changes nothing when any undo step is denied', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeAddresses', { inner: associatedAddress(ENI) });
    wire.dryOk('DisassociateAddress');
    wire.on('ReleaseAddress', { error: 'UnauthorizedOperation' }, { dry: true });
    const u = await executeUndo(testEc2(), tokenOf([eip]), undoCtx);
    expect(u.status).toBe('refused');
    expect(u.missingPermission).toBe('ec2:ReleaseAddress');
    expect(wire.actions).toEqual(['DescribeAddresses', 'DisassociateAddress(dry)', 'ReleaseAddress(dry)']);
  });

  it("refuses, naming the rule, when the rule with that id no longer carries whyping's description", async () => {
    wire = new Ec2Wire();
    wire.on('DescribeSecurityGroupRules', { inner: sgRule('ssh for the on-call team') });
    const u = await executeUndo(testEc2(), tokenOf([rule]), undoCtx);
    expect(u.status).toBe('refused');
    expect(u.refusedStep).toBe(1);
    expect(u.message).toContain('sgr-0abc1234def567890');
    expect(u.message).toContain('ssh for the on-call team');
    expect(wire.actions).toEqual(['DescribeSecurityGroupRules']);
  });

  it('refuses an Elastic IP that is now associated with another interface', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeAddresses', { inner: associatedAddress('eni-0ffff0000ffff0000', 'eipassoc-0999999999999999f') });
    const u = await executeUndo(testEc2(), tokenOf([eip]), undoCtx);
    expect(u.status).toBe('refused');
    expect(u.message).toContain('associated elsewhere');
    expect(wire.actions).toEqual(['DescribeAddresses']);
  });

  it('refuses a step whose object belongs to another account than the token names', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeRouteTables', {
      inner: routeTable(pcxRoute(PCX, 'active')).replace(
        `<ownerId>${ACCT}</ownerId>`,
        '<ownerId>999988887777</ownerId>',
      ),
    });
    const change: UndoChange = {
      kind: 'route-created',
      routeTableId: RTB,
      destinationCidrBlock: '10.2.0.0/16',
      target: { vpcPeeringConnectionId: PCX },
    };
    const u = await executeUndo(testEc2(), tokenOf([change]), undoCtx);
    expect(u.status).toBe('refused');
    expect(u.message).toContain('account 999988887777');
  });

  it('refuses a step made in another region than the client reads, before reading anything', async () => {
    wire = new Ec2Wire();
    const t = tokenOf([rule]);
    const u = await executeUndo(
      testEc2(),
      { ...t, steps: t.steps.map((s) => ({ ...s, region: 'eu-west-1' })) },
      undoCtx,
    );
    expect(u.status).toBe('refused');
    expect(u.message).toContain('--region eu-west-1');
    expect(wire.actions).toEqual([]);
  });

  it('refuses a NACL entry whose number now holds another rule', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeNetworkAcls', {
      inner: `<networkAclSet><item><networkAclId>${ACL}</networkAclId><vpcId>${VPC}</vpcId><ownerId>${ACCT}</ownerId><entrySet><item><ruleNumber>100</ruleNumber><protocol>6</protocol><ruleAction>allow</ruleAction><egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock><portRange><from>22</from><to>22</to></portRange></item></entrySet></item></networkAclSet>`,
    });
    const entryChange: UndoChange = {
      kind: 'nacl-entry',
      networkAclId: ACL,
      egress: false,
      ruleNumber: 100,
      protocol: '1',
      cidrBlock: '10.1.0.0/16',
      icmpTypeCode: { type: 8, code: -1 },
    };
    const u = await executeUndo(testEc2(), tokenOf([entryChange]), undoCtx);
    expect(u.status).toBe('refused');
    expect(u.message).toContain('entry 100');
  });

  it('refuses a gateway that got a route whyping did not make', async () => {
    wire = new Ec2Wire();
    const igw = 'igw-0aaa1111bbbb2222c';
    wire.on('DescribeInternetGateways', {
      inner: `<internetGatewaySet><item><internetGatewayId>${igw}</internetGatewayId><ownerId>${ACCT}</ownerId><attachmentSet><item><vpcId>${VPC}</vpcId><state>available</state></item></attachmentSet><tagSet><item><key>whyping:diagnosis</key><value>d-1a2b3c4d</value></item></tagSet></item></internetGatewaySet>`,
    });
    wire.on('DescribeRouteTables', {
      inner: routeTable(
        `<item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><gatewayId>${igw}</gatewayId><state>active</state></item>`,
      ),
    });
    const u = await executeUndo(
      testEc2(),
      tokenOf([{ kind: 'internet-gateway', internetGatewayId: igw, vpcId: VPC }]),
      undoCtx,
    );
    expect(u.status).toBe('refused');
    expect(u.message).toContain('route 0.0.0.0/0');
  });
});

describe('transit gateways', () => {
  const RTB_TGW = 'tgw-rtb-0a1b2c3d4e5f60718';
  const ATT = 'tgw-attach-0123456789abcdef0';
  const OTHER_RTB = 'tgw-rtb-0ffffeeeedddd0000';
  const attachment = (association = '') =>
    `<transitGatewayAttachments><item><transitGatewayAttachmentId>${ATT}</transitGatewayAttachmentId><transitGatewayOwnerId>${ACCT}</transitGatewayOwnerId><state>available</state>${association}</item></transitGatewayAttachments>`;
  const pair = { transitGatewayRouteTableId: RTB_TGW, transitGatewayAttachmentId: ATT } as const;

  it('associates an unassociated attachment after a dry run, and undoes with DisassociateTransitGatewayRouteTable', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeTransitGatewayAttachments', { inner: attachment() });
    wire.write('AssociateTransitGatewayRouteTable', '<association><state>associating</state></association>');
    const ec2 = testEc2();
    const r = await executeFix(
      ec2,
      { ...meta, id: 'fix-tgw-assoc', action: 'AssociateTransitGatewayRouteTable', params: pair },
      apply,
    );
    expect(r.status).toBe('applied');
    expect(first(wire.real('AssociateTransitGatewayRouteTable'))).toMatchObject({
      TransitGatewayRouteTableId: RTB_TGW,
      TransitGatewayAttachmentId: ATT,
    });
    expect(wire.actions).toEqual([
      'DescribeTransitGatewayAttachments',
      'AssociateTransitGatewayRouteTable(dry)',
      'AssociateTransitGatewayRouteTable',
    ]);

    wire = new Ec2Wire();
    wire.on('DescribeTransitGatewayAttachments', {
      inner: attachment(
        `<association><transitGatewayRouteTableId>${RTB_TGW}</transitGatewayRouteTableId><state>associated</state></association>`,
      ),
    });
    wire.dryOk('DisassociateTransitGatewayRouteTable');
    wire.write('DisassociateTransitGatewayRouteTable', '<association><state>disassociating</state></association>');
    const u = await executeUndo(ec2, undoOf(r), undoCtx);
    expect(u.status, u.message).toBe('applied');
    expect(first(wire.real('DisassociateTransitGatewayRouteTable'))).toMatchObject({
      TransitGatewayRouteTableId: RTB_TGW,
      TransitGatewayAttachmentId: ATT,
    });
  });

  it('refuses to associate an attachment associated with another table since the diagnosis, changing nothing', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeTransitGatewayAttachments', {
      inner: attachment(
        `<association><transitGatewayRouteTableId>${OTHER_RTB}</transitGatewayRouteTableId><state>associated</state></association>`,
      ),
    });
    const r = await executeFix(
      testEc2(),
      { ...meta, id: 'fix-tgw-assoc', action: 'AssociateTransitGatewayRouteTable', params: pair },
      apply,
    );
    expect(r.status).toBe('refused');
    expect(r.message).toContain(`associated with ${OTHER_RTB} now`);
    expect(wire.actions).toEqual(['DescribeTransitGatewayAttachments']);
  });

  it('enables propagation, reports one already enabled as in place, and undoes with DisableTransitGatewayRouteTablePropagation', async () => {
    const plan: FixPlan = {
      ...meta,
      id: 'fix-tgw-prop',
      action: 'EnableTransitGatewayRouteTablePropagation',
      params: pair,
    };
    wire = new Ec2Wire();
    wire.on('GetTransitGatewayRouteTablePropagations', {
      inner: '<transitGatewayRouteTablePropagations/>',
    });
    wire.write('EnableTransitGatewayRouteTablePropagation', '<propagation><state>enabling</state></propagation>');
    const ec2 = testEc2();
    const r = await executeFix(ec2, plan, apply);
    expect(r.status).toBe('applied');
    expect(first(wire.sent)).toMatchObject({
      TransitGatewayRouteTableId: RTB_TGW,
      'Filter.1.Name': 'transit-gateway-attachment-id',
      'Filter.1.Value.1': ATT,
    });

    wire = new Ec2Wire();
    wire.on('DescribeTransitGatewayAttachments', { inner: attachment() });
    wire.on('GetTransitGatewayRouteTablePropagations', {
      inner: `<transitGatewayRouteTablePropagations><item><transitGatewayAttachmentId>${ATT}</transitGatewayAttachmentId><state>enabled</state></item></transitGatewayRouteTablePropagations>`,
    });
    wire.dryOk('DisableTransitGatewayRouteTablePropagation');
    wire.write('DisableTransitGatewayRouteTablePropagation', '<propagation><state>disabling</state></propagation>');
    expect((await executeUndo(ec2, undoOf(r), undoCtx)).status).toBe('applied');

    wire = new Ec2Wire();
    wire.on('GetTransitGatewayRouteTablePropagations', {
      inner: `<transitGatewayRouteTablePropagations><item><transitGatewayAttachmentId>${ATT}</transitGatewayAttachmentId><state>enabled</state></item></transitGatewayRouteTablePropagations>`,
    });
    expect((await executeFix(ec2, plan, apply)).status).toBe('already-in-place');
    expect(wire.actions).toEqual(['GetTransitGatewayRouteTablePropagations']);
  });

  it('adds a static route, undoes it with DeleteTransitGatewayRoute, and refuses when another static route holds the CIDR', async () => {
    const plan: FixPlan = {
      ...meta,
      id: 'fix-tgw-route',
      action: 'CreateTransitGatewayRoute',
      params: { ...pair, destinationCidrBlock: '10.9.0.0/16' },
    };
    wire = new Ec2Wire();
    wire.on('SearchTransitGatewayRoutes', {
      inner: '<routeSet/><additionalRoutesAvailable>false</additionalRoutesAvailable>',
    });
    wire.write(
      'CreateTransitGatewayRoute',
      '<route><destinationCidrBlock>10.9.0.0/16</destinationCidrBlock><state>active</state></route>',
    );
    const ec2 = testEc2();
    const r = await executeFix(ec2, plan, apply);
    expect(r.status).toBe('applied');
    expect(first(wire.sent)).toMatchObject({
      'Filter.1.Name': 'route-search.exact-match',
      'Filter.1.Value.1': '10.9.0.0/16',
    });
    expect(first(wire.real('CreateTransitGatewayRoute'))).toMatchObject({
      TransitGatewayRouteTableId: RTB_TGW,
      DestinationCidrBlock: '10.9.0.0/16',
      TransitGatewayAttachmentId: ATT,
    });

    wire = new Ec2Wire();
    wire.on('DescribeTransitGatewayAttachments', { inner: attachment() });
    wire.on('SearchTransitGatewayRoutes', {
      inner: `<routeSet><item><destinationCidrBlock>10.9.0.0/16</destinationCidrBlock><type>static</type><state>active</state><transitGatewayAttachments><item><transitGatewayAttachmentId>${ATT}</transitGatewayAttachmentId></item></transitGatewayAttachments></item></routeSet>`,
    });
    wire.dryOk('DeleteTransitGatewayRoute');
    wire.write('DeleteTransitGatewayRoute', '<route><state>deleted</state></route>');
    expect((await executeUndo(ec2, undoOf(r), undoCtx)).status).toBe('applied');
    expect(first(wire.real('DeleteTransitGatewayRoute'))).toMatchObject({ DestinationCidrBlock: '10.9.0.0/16' });

    wire = new Ec2Wire();
    wire.on('SearchTransitGatewayRoutes', {
      inner:
        '<routeSet><item><destinationCidrBlock>10.9.0.0/16</destinationCidrBlock><type>static</type><state>blackhole</state></item></routeSet>',
    });
    const stale = await executeFix(ec2, plan, apply);
    expect(stale.status).toBe('refused');
    expect(stale.message).toContain('static route 10.9.0.0/16 (blackhole)');
  });
});

describe('a new peering in place of a dead one', () => {
  const PEER_VPC = 'vpc-0fedcba9876543210';
  const NEW_PCX = 'pcx-0aaaa1111bbbb2222';
  const plan: FixPlan = {
    ...meta,
    id: 'fix-new-pcx',
    action: 'CreateVpcPeeringConnection',
    params: {
      vpcId: VPC,
      peerVpcId: PEER_VPC,
      routes: [{ routeTableId: RTB, destinationCidrBlock: '10.2.0.0/16', previousTarget: OLD_PCX }],
    },
  };
  const blackhole = routeTable(
    `<item><destinationCidrBlock>10.2.0.0/16</destinationCidrBlock><vpcPeeringConnectionId>${OLD_PCX}</vpcPeeringConnectionId><state>blackhole</state></item>`,
  );

  it('creates the peering (tagged), accepts it, replaces the blackhole route, and undoes with DeleteVpcPeeringConnection', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeVpcPeeringConnections', { inner: '<vpcPeeringConnectionSet/>' });
    wire.on('DescribeRouteTables', { inner: blackhole });
    wire.dryOk('CreateVpcPeeringConnection');
    wire.on('CreateVpcPeeringConnection', {
      inner: `<vpcPeeringConnection><vpcPeeringConnectionId>${NEW_PCX}</vpcPeeringConnectionId><status><code>initiating-request</code></status></vpcPeeringConnection>`,
    });
    wire.on('DescribeVpcPeeringConnections', {
      inner: `<vpcPeeringConnectionSet><item><vpcPeeringConnectionId>${NEW_PCX}</vpcPeeringConnectionId><status><code>pending-acceptance</code></status></item></vpcPeeringConnectionSet>`,
    });
    wire.write(
      'AcceptVpcPeeringConnection',
      `<vpcPeeringConnection><vpcPeeringConnectionId>${NEW_PCX}</vpcPeeringConnectionId></vpcPeeringConnection>`,
    );
    wire.on('DescribeRouteTables', { inner: blackhole });
    wire.write('ReplaceRoute');
    const ec2 = testEc2();
    const r = await executeFix(ec2, plan, apply);
    expect(r.status, r.message).toBe('applied');
    expect(first(wire.real('CreateVpcPeeringConnection'))).toMatchObject({
      VpcId: VPC,
      PeerVpcId: PEER_VPC,
      'TagSpecification.1.ResourceType': 'vpc-peering-connection',
      'TagSpecification.1.Tag.1.Key': 'whyping:actor',
    });
    expect(first(wire.real('ReplaceRoute'))).toMatchObject({
      RouteTableId: RTB,
      DestinationCidrBlock: '10.2.0.0/16',
      VpcPeeringConnectionId: NEW_PCX,
    });
    expect(r.message).toContain(`Created peering connection ${NEW_PCX}`);

    wire = new Ec2Wire();
    wire.on('DescribeVpcPeeringConnections', {
      inner: `<vpcPeeringConnectionSet><item><vpcPeeringConnectionId>${NEW_PCX}</vpcPeeringConnectionId><status><code>active</code></status><requesterVpcInfo><ownerId>${ACCT}</ownerId><vpcId>${VPC}</vpcId></requesterVpcInfo><tagSet><item><key>whyping:diagnosis</key><value>d-1a2b3c4d</value></item></tagSet></item></vpcPeeringConnectionSet>`,
    });
    wire.on('DescribeRouteTables', {
      inner: routeTable(
        `<item><destinationCidrBlock>10.2.0.0/16</destinationCidrBlock><vpcPeeringConnectionId>${NEW_PCX}</vpcPeeringConnectionId><state>active</state></item>`,
      ),
    });
    wire.dryOk('DeleteVpcPeeringConnection');
    wire.write('DeleteVpcPeeringConnection');
    const u = await executeUndo(ec2, undoOf(r), undoCtx);
    expect(u.status, u.message).toBe('applied');
    expect(first(wire.real('DeleteVpcPeeringConnection'))).toMatchObject({ VpcPeeringConnectionId: NEW_PCX });
  });

  it('deletes the new peering again when the route cannot be replaced, and says so', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeVpcPeeringConnections', { inner: '<vpcPeeringConnectionSet/>' });
    wire.on('DescribeRouteTables', { inner: blackhole });
    wire.dryOk('CreateVpcPeeringConnection');
    wire.on('CreateVpcPeeringConnection', {
      inner: `<vpcPeeringConnection><vpcPeeringConnectionId>${NEW_PCX}</vpcPeeringConnectionId><status><code>pending-acceptance</code></status></vpcPeeringConnection>`,
    });
    wire.write('AcceptVpcPeeringConnection');
    wire.on('DescribeRouteTables', { inner: blackhole });
    wire.on('ReplaceRoute', { error: 'UnauthorizedOperation' }, { dry: true });
    wire.on('DeleteVpcPeeringConnection', { inner: '<return>true</return>' });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('refused');
    expect(r.missingPermission).toBe('ec2:ReplaceRoute');
    expect(r.message).toContain(`The new peering ${NEW_PCX} was deleted again.`);
  });

  it('refuses when a live peering links the two VPCs since the diagnosis, creating nothing', async () => {
    wire = new Ec2Wire();
    wire.on('DescribeVpcPeeringConnections', {
      inner: `<vpcPeeringConnectionSet><item><vpcPeeringConnectionId>${PCX}</vpcPeeringConnectionId><requesterVpcInfo><vpcId>${VPC}</vpcId></requesterVpcInfo><accepterVpcInfo><vpcId>${PEER_VPC}</vpcId></accepterVpcInfo><status><code>active</code></status></item></vpcPeeringConnectionSet>`,
    });
    const r = await executeFix(testEc2(), plan, apply);
    expect(r.status).toBe('refused');
    expect(r.message).toContain(`${PCX} (active) links`);
    expect(wire.actions).toEqual(['DescribeVpcPeeringConnections']);
  });
});
