import { describe, expect, it } from 'vitest';
import { isWhypingError, WhypingError } from '../../src/errors.js';
import type { RawSnapshotFile } from '../../src/model/index.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { FAST_CHECKS } from '../../src/snapshot/checks.generated.js';
import { keySchemas } from '../../src/snapshot/schema.js';

const KEY_SCHEMAS = keySchemas();

import { nth, rawWorld, worldFiles } from './world.js';

function invalid(files: RawSnapshotFile[]): WhypingError {
  try {
    buildSnapshot(files);
  } catch (e) {
    if (isWhypingError(e, 'SNAPSHOT_INVALID')) return e;
    throw e;
  }
  throw new Error('expected SNAPSHOT_INVALID');
}

describe('buildSnapshot: normalization', () => {
  const s = buildSnapshot(worldFiles());

  it('keeps only associated VPC CIDRs, primary first', () => {
    expect(s.vpcs.get('vpc-1')?.cidrs).toEqual(['10.1.0.0/16', '10.11.0.0/16']);
    expect(s.vpcs.get('vpc-1')?.name).toBe('vpc one');
    expect(s.vpcs.get('vpc-2')?.cidrs).toEqual(['10.2.0.0/16']);
  });

  it('takes the region from the availability zone when the layout does not say', () => {
    expect(s.subnets.get('subnet-priv')?.region).toBe('eu-west-1');
    expect(s.instances.get('i-web')?.region).toBe('eu-west-1');
    expect(s.vpcs.get('vpc-1')?.region).toBe('eu-west-1');
  });

  it('orders an instance’s ENIs by device index and puts the primary private IP first', () => {
    const web = s.instances.get('i-web');
    expect(web?.networkInterfaceIds).toEqual(['eni-web0', 'eni-web1']);
    expect(s.networkInterfaces.get('eni-web0')?.privateIps.map((p) => p.address)).toEqual(['10.1.0.10', '10.1.0.11']);
    expect(s.networkInterfaces.get('eni-web0')?.privateIps[0]?.publicIp).toBe('54.0.0.10');
  });

  it('puts an Elastic IP on the secondary private IP of a secondary ENI', () => {
    const ips = s.networkInterfaces.get('eni-web1')?.privateIps;
    expect(ips?.find((p) => p.address === '10.1.1.21')).toMatchObject({
      publicIp: '52.0.0.21',
      allocationId: 'eipalloc-21',
    });
    expect(ips?.find((p) => p.address === '10.1.1.20')?.publicIp).toBeUndefined();
    expect(s.addresses.get('52.0.0.21')?.networkInterfaceId).toBe('eni-web1');
  });

  it('keeps a terminated instance with no IP and no ENI', () => {
    expect(s.instances.get('i-old')).toMatchObject({ state: 'terminated', networkInterfaceIds: [] });
    expect(s.instances.get('i-old')?.privateIp).toBeUndefined();
  });

  it('reads the platform', () => {
    expect(s.instances.get('i-db')?.platform).toBe('windows');
    expect(s.instances.get('i-web')?.platform).toBe('linux');
  });

  it('splits security group permissions into one rule per peer, in console words', () => {
    const web = s.securityGroups.get('sg-web');
    expect(web?.ingress.map((r) => r.text)).toEqual([
      'inbound ICMP Echo Request (8/-1) from 10.1.0.0/16',
      'inbound ICMP Echo Request (8/-1) from 10.2.0.0/16',
      'inbound ICMP Echo Request (8/-1) from ::/0',
      'inbound TCP 22 from pl-eic (com.amazonaws.eu-west-1.ec2-instance-connect)',
      'inbound TCP 22 from sg-db (db-sg)',
    ]);
    expect(web?.ingress[1]).toMatchObject({ protocol: 'icmp', fromPort: 8, toPort: -1, description: 'from db' });
    expect(web?.egress[0]).toMatchObject({
      protocol: 'all',
      fromPort: null,
      toPort: null,
      text: 'outbound ALL traffic to 0.0.0.0/0',
    });
    expect(s.securityGroups.get('sg-db')?.ingress[0]?.peer).toEqual({
      kind: 'security-group',
      groupId: 'sg-web',
      userId: '111111111111',
      vpcId: 'vpc-1',
      peeringStatus: 'active',
    });
  });

  it('names the account of a group referenced across accounts', () => {
    const x = buildSnapshot(
      worldFiles((w) => {
        const db = nth(w.SecurityGroups as { IpPermissions: { UserIdGroupPairs: { UserId: string }[] }[] }[], 1);
        nth(nth(db.IpPermissions, 0).UserIdGroupPairs, 0).UserId = '999999999999';
      }),
    );
    expect(x.securityGroups.get('sg-db')?.ingress[0]?.text).toBe('inbound TCP 5432 from 999999999999/sg-web (web-sg)');
  });

  it('sorts NACL entries by rule number and words them as the console does', () => {
    const acl = s.networkAcls.get('acl-default1');
    expect(acl?.entries.map((e) => e.text)).toEqual([
      '100 ICMP ALL 10.2.0.0/16 DENY',
      '100 TCP 1024-65535 0.0.0.0/0 ALLOW',
      '200 ALL ALL 0.0.0.0/0 ALLOW',
      '* ALL ALL 0.0.0.0/0 DENY',
    ]);
    expect(acl?.entries[0]).toMatchObject({
      protocol: 'icmp',
      egress: false,
      action: 'deny',
      icmp: { type: -1, code: -1 },
    });
    expect(acl?.entries[1]).toMatchObject({ protocol: 'tcp', egress: true, portRange: { from: 1024, to: 65535 } });
  });

  it('keeps blackhole routes with their state and words routes as the console does', () => {
    const routes = s.routeTables.get('rtb-pub')?.routes;
    expect(routes?.map((r) => r.text)).toEqual([
      '10.1.0.0/16 → local',
      '0.0.0.0/0 → igw-1',
      '10.2.0.0/16 → pcx-1 (blackhole)',
    ]);
    expect(routes?.[2]).toMatchObject({ state: 'blackhole', target: { kind: 'peering-connection', id: 'pcx-1' } });
    expect(routes?.[0]?.target).toEqual({ kind: 'local' });
  });

  it('keeps the peering connection with its status and sides', () => {
    expect(s.peeringConnections.get('pcx-1')).toMatchObject({
      status: 'pending-acceptance',
      requester: { vpcId: 'vpc-1', cidrs: ['10.1.0.0/16'], region: 'eu-west-1' },
      accepter: { vpcId: 'vpc-2', cidrs: [] },
    });
  });

  it('gathers prefix list CIDRs from PrefixListEntries', () => {
    expect(s.prefixLists.get('pl-eic')).toMatchObject({
      name: 'com.amazonaws.eu-west-1.ec2-instance-connect',
      cidrs: ['18.202.216.48/29'],
    });
    expect(s.index.prefixListCidrs.get('pl-eic')).toEqual(['18.202.216.48/29']);
  });

  it('records the keys present and raises no warning for a consistent world', () => {
    expect(s.presentKeys.has('NetworkAcls')).toBe(true);
    expect(s.presentKeys.has('TransitGateways')).toBe(false);
    expect(s.warnings).toEqual([]);
  });
});

