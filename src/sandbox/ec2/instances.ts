/** Instances: DescribeInstances (grouped in reservations) and Start/StopInstances. */
import type { Instance, InstanceStateName, Reservation } from '@aws-sdk/client-ec2';
import type { Handler, Input, OpContext } from '../context.js';
import { reviveDates } from '../dates.js';
import type { FieldValues } from '../filters.js';
import { paginate } from '../pagination.js';
import { filterOrFail, notFoundMessage } from './describe.js';
import { setEniPublicIp } from './network-interfaces.js';
import { refreshRoutesTo } from './route-tables.js';
import { dryRunGate, instance } from './write.js';

function instanceFields(i: Instance, r: Reservation): FieldValues {
  const enis = i.NetworkInterfaces ?? [];
  const addrs = enis.flatMap((e) => e.PrivateIpAddresses ?? []);
  return {
    'instance-id': i.InstanceId,
    'instance-state-name': i.State?.Name,
    'instance-state-code': i.State?.Code,
    'instance-type': i.InstanceType,
    'image-id': i.ImageId,
    'key-name': i.KeyName,
    'vpc-id': i.VpcId,
    'subnet-id': i.SubnetId,
    'availability-zone': i.Placement?.AvailabilityZone,
    platform: i.Platform,
    'platform-details': i.PlatformDetails,
    'private-ip-address': i.PrivateIpAddress,
    'ip-address': i.PublicIpAddress,
    'private-dns-name': i.PrivateDnsName,
    'dns-name': i.PublicDnsName,
    'owner-id': r.OwnerId,
    'reservation-id': r.ReservationId,
    'instance.group-id': (i.SecurityGroups ?? []).map((g) => g.GroupId),
    'instance.group-name': (i.SecurityGroups ?? []).map((g) => g.GroupName),
    'network-interface.network-interface-id': enis.map((e) => e.NetworkInterfaceId),
    'network-interface.subnet-id': enis.map((e) => e.SubnetId),
    'network-interface.vpc-id': enis.map((e) => e.VpcId),
    'network-interface.group-id': enis.flatMap((e) => (e.Groups ?? []).map((g) => g.GroupId)),
    'network-interface.private-ip-address': enis.map((e) => e.PrivateIpAddress),
    'network-interface.source-dest-check': enis.map((e) => e.SourceDestCheck ?? true),
    'network-interface.status': enis.map((e) => e.Status),
    'network-interface.attachment.device-index': enis.map((e) => e.Attachment?.DeviceIndex),
    'network-interface.addresses.private-ip-address': addrs.map((a) => a.PrivateIpAddress),
    'network-interface.addresses.primary': addrs.map((a) => a.Primary ?? false),
    'network-interface.addresses.association.public-ip': addrs.map((a) => a.Association?.PublicIp),
    'network-interface.association.public-ip': enis.map((e) => e.Association?.PublicIp),
    'network-interface.association.allocation-id': enis.map(
      (e) => (e.Association as { AllocationId?: string } | undefined)?.AllocationId,
    ),
    'association.public-ip': enis.map((e) => e.Association?.PublicIp),
  };
}

/** DescribeInstances filters instances and returns them grouped in their reservations. */
const instances: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const pairs = s.docs.Reservations.flatMap((r) => (r.Instances ?? []).map((i) => ({ r, i })));
  const ids = input.InstanceIds as string[] | undefined;
  let selected = pairs;
  if (ids && ids.length > 0) {
    if (input.MaxResults !== undefined) {
      ctx.fail(
        'InvalidParameterCombination',
        'The parameter instancesSet cannot be used with the parameter maxResults',
      );
    }
    const bad = ids.find((id) => !id.startsWith('i-'));
    if (bad !== undefined) ctx.fail('InvalidInstanceID.Malformed', `Invalid id: "${bad}"`);
    const known = new Set(pairs.map((p) => p.i.InstanceId));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) ctx.fail('InvalidInstanceID.NotFound', notFoundMessage('instance', missing));
    selected = pairs.filter((p) => ids.includes(p.i.InstanceId ?? ''));
  }
  selected = selected.filter((p) => filterOrFail(ctx, instanceFields(p.i, p.r), p.i.Tags, input.Filters));
  const { page, nextToken } = paginate(selected, input, { min: 5, max: 1000 }, 'DescribeInstances', ctx);
  const reservations: Reservation[] = [];
  for (const { r, i } of page) {
    let out = reservations.find((x) => x.ReservationId === r.ReservationId);
    if (!out) {
      const { Instances: _all, ...rest } = r;
      out = { ...rest, Instances: [] };
      reservations.push(out);
    }
    out.Instances?.push(i);
  }
  return { Reservations: reviveDates(reservations), ...(nextToken ? { NextToken: nextToken } : {}) };
};

