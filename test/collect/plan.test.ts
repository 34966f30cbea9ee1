/** planReads as data: what the next round asks for, given what has been read — no client, no I/O. */
import { describe, expect, it } from 'vitest';
import { Collected, emptyScope, planReads, type Read } from '../../src/collect/plan.js';

const f = (Name: string, ...Values: string[]) => [{ Name, Values }];
const describeRead = (key: string, name: string, ...values: string[]): Read =>
  ({ op: 'describe', key, filters: f(name, ...values) }) as Read;

/** The VPC-detail reads of `vpcs`, in the order the plan sends them. */
const vpcDetail = (...vpcs: string[]): Read[] => [
  describeRead('Subnets', 'vpc-id', ...vpcs),
  describeRead('RouteTables', 'vpc-id', ...vpcs),
  describeRead('NetworkAcls', 'vpc-id', ...vpcs),
  describeRead('InternetGateways', 'attachment.vpc-id', ...vpcs),
  describeRead('NatGateways', 'vpc-id', ...vpcs),
  describeRead('VpcPeeringConnections', 'requester-vpc-info.vpc-id', ...vpcs),
  describeRead('VpcPeeringConnections', 'accepter-vpc-info.vpc-id', ...vpcs),
];

describe('planReads', () => {
  it('reads a full VPC in one round of filtered calls, and never asks twice', () => {
    const c = new Collected();
    const scope = emptyScope(false);
    scope.fullVpcs.add('vpc-1');
    scope.groups.add('sg-1');
    expect(planReads(c, scope)).toEqual([
      ...vpcDetail('vpc-1'),
      describeRead('Vpcs', 'vpc-id', 'vpc-1'),
      describeRead('SecurityGroups', 'group-id', 'sg-1'),
    ]);
    expect(planReads(c, scope)).toEqual([]);
  });

  it('splits more than 200 filter values into several calls', () => {
    const c = new Collected();
    const scope = emptyScope(false);
    const vpcs = Array.from({ length: 201 }, (_, i) => `vpc-${i}`);
    for (const v of vpcs) scope.fullVpcs.add(v);
    const subnets = planReads(c, scope).filter((r) => r.op === 'describe' && r.key === 'Subnets');
    expect(subnets).toEqual([
      describeRead('Subnets', 'vpc-id', ...vpcs.slice(0, 200)),
      describeRead('Subnets', 'vpc-id', 'vpc-200'),
    ]);
  });

  it('follows what the routes point to: NAT, gateways, endpoints, peerings, transit gateways, prefix lists', () => {
    const c = new Collected();
    const scope = emptyScope(false);
    scope.fullVpcs.add('vpc-1');
    planReads(c, scope);
    c.add(
      'RouteTables',
      [
        {
          RouteTableId: 'rtb-1',
          VpcId: 'vpc-1',
          Routes: [
            { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' },
            { DestinationCidrBlock: '10.9.0.0/16', VpcPeeringConnectionId: 'pcx-1' },
            { DestinationCidrBlock: '10.8.0.0/16', TransitGatewayId: 'tgw-1' },
            { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-1' },
            { DestinationPrefixListId: 'pl-s3', GatewayId: 'vpce-1' },
            { DestinationCidrBlock: '192.0.2.0/24', GatewayId: 'igw-9' },
            { DestinationCidrBlock: '10.7.0.0/16', NetworkInterfaceId: 'eni-fw' },
          ],
        },
        // Another VPC's table names nothing the plan follows.
        { RouteTableId: 'rtb-x', VpcId: 'vpc-x', Routes: [{ NatGatewayId: 'nat-x' }] },
      ],
      (t) => t.RouteTableId,
    );
    expect(planReads(c, scope)).toEqual([
      { op: 'enis', filter: 'network-interface-id', values: ['eni-fw'] },
      describeRead('NatGateways', 'nat-gateway-id', 'nat-1'),
      describeRead('InternetGateways', 'internet-gateway-id', 'igw-9'),
      describeRead('VpcEndpoints', 'vpc-endpoint-id', 'vpce-1'),
      describeRead('VpcPeeringConnections', 'vpc-peering-connection-id', 'pcx-1'),
      { op: 'egress-only-gateways', ids: ['eigw-1'] },
      describeRead('TransitGateways', 'transit-gateway-id', 'tgw-1'),
      describeRead('TransitGatewayAttachments', 'transit-gateway-id', 'tgw-1'),
      describeRead('TransitGatewayVpcAttachments', 'transit-gateway-id', 'tgw-1'),
      describeRead('TransitGatewayRouteTables', 'transit-gateway-id', 'tgw-1'),
      describeRead('ManagedPrefixLists', 'prefix-list-id', 'pl-s3'),
      { op: 'prefix-list-entries', prefixList: 'pl-s3' },
    ]);
  });

  it('reads the peer VPC record and the TGW route table of a full VPC attachment, not the peer in full', () => {
    const c = new Collected();
    const scope = emptyScope(false);
    scope.fullVpcs.add('vpc-1');
    planReads(c, scope);
    c.add(
      'VpcPeeringConnections',
      [{ VpcPeeringConnectionId: 'pcx-1', RequesterVpcInfo: { VpcId: 'vpc-1' }, AccepterVpcInfo: { VpcId: 'vpc-2' } }],
      (p) => p.VpcPeeringConnectionId,
    );
    c.add(
      'TransitGatewayAttachments',
      [
        {
          TransitGatewayAttachmentId: 'tgw-attach-1',
          ResourceType: 'vpc',
          ResourceId: 'vpc-1',
          Association: { TransitGatewayRouteTableId: 'tgw-rtb-1' },
        },
        {
          TransitGatewayAttachmentId: 'tgw-attach-3',
          ResourceType: 'vpc',
          ResourceId: 'vpc-3',
          Association: { TransitGatewayRouteTableId: 'tgw-rtb-3' },
        },
      ],
      (a) => a.TransitGatewayAttachmentId,
    );
    expect(planReads(c, scope)).toEqual([
      describeRead('Vpcs', 'vpc-id', 'vpc-2', 'vpc-3'),
      { op: 'tgw-static-routes', routeTable: 'tgw-rtb-1' },
      { op: 'tgw-propagations', routeTable: 'tgw-rtb-1' },
    ]);
    expect(scope.fullVpcs).toEqual(new Set(['vpc-1']));
  });

  it('reads in full the VPC whose CIDRs hold an address no interface holds', () => {
    const c = new Collected();
    const scope = emptyScope(false);
    scope.looseIps.push('10.2.0.9');
    c.add(
      'Vpcs',
      [
        { VpcId: 'vpc-1', CidrBlock: '10.1.0.0/16' },
        { VpcId: 'vpc-2', CidrBlock: '172.16.0.0/16', CidrBlockAssociationSet: [{ CidrBlock: '10.2.0.0/16' }] },
      ],
      (v) => v.VpcId,
    );
    c.fresh('vpc-info', ['vpc-1', 'vpc-2']);
    expect(planReads(c, scope)).toEqual(vpcDetail('vpc-2'));
  });

  it('follows an interface to its instance, groups and Elastic IP', () => {
    const c = new Collected();
    const scope = emptyScope(false);
    scope.enis.add('eni-1');
    c.add(
      'NetworkInterfaces',
      [
        {
          NetworkInterfaceId: 'eni-1',
          Attachment: { InstanceId: 'i-1' },
          Groups: [{ GroupId: 'sg-1' }],
          Association: { PublicIp: '198.51.100.7' },
        },
      ],
      (e) => e.NetworkInterfaceId,
    );
    c.fresh('eni', ['eni-1']);
    expect(planReads(c, scope)).toEqual([
      { op: 'instances', filters: f('instance-id', 'i-1') },
      { op: 'addresses', publicIps: ['198.51.100.7'] },
      describeRead('SecurityGroups', 'group-id', 'sg-1'),
    ]);
  });

  it('follows one level of referenced groups and their prefix lists', () => {
    const c = new Collected();
    const scope = emptyScope(false);
    scope.groups.add('sg-1');
    c.add(
      'SecurityGroups',
      [
        {
          GroupId: 'sg-1',
          IpPermissions: [{ UserIdGroupPairs: [{ GroupId: 'sg-2' }], PrefixListIds: [{ PrefixListId: 'pl-1' }] }],
        },
      ],
      (g) => g.GroupId,
    );
    c.fresh('sg', ['sg-1']);
    expect(planReads(c, scope)).toEqual([
      describeRead('SecurityGroups', 'group-id', 'sg-2'),
      describeRead('ManagedPrefixLists', 'prefix-list-id', 'pl-1'),
      { op: 'prefix-list-entries', prefixList: 'pl-1' },
    ]);
  });

  it('`whyping snapshot` also reads every instance, interface, group and endpoint of the full VPCs', () => {
    const c = new Collected();
    const scope = emptyScope(true);
    scope.fullVpcs.add('vpc-1');
    c.fresh('vpc-info', ['vpc-1']);
    expect(planReads(c, scope)).toEqual([
      ...vpcDetail('vpc-1'),
      { op: 'instances', filters: f('vpc-id', 'vpc-1') },
      { op: 'enis', filter: 'vpc-id', values: ['vpc-1'] },
      describeRead('SecurityGroups', 'vpc-id', 'vpc-1'),
      describeRead('VpcEndpoints', 'vpc-id', 'vpc-1'),
    ]);
    // The interfaces read with the VPC are on the path and not asked again by id.
    c.add('NetworkInterfaces', [{ NetworkInterfaceId: 'eni-7', VpcId: 'vpc-1' }], (e) => e.NetworkInterfaceId);
    expect(planReads(c, scope)).toEqual([]);
    expect(scope.enis).toEqual(new Set(['eni-7']));
  });
});
