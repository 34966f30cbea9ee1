import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/index.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { readSnapshotFiles } from '../../src/snapshot/read.js';
import { resolveEndpoints } from '../../src/snapshot/resolve.js';
import { awsConfigDirs, CORPORA_ROOT } from '../support/corpora-dirs.js';

const ROOT = CORPORA_ROOT;

const cache = new Map<string, Snapshot>();
function load(rel: string): Snapshot {
  let s = cache.get(rel);
  if (!s) {
    s = buildSnapshot(readSnapshotFiles(join(ROOT, rel)));
    cache.set(rel, s);
  }
  return s;
}

const dirs = awsConfigDirs(ROOT).map((d) => relative(ROOT, d));

describe('every corpus snapshot', () => {
  it('finds the copied snapshots', () => {
    expect(dirs.length).toBeGreaterThanOrEqual(32);
  });

  it.each(dirs)('%s loads with consistent references', (rel) => {
    const s = load(rel);
    expect(s.vpcs.size + s.transitGateways.size).toBeGreaterThan(0);
    for (const subnet of s.subnets.values()) {
      expect(s.vpcs.has(subnet.vpcId), `${subnet.id} → ${subnet.vpcId}`).toBe(true);
      if (s.presentKeys.has('RouteTables')) expect(s.index.subnetRouteTable.has(subnet.id), subnet.id).toBe(true);
      if (s.presentKeys.has('NetworkAcls')) expect(s.index.subnetNetworkAcl.has(subnet.id), subnet.id).toBe(true);
    }
    for (const inst of s.instances.values()) {
      for (const eniId of inst.networkInterfaceIds)
        expect(s.networkInterfaces.has(eniId), `${inst.id} → ${eniId}`).toBe(true);
      if (inst.state === 'running') expect(inst.networkInterfaceIds.length, inst.id).toBeGreaterThan(0);
    }
    for (const acl of s.networkAcls.values()) {
      const numbers = acl.entries.map((e) => e.ruleNumber);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    for (const rt of s.routeTables.values()) for (const r of rt.routes) expect(r.text).toContain('→');
    for (const w of s.warnings) expect(w.message).not.toMatch(/pre_shared_key|PreSharedKey/i);
  });
});

describe('layouts', () => {
  it('takes region and account from aws_configs/accounts/<id>/<region>/', () => {
    const s = load('lab-validation/snapshots/aws_tgw_peering/aws_configs');
    const regions = new Set([...s.vpcs.values()].map((v) => `${v.accountId}/${v.region}`));
    expect(regions).toEqual(new Set(['028403472736/us-east-1', '028403472736/us-west-1', '951601349076/us-east-2']));
  });

  it('takes the region from aws_configs/<region>/', () => {
    const s = load('pybatfish/jupyter_notebooks/networks/hybrid-cloud/aws_configs');
    expect(new Set([...s.subnets.values()].map((x) => x.region))).toEqual(new Set(['us-east-2', 'us-west-2']));
  });

  it('takes the region from old-style file names (Vpcs-us-west-2.json)', () => {
    const s = load('batfish/grammar/aws/testrigs/ipsec-vpn-host-aws-cisco/aws_configs');
    expect([...s.vpcs.values()].map((v) => v.region)).toEqual(['us-west-2']);
  });
});

describe('missing files', () => {
  it('says which key is missing when a route targets an object of a kind the snapshot does not list', () => {
    const s = load('batfish/representation/aws/test-vpc-peering-multi-account/aws_configs');
    expect(s.presentKeys.has('InternetGateways')).toBe(false);
    expect(s.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/igw-.*\(the snapshot has no InternetGateways\)/),
    );
    expect(s.warnings.map((w) => w.code)).toContain('ASSUMED_DEFAULT');
  });
});