describe('buildSnapshot: memory of a big account', () => {
  const group = (id: string, perms: unknown[]) => ({
    GroupId: id,
    GroupName: id,
    VpcId: 'vpc-1',
    IpPermissions: perms,
  });
  const https = (more: Record<string, unknown> = {}) => ({
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    IpRanges: [{ CidrIp: '0.0.0.0/0', ...more }],
  });
  const s = buildSnapshot([
    {
      path: 'sg.json',
      data: {
        SecurityGroups: [
          group('sg-a', [https()]),
          group('sg-b', [https()]),
          group('sg-c', [https({ Description: 'public site' })]),
          group('sg-d', [{ ...https(), ToPort: 444 }]),
        ],
      },
    },
  ]);
  const first = (id: string) => s.securityGroups.get(id as never)?.ingress[0];

  it('keeps one frozen object for equal rules of different groups, and apart the rules that differ', () => {
    expect(first('sg-a')).toBe(first('sg-b'));
    expect(Object.isFrozen(first('sg-a'))).toBe(true);
    expect(first('sg-c')).not.toBe(first('sg-a'));
    expect(first('sg-c')).toMatchObject({ text: first('sg-a')?.text, description: 'public site' });
    expect(first('sg-d')).toMatchObject({ fromPort: 443, toPort: 444 });
    expect(Object.isFrozen(first('sg-c'))).toBe(true);
    expect(first('sg-a')).toEqual({
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      peer: { kind: 'cidr', cidr: '0.0.0.0/0' },
      text: first('sg-a')?.text,
    });
  });
});

