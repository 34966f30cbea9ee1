/**
 * Instances of the account in use, by Name: a few for a greeting that suggests a question that works there, and the
 * list `instances` shows when a name matches nothing.
 */
import type { EC2Client, Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import type { Instance } from '../model/index.js';

/** One instance as a list shows it. */
export type InstanceRow = Pick<Instance, 'id' | 'name' | 'state' | 'vpcId' | 'privateIp' | 'publicIp'>;

/** Up to `max` distinct Name tags of running instances, in the order EC2 lists them; [] when the call fails. */
export async function someInstanceNames(ec2: EC2Client, max = 2): Promise<string[]> {
  try {
    // Loaded here, not at the top: the shell module (and so `--help`) must not load the AWS SDK.
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: 'instance-state-name', Values: ['running'] }],
        MaxResults: 20,
      }),
    );
    const names = (out.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .map((i) => nameOf(i))
      .filter((n): n is string => typeof n === 'string' && n.trim() !== '');
    return [...new Set(names)].sort((a, b) => a.localeCompare(b)).slice(0, max);
  } catch {
    return [];
  }
}

/**
 * The region's instances that are not terminated, page by page, up to `max` (`more` when there were others). AWS
 * errors are thrown: the caller's front end says them (a missing ec2:DescribeInstances, expired credentials).
 */
export async function describeInstanceRows(
  ec2: EC2Client,
  max: number,
): Promise<{ rows: InstanceRow[]; more: boolean }> {
  const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
  const rows: InstanceRow[] = [];
  let token: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
        MaxResults: 1000,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      if (!i.InstanceId) continue;
      if (rows.length === max) return { rows, more: true };
      rows.push(rowOf(i));
    }
    token = out.NextToken;
  } while (token);
  return { rows, more: false };
}

function nameOf(i: Ec2Instance): string | undefined {
  return i.Tags?.find((t) => t.Key === 'Name')?.Value;
}

function rowOf(i: Ec2Instance): InstanceRow {
  const name = nameOf(i);
  return {
    id: i.InstanceId as InstanceRow['id'],
    state: i.State?.Name ?? 'unknown',
    ...(name ? { name } : {}),
    ...(i.VpcId ? { vpcId: i.VpcId as NonNullable<InstanceRow['vpcId']> } : {}),
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
    ...(i.PublicIpAddress ? { publicIp: i.PublicIpAddress } : {}),
  };
}
