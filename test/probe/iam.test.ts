/** iam/probe.json grants exactly what src/probe sends: named actions, no wildcards, SendCommand scoped to two documents. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const policy = JSON.parse(readFileSync(new URL('iam/probe.json', root), 'utf8')) as {
  Version: string;
  Statement: { Sid: string; Effect: string; Action: string[]; Resource: string | string[] }[];
};
const source = readdirSync(new URL('src/probe/', root))
  .map((f) => readFileSync(new URL(`src/probe/${f}`, root), 'utf8'))
  .join('\n');

describe('iam/probe.json', () => {
  const actions = policy.Statement.flatMap((s) => s.Action);

  it('names exactly the actions the probe code sends, with no wildcards', () => {
    expect(actions.sort()).toEqual([
      'ec2-instance-connect:SendSSHPublicKey',
      'ssm:CancelCommand',
      'ssm:DescribeInstanceInformation',
      'ssm:GetCommandInvocation',
      'ssm:SendCommand',
    ]);
    for (const a of actions) {
      expect(a).not.toContain('*');
      expect(source).toContain(`new ${a.split(':')[1]}Command(`);
    }
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('lets ssm:SendCommand run only the two AWS documents, on EC2 instances', () => {
    const send = policy.Statement.find((s) => s.Action.includes('ssm:SendCommand'));
    expect(send?.Action).toEqual(['ssm:SendCommand']);
    expect(send?.Resource).toEqual([
      'arn:aws:ssm:*::document/AWS-RunShellScript',
      'arn:aws:ssm:*::document/AWS-RunPowerShellScript',
      'arn:aws:ec2:*:*:instance/*',
    ]);
  });
});