describe('buildSnapshot: rules that differ only in what their wording leaves out', () => {
  it('keeps each its own fields, however many share a wording', () => {
    const groups = Array.from({ length: 12 }, (_, i) => ({
      GroupId: `sg-${i}`,
      GroupName: `g${i}`,
      VpcId: 'vpc-1',
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          UserIdGroupPairs: [{ GroupId: 'sg-app', VpcId: `vpc-peer-${i % 10}`, PeeringStatus: 'active' }],
        },
      ],
    }));
    const s = buildSnapshot([{ path: 'sg.json', data: { SecurityGroups: groups } }]);
    const peers = groups.map((g) => s.securityGroups.get(g.GroupId as never)?.ingress[0]?.peer);
    expect(peers.map((p) => (p?.kind === 'security-group' ? p.vpcId : undefined))).toEqual(
      groups.map((_, i) => `vpc-peer-${i % 10}`),
    );
    expect(new Set(groups.map((g) => s.securityGroups.get(g.GroupId as never)?.ingress[0]?.text)).size).toBe(1);
  });
});

describe('buildSnapshot: indexes', () => {
  const s = buildSnapshot(worldFiles());
  const ix = s.index;

  it('uses a subnet’s explicit route table association', () => {
    expect(ix.subnetRouteTable.get('subnet-pub')).toBe('rtb-pub');
    expect(ix.subnetUsesMainRouteTable.has('subnet-pub')).toBe(false);
  });

  it('falls back to the VPC main table (Main=true association with no SubnetId)', () => {
    expect(ix.vpcMainRouteTable.get('vpc-1')).toBe('rtb-main1');
    expect(ix.vpcMainRouteTable.get('vpc-2')).toBe('rtb-main2');
    expect(ix.subnetRouteTable.get('subnet-priv')).toBe('rtb-main1');
    expect(ix.subnetUsesMainRouteTable.has('subnet-priv')).toBe(true);
    expect(ix.subnetRouteTable.get('subnet-db')).toBe('rtb-main2');
  });

  it('uses the associated network ACL, else the VPC default ACL', () => {
    expect(ix.subnetNetworkAcl.get('subnet-pub')).toBe('acl-default1');
    expect(ix.subnetNetworkAcl.get('subnet-priv')).toBe('acl-custom');
    expect(ix.subnetNetworkAcl.get('subnet-db')).toBe('acl-default2');
  });

  it('lists the ENIs in each security group', () => {
    expect(ix.securityGroupMembers.get('sg-web')).toEqual(['eni-web0', 'eni-web1']);
    expect(ix.securityGroupMembers.get('sg-db')).toEqual(['eni-db0']);
  });

  it('maps private IPs (secondary ones included) and public/Elastic IPs to ENIs', () => {
    expect(ix.privateIpToEni.get('10.1.0.11')).toEqual(['eni-web0']);
    expect(ix.privateIpToEni.get('10.2.4.95')).toEqual(['eni-db0']);
    expect(ix.publicIpToEni.get('54.0.0.10')).toBe('eni-web0');
    expect(ix.publicIpToEni.get('52.0.0.21')).toBe('eni-web1');
  });

  it('indexes names case-insensitively and keeps every instance with a name', () => {
    expect(ix.instancesByName.get('web-1')).toEqual(['i-web']);
    expect(ix.instancesByName.get('db-1')).toEqual(['i-db', 'i-old']);
  });

  it('indexes gateways, subnets and ENIs per VPC and subnet', () => {
    expect(ix.vpcInternetGateways.get('vpc-1')).toEqual(['igw-1']);
    expect(ix.vpcSubnets.get('vpc-1')).toEqual(['subnet-pub', 'subnet-priv']);
    expect(ix.subnetNetworkInterfaces.get('subnet-priv')).toEqual(['eni-web1']);
  });
});

