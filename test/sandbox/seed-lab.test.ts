/**
 * The seed lab (DESIGN.md §9) in the sandbox: accept the peering, add the routes, allow ICMP, attach an Elastic IP,
 * and the account reads back as AWS shows the fixed lab (test/fixtures/scenarios/seed-lab-fixed). Then the same
 * story through the engine's fix plans and the fix developer's executors, and the probe that now gets replies.
 */
import { readFileSync } from 'node:fs';
import {
  AcceptVpcPeeringConnectionCommand,
  AllocateAddressCommand,
  AssociateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcPeeringConnectionsCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/index.js';
import { executeFix, executeUndo, type UndoStep } from '../../src/fix/index.js';
import { silentLogger } from '../../src/log.js';
import type { Diagnosis, Query } from '../../src/model/index.js';
import { runProbe } from '../../src/probe/index.js';
import { reviveDates } from '../../src/sandbox/dates.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';
import { SEED } from './helpers.js';

const FIXED = JSON.parse(
  readFileSync(new URL('../fixtures/scenarios/seed-lab-fixed/snapshot.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, unknown>[]>;

const PING: Query = {
  from: 'Instance - NextWork VPC 1',
  to: 'Instance - NextWork VPC 2',
  protocol: 'icmp',
  port: null,
};

function verdict(sb: Sandbox, query: Query): Diagnosis {
  const snapshot = buildSnapshot(sb.snapshotFiles());
  return diagnose(snapshot, query, resolveEndpoints(snapshot, query.from, query.to));
}

/** Applies the four fixes of §9 with plain SDK commands, as a person would in the console. */
async function fixByHand(sb: Sandbox): Promise<{ publicIp: string; allocationId: string; associationId: string }> {
  const ec2 = sb.clients.ec2;
  await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: SEED.pcx }));
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: SEED.rtbPublic1,
      DestinationCidrBlock: '10.2.0.0/16',
      VpcPeeringConnectionId: SEED.pcx,
    }),
  );
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: SEED.rtbPublic2,
      DestinationCidrBlock: '10.1.0.0/16',
      VpcPeeringConnectionId: SEED.pcx,
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: SEED.sg2,
      IpPermissions: [
        {
          IpProtocol: 'icmp',
          FromPort: 8,
          ToPort: -1,
          IpRanges: [{ CidrIp: '10.1.0.0/16', Description: 'ping from NextWork VPC 1' }],
        },
      ],
    }),
  );
  const alloc = await ec2.send(
    new AllocateAddressCommand({
      Domain: 'vpc',
      TagSpecifications: [
        { ResourceType: 'elastic-ip', Tags: [{ Key: 'Name', Value: 'Instance - NextWork VPC 1 EIP' }] },
      ],
    }),
  );
  const assoc = await ec2.send(
    new AssociateAddressCommand({ AllocationId: alloc.AllocationId, InstanceId: SEED.instance1 }),
  );
  return {
    publicIp: alloc.PublicIp ?? '',
    allocationId: alloc.AllocationId ?? '',
    associationId: assoc.AssociationId ?? '',
  };
}

/** The fixture with the Elastic IP's values (which AWS picks) replaced by the ones the sandbox picked. */
function fixedWith(eip: {
  publicIp: string;
  allocationId: string;
  associationId: string;
}): Record<string, Record<string, unknown>[]> {
  const text = JSON.stringify(FIXED)
    .replaceAll('54.163.20.117', eip.publicIp)
    .replaceAll('ec2-54-163-20-117', `ec2-${eip.publicIp.replaceAll('.', '-')}`)
    .replaceAll('eipalloc-0a3b5c7d9e1f2a4b6', eip.allocationId)
    .replaceAll('eipassoc-0b4c6d8e0f2a3b5c7', eip.associationId);
  return JSON.parse(text);
}

/** A deep copy without the `Association` objects (compared on their own). */
function stripAssociations(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripAssociations);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'Association')
        .map(([k, x]) => [k, stripAssociations(x)]),
    );
  }
  return v;
}

