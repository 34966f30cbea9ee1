/**
 * Elastic IPs: AllocateAddress (tagged for the ENI) + AssociateAddress, reusing an allocation already tagged for it;
 * the undo re-reads the address (whyping's tag, the same association) and disassociates and releases it.
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DisassociateAddressCommand,
  type EC2Client,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import type { FixPlan } from '../../model/index.js';
import { auditTags, isAwsCallError, tagSpec } from '../aws.js';
import type { UndoChange } from '../undo.js';
import type { Applies, Call, Check, Exec, Outcome, UndoSpecs, VerifyContext } from './shared.js';
import { already, asLeft, changed, fromCallError, gone, ownerCheck, wouldApply } from './shared.js';

type EipPlan = Extract<FixPlan, { action: 'AllocateAndAssociateAddress' }>['params'];

/** The tag that ties a whyping Elastic IP to the ENI it is for (found again instead of allocating a second one). */
export const EIP_TARGET_TAG = 'whyping:target-eni';

/**
 * AllocateAddress (tagged) + AssociateAddress to the ENI's private IP. Idempotent: an allocation already tagged for
 * this ENI is reused. Partial failure (allocated, association failed) releases the allocation, or reports its id.
 */
async function elasticIp(x: Exec, p: EipPlan): Promise<Outcome> {
  const eni = p.networkInterfaceId;
  const tagged = async () =>
    (
      await x.log.read('ec2:DescribeAddresses', () =>
        x.ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: `tag:${EIP_TARGET_TAG}`, Values: [eni] }] })),
      )
    ).Addresses ?? [];
  const addresses = await tagged();
  const inPlace = addresses.find((a) => a.NetworkInterfaceId === eni && a.PrivateIpAddress === p.privateIp);
  if (inPlace) return already(`Elastic IP ${inPlace.PublicIp} (${inPlace.AllocationId}) is already on ${eni}.`);
  const spare = addresses.find((a) => !a.AssociationId && a.AllocationId);

  let allocationId = spare?.AllocationId;
  let publicIp = spare?.PublicIp;
  let allocatedNow = false;
  if (!allocationId) {
    const allocInput = {
      Domain: 'vpc' as const,
      TagSpecifications: tagSpec('elastic-ip', auditTags(x.audit, { [EIP_TARGET_TAG]: eni })),
    };
    await x.log.dryRun('ec2:AllocateAddress', () =>
      x.ec2.send(new AllocateAddressCommand({ ...allocInput, DryRun: true })),
    );
    if (x.dryOnly) return wouldApply(`allocate an Elastic IP and associate it with ${eni} (${p.privateIp})`);
    const alloc = await x.log.write('ec2:AllocateAddress', () => x.ec2.send(new AllocateAddressCommand(allocInput)));
    allocationId = alloc.AllocationId;
    publicIp = alloc.PublicIp;
    allocatedNow = true;
    if (!allocationId) return { status: 'failed', message: 'AllocateAddress returned no allocation id.', undo: null };
    // Several runs at once (two clicks, three `fix all`): each allocated one. The run whose address is associated,
    // else the one with the lowest allocation id, goes on; the others give theirs back (AWS would otherwise move the
    // public address from one association to the next and leave the earlier addresses allocated and unused).
    const mine = allocationId;
    const rivals = (await tagged()).filter((a) => a.AllocationId && a.AllocationId !== mine);
    const winner =
      rivals.find((a) => a.NetworkInterfaceId === eni && a.PrivateIpAddress === p.privateIp) ??
      rivals.find((a) => !a.AssociationId && (a.AllocationId as string) < mine);
    if (winner) {
      await x.log.write('ec2:ReleaseAddress', () => x.ec2.send(new ReleaseAddressCommand({ AllocationId: mine })));
      return already(
        `Elastic IP ${winner.PublicIp} (${winner.AllocationId}) is ${winner.AssociationId ? 'associated' : 'being associated'} with ${eni} by another run; the one allocated here was released.`,
      );
    }
  }
  const assocInput = { AllocationId: allocationId, NetworkInterfaceId: eni, PrivateIpAddress: p.privateIp };
  let associationId: string | undefined;
  try {
    await x.log.dryRun('ec2:AssociateAddress', () =>
      x.ec2.send(new AssociateAddressCommand({ ...assocInput, DryRun: true })),
    );
    if (x.dryOnly)
      return wouldApply(`associate Elastic IP ${publicIp} (${allocationId}, already allocated) with ${eni}`);
    const assoc = await x.log.write('ec2:AssociateAddress', () => x.ec2.send(new AssociateAddressCommand(assocInput)));
    associationId = assoc.AssociationId;
  } catch (e) {
    return partialEipFailure(x, e, allocationId, publicIp, allocatedNow);
  }
  return {
    status: 'applied',
    message: `${allocatedNow ? 'Allocated' : 'Reused'} Elastic IP ${publicIp} (${allocationId}) and associated it with ${eni} (${p.privateIp})${associationId ? `, association ${associationId}` : ' (AWS returned no association id: undo it by hand)'}.`,
    undo: associationId
      ? [{ kind: 'elastic-ip', allocationId, associationId, networkInterfaceId: eni, privateIp: p.privateIp }]
      : null,
  };
}

