/** Network interfaces (DescribeNetworkInterfaces, and those only listed under an instance in Reservations). */
import type {
  AllocationId,
  InstanceId,
  NetworkInterface,
  NetworkInterfaceId,
  PrivateIp,
  SecurityGroupId,
  SubnetId,
  VpcId,
} from '../../model/index.js';
import { dedup, type FileOrigin, type Inputs, type Warn } from '../merge.js';
import type { RawNetworkInterface } from '../schema.js';
import { fitted, intern, origin, regionFromAz, tagsOf } from './shared.js';

/** What an ENI listed under an instance takes from the instance when it does not say. */
export interface EniFallback {
  subnetId?: string | null;
  vpcId?: string | null;
  az?: string | null;
  instanceId?: string;
  owner?: string | null;
}

/** The ENI, or null when neither it nor the fallback names its subnet and VPC. */
export function eniFromRaw(raw: RawNetworkInterface, file: FileOrigin, fallback: EniFallback): NetworkInterface | null {
  const subnetId = raw.SubnetId ?? fallback.subnetId;
  const vpcId = raw.VpcId ?? fallback.vpcId;
  if (!subnetId || !vpcId) return null;
  const privateIps: PrivateIp[] = [];
  for (const p of raw.PrivateIpAddresses ?? []) {
    if (!p.PrivateIpAddress) continue;
    const ip: PrivateIp = { address: p.PrivateIpAddress, primary: !!p.Primary };
    if (p.Association?.PublicIp) ip.publicIp = p.Association.PublicIp;
    if (p.Association?.AllocationId) ip.allocationId = p.Association.AllocationId as AllocationId;
    privateIps.push(ip);
  }
  if (privateIps.length === 0 && raw.PrivateIpAddress) {
    privateIps.push({ address: raw.PrivateIpAddress, primary: true });
  }
  if (privateIps.length > 0 && !privateIps.some((p) => p.primary)) {
    const primary = privateIps.find((p) => p.address === raw.PrivateIpAddress) ?? privateIps[0];
    if (primary) primary.primary = true;
  }
  privateIps.sort((a, b) => Number(b.primary) - Number(a.primary));
  const primary = privateIps[0];
  if (primary && !primary.publicIp && raw.Association?.PublicIp) {
    primary.publicIp = raw.Association.PublicIp;
    if (raw.Association.AllocationId) primary.allocationId = raw.Association.AllocationId as AllocationId;
  }
  const tags = tagsOf(raw.TagSet ?? raw.Tags);
  const az = raw.AvailabilityZone ?? fallback.az;
  const eni: NetworkInterface = {
    id: raw.NetworkInterfaceId as NetworkInterfaceId,
    subnetId: intern(subnetId as SubnetId),
    vpcId: intern(vpcId as VpcId),
    privateIps: fitted(privateIps),
    ipv6Addresses: (raw.Ipv6Addresses ?? []).map((a) => a.Ipv6Address).filter((a): a is string => !!a),
    groupIds: (raw.Groups ?? []).map((g) => intern(g.GroupId as SecurityGroupId)),
    sourceDestCheck: raw.SourceDestCheck ?? true,
    interfaceType: intern(raw.InterfaceType ?? 'interface'),
    requesterManaged: raw.RequesterManaged ?? false,
    tags,
  };
  if (az) eni.availabilityZone = intern(az);
  if (raw.Description) eni.description = intern(raw.Description);
  if (raw.Status) eni.status = intern(raw.Status);
  const instanceId = raw.Attachment?.InstanceId ?? fallback.instanceId;
  if (raw.Attachment || instanceId) {
    const att: NonNullable<NetworkInterface['attachment']> = {};
    if (instanceId) att.instanceId = instanceId as InstanceId;
    if (raw.Attachment?.DeviceIndex !== null && raw.Attachment?.DeviceIndex !== undefined)
      att.deviceIndex = raw.Attachment.DeviceIndex;
    if (raw.Attachment?.Status) att.status = intern(raw.Attachment.Status);
    eni.attachment = att;
  }
  return origin(eni, raw.OwnerId ?? fallback.owner ?? file.accountId, file.region ?? regionFromAz(az));
}

/** ENIs of NetworkInterfaces; instances add the ENIs only listed under them (instances.ts). */
export function networkInterfacesFrom(inp: Inputs, warn: Warn): Map<NetworkInterfaceId, NetworkInterface> {
  const networkInterfaces = new Map<NetworkInterfaceId, NetworkInterface>();
  for (const [id, { value, file }] of dedup(
    inp.NetworkInterfaces,
    (n) => n.NetworkInterfaceId,
    (n) => n.OwnerId,
  )) {
    const eni = eniFromRaw(value, file, {});
    if (eni) networkInterfaces.set(eni.id, eni);
    else warn('BAD_NETWORK_INTERFACE', `network interface ${id} has no subnet or VPC; ignored`, [id]);
  }
  return networkInterfaces;
}