/** JSON round trip: Dates become the strings the fixture holds (the SDK gives Dates). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('the seed lab in the sandbox', () => {
  it('starts broken: the engine finds the four blockers of §9 and the probe gets no reply', async () => {
    const sb = createSandbox();
    const d = verdict(sb, PING);
    expect(d.reachable).toBe(false);
    expect(new Set(d.findings.map((f) => f.code))).toEqual(
      new Set(['NO_ROUTE', 'PEERING_NOT_ACTIVE', 'SG_INGRESS_DENIED']),
    );
    const eic = verdict(sb, { from: 'eic', to: 'Instance - NextWork VPC 1', protocol: 'tcp', port: 22 });
    expect(eic.findings.map((f) => f.code)).toContain('NO_PUBLIC_IP');
  });

  it('reads back as AWS shows the fixed lab after the fixes are made by hand', async () => {
    const sb = createSandbox();
    const eip = await fixByHand(sb);
    const want = fixedWith(eip);
    const ec2 = sb.clients.ec2;
    const rtbs = await ec2.send(new DescribeRouteTablesCommand({}));
    expect(asJson(rtbs.RouteTables)).toEqual(want.RouteTables);
    const pcx = await ec2.send(new DescribeVpcPeeringConnectionsCommand({}));
    expect(asJson(pcx.VpcPeeringConnections)).toEqual(want.VpcPeeringConnections);
    const sgs = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [SEED.sg2] }));
    const wantSg = want.SecurityGroups?.find((g) => g.GroupId === SEED.sg2);
    expect(asJson(sgs.SecurityGroups?.[0]?.IpPermissions)).toEqual(wantSg?.IpPermissions);
    const addrs = await ec2.send(new DescribeAddressesCommand({}));
    expect(asJson(addrs.Addresses)).toEqual(want.Addresses);
    // The ENI and the instance match the fixture except in the Elastic IP's `Association` objects: the sandbox reports
    // the account as IpOwnerId of an Elastic IP ("amazon" is the owner of auto-assigned public IPs) and the
    // allocation and association ids in every NetworkInterfaceAssociation, as the API reference documents them.
    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [SEED.eni1] }));
    const wantEni = want.NetworkInterfaces?.filter((n) => n.NetworkInterfaceId === SEED.eni1);
    expect(stripAssociations(asJson(enis.NetworkInterfaces))).toEqual(stripAssociations(asJson(reviveDates(wantEni))));
    expect(enis.NetworkInterfaces?.[0]?.Association).toEqual({
      AllocationId: eip.allocationId,
      AssociationId: eip.associationId,
      IpOwnerId: '111122223333',
      PublicDnsName: `ec2-${eip.publicIp.replaceAll('.', '-')}.compute-1.amazonaws.com`,
      PublicIp: eip.publicIp,
    });
    const inst = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [SEED.instance1] }));
    const wantInst = (want.Reservations ?? [])
      .flatMap((r) => r.Instances as Record<string, unknown>[])
      .find((i) => i.InstanceId === SEED.instance1);
    const gotInst = inst.Reservations?.[0]?.Instances?.[0];
    expect(stripAssociations(asJson(gotInst))).toEqual(stripAssociations(asJson(reviveDates(wantInst))));
    expect(gotInst?.NetworkInterfaces?.[0]?.Association?.PublicIp).toBe(eip.publicIp);
  });

  it('is reachable after the fixes (replies included), and the probe gets three replies', async () => {
    const sb = createSandbox();
    await fixByHand(sb);
    expect(verdict(sb, PING)).toMatchObject({ reachable: true, findings: [] });
    expect(verdict(sb, { from: 'eic', to: 'Instance - NextWork VPC 1', protocol: 'tcp', port: 22 }).reachable).toBe(
      true,
    );
    let t = Date.parse('2026-11-25T10:00:00Z');
    const sleep = async (ms: number) => {
      t += ms;
    };
    const result = await runProbe(
      sb.clients.ssm,
      { instanceId: SEED.instance1, platform: 'linux', targetIp: '10.2.4.95', protocol: 'icmp', port: null },
      { now: () => new Date(t), sleep, logger: silentLogger },
    );
    expect(result).toMatchObject({ ran: true, sent: 3, received: 3, lossPct: 0 });
  });

  it('is fixed by the engine fix plans run through the fix executors, and undone by their undo plans', async () => {
    const sb = createSandbox();
    const before = verdict(sb, PING);
    const plans = before.findings
      .flatMap((f) => (f.fix ? [f.fix] : []))
      .filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i)
      .sort((a, b) => a.order - b.order);
    expect(plans.map((p) => p.action)).toEqual(
      expect.arrayContaining(['AcceptVpcPeeringConnection', 'CreateRoute', 'AuthorizeSecurityGroupIngress']),
    );
    const ctx = {
      actor: 'U0SANDBOX',
      diagnosisId: 'test',
      now: () => new Date('2026-11-25T10:00:00Z'),
      logger: silentLogger,
    };
    const steps: UndoStep[] = [];
    for (const plan of plans) {
      const dry = await executeFix(sb.clients.ec2, plan, { ...ctx, dryRun: true });
      expect(dry.status, `${plan.action} dry run: ${dry.message}`).toBe('would-apply');
      const applied = await executeFix(sb.clients.ec2, plan, { ...ctx, dryRun: false });
      expect(applied.status, `${plan.action}: ${applied.message}`).toBe('applied');
      expect(applied.requestIds.length).toBeGreaterThan(0);
      for (const change of applied.undo ?? []) {
        steps.push({ account: sb.state.accountId, region: sb.region, fixId: plan.id, change });
      }
    }
    expect(verdict(sb, PING).reachable).toBe(true);
    const routePlan = plans.find((p) => p.action === 'CreateRoute');
    if (!routePlan) throw new Error('the engine proposed no CreateRoute');
    const again = await executeFix(sb.clients.ec2, routePlan, {
      ...ctx,
      dryRun: false,
    });
    expect(again.status).toBe('already-in-place');
    const token = {
      v: 2 as const,
      actor: ctx.actor,
      diagnosisId: ctx.diagnosisId,
      appliedAt: '2026-11-25T10:00:00Z',
      expiresAt: Date.parse('2026-11-26T10:00:00Z') / 1000,
      steps,
    };
    const r = await executeUndo(sb.clients.ec2, token, { actor: ctx.actor, region: sb.region, logger: silentLogger });
    expect(r.status, r.message).toBe('applied');
    // Accepting a peering has no inverse: undoing the rest leaves the routes and the rule gone, the peering active.
    const after = verdict(sb, PING);
    expect(after.reachable).toBe(false);
    expect(after.findings.map((f) => f.code)).not.toContain('PEERING_NOT_ACTIVE');
  });
});
