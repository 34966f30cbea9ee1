/** Elastic IPs: DescribeAddresses and Allocate/Associate/Disassociate/ReleaseAddress (the ENI's and instance's public IP follow). */
import type { Address, NetworkInterface } from '@aws-sdk/client-ec2';
import type { Handler, Input, OpContext } from '../context.js';
import { reviveDates } from '../dates.js';
import type { FieldValues } from '../filters.js';
import type { SandboxState } from '../state.js';
import { filterOrFail, notFoundMessage } from './describe.js';
import { setEniPublicIp } from './network-interfaces.js';
import { dryRunGate, eni, instance, isAttached, tagsFor } from './write.js';

/** DescribeAddresses takes PublicIps or AllocationIds, and does not paginate. */
const addresses: Handler = (input: Input, ctx: OpContext) => {
  const all = ctx.state.docs.Addresses;
  const ips = (input.PublicIps as string[] | undefined) ?? [];
  const allocs = (input.AllocationIds as string[] | undefined) ?? [];
  const missingIp = ips.find((ip) => !all.some((a) => a.PublicIp === ip));
  if (missingIp) ctx.fail('InvalidAddress.NotFound', `Address ${missingIp} not found.`);
  const missingAlloc = allocs.filter((id) => !all.some((a) => a.AllocationId === id));
  if (missingAlloc.length > 0) ctx.fail('InvalidAllocationID.NotFound', notFoundMessage('allocation', missingAlloc));
  const items = all.filter(
    (a) =>
      (ips.length === 0 || ips.includes(a.PublicIp ?? '')) &&
      (allocs.length === 0 || allocs.includes(a.AllocationId ?? '')) &&
      filterOrFail(ctx, addressFields(a), a.Tags, input.Filters),
  );
  return { Addresses: reviveDates(items) };
};

function addressFields(a: Address): FieldValues {
  return {
    'allocation-id': a.AllocationId,
    'association-id': a.AssociationId,
    domain: a.Domain,
    'instance-id': a.InstanceId,
    'network-interface-id': a.NetworkInterfaceId,
    'network-interface-owner-id': a.NetworkInterfaceOwnerId,
    'private-ip-address': a.PrivateIpAddress,
    'public-ip': a.PublicIp,
    'network-border-group': a.NetworkBorderGroup,
    'public-ipv4-pool': a.PublicIpv4Pool,
  };
}

// ---- Elastic IPs ----

const allocateAddress: Handler = (input: Input, ctx: OpContext) => {
  dryRunGate(input, ctx);
  const s = ctx.state;
  const taken = new Set<string>(s.docs.Addresses.map((a) => a.PublicIp ?? ''));
  for (const n of s.docs.NetworkInterfaces) if (n.Association?.PublicIp) taken.add(n.Association.PublicIp);
  const address: Address = {
    AllocationId: s.ids.id('eipalloc'),
    PublicIp: s.ids.publicIp(taken),
    Domain: 'vpc',
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: s.region,
    Tags: tagsFor(input.TagSpecifications, 'elastic-ip'),
  };
  s.docs.Addresses.push(address);
  return {
    AllocationId: address.AllocationId,
    PublicIp: address.PublicIp,
    Domain: 'vpc',
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: s.region,
  };
};

function vpcHasAttachedIgw(s: SandboxState, vpcId: string | undefined): boolean {
  return s.docs.InternetGateways.some((g) => g.Attachments?.some((a) => a.VpcId === vpcId && isAttached(a.State)));
}

