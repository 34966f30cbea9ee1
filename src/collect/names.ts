/**
 * A few instance Names of the account in use (one DescribeInstances page), for a greeting that suggests a question
 * that works there.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';

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
      .map((i) => i.Tags?.find((t) => t.Key === 'Name')?.Value)
      .filter((n): n is string => typeof n === 'string' && n.trim() !== '');
    return [...new Set(names)].sort((a, b) => a.localeCompare(b)).slice(0, max);
  } catch {
    return [];
  }
}
