/**
 * Engine benchmark: `npx tsx bench/engine.ts` prints markdown.
 * - A synthetic account (20,000 security groups × 10 rules, 5,000 route tables, 2,000 network ACLs, 50,000 ENIs
 *   with their instances, peerings between neighbouring VPCs) as raw describe-* JSON: load + index time
 *   (`buildSnapshot`), then per-query median and p99 of `diagnose` at two account sizes (full and a tenth).
 * - The lab-validation corpus: wall time per lab (load + index once, every observation diagnosed).
 * Targets (DESIGN §8): index < 2 s; query < 5 ms median, independent of account size.
 */

import { corpusDir, runAll } from '../scripts/accuracy.js';
import { diagnose } from '../src/engine/index.js';
import type { Protocol, RawSnapshotFile, ResolvedEndpoint, Snapshot } from '../src/model/index.js';
import { buildSnapshot } from '../src/snapshot/index.js';

type Json = Record<string, unknown>;

/** A deterministic pseudo-random generator (mulberry32), so every run builds the same account. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (prefix: string, n: number) => `${prefix}-${n.toString(16).padStart(17, '0')}`;

interface Account {
  files: RawSnapshotFile[];
  enis: { eni: string; instance: string; ip: string; vpc: number }[];
  counts: Record<string, number>;
}

/**
 * `scale` 1 is the DESIGN §8 account: 1,000 VPCs, each with 5 subnets, 5 route tables (main + 4), 2 NACLs
 * (default + a 20-entry custom one), 20 security groups of 10 rules, 50 ENIs/instances; VPC i peers with i+1.
 */