describe('buildSnapshot: errors and warnings', () => {
  it('refuses files that hold no describe-* output at all, naming them', () => {
    const files: RawSnapshotFile[] = [
      { path: 'snap/empty.json', data: {} },
      { path: 'snap/other-tool.json', data: [{ hello: 'world' }] },
    ];
    let caught: unknown;
    try {
      buildSnapshot(files);
    } catch (e) {
      caught = e;
    }
    expect(isWhypingError(caught, 'SNAPSHOT_INVALID')).toBe(true);
    expect((caught as WhypingError).message).toContain('snap/empty.json, snap/other-tool.json');
    expect((caught as WhypingError).exitCode).toBe(2);
  });

  it('accepts an account that has known keys with nothing in them (an empty region)', () => {
    expect(buildSnapshot([{ path: 'snap/Vpcs.json', data: { Vpcs: [] } }]).vpcs.size).toBe(0);
  });

  it('names the file and JSON path of a malformed known key', () => {
    const e = invalid(
      worldFiles((w) => {
        nth(nth(w.RouteTables as { Routes: { State: unknown }[] }[], 1).Routes, 2).State = 42;
      }, 'snap/RouteTables.json'),
    );
    expect(e.message).toMatch(/^snap\/RouteTables\.json: \$\.RouteTables\[1\]\.Routes\[2\]\.State: /);
    expect(e.details.jsonPath).toBe('$.RouteTables[1].Routes[2].State');
  });

  it('rejects a malformed CIDR, a missing id and a known key that is not a list', () => {
    expect(
      invalid(worldFiles((w) => (nth(w.Vpcs as { CidrBlock: string }[], 0).CidrBlock = '10.1.0.0/33'))).message,
    ).toMatch(/\$\.Vpcs\[0\]\.CidrBlock: not a CIDR block/);
    expect(invalid([{ path: 'x.json', data: { Subnets: [{ VpcId: 'vpc-1' }] } }]).message).toMatch(
      /x\.json: \$\.Subnets\[0\]\.SubnetId: /,
    );
    expect(invalid([{ path: 'x.json', data: { SecurityGroups: { GroupId: 'sg-1' } } }]).message).toMatch(
      /x\.json: \$\.SecurityGroups: /,
    );
  });

  it('ignores unknown keys and unknown fields', () => {
    const s = buildSnapshot(
      worldFiles((w) => {
        w.DomainStatusList = [{ anything: true }];
        w.AvailabilityZones = 'not even a list';
        nth(w.Vpcs as Record<string, unknown>[], 0).SomeNewField = { nested: [1, 2] };
      }),
    );
    expect(s.vpcs.size).toBe(2);
    expect(s.presentKeys.has('DomainStatusList')).toBe(false);
  });

  it('never reads VpnConnections (they embed pre-shared keys)', () => {
    const s = buildSnapshot(
      worldFiles((w) => {
        w.VpnConnections = [{ CustomerGatewayConfiguration: '<pre_shared_key>secret-psk</pre_shared_key>' }];
      }),
    );
    expect(JSON.stringify([...s.presentKeys, ...s.warnings])).not.toContain('secret-psk');
    expect(s.presentKeys.has('VpnConnections')).toBe(false);
  });

  it('turns dangling references into warnings with the ids involved', () => {
    const s = buildSnapshot(
      worldFiles((w) => {
        w.VpcPeeringConnections = [];
        nth(w.NetworkInterfaces as { SubnetId: string }[], 2).SubnetId = 'subnet-gone';
        nth(w.SecurityGroups as { IpPermissions: unknown[] }[], 1).IpPermissions.push({
          IpProtocol: 'tcp',
          FromPort: 1,
          ToPort: 1,
          UserIdGroupPairs: [{ GroupId: 'sg-unknown', UserId: '222222222222' }],
        });
      }),
    );
    const codes = s.warnings.map((w) => [w.code, w.resourceIds]);
    expect(codes).toContainEqual(['DANGLING_REFERENCE', ['rtb-pub', 'pcx-1']]);
    expect(codes).toContainEqual(['DANGLING_REFERENCE', ['eni-db0', 'subnet-gone']]);
    expect(codes).toContainEqual(['DANGLING_REFERENCE', ['sg-db', 'sg-unknown']]);
    expect(s.warnings.find((w) => w.resourceIds.includes('sg-unknown'))?.message).toContain('222222222222/sg-unknown');
    expect(s.index.warningsByResource?.get('pcx-1')?.map((w) => w.code)).toEqual(['DANGLING_REFERENCE']);
    expect(s.index.warningsByResource?.get('sg-db')?.length).toBe(1);
  });

  it('warns about a subnet with no route table at all', () => {
    const s = buildSnapshot(
      worldFiles((w) => {
        w.RouteTables = (w.RouteTables as { RouteTableId: string }[]).filter((r) => r.RouteTableId !== 'rtb-main2');
      }),
    );
    expect(s.index.subnetRouteTable.has('subnet-db')).toBe(false);
    expect(s.warnings.map((w) => w.code)).toContain('NO_ROUTE_TABLE');
  });

  it('says what it assumes when NetworkAcls is missing', () => {
    const s = buildSnapshot(worldFiles((w) => delete w.NetworkAcls));
    const warning = s.warnings.find((w) => w.code === 'ASSUMED_DEFAULT');
    expect(warning?.message).toMatch(/no NetworkAcls.*default network ACL, which allows all traffic/);
    expect(warning?.resourceIds).toEqual(['vpc-1', 'vpc-2']);
    expect(s.presentKeys.has('NetworkAcls')).toBe(false);
    expect(s.index.subnetNetworkAcl.size).toBe(0);
  });

  it('ignores a file that is not an object, with a warning', () => {
    const s = buildSnapshot([...worldFiles(), { path: 'list.json', data: [1, 2, 3] }]);
    expect(s.warnings.map((w) => w.code)).toContain('NOT_A_SNAPSHOT_FILE');
  });
});

