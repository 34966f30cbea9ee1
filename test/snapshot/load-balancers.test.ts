import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { readSnapshotFiles } from '../../src/snapshot/read.js';
import { CORPORA_ROOT } from '../support/corpora-dirs.js';

const LABS = join(CORPORA_ROOT, 'lab-validation', 'snapshots');
const load = (lab: string) => buildSnapshot(readSnapshotFiles(join(LABS, lab, 'aws_configs')));

describe('load balancers in the snapshot (elbv2 describe-* keys)', () => {
  it('links each NLB node to its subnet, interface, private and Elastic IP; listeners, attributes, targets', () => {
    const s = load('aws_nlb_targets_instance');
    const lbs = s.loadBalancing?.loadBalancers;
    expect(lbs?.size).toBe(3);
    const lb = [...(lbs?.values() ?? [])].find((l) => l.name === 'targets-instance-nlb-pri-pub-a');
    expect(lb).toMatchObject({
      type: 'network',
      scheme: 'internet-facing',
      vpcId: 'vpc-0a001de0c2ffb4f50',
      securityGroupIds: [],
      crossZone: false,
      region: 'us-east-1',
      accountId: '028403472736',
      nodes: [
        {
          subnetId: 'subnet-03a25b235f73f0b8b',
          availabilityZone: 'us-east-1a',
          networkInterfaceId: 'eni-0c37be48f49140b42',
          privateIp: '10.2.1.113',
          publicIp: '100.26.7.68',
          allocationId: 'eipalloc-0a05bee8d2d6f6acb',
        },
      ],
    });
    expect(lb?.listeners.map((l) => [l.port, l.protocol, l.defaultAction])).toEqual([[80, 'TCP', 'forward']]);
    const tgArn = lb?.listeners[0]?.targetGroupArns[0] ?? '';
    const tg = s.loadBalancing?.targetGroups.get(tgArn);
    expect(tg).toMatchObject({ targetType: 'instance', protocol: 'TCP', port: 80, healthKnown: true });
    expect(tg?.targets).toEqual([
      { id: 'i-0dafc58d9fcc5a655', port: 80, health: 'unhealthy', reason: 'Target.FailedHealthChecks' },
    ]);
    expect(s.loadBalancing?.byEni.get('eni-0c37be48f49140b42')).toBe(lb?.arn);
    expect(s.loadBalancing?.byName.get('targets-instance-nlb-pri-pub-a')).toEqual([lb?.arn]);
    expect(s.loadBalancing?.byName.get(lb?.dnsName?.toLowerCase() ?? '')).toEqual([lb?.arn]);
    expect(s.loadBalancing?.groupsByInstance.get('i-0dafc58d9fcc5a655')).toEqual([tgArn]);
  });

  it('an internal NLB has no public address; interface endpoints are found by interface and DNS name', () => {
    const demo = load('aws_demo');
    const fin = [...(demo.loadBalancing?.loadBalancers.values() ?? [])].find((l) => l.name === 'nlb-fin-east');
    expect(fin?.scheme).toBe('internal');
    expect(fin?.nodes[0]?.publicIp).toBeUndefined();
    expect(fin?.nodes[0]?.privateIp).toBe('10.2.1.187');
    const ep = load('aws_vpc_endpoints');
    expect(ep.loadBalancing?.loadBalancers.size).toBe(0);
    expect(ep.loadBalancing?.endpointByEni.get('eni-0bd26d2cdca2c4478')).toBe('vpce-0c84758dae8076c02');
    expect(
      ep.loadBalancing?.endpointByDns.get('vpce-0c84758dae8076c02-c8nebmg2.ec2.us-east-1.vpce.amazonaws.com'),
    ).toBe('vpce-0c84758dae8076c02');
  });

  it('a snapshot without elbv2 keys or interface endpoints has no load balancing part', () => {
    const s = load('aws_tgw_peering');
    expect(s.loadBalancing === undefined || s.loadBalancing.loadBalancers.size === 0).toBe(true);
  });

  it('refuses a malformed listener port with the file and JSON path', () => {
    expect(() =>
      buildSnapshot([{ path: 'lb.json', data: { LoadBalancerListeners: [{ Listeners: [{ Port: 'eighty' }] }] } }]),
    ).toThrow(/lb\.json: \$\.LoadBalancerListeners\[0\]\.Listeners\[0\]\.Port/);
  });
});