async function partialEipFailure(
  x: Exec,
  e: unknown,
  allocationId: string,
  publicIp: string | undefined,
  allocatedNow: boolean,
): Promise<Outcome> {
  const cause = fromCallError(e, allocatedNow);
  if (!allocatedNow) {
    return {
      ...cause,
      message: `${cause.message} The unassociated Elastic IP ${publicIp} (${allocationId}) tagged ${EIP_TARGET_TAG} from an earlier attempt remains; the next attempt reuses it.`,
      leftBehind: [allocationId],
    };
  }
  try {
    await x.log.write('ec2:ReleaseAddress', () =>
      x.ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId })),
    );
    return {
      ...cause,
      status: cause.status === 'refused' ? 'failed' : cause.status,
      message: `${cause.message} The Elastic IP ${publicIp} (${allocationId}) allocated for it was released again: nothing is left behind.`,
    };
  } catch (releaseError) {
    const why = isAwsCallError(releaseError) ? releaseError.details.aws.awsCode : String(releaseError);
    return {
      ...cause,
      status: 'failed',
      message: `${cause.message} Releasing the Elastic IP ${publicIp} (${allocationId}) allocated for it failed too (${why}): release it yourself (aws ec2 release-address --allocation-id ${allocationId}).`,
      leftBehind: [allocationId],
    };
  }
}

/** An Elastic IP for an ENI's private address. */
export const elasticIpApplies: Applies<'AllocateAndAssociateAddress'> = {
  AllocateAndAssociateAddress: elasticIp,
};

// ---------------------------------------------------------------- undo

type AddressChange = Extract<UndoChange, { kind: 'elastic-ip' }>;

/** The address is still tagged by whyping for the ENI and still has the association whyping made. */
async function verifyAddress({ ec2, log, step }: VerifyContext, c: AddressChange): Promise<Check> {
  const out = await log.read('ec2:DescribeAddresses', () =>
    ec2.send(new DescribeAddressesCommand({ AllocationIds: [c.allocationId] })),
  );
  const a = out.Addresses?.find((x) => x.AllocationId === c.allocationId);
  if (!a) return gone(`Elastic IP ${c.allocationId} is released`);
  const tag = a.Tags?.find((t) => t.Key === EIP_TARGET_TAG)?.Value;
  if (tag !== c.networkInterfaceId) return changed(`Elastic IP ${c.allocationId} is not tagged by whyping for it`);
  if (!a.AssociationId) return changed(`Elastic IP ${c.allocationId} is no longer associated (someone changed it)`);
  if (a.AssociationId !== c.associationId || a.NetworkInterfaceId !== c.networkInterfaceId) {
    return changed(
      `Elastic IP ${c.allocationId} is now associated elsewhere (${a.NetworkInterfaceId ?? a.InstanceId ?? a.AssociationId})`,
    );
  }
  return ownerCheck(a.NetworkInterfaceOwnerId, step, `network interface ${c.networkInterfaceId}`) ?? asLeft;
}

function releaseAddress(ec2: EC2Client, c: AddressChange): Call[] {
  return [
    {
      action: 'ec2:DisassociateAddress',
      text: `disassociated ${c.allocationId} from ${c.networkInterfaceId}`,
      send: (dry) => ec2.send(new DisassociateAddressCommand({ AssociationId: c.associationId, DryRun: dry })),
    },
    {
      action: 'ec2:ReleaseAddress',
      text: `released ${c.allocationId}`,
      send: (dry) => ec2.send(new ReleaseAddressCommand({ AllocationId: c.allocationId, DryRun: dry })),
    },
  ];
}

/** Undoing an Elastic IP: disassociate it, then release it. */
export const elasticIpUndos: UndoSpecs<'elastic-ip'> = {
  'elastic-ip': {
    describe: (c) => {
      return `disassociate Elastic IP ${c.allocationId} from ${c.networkInterfaceId} and release it`;
    },
    owner: (snapshot, c) => snapshot.networkInterfaces.get(c.networkInterfaceId as never)?.accountId,
    verify: verifyAddress,
    calls: releaseAddress,
  },
};
