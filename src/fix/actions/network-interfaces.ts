/**
 * Network interfaces: turning off the source/destination check of an ENI that forwards traffic; the undo re-reads
 * the ENI (same owner, check still off) and turns the check back on.
 */
import {
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import type { UndoChange } from '../undo.js';
import type { Applies, Call, Check, Exec, Outcome, UndoSpecs, VerifyContext } from './shared.js';
import { already, asLeft, gone, ownerCheck, refused, wouldApply } from './shared.js';

/** ModifyNetworkInterfaceAttribute SourceDestCheck=false; the undo turns the check back on. */
async function disableSourceDestCheck(x: Exec, eni: string): Promise<Outcome> {
  const found = await x.log.read('ec2:DescribeNetworkInterfaces', () =>
    x.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })),
  );
  const current = found.NetworkInterfaces?.find((n) => n.NetworkInterfaceId === eni);
  if (!current) return refused(`Network interface ${eni} no longer exists; diagnose again.`);
  if (current.SourceDestCheck === false) return already(`Source/destination check is already off on ${eni}.`);
  const input = { NetworkInterfaceId: eni, SourceDestCheck: { Value: false } };
  await x.log.dryRun('ec2:ModifyNetworkInterfaceAttribute', () =>
    x.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ ...input, DryRun: true })),
  );
  if (x.dryOnly) return wouldApply(`turn off source/destination check on ${eni}`);
  await x.log.write('ec2:ModifyNetworkInterfaceAttribute', () =>
    x.ec2.send(new ModifyNetworkInterfaceAttributeCommand(input)),
  );
  return {
    status: 'applied',
    message: `Turned off source/destination check on ${eni}.`,
    undo: [{ kind: 'source-dest-check-off', networkInterfaceId: eni }],
  };
}

/** Turning off the source/destination check. */
export const networkInterfaceApplies: Applies<'DisableSourceDestCheck'> = {
  DisableSourceDestCheck: (x, p) => disableSourceDestCheck(x, p.networkInterfaceId),
};

// ---------------------------------------------------------------- undo

type CheckOffChange = Extract<UndoChange, { kind: 'source-dest-check-off' }>;

/** The check is still off on the ENI, in the same account. */
async function verifyCheckOff({ ec2, log, step }: VerifyContext, c: CheckOffChange): Promise<Check> {
  const out = await log.read('ec2:DescribeNetworkInterfaces', () =>
    ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [c.networkInterfaceId] })),
  );
  const n = out.NetworkInterfaces?.find((x) => x.NetworkInterfaceId === c.networkInterfaceId);
  if (!n) return gone(`${c.networkInterfaceId} no longer exists`);
  const owner = ownerCheck(n.OwnerId, step, `network interface ${c.networkInterfaceId}`);
  if (owner) return owner;
  return n.SourceDestCheck === false ? asLeft : gone('the check is on again');
}

function checkOn(ec2: EC2Client, c: CheckOffChange): Call[] {
  return [
    {
      action: 'ec2:ModifyNetworkInterfaceAttribute',
      text: `turned source/destination check back on for ${c.networkInterfaceId}`,
      send: (dry) =>
        ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: c.networkInterfaceId,
            SourceDestCheck: { Value: true },
            DryRun: dry,
          }),
        ),
    },
  ];
}

/** Undoing it: turn the check back on. */
export const networkInterfaceUndos: UndoSpecs<'source-dest-check-off'> = {
  'source-dest-check-off': {
    describe: (c) => {
      return `turn source/destination check back on for ${c.networkInterfaceId}`;
    },
    owner: (snapshot, c) => snapshot.networkInterfaces.get(c.networkInterfaceId as never)?.accountId,
    verify: verifyCheckOff,
    calls: checkOn,
  },
};
