/**
 * The broken-nlb scenario end to end below the CLI: live collection through the sandbox's real SDK clients reads the
 * load balancer (elbv2) only because the question names one, the engine blames the target's security group for the
 * client's address, and a question without a load balancer sends no elbv2 call.
 */
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { collectForQuery } from '../../src/collect/index.js';
import { diagnose } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import type { Query } from '../../src/model/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { buildSnapshot, resolveEndpoints } from '../../src/snapshot/index.js';

async function live(q: Query) {
  const sb = createSandbox({ scenario: 'broken-nlb' });
  const { files } = await collectForQuery(sb.clients.ec2, q, {
    region: sb.region,
    logger: silentLogger,
    elb: sb.clients.elbv2,
  });
  const s = buildSnapshot(files);
  return { sb, d: diagnose(s, q, resolveEndpoints(s, q.from, q.to)) };
}

describe('broken-nlb through live collection', () => {
  it('reads the load balancer named in the question and finds the target group that drops the client', async () => {
    const { sb, d } = await live({ from: '203.0.113.7', to: 'shop', protocol: 'tcp', port: 80 });
    const elb = sb.calls.filter((c) => c.service === 'elasticloadbalancing').map((c) => c.operation);
    expect(elb).toContain('DescribeLoadBalancers');
    expect(elb).toContain('DescribeTargetHealth');
    expect(d.endpoints.to.kind).toBe('load-balancer');
    expect(d.findings.map((f) => `${f.code} ${f.direction}`)).toEqual(['SG_INGRESS_DENIED forward']);
    expect(d.findings[0]?.fix?.params).toMatchObject({ cidr: '203.0.113.7/32', fromPort: 80 });
  });

  it('the node address typed as the destination reads the load balancer too', async () => {
    const { d } = await live({ from: '203.0.113.7', to: '54.10.0.50', protocol: 'tcp', port: 80 });
    expect(d.findings.map((f) => f.code)).toEqual(['SG_INGRESS_DENIED']);
  });

  it('a question without a load balancer sends no elbv2 call', async () => {
    const { sb, d } = await live({ from: 'bastion', to: 'web-1', protocol: 'tcp', port: 22 });
    expect(d.reachable).toBe(true);
    expect(sb.calls.filter((c) => c.service === 'elasticloadbalancing')).toEqual([]);
  });

  it('answers an unknown load balancer as AWS does (LoadBalancerNotFound)', async () => {
    const sb = createSandbox({ scenario: 'broken-nlb' });
    await expect(sb.clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: ['nope'] }))).rejects.toMatchObject({
      name: 'LoadBalancerNotFoundException',
    });
  });
});
