/**
 * Network interfaces: DescribeNetworkInterfaces, ModifyNetworkInterfaceAttribute, and the public IP of an ENI wherever
 * AWS shows it (the ENI, and the instance's embedded copy).
 */
import type { NetworkInterface } from '@aws-sdk/client-ec2';
import type { Handler, Input, OpContext } from '../context.js';
import type { SandboxState } from '../state.js';
import { byId, describe } from './describe.js';
import { dryRunGate, eni, securityGroup } from './write.js';

const networkInterfaces = describe<NetworkInterface>({
  op: 'DescribeNetworkInterfaces',
  outputKey: 'NetworkInterfaces',
  items: (s) => s.docs.NetworkInterfaces,
  ids: {
    param: 'NetworkInterfaceIds',
    of: (v) => v.NetworkInterfaceId,
    prefix: 'eni',
    malformed: 'InvalidNetworkInterfaceID.Malformed',
    notFound: byId('networkInterface', 'InvalidNetworkInterfaceID.NotFound'),
  },
  tags: (n) => n.TagSet,
  fields: (n) => {
    const addrs = n.PrivateIpAddresses ?? [];
    return {
      'network-interface-id': n.NetworkInterfaceId,
      'subnet-id': n.SubnetId,
      'vpc-id': n.VpcId,
      'availability-zone': n.AvailabilityZone,
      description: n.Description,
      'interface-type': n.InterfaceType,
      'owner-id': n.OwnerId,
      'requester-id': n.RequesterId,
      'requester-managed': n.RequesterManaged ?? false,
      'source-dest-check': n.SourceDestCheck ?? true,
      status: n.Status,
      'mac-address': n.MacAddress,
      'private-dns-name': n.PrivateDnsName,
      'private-ip-address': addrs.map((a) => a.PrivateIpAddress).concat(n.PrivateIpAddress ? [n.PrivateIpAddress] : []),
      'addresses.private-ip-address': addrs.map((a) => a.PrivateIpAddress),
      'addresses.primary': addrs.map((a) => a.Primary ?? false),
      'addresses.association.public-ip': addrs.map((a) => a.Association?.PublicIp),
      'addresses.association.owner-id': addrs.map((a) => a.Association?.IpOwnerId),
      'association.public-ip': n.Association?.PublicIp,
      'association.allocation-id': n.Association?.AllocationId,
      'association.association-id': n.Association?.AssociationId,
      'association.ip-owner-id': n.Association?.IpOwnerId,
      'association.public-dns-name': n.Association?.PublicDnsName,
      'attachment.attachment-id': n.Attachment?.AttachmentId,
      'attachment.instance-id': n.Attachment?.InstanceId,
      'attachment.instance-owner-id': n.Attachment?.InstanceOwnerId,
      'attachment.device-index': n.Attachment?.DeviceIndex,
      'attachment.status': n.Attachment?.Status,
      'attachment.delete-on-termination': n.Attachment?.DeleteOnTermination,
      'group-id': (n.Groups ?? []).map((g) => g.GroupId),
      'group-name': (n.Groups ?? []).map((g) => g.GroupName),
      'ipv6-addresses.ipv6-address': (n.Ipv6Addresses ?? []).map((a) => a.Ipv6Address),
    };
  },
  limits: { min: 5, max: 1000 },
});

function publicDnsName(ip: string, region: string): string {
  const host = `ec2-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.compute-1.amazonaws.com` : `${host}.${region}.compute.amazonaws.com`;
}

/** The instance's copy of an ENI (DescribeInstances embeds each ENI). */
function instanceEni(s: SandboxState, eniId: string) {
  for (const i of s.instances()) {
    const n = i.NetworkInterfaces?.find((x) => x.NetworkInterfaceId === eniId);
    if (n) return { instance: i, eni: n };
  }
  return undefined;
}

/** Sets (or clears, with `assoc` undefined) the public IP of an ENI's private address everywhere AWS shows it. */
export function setEniPublicIp(
  s: SandboxState,
  eniId: string,
  privateIp: string,
  assoc: { PublicIp: string; AllocationId?: string; AssociationId?: string; IpOwnerId: string } | undefined,
): void {
  const n = s.docs.NetworkInterfaces.find((x) => x.NetworkInterfaceId === eniId);
  const view = assoc ? { ...assoc, PublicDnsName: publicDnsName(assoc.PublicIp, s.region) } : undefined;
  const apply = (target: {
    Association?: unknown;
    PrivateIpAddress?: string;
    PrivateIpAddresses?: { PrivateIpAddress?: string; Association?: unknown }[];
  }) => {
    const addr = target.PrivateIpAddresses?.find((a) => a.PrivateIpAddress === privateIp);
    if (addr) {
      if (view) addr.Association = { ...view };
      else delete addr.Association;
    }
    if (target.PrivateIpAddress === privateIp) {
      if (view) target.Association = { ...view };
      else delete target.Association;
    }
  };
  if (n) apply(n as never);
  const copy = instanceEni(s, eniId);
  if (copy) {
    const instView = view
      ? { PublicIp: view.PublicIp, PublicDnsName: view.PublicDnsName, IpOwnerId: view.IpOwnerId }
      : undefined;
    const addr = copy.eni.PrivateIpAddresses?.find((a) => a.PrivateIpAddress === privateIp);
    if (addr) {
      if (instView) addr.Association = { ...instView };
      else delete addr.Association;
    }
    if (copy.eni.PrivateIpAddress === privateIp) {
      if (instView) copy.eni.Association = { ...instView };
      else delete copy.eni.Association;
    }
    if (copy.eni.Attachment?.DeviceIndex === 0 && copy.instance.PrivateIpAddress === privateIp) {
      if (view) {
        copy.instance.PublicIpAddress = view.PublicIp;
        copy.instance.PublicDnsName = view.PublicDnsName;
      } else {
        delete copy.instance.PublicIpAddress;
        copy.instance.PublicDnsName = '';
      }
    }
  }
}

// ---- ENI attributes, tags ----

const modifyEniAttribute: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const n = eni(ctx, input.NetworkInterfaceId);
  const groups = input.Groups as string[] | undefined;
  for (const g of groups ?? []) securityGroup(ctx, g);
  dryRunGate(input, ctx);
  const copy = instanceEni(s, n.NetworkInterfaceId ?? '');
  const targets: { SourceDestCheck?: boolean; Groups?: unknown; Description?: string }[] = [
    n,
    ...(copy ? [copy.eni] : []),
  ];
  if (input.SourceDestCheck?.Value !== undefined) {
    for (const t of targets) t.SourceDestCheck = input.SourceDestCheck.Value;
    if (copy && copy.eni.Attachment?.DeviceIndex === 0) copy.instance.SourceDestCheck = input.SourceDestCheck.Value;
  }
  if (groups) {
    const resolved = groups.map((id) => {
      const g = s.docs.SecurityGroups.find((x) => x.GroupId === id);
      return { GroupId: id, GroupName: g?.GroupName };
    });
    for (const t of targets) t.Groups = structuredClone(resolved);
    if (copy && copy.eni.Attachment?.DeviceIndex === 0) copy.instance.SecurityGroups = structuredClone(resolved);
  }
  if (input.Description?.Value !== undefined) for (const t of targets) t.Description = input.Description.Value;
  return {};
};

/** The operations this noun answers, by command name. */
export const networkInterfaceHandlers = {
  DescribeNetworkInterfaces: networkInterfaces,
  ModifyNetworkInterfaceAttribute: modifyEniAttribute,
} satisfies Record<string, Handler>;
