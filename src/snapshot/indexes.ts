/**
 * Indexes: the lookups the engine needs (a subnet's route table and network ACL, who holds an IP, a group's members,
 * a VPC's gateways and attachments, …), built once per snapshot, with the warnings about what is missing.
 */
import type { NetworkAclId, Snapshot, SnapshotIndex, VpcId } from '../model/index.js';
import { attachmentPhase } from '../model/resources.js';
import { parseIp } from '../net/ip.js';
import { pushTo } from './aws/shared.js';
import type { Warn } from './merge.js';

export type IndexInput = Pick<
  Snapshot,
  | 'vpcs'
  | 'subnets'
  | 'routeTables'
  | 'networkAcls'
  | 'networkInterfaces'
  | 'instances'
  | 'internetGateways'
  | 'egressOnlyInternetGateways'
  | 'transitGatewayAttachments'
  | 'prefixLists'
  | 'securityGroups'
  | 'natGateways'
  | 'peeringConnections'
  | 'addresses'
>;

/** The snapshot's indexes; build.ts adds `warningsByResource` once every warning is known. */
export function buildIndex(s: IndexInput, presentKeys: ReadonlySet<string>, warn: Warn): SnapshotIndex {
  const index: SnapshotIndex = {
    subnetRouteTable: new Map(),
    subnetUsesMainRouteTable: new Set(),
    vpcMainRouteTable: new Map(),
    subnetNetworkAcl: new Map(),
    securityGroupMembers: new Map(),
    privateIpToEni: new Map(),
    publicIpToEni: new Map(),
    instancesByName: new Map(),
    vpcInternetGateways: new Map(),
    vpcEgressOnlyInternetGateways: new Map(),
    vpcSubnets: new Map(),
    subnetNetworkInterfaces: new Map(),
    vpcTransitGatewayAttachments: new Map(),
    prefixListCidrs: new Map(),
    peeringsByVpc: new Map(),
    gatewayRouteTables: new Map(),
    natByEni: new Map(),
    natByIp: new Map(),
    unheldAddresses: new Map(),
  };
  const vpcIds = [...s.vpcs.keys()];

  for (const subnet of s.subnets.values()) {
    pushTo(index.vpcSubnets, subnet.vpcId, subnet.id);
    if (!s.vpcs.has(subnet.vpcId) && presentKeys.has('Vpcs'))
      warn('DANGLING_REFERENCE', `subnet ${subnet.id} is in ${subnet.vpcId}, which is not in the snapshot`, [
        subnet.id,
        subnet.vpcId,
      ]);
  }

  // Route tables: DescribeRouteTables returns the main table's association with Main=true and no SubnetId; subnets
  // without an explicit association use it implicitly, and no association lists them.
  for (const rt of s.routeTables.values()) {
    if (rt.isMain && !index.vpcMainRouteTable.has(rt.vpcId)) index.vpcMainRouteTable.set(rt.vpcId, rt.id);
    for (const subnetId of rt.subnetIds) {
      const prev = index.subnetRouteTable.get(subnetId);
      if (prev && prev !== rt.id)
        warn('CONFLICT', `subnet ${subnetId} is associated with both ${prev} and ${rt.id}; using ${prev}`, [
          subnetId,
          prev,
          rt.id,
        ]);
      else index.subnetRouteTable.set(subnetId, rt.id);
    }
  }
  if (presentKeys.has('RouteTables')) {
    for (const subnet of s.subnets.values()) {
      if (index.subnetRouteTable.has(subnet.id)) continue;
      const main = index.vpcMainRouteTable.get(subnet.vpcId);
      if (main) {
        index.subnetRouteTable.set(subnet.id, main);
        index.subnetUsesMainRouteTable.add(subnet.id);
      } else
        warn(
          'NO_ROUTE_TABLE',
          `subnet ${subnet.id} has no explicit route table and ${subnet.vpcId} has no main route table in the snapshot: its routes are unknown`,
          [subnet.id, subnet.vpcId],
        );
    }
  } else if (s.subnets.size > 0) {
    warn('MISSING_FILE', 'no RouteTables in the snapshot: routes cannot be evaluated', vpcIds);
  }

  // Network ACLs: a subnet without an association uses its VPC's default ACL.
  const defaultAcl = new Map<string, NetworkAclId>();
  for (const acl of s.networkAcls.values()) {
    if (acl.isDefault && !defaultAcl.has(acl.vpcId)) defaultAcl.set(acl.vpcId, acl.id);
    for (const subnetId of acl.subnetIds)
      if (!index.subnetNetworkAcl.has(subnetId)) index.subnetNetworkAcl.set(subnetId, acl.id);
  }
  if (presentKeys.has('NetworkAcls')) {
    for (const subnet of s.subnets.values()) {
      if (index.subnetNetworkAcl.has(subnet.id)) continue;
      const def = defaultAcl.get(subnet.vpcId);
      if (def) index.subnetNetworkAcl.set(subnet.id, def);
      else
        warn(
          'ASSUMED_DEFAULT',
          `subnet ${subnet.id} has no network ACL in the snapshot: assuming ${subnet.vpcId}'s default network ACL, which allows all traffic`,
          [subnet.id, subnet.vpcId],
        );
    }
  } else if (s.subnets.size > 0 || s.vpcs.size > 0) {
    warn(
      'ASSUMED_DEFAULT',
      "no NetworkAcls in the snapshot: assuming every subnet uses its VPC's default network ACL, which allows all traffic",
      vpcIds,
    );
  }
  if (!presentKeys.has('SecurityGroups') && s.networkInterfaces.size > 0)
    warn('MISSING_FILE', 'no SecurityGroups in the snapshot: security group rules cannot be evaluated', vpcIds);

  // Dead interfaces (being deleted, or a deleted NAT gateway's) hold no address: a live one always decides.
  const deadNatEnis = new Set<string>();
  for (const n of s.natGateways.values())
    if (n.state === 'deleted' || n.state === 'failed')
      for (const a of n.addresses) if (a.networkInterfaceId) deadNatEnis.add(a.networkInterfaceId);
  for (const eni of s.networkInterfaces.values()) {
    pushTo(index.subnetNetworkInterfaces, eni.subnetId, eni.id);
    if (presentKeys.has('Subnets') && !s.subnets.has(eni.subnetId))
      warn('DANGLING_REFERENCE', `network interface ${eni.id} is in ${eni.subnetId}, which is not in the snapshot`, [
        eni.id,
        eni.subnetId,
      ]);
    for (const g of eni.groupIds) {
      pushTo(index.securityGroupMembers, g, eni.id);
      if (presentKeys.has('SecurityGroups') && !s.securityGroups.has(g))
        warn('DANGLING_REFERENCE', `network interface ${eni.id} uses ${g}, which is not in the snapshot`, [eni.id, g]);
    }
    if (eni.status === 'deleting' || deadNatEnis.has(eni.id)) continue;
    for (const p of eni.privateIps) {
      pushTo(index.privateIpToEni, p.address, eni.id);
      if (p.publicIp && !index.publicIpToEni.has(p.publicIp)) index.publicIpToEni.set(p.publicIp, eni.id);
    }
    // IPv6 keys in canonical form (lower case, zeros compressed), as the resolver parses what the user typed.
    for (const a of eni.ipv6Addresses) pushTo(index.privateIpToEni, parseIp(a)?.text ?? a, eni.id);
  }

  for (const inst of s.instances.values()) {
    const name = inst.name?.toLowerCase();
    if (name) pushTo(index.instancesByName, name, inst.id);
  }
  for (const igw of s.internetGateways.values())
    for (const v of igw.attachedVpcIds) pushTo(index.vpcInternetGateways, v, igw.id);
  for (const g of s.egressOnlyInternetGateways.values())
    for (const v of g.attachedVpcIds) pushTo(index.vpcEgressOnlyInternetGateways, v, g.id);
  // A VPC keeps its deleted or rejected attachments in the data for a while. They carry nothing, but they stay in the
  // index so that the engine can name them; an attachment that carries traffic comes first, then one on its way
  // (pending, waiting for acceptance), then the dead ones.
  const rank = { carrying: 0, coming: 1, dead: 2 };
  const attachments = [...s.transitGatewayAttachments.values()];
  attachments.sort((a, b) => rank[attachmentPhase(a.state)] - rank[attachmentPhase(b.state)]);
  for (const att of attachments)
    if (att.resourceType === 'vpc' && att.resourceId)
      pushTo(index.vpcTransitGatewayAttachments, att.resourceId as VpcId, att.id);
  for (const pl of s.prefixLists.values()) index.prefixListCidrs.set(pl.id, pl.cidrs);
  for (const p of s.peeringConnections.values())
    for (const v of [p.requester.vpcId, p.accepter.vpcId]) pushTo(index.peeringsByVpc, v, p);
  for (const rt of s.routeTables.values()) for (const g of rt.gatewayIds) index.gatewayRouteTables.set(g, rt);
  for (const n of s.natGateways.values()) {
    // A deleted or failed NAT gateway holds no address any more.
    if (n.state === 'deleted' || n.state === 'failed') continue;
    for (const a of n.addresses) {
      if (a.networkInterfaceId) index.natByEni.set(a.networkInterfaceId, n);
      if (a.privateIp) index.natByIp.set(a.privateIp, n);
      if (a.publicIp) index.natByIp.set(a.publicIp, n);
    }
  }
  const held = (ip: string) => index.publicIpToEni.has(ip) || index.natByIp.has(ip) || index.privateIpToEni.has(ip);
  for (const n of s.natGateways.values()) {
    if (n.state !== 'deleted' && n.state !== 'failed') continue;
    for (const a of n.addresses)
      if (a.publicIp && !held(a.publicIp))
        index.unheldAddresses.set(a.publicIp, { id: n.id, why: `NAT gateway ${n.id}, which held it, is ${n.state}` });
  }
  for (const e of s.addresses.values())
    if (!e.networkInterfaceId && !e.instanceId && !held(e.publicIp))
      index.unheldAddresses.set(e.publicIp, {
        id: e.allocationId ?? e.publicIp,
        why: `Elastic IP ${e.allocationId ?? e.publicIp} is allocated but associated with nothing`,
      });
  return index;
}
