/**
 * readLoadBalancers through a real ElasticLoadBalancingV2Client, nock at the wire (the AWS Query protocol: form-encoded
 * requests, XML answers), and what it reads loaded through the real snapshot loader.
 */
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadBalancerHint, readLoadBalancers, targetsOf } from '../../src/collect/load-balancers.js';
import { createLogger } from '../../src/log.js';
import { buildSnapshot } from '../../src/snapshot/build.js';

const HOST = 'https://elasticloadbalancing.us-east-1.amazonaws.com';
const NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
const LB = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/shop/50dc6c495c0c9188';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/shop-tg/73e2d6bc24d8a067';

const xml = (action: string, result: string) =>
  `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>4f1e2d3c-0000-4000-8000-000000000001</RequestId></ResponseMetadata></${action}Response>`;

const ANSWERS: Record<string, (form: URLSearchParams) => string> = {
  DescribeLoadBalancers: (f) =>
    f.get('Names.member.1') === 'nope'
      ? ''
      : xml(
          'DescribeLoadBalancers',
          `<LoadBalancers><member><LoadBalancerArn>${LB}</LoadBalancerArn><LoadBalancerName>shop</LoadBalancerName><DNSName>shop-50dc6c495c0c9188.elb.us-east-1.amazonaws.com</DNSName><Scheme>internet-facing</Scheme><Type>network</Type><VpcId>vpc-0a1b2c3d</VpcId><State><Code>active</Code></State><AvailabilityZones><member><ZoneName>us-east-1a</ZoneName><SubnetId>subnet-0a1b2c3d</SubnetId><LoadBalancerAddresses><member><IpAddress>54.10.0.50</IpAddress><AllocationId>eipalloc-0a1b2c3d</AllocationId></member></LoadBalancerAddresses></member></AvailabilityZones></member></LoadBalancers>`,
        ),
  DescribeListeners: () =>
    xml(
      'DescribeListeners',
      `<Listeners><member><ListenerArn>${LB.replace(':loadbalancer/', ':listener/')}/1</ListenerArn><LoadBalancerArn>${LB}</LoadBalancerArn><Port>80</Port><Protocol>TCP</Protocol><DefaultActions><member><Type>forward</Type><Order>1</Order><TargetGroupArn>${TG}</TargetGroupArn></member></DefaultActions></member></Listeners>`,
    ),
  DescribeLoadBalancerAttributes: () =>
    xml(
      'DescribeLoadBalancerAttributes',
      '<Attributes><member><Key>load_balancing.cross_zone.enabled</Key><Value>false</Value></member></Attributes>',
    ),
  DescribeTargetGroups: () =>
    xml(
      'DescribeTargetGroups',
      `<TargetGroups><member><TargetGroupArn>${TG}</TargetGroupArn><TargetGroupName>shop-tg</TargetGroupName><TargetType>instance</TargetType><Protocol>TCP</Protocol><Port>80</Port><VpcId>vpc-0a1b2c3d</VpcId><LoadBalancerArns><member>${LB}</member></LoadBalancerArns></member></TargetGroups>`,
    ),
  DescribeTargetHealth: () =>
    xml(
      'DescribeTargetHealth',
      '<TargetHealthDescriptions><member><Target><Id>i-0123456789abcdef0</Id><Port>80</Port></Target><TargetHealth><State>healthy</State></TargetHealth></member></TargetHealthDescriptions>',
    ),
  DescribeTargetGroupAttributes: () =>
    xml(
      'DescribeTargetGroupAttributes',
      '<Attributes><member><Key>preserve_client_ip.enabled</Key><Value>true</Value></member></Attributes>',
    ),
};

const calls: string[] = [];
function wire(): void {
  nock(HOST)
    .persist()
    .post('/')
    .reply((_uri, body) => {
      const form = new URLSearchParams(String(body));
      const action = form.get('Action') ?? '';
      calls.push(action);
      const answer = ANSWERS[action]?.(form);
      if (!answer)
        return [
          400,
          `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>LoadBalancerNotFound</Code><Message>One or more load balancers not found</Message></Error><RequestId>4f1e2d3c-0000-4000-8000-000000000002</RequestId></ErrorResponse>`,
          { 'content-type': 'text/xml' },
        ];
      return [200, answer, { 'content-type': 'text/xml' }];
    });
}

const client = () =>
  new ElasticLoadBalancingV2Client({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
const logger = createLogger({ level: 'silent' });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  calls.length = 0;
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('reading load balancers (elbv2, only when asked)', () => {
  it('reads a load balancer by name with its listeners, attributes, target groups, health, and loads them', async () => {
    wire();
    const read = await readLoadBalancers(client(), { arns: [], names: ['shop', 'nope'] }, logger);
    expect([...calls].sort()).toEqual(
      [
        'DescribeListeners',
        'DescribeLoadBalancerAttributes',
        'DescribeLoadBalancers',
        'DescribeLoadBalancers',
        'DescribeTargetGroupAttributes',
        'DescribeTargetGroups',
        'DescribeTargetHealth',
      ].sort(),
    );
    expect(targetsOf(read.file)).toEqual({ instanceIds: ['i-0123456789abcdef0'], ips: [] });
    const s = buildSnapshot([JSON.parse(JSON.stringify(read.file))]);
    const lb = s.loadBalancing?.loadBalancers.get(LB);
    expect(lb).toMatchObject({ name: 'shop', crossZone: false, listeners: [{ port: 80, targetGroupArns: [TG] }] });
    expect(lb?.nodes[0]).toMatchObject({ subnetId: 'subnet-0a1b2c3d', publicIp: '54.10.0.50' });
    expect(s.loadBalancing?.targetGroups.get(TG)).toMatchObject({
      targets: [{ id: 'i-0123456789abcdef0', port: 80, health: 'healthy' }],
      attributes: { 'preserve_client_ip.enabled': 'true' },
    });
  });

  it('knows a load balancer from its ARN or DNS name, and nothing else', () => {
    expect(loadBalancerHint(LB)).toEqual({ arn: LB });
    expect(loadBalancerHint('shop-50dc6c495c0c9188.elb.us-east-1.amazonaws.com')).toEqual({ name: 'shop' });
    expect(loadBalancerHint('internal-api-1234567890.us-east-1.elb.amazonaws.com')).toEqual({ name: 'api' });
    expect(loadBalancerHint('dualstack.my-alb-99.us-west-2.elb.amazonaws.com')).toEqual({ name: 'my-alb' });
    for (const other of ['web-1', 'i-0123456789abcdef0', '10.0.0.1', 'example.com', 'arn:aws:iam::1:role/x'])
      expect(loadBalancerHint(other)).toBeNull();
  });
});