describe('buildSnapshot: merging files and accounts', () => {
  it('merges keys spread over several files', () => {
    const w = rawWorld();
    const files: RawSnapshotFile[] = Object.entries(w).map(([key, value]) => ({
      path: `${key}.json`,
      data: { [key]: value },
    }));
    const s = buildSnapshot(files);
    expect(s.index.subnetRouteTable.get('subnet-priv')).toBe('rtb-main1');
    expect(s.warnings).toEqual([]);
  });

  it('keeps one object per id and prefers the owner’s copy', () => {
    const vpc = (tag: string) => ({
      VpcId: 'vpc-shared',
      OwnerId: '111111111111',
      CidrBlock: '10.5.0.0/16',
      Tags: [{ Key: 'Name', Value: tag }],
    });
    const s = buildSnapshot([
      {
        path: 'accounts/222222222222/us-east-1/Vpcs.json',
        accountId: '222222222222',
        region: 'us-east-1',
        data: { Vpcs: [vpc('seen from 222')] },
      },
      {
        path: 'accounts/111111111111/us-east-1/Vpcs.json',
        accountId: '111111111111',
        region: 'us-east-1',
        data: { Vpcs: [vpc('owner copy')] },
      },
    ]);
    expect(s.vpcs.size).toBe(1);
    expect(s.vpcs.get('vpc-shared')).toMatchObject({
      name: 'owner copy',
      accountId: '111111111111',
      region: 'us-east-1',
    });
  });
});