function syntheticAccount(scale: number): Account {
  const rand = rng(42);
  const nVpc = Math.round(1000 * scale);
  const Vpcs: Json[] = [];
  const Subnets: Json[] = [];
  const RouteTables: Json[] = [];
  const NetworkAcls: Json[] = [];
  const SecurityGroups: Json[] = [];
  const NetworkInterfaces: Json[] = [];
  const Reservations: Json[] = [];
  const InternetGateways: Json[] = [];
  const VpcPeeringConnections: Json[] = [];
  const enis: Account['enis'] = [];
  const vpcCidr = (v: number) => `10.${v >> 4}.${(v & 15) << 4}.0/20`;
  const subnetCidr = (v: number, s: number) => `10.${v >> 4}.${((v & 15) << 4) + s}.0/24`;
  let eniN = 0;
  for (let v = 0; v < nVpc; v++) {
    const vpcId = hex('vpc', v);
    Vpcs.push({ VpcId: vpcId, CidrBlock: vpcCidr(v), State: 'available', OwnerId: '111122223333', IsDefault: false });
    InternetGateways.push({ InternetGatewayId: hex('igw', v), Attachments: [{ State: 'available', VpcId: vpcId }] });
    const peers = [v - 1, v + 1].filter((p) => p >= 0 && p < nVpc);
    for (let r = 0; r < 5; r++) {
      const routes: Json[] = [
        { DestinationCidrBlock: vpcCidr(v), GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
        { DestinationCidrBlock: '0.0.0.0/0', GatewayId: hex('igw', v), State: 'active', Origin: 'CreateRoute' },
      ];
      for (const p of peers) {
        routes.push({
          DestinationCidrBlock: vpcCidr(p),
          VpcPeeringConnectionId: hex('pcx', Math.min(v, p)),
          State: 'active',
          Origin: 'CreateRoute',
        });
      }
      RouteTables.push({
        RouteTableId: hex('rtb', v * 5 + r),
        VpcId: vpcId,
        Routes: routes,
        Associations:
          r === 0
            ? [{ Main: true, RouteTableId: hex('rtb', v * 5), RouteTableAssociationId: hex('rtbassoc', v * 5) }]
            : [
                {
                  Main: false,
                  RouteTableId: hex('rtb', v * 5 + r),
                  SubnetId: hex('subnet', v * 5 + r),
                  RouteTableAssociationId: hex('rtbassoc', v * 5 + r),
                },
              ],
      });
    }
    if (v + 1 < nVpc) {
      VpcPeeringConnections.push({
        VpcPeeringConnectionId: hex('pcx', v),
        Status: { Code: 'active' },
        RequesterVpcInfo: { VpcId: vpcId, OwnerId: '111122223333', Region: 'us-east-1', CidrBlock: vpcCidr(v) },
        AccepterVpcInfo: {
          VpcId: hex('vpc', v + 1),
          OwnerId: '111122223333',
          Region: 'us-east-1',
          CidrBlock: vpcCidr(v + 1),
        },
      });
    }
    const allowAll = (egress: boolean, n: number) => ({
      RuleNumber: n,
      Egress: egress,
      Protocol: '-1',
      RuleAction: 'allow',
      CidrBlock: '0.0.0.0/0',
    });
    const star = (egress: boolean) => ({ ...allowAll(egress, 32767), RuleAction: 'deny' });
    const custom: Json[] = [];
    for (let e = 0; e < 9; e++) {
      custom.push({
        RuleNumber: 100 + e * 10,
        Egress: false,
        Protocol: '6',
        RuleAction: e % 3 === 0 ? 'deny' : 'allow',
        CidrBlock: `172.${16 + e}.0.0/16`,
        PortRange: { From: 1000 + e, To: 2000 + e },
      });
    }
    NetworkAcls.push({
      NetworkAclId: hex('acl', v * 2),
      VpcId: vpcId,
      IsDefault: true,
      Entries: [allowAll(false, 100), allowAll(true, 100), star(false), star(true)],
      Associations: [0, 1, 2].map((s) => ({ NetworkAclId: hex('acl', v * 2), SubnetId: hex('subnet', v * 5 + s) })),
    });
    NetworkAcls.push({
      NetworkAclId: hex('acl', v * 2 + 1),
      VpcId: vpcId,
      IsDefault: false,
      Entries: [
        ...custom,
        { ...allowAll(false, 500) },
        ...custom.map((e) => ({ ...e, Egress: true })),
        allowAll(true, 500),
        star(false),
        star(true),
      ],
      Associations: [3, 4].map((s) => ({ NetworkAclId: hex('acl', v * 2 + 1), SubnetId: hex('subnet', v * 5 + s) })),
    });
    for (let g = 0; g < 20; g++) {
      const gid = hex('sg', v * 20 + g);
      const perms: Json[] = [];
      for (let r = 0; r < 9; r++) {
        perms.push({
          IpProtocol: 'tcp',
          FromPort: 1000 + r * 100 + g,
          ToPort: 1000 + r * 100 + g,
          IpRanges: [{ CidrIp: `172.${16 + r}.${g}.0/24` }],
          UserIdGroupPairs: [],
          PrefixListIds: [],
        });
      }
      perms.push({
        IpProtocol: 'icmp',
        FromPort: 8,
        ToPort: -1,
        IpRanges: [{ CidrIp: '10.0.0.0/8' }],
        UserIdGroupPairs: [],
      });
      SecurityGroups.push({
        GroupId: gid,
        GroupName: `g${v}-${g}`,
        VpcId: vpcId,
        OwnerId: '111122223333',
        IpPermissions: perms,
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], UserIdGroupPairs: [] }],
      });
    }
    for (let s = 0; s < 5; s++) {
      const subnetId = hex('subnet', v * 5 + s);
      Subnets.push({
        SubnetId: subnetId,
        VpcId: vpcId,
        CidrBlock: subnetCidr(v, s),
        AvailabilityZone: `us-east-1${'abc'[s % 3]}`,
        State: 'available',
      });
      for (let e = 0; e < 10; e++) {
        const ip = `10.${v >> 4}.${((v & 15) << 4) + s}.${10 + e}`;
        const eniId = hex('eni', eniN);
        const instanceId = hex('i', eniN);
        eniN++;
        const groups = [0, 1].map((k) => {
          const g = v * 20 + Math.floor(rand() * 20) + k * 0;
          return { GroupId: hex('sg', g), GroupName: `g${g}` };
        });
        NetworkInterfaces.push({
          NetworkInterfaceId: eniId,
          SubnetId: subnetId,
          VpcId: vpcId,
          InterfaceType: 'interface',
          PrivateIpAddress: ip,
          PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip }],
          Groups: groups,
          SourceDestCheck: true,
          Status: 'in-use',
          Attachment: { InstanceId: instanceId, DeviceIndex: 0, Status: 'attached' },
        });
        Reservations.push({
          ReservationId: hex('r', eniN),
          Instances: [
            {
              InstanceId: instanceId,
              State: { Name: 'running', Code: 16 },
              SubnetId: subnetId,
              VpcId: vpcId,
              PrivateIpAddress: ip,
              Placement: { AvailabilityZone: `us-east-1${'abc'[s % 3]}` },
              NetworkInterfaces: [{ NetworkInterfaceId: eniId, Attachment: { DeviceIndex: 0 }, Groups: groups }],
              Tags: [{ Key: 'Name', Value: `host-${eniN}` }],
            },
          ],
        });
        enis.push({ eni: eniId, instance: instanceId, ip, vpc: v });
      }
    }
  }
  const data: Record<string, unknown> = {
    Vpcs,
    Subnets,
    RouteTables,
    NetworkAcls,
    SecurityGroups,
    NetworkInterfaces,
    Reservations,
    InternetGateways,
    VpcPeeringConnections,
  };
  return {
    files: Object.entries(data).map(([k, v]) => ({
      path: `synthetic/${k}.json`,
      data: { [k]: v },
      region: 'us-east-1',
    })),
    enis,
    counts: {
      vpcs: Vpcs.length,
      subnets: Subnets.length,
      routeTables: RouteTables.length,
      networkAcls: NetworkAcls.length,
      securityGroups: SecurityGroups.length,
      sgRules: SecurityGroups.length * 10,
      enis: NetworkInterfaces.length,
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function endpoint(e: Account['enis'][number]): ResolvedEndpoint {
  return {
    kind: 'instance',
    input: e.instance,
    id: e.instance,
    instanceId: e.instance as `i-${string}`,
    eni: e.eni as `eni-${string}`,
    ip: e.ip,
  };
}

function measure(scale: number): string {
  const account = syntheticAccount(scale);
  // Round-trip through JSON text, as a real snapshot would be read.
  const files = account.files.map((f) => ({ ...f, data: JSON.parse(JSON.stringify(f.data)) as unknown }));
  const t0 = performance.now();
  const snapshot: Snapshot = buildSnapshot(files);
  const t1 = performance.now();
  const rand = rng(7);
  const pick = () => account.enis[Math.floor(rand() * account.enis.length)] as Account['enis'][number];
  // Pairs in the same VPC or a peered neighbour (a real path, hop by hop, both ways), ICMP and TCP.
  const queries: { from: ResolvedEndpoint; to: ResolvedEndpoint; protocol: Protocol; port: number | null }[] = [];
  for (let i = 0; i < 2000; i++) {
    const a = pick();
    const neighbours = account.enis.filter((e) => Math.abs(e.vpc - a.vpc) <= 1 && e.eni !== a.eni);
    const b = neighbours[Math.floor(rand() * neighbours.length)] ?? pick();
    const tcp = i % 2 === 1;
    queries.push({
      from: endpoint(a),
      to: endpoint(b),
      protocol: tcp ? 'tcp' : 'icmp',
      port: tcp ? 1000 + (i % 1000) : null,
    });
  }
  const first = queries[0];
  const tw0 = performance.now();
  if (first)
    diagnose(
      snapshot,
      { from: first.from.input, to: first.to.input, protocol: first.protocol, port: first.port },
      first,
    );
  const tw1 = performance.now();
  const times: number[] = [];
  const verdicts = { true: 0, false: 0, null: 0 };
  for (const q of queries) {
    const s = performance.now();
    const d = diagnose(snapshot, { from: q.from.input, to: q.to.input, protocol: q.protocol, port: q.port }, q);
    times.push(performance.now() - s);
    verdicts[String(d.reachable) as 'true' | 'false' | 'null']++;
  }
  times.sort((x, y) => x - y);
  const c = account.counts;
  return `| ${scale === 1 ? 'full' : `${scale}×`} | ${c.securityGroups} SGs (${c.sgRules} rules), ${c.routeTables} route tables, ${c.networkAcls} NACLs, ${c.enis} ENIs | ${(t1 - t0).toFixed(0)} ms | ${(tw1 - tw0).toFixed(1)} ms | ${percentile(times, 50).toFixed(3)} ms | ${percentile(times, 99).toFixed(3)} ms | ${verdicts.true}/${verdicts.false}/${verdicts.null} |`;
}

function main(): void {
  const out: string[] = [];
  out.push('## Engine (`npx tsx bench/engine.ts`)', '');
  out.push(
    `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Targets: index < 2 s; query < 5 ms median, independent of size.`,
    '',
  );
  out.push(
    '| account | size | load + index (`buildSnapshot`) | first query (engine lookups) | query median | query p99 | reachable true/false/null (2,000 queries) |',
  );
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  out.push(measure(0.1));
  out.push(measure(1));
  const dir = corpusDir();
  if (dir) {
    out.push('', '### Lab-validation corpus (load + index once, then every observation)', '');
    out.push('| lab | flows | load + index | queries | per query |', '| --- | ---: | ---: | ---: | ---: |');
    const t0 = performance.now();
    const results = runAll(dir);
    const wall = performance.now() - t0;
    for (const r of results) {
      out.push(
        `| ${r.lab} | ${r.total} | ${r.loadMs.toFixed(0)} ms | ${r.queryMs.toFixed(0)} ms | ${(r.queryMs / r.total).toFixed(3)} ms |`,
      );
    }
    out.push(`| **all** | ${results.reduce((a, r) => a + r.total, 0)} | | | wall ${wall.toFixed(0)} ms |`);
  }
  console.log(out.join('\n'));
}

main();