// ---- instances ----

const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};
const stateOf = (name: string) => ({ Code: STATE_CODES[name] ?? 0, Name: name as InstanceStateName });

function startStop(start: boolean): Handler {
  return (input: Input, ctx: OpContext) => {
    const s = ctx.state;
    const ids = (input.InstanceIds as string[] | undefined) ?? [];
    const list = ids.map((id) => instance(ctx, id));
    dryRunGate(input, ctx);
    const changes = [];
    for (const i of list) {
      const before = i.State?.Name ?? 'pending';
      if (before === 'terminated' || before === 'shutting-down') {
        ctx.fail(
          'IncorrectInstanceState',
          `The instance '${i.InstanceId}' is not in a state from which it can be ${start ? 'started' : 'stopped'}.`,
        );
      }
      if (start && before !== 'running') {
        // AWS reports `pending` and reaches `running` shortly after; the sandbox is there by the next call.
        changes.push({ InstanceId: i.InstanceId, PreviousState: stateOf(before), CurrentState: stateOf('pending') });
        i.State = stateOf('running');
        if (s.releasedPublicIp.has(i.InstanceId ?? '')) {
          s.releasedPublicIp.delete(i.InstanceId ?? '');
          const primary = i.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
          if (primary?.NetworkInterfaceId && i.PrivateIpAddress && !primary.Association?.PublicIp) {
            const taken = new Set(s.docs.Addresses.map((a) => a.PublicIp ?? ''));
            setEniPublicIp(s, primary.NetworkInterfaceId, i.PrivateIpAddress, {
              PublicIp: s.ids.publicIp(taken),
              IpOwnerId: 'amazon',
            });
          }
        }
      } else if (!start && before !== 'stopped') {
        changes.push({ InstanceId: i.InstanceId, PreviousState: stateOf(before), CurrentState: stateOf('stopping') });
        i.State = stateOf('stopped');
        // A stopped instance keeps its Elastic IPs but loses an auto-assigned public IPv4.
        for (const n of i.NetworkInterfaces ?? []) {
          for (const a of n.PrivateIpAddresses ?? []) {
            const isEip = s.docs.Addresses.some((x) => x.PublicIp === a.Association?.PublicIp);
            if (a.Association?.PublicIp && !isEip && n.NetworkInterfaceId && a.PrivateIpAddress) {
              s.releasedPublicIp.add(i.InstanceId ?? '');
              setEniPublicIp(s, n.NetworkInterfaceId, a.PrivateIpAddress, undefined);
            }
          }
        }
      } else {
        changes.push({ InstanceId: i.InstanceId, PreviousState: stateOf(before), CurrentState: stateOf(before) });
      }
      refreshRoutesTo(s, i.InstanceId ?? '');
      for (const n of i.NetworkInterfaces ?? []) refreshRoutesTo(s, n.NetworkInterfaceId ?? '');
    }
    return { [start ? 'StartingInstances' : 'StoppingInstances']: changes };
  };
}

/** The operations this noun answers, by command name. */
export const instanceHandlers = {
  DescribeInstances: instances,
  StartInstances: startStop(true),
  StopInstances: startStop(false),
} satisfies Record<string, Handler>;