describe('buildSnapshot: transit gateways', () => {
  const tgwWorld = (): RawSnapshotFile[] => [
    {
      path: 'tgw.json',
      region: 'us-east-1',
      data: {
        Vpcs: [
          {
            VpcId: 'vpc-a',
            CidrBlock: '10.1.0.0/16',
            CidrBlockAssociationSet: [
              { CidrBlock: '10.1.0.0/16', CidrBlockState: { State: 'associated' } },
              { CidrBlock: '100.64.0.0/16', CidrBlockState: { State: 'associated' } },
            ],
          },
        ],
        TransitGateways: [
          { TransitGatewayId: 'tgw-a', State: 'available', Options: { AssociationDefaultRouteTableId: 'tgw-rtb-a' } },
        ],
        TransitGatewayAttachments: [
          {
            TransitGatewayAttachmentId: 'tgw-attach-v',
            TransitGatewayId: 'tgw-a',
            ResourceType: 'vpc',
            ResourceId: 'vpc-a',
            State: 'available',
            Association: { TransitGatewayRouteTableId: 'tgw-rtb-a', State: 'associated' },
          },
          {
            TransitGatewayAttachmentId: 'tgw-attach-p',
            TransitGatewayId: 'tgw-a',
            ResourceType: 'peering',
            ResourceId: 'tgw-b',
            State: 'available',
            Association: { TransitGatewayRouteTableId: 'tgw-rtb-a', State: 'associated' },
          },
        ],
        TransitGatewayVpcAttachments: [
          {
            TransitGatewayAttachmentId: 'tgw-attach-v',
            TransitGatewayId: 'tgw-a',
            VpcId: 'vpc-a',
            SubnetIds: ['subnet-a1', 'subnet-a2'],
          },
        ],
        TransitGatewayRouteTables: [{ TransitGatewayRouteTableId: 'tgw-rtb-a', TransitGatewayId: 'tgw-a' }],
        TransitGatewayStaticRoutes: [
          {
            TransitGatewayRouteTableId: 'tgw-rtb-a',
            Routes: [
              {
                DestinationCidrBlock: '10.2.0.0/16',
                State: 'active',
                Type: 'static',
                TransitGatewayAttachments: [
                  { TransitGatewayAttachmentId: 'tgw-attach-p', ResourceId: 'tgw-b', ResourceType: 'peering' },
                ],
              },
              { DestinationCidrBlock: '10.9.0.0/16', State: 'blackhole', Type: 'static' },
              { DestinationCidrBlock: '100.64.0.0/16', State: 'blackhole', Type: 'static' },
            ],
          },
        ],
        TransitGatewayPropagations: [
          {
            TransitGatewayRouteTableId: 'tgw-rtb-a',
            TransitGatewayRouteTablePropagations: [
              {
                TransitGatewayAttachmentId: 'tgw-attach-v',
                ResourceId: 'vpc-a',
                ResourceType: 'vpc',
                State: 'enabled',
              },
            ],
          },
        ],
      },
    },
    {
      path: 'peer.json',
      region: 'us-west-2',
      data: {
        TransitGatewayAttachments: [
          {
            TransitGatewayAttachmentId: 'tgw-attach-p',
            TransitGatewayId: 'tgw-b',
            TransitGatewayOwnerId: '333333333333',
            ResourceType: 'peering',
            ResourceId: 'tgw-a',
            State: 'available',
            Association: { TransitGatewayRouteTableId: 'tgw-rtb-b', State: 'associated' },
          },
        ],
      },
    },
  ];

  it('builds attachments with association, subnets and the peering attachment’s two sides', () => {
    const s = buildSnapshot(tgwWorld());
    expect(s.transitGatewayAttachments.get('tgw-attach-v')).toMatchObject({
      resourceType: 'vpc',
      resourceId: 'vpc-a',
      associatedRouteTableId: 'tgw-rtb-a',
      subnetIds: ['subnet-a1', 'subnet-a2'],
    });
    expect(s.transitGatewayAttachments.get('tgw-attach-p')).toMatchObject({
      transitGatewayId: 'tgw-a',
      peerTransitGatewayId: 'tgw-b',
      associatedRouteTableId: 'tgw-rtb-a',
      peerAssociatedRouteTableId: 'tgw-rtb-b',
      peerRegion: 'us-west-2',
      peerAccountId: '333333333333',
    });
    expect(s.index.vpcTransitGatewayAttachments.get('vpc-a')).toEqual(['tgw-attach-v']);
  });

  it('builds static routes, blackholes and propagated routes from every VPC CIDR, a static route shadowing a propagated one', () => {
    const rt = buildSnapshot(tgwWorld()).transitGatewayRouteTables.get('tgw-rtb-a');
    expect(rt?.routes.map((r) => [r.cidr, r.type, r.state, r.attachmentIds])).toEqual([
      ['10.2.0.0/16', 'static', 'active', ['tgw-attach-p']],
      ['10.9.0.0/16', 'static', 'blackhole', []],
      ['100.64.0.0/16', 'static', 'blackhole', []],
      ['10.1.0.0/16', 'propagated', 'active', ['tgw-attach-v']],
    ]);
    expect(rt?.routes[0]?.text).toBe('10.2.0.0/16 → tgw-attach-p (tgw-b) [static]');
    expect(rt?.routes[1]?.text).toBe('10.9.0.0/16 → blackhole [static]');
  });
});

