/** Instances (DescribeInstances' Reservations), with their ENIs in device order. */
import type { Instance, InstanceId, NetworkInterface, NetworkInterfaceId, SubnetId, VpcId } from '../../model/index.js';
import { Dedup, type Inputs } from '../merge.js';
import type { RawInstance } from '../schema.js';
import { eniFromRaw } from './network-interfaces.js';
import { intern, origin, regionFromAz, tagsOf, withName } from './shared.js';

const WINDOWS = /windows/i;

function platformOf(raw: RawInstance): 'linux' | 'windows' {
  return WINDOWS.test(raw.Platform ?? '') || WINDOWS.test(raw.PlatformDetails ?? '') ? 'windows' : 'linux';
}

/** Instances; an ENI listed under an instance and not in NetworkInterfaces is added to `networkInterfaces`. */
export function instancesFrom(
  inp: Inputs,
  networkInterfaces: Map<NetworkInterfaceId, NetworkInterface>,
): Map<InstanceId, Instance> {
  const instDedup = new Dedup<{ raw: RawInstance; owner: string | null | undefined }>();
  for (const { value: r, file } of inp.Reservations)
    for (const i of r.Instances ?? [])
      instDedup.add(i.InstanceId, { value: { raw: i, owner: r.OwnerId }, file }, r.OwnerId);
  const instances = new Map<InstanceId, Instance>();
  for (const [id, { value, file }] of instDedup.byId) {
    const { raw: i, owner } = value;
    const tags = tagsOf(i.Tags);
    const az = i.Placement?.AvailabilityZone;
    const attached: { id: NetworkInterfaceId; device: number }[] = [];
    for (const n of i.NetworkInterfaces ?? []) {
      let eniId = n.NetworkInterfaceId as NetworkInterfaceId;
      const known = networkInterfaces.get(eniId);
      if (known) eniId = known.id;
      else {
        const eni = eniFromRaw(n, file, { subnetId: i.SubnetId, vpcId: i.VpcId, az, instanceId: id, owner });
        if (eni) {
          if (!eni.availabilityZone && az) eni.availabilityZone = intern(az);
          networkInterfaces.set(eni.id, eni);
          eniId = eni.id;
        }
      }
      const device = (n.Attachment?.NetworkCardIndex ?? 0) * 1000 + (n.Attachment?.DeviceIndex ?? 0);
      attached.push({ id: eniId, device });
    }
    const inst: Instance = {
      id: id as InstanceId,
      state: intern(i.State?.Name ?? 'unknown'),
      networkInterfaceIds: [],
      platform: platformOf(i),
      tags,
    };
    if (i.VpcId) inst.vpcId = intern(i.VpcId as VpcId);
    if (i.SubnetId) inst.subnetId = intern(i.SubnetId as SubnetId);
    if (i.PrivateIpAddress) inst.privateIp = i.PrivateIpAddress;
    if (i.PublicIpAddress) inst.publicIp = i.PublicIpAddress;
    if (az) inst.availabilityZone = intern(az);
    attached.sort((x, y) => x.device - y.device);
    inst.networkInterfaceIds = attached.map((a) => a.id);
    instances.set(inst.id, origin(withName(inst, tags), owner ?? file.accountId, file.region ?? regionFromAz(az)));
  }
  return instances;
}