const associateAddress: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const address = input.AllocationId
    ? s.docs.Addresses.find((a) => a.AllocationId === input.AllocationId)
    : s.docs.Addresses.find((a) => a.PublicIp === input.PublicIp);
  if (!address) {
    if (input.AllocationId)
      ctx.fail('InvalidAllocationID.NotFound', `The allocation ID '${input.AllocationId}' does not exist`);
    return ctx.fail('InvalidAddress.NotFound', `Address ${input.PublicIp} not found.`);
  }
  let target: NetworkInterface;
  let instanceId: string | undefined;
  if (input.NetworkInterfaceId) {
    target = eni(ctx, input.NetworkInterfaceId);
    instanceId = target.Attachment?.InstanceId;
  } else if (input.InstanceId) {
    const inst = instance(ctx, input.InstanceId);
    const primary = inst.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
    const found = s.docs.NetworkInterfaces.find((n) => n.NetworkInterfaceId === primary?.NetworkInterfaceId);
    if (!found) return ctx.fail('InvalidInstanceID', `The instance '${inst.InstanceId}' has no network interface`);
    target = found;
    instanceId = inst.InstanceId;
  } else {
    return ctx.fail('MissingParameter', 'Either instance ID or network interface ID must be specified');
  }
  const privateIp = (input.PrivateIpAddress as string | undefined) ?? target.PrivateIpAddress ?? '';
  if (!target.PrivateIpAddresses?.some((a) => a.PrivateIpAddress === privateIp)) {
    ctx.fail(
      'InvalidParameterValue',
      `The private IP address ${privateIp} is not assigned to network interface ${target.NetworkInterfaceId}`,
    );
  }
  if (!vpcHasAttachedIgw(s, target.VpcId)) {
    ctx.fail('Gateway.NotAttached', `Network ${target.VpcId} is not attached to any internet gateway`);
  }
  dryRunGate(input, ctx);
  if (address.AssociationId && input.AllowReassociation !== true) {
    ctx.fail(
      'Resource.AlreadyAssociated',
      `resource ${address.AllocationId} is already associated with associate-id ${address.AssociationId}`,
    );
  }
  if (address.AssociationId && address.NetworkInterfaceId && address.PrivateIpAddress) {
    setEniPublicIp(s, address.NetworkInterfaceId, address.PrivateIpAddress, undefined);
  }
  // An Elastic IP replaces whatever public IP the address had (an auto-assigned one is released; another EIP is unmapped).
  for (const other of s.docs.Addresses) {
    if (
      other !== address &&
      other.NetworkInterfaceId === target.NetworkInterfaceId &&
      other.PrivateIpAddress === privateIp
    ) {
      for (const k of [
        'AssociationId',
        'InstanceId',
        'NetworkInterfaceId',
        'NetworkInterfaceOwnerId',
        'PrivateIpAddress',
      ] as const)
        delete other[k];
    }
  }
  const associationId = s.ids.id('eipassoc');
  Object.assign(address, {
    AssociationId: associationId,
    NetworkInterfaceId: target.NetworkInterfaceId,
    NetworkInterfaceOwnerId: s.accountId,
    PrivateIpAddress: privateIp,
    ...(instanceId ? { InstanceId: instanceId } : {}),
  });
  if (!instanceId) delete address.InstanceId;
  setEniPublicIp(s, target.NetworkInterfaceId ?? '', privateIp, {
    PublicIp: address.PublicIp ?? '',
    AllocationId: address.AllocationId,
    AssociationId: associationId,
    IpOwnerId: s.accountId,
  });
  return { AssociationId: associationId };
};

const disassociateAddress: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const address = input.AssociationId
    ? s.docs.Addresses.find((a) => a.AssociationId === input.AssociationId)
    : s.docs.Addresses.find((a) => a.PublicIp === input.PublicIp && a.AssociationId);
  if (!address) {
    if (input.AssociationId)
      ctx.fail('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
    return ctx.fail('InvalidAddress.NotFound', `Address ${input.PublicIp} not found.`);
  }
  dryRunGate(input, ctx);
  if (address.NetworkInterfaceId && address.PrivateIpAddress) {
    setEniPublicIp(s, address.NetworkInterfaceId, address.PrivateIpAddress, undefined);
  }
  for (const k of [
    'AssociationId',
    'InstanceId',
    'NetworkInterfaceId',
    'NetworkInterfaceOwnerId',
    'PrivateIpAddress',
  ] as const)
    delete address[k];
  return {};
};

const releaseAddress: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const address = input.AllocationId
    ? s.docs.Addresses.find((a) => a.AllocationId === input.AllocationId)
    : s.docs.Addresses.find((a) => a.PublicIp === input.PublicIp);
  if (!address) {
    if (input.AllocationId)
      ctx.fail('InvalidAllocationID.NotFound', `The allocation ID '${input.AllocationId}' does not exist`);
    return ctx.fail('InvalidAddress.NotFound', `Address ${input.PublicIp} not found.`);
  }
  dryRunGate(input, ctx);
  if (address.AssociationId) ctx.fail('InvalidIPAddress.InUse', 'Address is in use.');
  s.docs.Addresses = s.docs.Addresses.filter((a) => a !== address);
  return {};
};

/** The operations this noun answers, by command name. */
export const addressHandlers = {
  DescribeAddresses: addresses,
  AllocateAddress: allocateAddress,
  AssociateAddress: associateAddress,
  DisassociateAddress: disassociateAddress,
  ReleaseAddress: releaseAddress,
} satisfies Record<string, Handler>;
