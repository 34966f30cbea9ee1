/**
 * Every AWS action the code can send is granted by one of the policies in iam/ (DESIGN §7): readonly.json
 * (describe/get), probe.json (SSM Run Command, Instance Connect), fix.json (the writes), lock-table.json (fix leases in
 * DynamoDB, with WHYPING_LOCK_TABLE). The scan finds each
 * `new XxxCommand(` and `paginateXxx(` in src/** and names its service by the SDK client that exports it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as cloudtrail from '@aws-sdk/client-cloudtrail';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as ec2 from '@aws-sdk/client-ec2';
import * as eic from '@aws-sdk/client-ec2-instance-connect';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as ssm from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;
const POLICIES = ['iam/readonly.json', 'iam/probe.json', 'iam/fix.json', 'iam/lock-table.json'];
/** IAM service prefix of each SDK client (the order matters only if two clients exported the same name). */
const CLIENTS: [prefix: string, exports: Record<string, unknown>][] = [
  ['ec2-instance-connect', eic],
  ['elasticloadbalancing', elbv2],
  ['ssm', ssm],
  ['ec2', ec2],
  ['dynamodb', dynamodb],
  ['cloudtrail', cloudtrail],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      // The sandbox answers commands beneath the clients; it never sends one to AWS.
      return relative(root, p) === 'src/sandbox' ? [] : sourceFiles(p);
    }
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Every IAM action the source can send, with the files that send it. */
function actionsInSource(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const names = [
      ...[...text.matchAll(/new\s+([A-Z][A-Za-z0-9]*)Command\s*\(/g)].map((m) => m[1] as string),
      ...[...text.matchAll(/\bpaginate([A-Z][A-Za-z0-9]*)\s*\(/g)].map((m) => m[1] as string),
    ];
    for (const op of names) {
      const client = CLIENTS.find(([, mod]) => `${op}Command` in mod);
      const action = client ? `${client[0]}:${op}` : `unknown-sdk:${op}`;
      found.set(action, [...new Set([...(found.get(action) ?? []), relative(root, file)])]);
    }
  }
  return found;
}

interface Statement {
  Effect: string;
  Action: string | string[];
}

function policyActions(path: string): string[] {
  const doc = JSON.parse(readFileSync(join(root, path), 'utf8')) as { Version: string; Statement: Statement[] };
  expect(doc.Version).toBe('2012-10-17');
  return doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
    Array.isArray(s.Action) ? s.Action : [s.Action],
  );
}

const matches = (granted: string, action: string) =>
  new RegExp(`^${granted.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);

describe('IAM policies', () => {
  const sent = actionsInSource();

  it('the scan finds the commands the collectors send', () => {
    expect(sent.get('ec2:DescribeRouteTables')).toContain('src/collect/reads.ts');
    expect(sent.get('ec2:DescribeInstances')).toContain('src/collect/resolve.ts');
    expect(sent.get('cloudtrail:LookupEvents')).toContain('src/collect/history.ts');
    expect(sent.get('elasticloadbalancing:DescribeTargetHealth')).toContain('src/collect/load-balancers.ts');
  });

  it('every SDK command in src/** is a command of one of our clients', () => {
    expect([...sent.keys()].filter((a) => a.startsWith('unknown-sdk:'))).toEqual([]);
  });

  it.each(POLICIES)('%s is a valid policy document', (path) => {
    expect(policyActions(path).length).toBeGreaterThan(0);
  });

  it('every action the code can send is allowed by iam/readonly.json, probe.json, fix.json or lock-table.json', () => {
    // A policy file not written yet grants nothing (its own test above fails and says so).
    const granted = POLICIES.filter((p) => existsSync(join(root, p))).flatMap(policyActions);
    const missing = [...sent].filter(([action]) => !granted.some((g) => matches(g, action)));
    expect(missing.map(([action, files]) => `${action} (${files.join(', ')})`)).toEqual([]);
  });

  it('iam/readonly.json is least privilege: exact read actions, no wildcards, nothing the code never sends', () => {
    const read = policyActions('iam/readonly.json');
    expect(read.filter((a) => a.includes('*'))).toEqual([]);
    expect(
      read.filter(
        (a) => !/^(ec2:(Describe|Get|Search)|elasticloadbalancing:Describe|cloudtrail:LookupEvents$)/.test(a),
      ),
    ).toEqual([]);
    expect(read.filter((a) => !sent.has(a))).toEqual([]);
  });

  it('iam/lock-table.json grants exactly what the fix lease sends, on the lock table only', () => {
    expect(policyActions('iam/lock-table.json').sort()).toEqual(
      [...sent.keys()].filter((a) => a.startsWith('dynamodb:')).sort(),
    );
    const doc = JSON.parse(readFileSync(join(root, 'iam/lock-table.json'), 'utf8')) as {
      Statement: { Resource: string }[];
    };
    expect(doc.Statement.map((s) => s.Resource)).toEqual(['arn:aws:dynamodb:*:*:table/whyping-locks']);
  });
});

describe('iam/fix.json as a second wall', () => {
  interface Full {
    Sid: string;
    Effect: string;
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string>>;
  }
  const fix = JSON.parse(readFileSync(join(root, 'iam/fix.json'), 'utf8')) as { Statement: Full[] };
  const grants = (action: string) => fix.Statement.filter((s) => s.Effect === 'Allow' && s.Action.includes(action));
  const resources = (s: Full) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

  it.each([
    ['ec2:ReleaseAddress', 'elastic-ip'],
    ['ec2:DisassociateAddress', 'elastic-ip'],
    ['ec2:DeleteInternetGateway', 'internet-gateway'],
    ['ec2:DetachInternetGateway', 'internet-gateway'],
  ])('%s acts on a %s only when it carries the whyping:fix tag whyping puts on what it creates', (action, type) => {
    const onType = grants(action).filter((s) => resources(s).some((r) => r === '*' || r.includes(`:${type}/`)));
    expect(onType.length).toBeGreaterThan(0);
    for (const s of onType) {
      expect(resources(s)).not.toContain('*');
      expect(s.Condition?.StringLike?.['ec2:ResourceTag/whyping:fix']).toBe('fix-*');
    }
  });

  it.each(['ec2:AllocateAddress', 'ec2:CreateInternetGateway'])(
    '%s is granted only when the request tags the new resource whyping:fix',
    (action) => {
      for (const s of grants(action)) expect(s.Condition?.StringLike?.['aws:RequestTag/whyping:fix']).toBe('fix-*');
    },
  );
});