describe('objects seen from several accounts are one object', () => {
  it('merges a peering connection listed in both accounts’ files', () => {
    const s = load('lab-validation/snapshots/aws_multi_account_vpc_peering/aws_configs');
    expect(s.peeringConnections.size).toBe(3);
    const pcx = s.peeringConnections.get('pcx-0040f7640e10191f4');
    expect(pcx?.requester.ownerId).not.toBe(pcx?.accepter.ownerId);
    expect(s.vpcs.size).toBe(2);
  });

  it('merges a shared transit gateway and its attachment', () => {
    const s = load('batfish/representation/aws/test-transit-gateway-multi-account/aws_configs');
    expect([...s.transitGateways.keys()]).toEqual(['tgw-0efdeab79e9a8e490']);
    expect([...s.transitGatewayAttachments.keys()].filter((id) => id === 'tgw-attach-0f8397dbb9b9bce0d')).toHaveLength(
      1,
    );
  });

  it('keeps both sides of a TGW peering attachment', () => {
    const s = load('lab-validation/snapshots/aws_tgw_peering/aws_configs');
    expect(s.transitGatewayAttachments.get('tgw-attach-084b68f4a40b12383')).toMatchObject({
      transitGatewayId: 'tgw-0cacbf5ed9fe034e7',
      peerTransitGatewayId: 'tgw-074cc11880f74d29a',
      associatedRouteTableId: 'tgw-rtb-0b0728f11c489fff4',
      peerAssociatedRouteTableId: 'tgw-rtb-000baae357fa2f403',
      peerRegion: 'us-east-2',
    });
    const rt = s.transitGatewayRouteTables.get('tgw-rtb-000baae357fa2f403');
    expect(rt?.routes.map((r) => `${r.cidr} ${r.type}`)).toEqual(['10.1.0.0/16 static', '10.2.0.0/16 propagated']);
  });
});

describe('dead objects are kept with their state', () => {
  const s = load('lab-validation/snapshots/aws_demo/aws_configs');

  it('keeps terminated instances with no IP', () => {
    const dead = [...s.instances.values()].filter((i) => i.state === 'terminated');
    expect(dead.length).toBeGreaterThan(0);
    for (const i of dead) expect(i.privateIp).toBeUndefined();
  });

  it('keeps deleted peerings and NAT gateways', () => {
    expect([...s.peeringConnections.values()].filter((p) => p.status === 'deleted').length).toBeGreaterThan(0);
    expect(s.natGateways.get('nat-0dd42c998eea1b189')?.state).toBe('deleted');
  });

  it('keeps blackhole routes', () => {
    const h = load('batfish/networks/hybrid-cloud-aws/aws_configs');
    const route = h.routeTables.get('rtb-f28e418b')?.routes.find((r) => r.state === 'blackhole');
    expect(route?.text).toBe('0.0.0.0/0 → nat-055c00735cace0ec4 (blackhole)');
    expect(h.warnings.map((w) => w.resourceIds)).toContainEqual(['rtb-f28e418b', 'nat-055c00735cace0ec4']);
  });
});

describe('multi-ENI instances', () => {
  const s = load('lab-validation/snapshots/aws_instance_multiple_interface/aws_configs');

  it('orders ENIs by device index and maps the EIP on the secondary ENI', () => {
    expect(s.instances.get('i-0570aa766f3473c7b')?.networkInterfaceIds).toEqual([
      'eni-0471dd9430079f3fd',
      'eni-0eedf785ae57bef40',
    ]);
    expect(s.index.publicIpToEni.get('23.20.84.152')).toBe('eni-0eedf785ae57bef40');
    expect(s.networkInterfaces.get('eni-0eedf785ae57bef40')?.privateIps[0]).toMatchObject({
      address: '10.1.2.102',
      publicIp: '23.20.84.152',
      allocationId: 'eipalloc-0e105cd412daaf7d6',
    });
  });

  it('resolves the secondary ENI’s Elastic IP to that ENI and its instance', () => {
    const { to } = resolveEndpoints(s, 'multi_iface_jump01', '23.20.84.152');
    expect(to).toMatchObject({
      kind: 'ip',
      viaPublicIp: true,
      eni: 'eni-0eedf785ae57bef40',
      instanceId: 'i-0570aa766f3473c7b',
    });
  });
});

describe('prefix lists and endpoints', () => {
  it('reads PrefixLists with inline Cidrs and words prefix-list routes with the list name', () => {
    const s = load('lab-validation/snapshots/aws_vpc_endpoints/aws_configs');
    expect(s.index.prefixListCidrs.get('pl-63a5400a')?.length).toBeGreaterThan(0);
    const routes = [...s.routeTables.values()]
      .flatMap((r) => r.routes)
      .filter((r) => r.destination.kind === 'prefix-list');
    expect(routes[0]).toMatchObject({ target: { kind: 'vpc-endpoint' } });
    expect(routes[0]?.text).toMatch(/^pl-63a5400a \(com\.amazonaws\.us-east-1\.s3\) → vpce-/);
  });
});

describe('observed.json is not part of the snapshot', () => {
  it('is skipped when the lab folder itself is read', () => {
    const files = readSnapshotFiles(join(ROOT, 'lab-validation/snapshots/aws_instance_multiple_interface'));
    expect(files.some((f) => f.path.endsWith('observed.json'))).toBe(false);
    expect(() => buildSnapshot(files)).not.toThrow();
  });
});
