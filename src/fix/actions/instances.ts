/**
 * Instances: StartInstances of a stopped instance; the undo re-reads it (same owner, still running or pending) and
 * stops it again.
 */
import {
  DescribeInstancesCommand,
  type EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { UndoChange } from '../undo.js';
import type { Applies, Call, Check, Exec, Outcome, UndoSpecs, VerifyContext } from './shared.js';
import { already, asLeft, changed, gone, ownerCheck, wouldApply } from './shared.js';

/** StartInstances; the undo stops it again (only when it was stopped before). */
async function startInstance(x: Exec, instanceId: string): Promise<Outcome> {
  await x.log.dryRun('ec2:StartInstances', () =>
    x.ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId], DryRun: true })),
  );
  if (x.dryOnly) return wouldApply(`start ${instanceId}`);
  const out = await x.log.write('ec2:StartInstances', () =>
    x.ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] })),
  );
  const change = out.StartingInstances?.find((s) => s.InstanceId === instanceId);
  const before = change?.PreviousState?.Name;
  if (before === 'running' || before === 'pending') return already(`${instanceId} was already ${before}.`);
  return {
    status: 'applied',
    message: `Started ${instanceId} (${before ?? '?'} → ${change?.CurrentState?.Name ?? 'pending'}); it takes a minute to answer.`,
    undo: [{ kind: 'instance-started', instanceId }],
  };
}

/** Starting a stopped instance. */
export const instanceApplies: Applies<'StartInstances'> = {
  StartInstances: (x, p) => startInstance(x, p.instanceId),
};

// ---------------------------------------------------------------- undo

type StartChange = Extract<UndoChange, { kind: 'instance-started' }>;

/** The instance is still running (or pending) in the same account. */
async function verifyStarted({ ec2, log, step }: VerifyContext, c: StartChange): Promise<Check> {
  const out = await log.read('ec2:DescribeInstances', () =>
    ec2.send(new DescribeInstancesCommand({ InstanceIds: [c.instanceId] })),
  );
  const res = out.Reservations?.find((r) => r.Instances?.some((i) => i.InstanceId === c.instanceId));
  const inst = res?.Instances?.find((i) => i.InstanceId === c.instanceId);
  if (!inst) return gone(`${c.instanceId} no longer exists`);
  const owner = ownerCheck(res?.OwnerId, step, `instance ${c.instanceId}`);
  if (owner) return owner;
  const state = inst.State?.Name ?? 'unknown';
  if (state === 'running' || state === 'pending') return asLeft;
  if (['stopped', 'stopping', 'terminated', 'shutting-down'].includes(state)) return gone(`it is ${state}`);
  return changed(`${c.instanceId} is ${state}`);
}

function stopInstance(ec2: EC2Client, c: StartChange): Call[] {
  return [
    {
      action: 'ec2:StopInstances',
      text: `stopped ${c.instanceId}`,
      send: (dry) => ec2.send(new StopInstancesCommand({ InstanceIds: [c.instanceId], DryRun: dry })),
    },
  ];
}

/** Undoing a start: stop the instance again. */
export const instanceUndos: UndoSpecs<'instance-started'> = {
  'instance-started': {
    describe: (c) => {
      return `stop ${c.instanceId}`;
    },
    owner: (snapshot, c) => snapshot.instances.get(c.instanceId as never)?.accountId,
    verify: verifyStarted,
    calls: stopInstance,
  },
};