describe('fast-path validation', () => {
  it('compiles a fast check for every known key', () => {
    for (const key of Object.keys(KEY_SCHEMAS))
      expect(FAST_CHECKS[key as keyof typeof FAST_CHECKS], key).toBeTypeOf('function');
  });

  it('agrees with zod on valid and broken values', () => {
    const w = rawWorld();
    const cases: [string, unknown][] = Object.entries(w);
    cases.push([
      'NetworkAcls',
      [
        {
          NetworkAclId: 'acl-1',
          VpcId: 'vpc-1',
          Entries: [{ RuleNumber: 1.5, Egress: true, Protocol: '-1', RuleAction: 'allow' }],
        },
      ],
    ]);
    cases.push([
      'NetworkAcls',
      [
        {
          NetworkAclId: 'acl-1',
          VpcId: 'vpc-1',
          Entries: [{ RuleNumber: 1, Egress: true, Protocol: 'gre', RuleAction: 'allow' }],
        },
      ],
    ]);
    cases.push([
      'NetworkAcls',
      [
        {
          NetworkAclId: 'acl-1',
          VpcId: 'vpc-1',
          Entries: [{ RuleNumber: 1, Egress: true, Protocol: '-1', RuleAction: 'maybe' }],
        },
      ],
    ]);
    cases.push(['Subnets', [{ SubnetId: 'subnet-1', VpcId: 'vpc-1', MapPublicIpOnLaunch: 'yes' }]]);
    cases.push(['Subnets', [null]]);
    cases.push(['Vpcs', [[]]]);
    cases.push(['PrefixListEntries', { 'pl-1': [{ Cidr: 'nope' }] }]);
    cases.push(['PrefixListEntries', []]);
    cases.push(['NetworkInterfaces', [{ NetworkInterfaceId: 'eni-1', PrivateIpAddress: '10.0.0.300' }]]);
    cases.push(['Addresses', [{ PublicIp: '1.2.3.4', InstanceId: null }]]);
    for (const [key, value] of cases) {
      const k = key as keyof typeof KEY_SCHEMAS;
      expect(FAST_CHECKS[k]?.(value), `${key}: ${JSON.stringify(value).slice(0, 80)}`).toBe(
        KEY_SCHEMAS[k].safeParse(value).success,
      );
    }
  });
});

it('is a WhypingError with exit code 2', () => {
  const e = invalid([{ path: 'x.json', data: { Vpcs: 'no' } }]);
  expect(e).toBeInstanceOf(WhypingError);
  expect(e.exitCode).toBe(2);
});
