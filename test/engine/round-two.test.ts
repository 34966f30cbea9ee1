/**
 * Truth, round two: the classes of answer the shared labs did not exercise. Each block narrates a small network
 * built with the SnapshotBuilder (raw describe-* JSON through the real loader) and asserts the verdict, the
 * findings and the path.
 */
import { describe, expect, it } from 'vitest';
import type { RawSnapshotFile } from '../../src/model/index.js';
import { buildSnapshot, resolveEndpoint } from '../../src/snapshot/index.js';
import { SnapshotBuilder } from '../support/builder.js';
import { ask, codes, finding, path } from './helpers.js';

/** The world's raw files with extra items appended to one describe-* key (objects the builder does not make). */
function withExtra(world: SnapshotBuilder, key: string, items: unknown[]): RawSnapshotFile[] {
  const files = world.build();
  const file = files.find((f) => key in (f.data as Record<string, unknown>));
  if (file) {
    const data = file.data as Record<string, unknown[]>;
    data[key] = [...(data[key] ?? []), ...items];
  } else files.push({ path: `builder/us-east-1/${key}.json`, data: { [key]: items }, region: 'us-east-1' });
  return files;
}

describe('internet hosts: any address outside the snapshot that is not private is a host on the internet', () => {
  // One VPC with an internet gateway; "web" in the public subnet has the public address 54.10.0.10 and admits
  // TCP 22 from anywhere. The runbook examples use documentation addresses (RFC 5737), as people do.
  const world = new SnapshotBuilder().addInstance('web', { subnet: 'public', ip: '10.0.1.10', publicIp: '54.10.0.10' });
  const s = world.snapshot();

  for (const doc of ['192.0.2.44', '198.51.100.7', '203.0.113.10']) {
    it(`treats documentation address ${doc} as an internet host, both as a source and as a destination`, () => {
      const inbound = ask(s, doc, '54.10.0.10', 'tcp', 22);
      expect(inbound.reachable).toBe(true);
      expect(inbound.forward[0]).toMatchObject({
        component: 'internet',
        rule: `from internet host ${doc} (${doc}/32)`,
      });
      const outbound = ask(s, 'web', doc, 'tcp', 443);
      expect(outbound.reachable).toBe(true);
      expect(outbound.forward.map((h) => h.component)).toContain('internet-gateway');
    });
  }

  it('calls a private address in no VPC an off-snapshot private network: not analyzed, saying so', () => {
    const d = ask(s, '172.20.5.5', 'web', 'tcp', 22);
    expect(d.reachable).toBeNull();
    expect(d.notAnalyzed?.component).toBe('query');
    expect(d.notAnalyzed?.reason).toMatch(/172\.20\.5\.5 is a private address in no VPC of the snapshot/);
    expect(d.notAnalyzed?.reason).toMatch(/VPN or Direct Connect/);
  });

  it('drops at the internet gateway a private source sent to a public address (RFC 1918 and RFC 6598)', () => {
    const rfc1918 = ask(s, '192.168.7.7', '54.10.0.10', 'tcp', 22);
    expect(codes(rfc1918)).toEqual(['PRIVATE_SOURCE_VIA_INTERNET forward']);
    expect(finding(rfc1918, 'PRIVATE_SOURCE_VIA_INTERNET').awsCode).toBe('IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS');
    expect(path(rfc1918.forward)).toEqual(['internet:ok', 'internet-gateway:BLOCKED']);
    const shared = ask(s, '100.64.3.3', '54.10.0.10', 'tcp', 22);
    expect(finding(shared, 'PRIVATE_SOURCE_VIA_INTERNET').awsCode).toBe('IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS');
  });

  it('names RFC 6598 destinations with their own Reachability Analyzer code', () => {
    const d = ask(s, 'web', '100.64.9.9', 'tcp', 443);
    expect(finding(d, 'PRIVATE_DESTINATION_VIA_INTERNET').awsCode).toBe(
      'IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS',
    );
  });

  for (const [ip, what] of [
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.251', 'multicast'],
    ['::1', 'loopback'],
  ] as const) {
    it(`refuses ${ip} as an end: a ${what} address is bad input, with one sentence why`, () => {
      expect(() => resolveEndpoint(s, ip)).toThrow(new RegExp(`^${ip.replace(/\./g, '\\.')} is a ${what} address: `));
      try {
        resolveEndpoint(s, ip);
      } catch (e) {
        expect((e as { code?: string }).code).toBe('BAD_INPUT');
      }
    });
  }
});

describe('addresses nobody holds: a public address the snapshot says was released answers nothing', () => {
  // "app" in a private subnet goes out through an available NAT gateway. The account also has a NAT gateway deleted
  // last week (its Elastic IP 3.80.0.99 went back to AWS) and an Elastic IP 3.80.0.77 allocated but associated with
  // nothing. Packets to either address cross the internet, reach AWS, and are answered by no one.
  const world = new SnapshotBuilder()
    .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
    .addRoute('app', '0.0.0.0/0', 'nat:egress')
    .addNatGateway('egress', { subnet: 'public', ip: '10.0.1.50', publicIp: '3.80.0.1' })
    .addNatGateway('old', { subnet: 'public', ip: '10.0.1.60', publicIp: '3.80.0.99', state: 'deleted' })
    .addInstance('app', { subnet: 'app', ip: '10.0.2.10' });
  const s = buildSnapshot(
    withExtra(world, 'Addresses', [
      { AllocationId: 'eipalloc-0aaaabbbbccccdddd', Domain: 'vpc', PublicIp: '3.80.0.77' },
    ]),
  );

  it("reports a deleted NAT gateway's public address with NO_INTERFACE_AT_DESTINATION, naming the gateway", () => {
    const d = ask(s, 'app', '3.80.0.99', 'tcp', 443);
    expect(d.reachable).toBe(false);
    const f = finding(d, 'NO_INTERFACE_AT_DESTINATION', 'forward');
    expect(f.resource).toBe(world.id('old', 'nat'));
    expect(f.message).toMatch(
      /No network interface holds 3\.80\.0\.99: NAT gateway nat-\w+, which held it, is deleted/,
    );
    expect(path(d.forward).slice(-1)).toEqual(['internet:BLOCKED']);
  });

  it('reports an Elastic IP associated with nothing the same way, from inside and from the internet', () => {
    const inside = finding(ask(s, 'app', '3.80.0.77', 'icmp'), 'NO_INTERFACE_AT_DESTINATION');
    expect(inside.resource).toBe('eipalloc-0aaaabbbbccccdddd');
    expect(inside.message).toMatch(/allocated but associated with nothing/);
    expect(codes(ask(s, '8.8.8.8', '3.80.0.77', 'tcp', 80))).toEqual(['NO_INTERFACE_AT_DESTINATION forward']);
  });

  it('still reaches a host on the internet that the snapshot knows nothing about', () => {
    expect(ask(s, 'app', '93.184.216.34', 'tcp', 443).reachable).toBe(true);
  });
});

describe('appliances: an end with source/destination check off is decided by its own configuration', () => {
  // "fw" is a firewall VM (source/destination check off) beside "web"; both in the public subnet, SSH open to all.
  const world = new SnapshotBuilder()
    .addInstance('web', { subnet: 'public', ip: '10.0.1.10', publicIp: '54.10.0.10' })
    .addInstance('fw', { subnet: 'public', ip: '10.0.1.20', publicIp: '54.10.0.20', sourceDestCheck: false });

  it('answers "not analyzed", naming the appliance, when AWS would deliver to it', () => {
    const d = ask(world, 'web', 'fw', 'tcp', 22);
    expect(d.reachable).toBeNull();
    expect(d.findings).toEqual([]);
    expect(d.notAnalyzed).toMatchObject({ component: 'network-interface', id: world.id('fw', 'eni') });
    expect(d.notAnalyzed?.reason).toMatch(/source\/destination check off .* appliance/);
    expect(d.return.length).toBeGreaterThan(0);
  });

  it('answers "not analyzed" from the appliance as well', () => {
    expect(ask(world, 'fw', 'web', 'tcp', 22).notAnalyzed?.id).toBe(world.id('fw', 'eni'));
  });

  it('keeps "not reachable" with the blockers when AWS itself blocks the way to the appliance', () => {
    const d = ask(world, 'web', 'fw', 'tcp', 3389);
    expect(d.reachable).toBe(false);
    expect(codes(d)).toEqual(['SG_INGRESS_DENIED forward']);
  });
});

/** The world's raw files with one describe-* key's items rewritten (dead objects the builder does not make). */
function tweak(files: RawSnapshotFile[], key: string, fn: (items: Record<string, unknown>[]) => unknown[]): void {
  const file = files.find((f) => key in (f.data as Record<string, unknown>));
  if (!file) throw new Error(`no ${key} in the world`);
  const data = file.data as Record<string, Record<string, unknown>[]>;
  data[key] = fn(data[key] ?? []) as Record<string, unknown>[];
}

/** Moves the items matching `dead` first (where a careless lookup would pick them) after changing them. */
function deadFirst(
  items: Record<string, unknown>[],
  dead: (x: Record<string, unknown>) => boolean,
  change: (x: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown>[] {
  return [...items.filter(dead).map(change), ...items.filter((x) => !dead(x))];
}

describe('dead objects never carry traffic and never shadow a live one', () => {
  it('transit gateway attachments: a deleted attachment of the VPC beside the available one is ignored', () => {
    // "main" was attached to tgw "hub" once (old, deleted since, no subnet in the source's AZ, no association); the
    // available attachment "now" carries the traffic to "spoke".
    const world = new SnapshotBuilder()
      .addVpc('spoke', { cidr: '10.9.0.0/16' })
      .addSubnet('s1', { vpc: 'spoke', cidr: '10.9.1.0/24' })
      .addSubnet('other-az', { vpc: 'main', cidr: '10.0.9.0/24', az: 'us-east-1b' })
      .addTransitGateway('hub')
      .attach('old', { tgw: 'hub', vpc: 'main', subnets: ['other-az'], associated: false, propagate: false })
      .attach('now', { tgw: 'hub', vpc: 'main', subnets: ['public'] })
      .attach('spoke-att', { tgw: 'hub', vpc: 'spoke', subnets: ['s1'] })
      .addRoute('public', '10.9.0.0/16', 'tgw:hub')
      .addRoute('s1', '10.0.0.0/16', 'tgw:hub')
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('spoke-host', { subnet: 's1', ip: '10.9.1.10' })
      .allowIcmp('spoke-host', '10.0.0.0/16');
    const files = world.build();
    const old = world.id('old', 'tgw-attach');
    for (const key of ['TransitGatewayAttachments', 'TransitGatewayVpcAttachments'])
      tweak(files, key, (items) =>
        deadFirst(
          items,
          (x) => x.TransitGatewayAttachmentId === old,
          (x) => ({ ...x, State: 'deleted' }),
        ),
      );
    const d = ask(buildSnapshot(files), 'web', 'spoke-host');
    expect(d.reachable).toBe(true);
    expect(d.forward.map((h) => h.rule)).toContain(
      `${world.id('now', 'tgw-attach')} associated with ${world.id('hub', 'tgw-rtb')}`,
    );
    expect(JSON.stringify(d)).not.toContain(old);
  });

  it('peerings: an old deleted peering between the same VPCs never stands in for the active one', () => {
    // "main" and "b" were peered once (old, deleted), then again (now, active). main's table lacks the route to b.
    const world = new SnapshotBuilder()
      .addVpc('b', { cidr: '10.1.0.0/16' })
      .addSubnet('b1', { vpc: 'b', cidr: '10.1.1.0/24', routeTable: 'b-main' })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b-host', { subnet: 'b1', ip: '10.1.1.10' })
      .allowIcmp('b-host', '10.0.0.0/16')
      .peer('old', 'main', 'b', { status: 'deleted' })
      .peer('now', 'main', 'b')
      .addRoute('b1', '10.0.0.0/16', 'pcx:now');
    const d = ask(world, 'web', 'b-host');
    expect(finding(d, 'NO_ROUTE').fix?.params).toMatchObject({ target: { vpcPeeringConnectionId: world.id('now') } });
    expect(JSON.stringify(d)).not.toContain(world.id('old'));
  });

  it('NAT gateways: a deleted NAT gateway that held the same private address shadows nothing', () => {
    // AWS reuses a deleted NAT gateway's private address: "gone" held 10.0.1.50, "egress" holds it now.
    const world = new SnapshotBuilder()
      .addNatGateway('gone', { subnet: 'public', ip: '10.0.1.51', publicIp: '3.80.0.98', state: 'deleted' })
      .addNatGateway('egress', { subnet: 'public', ip: '10.0.1.50', publicIp: '3.80.0.1' })
      .addSubnet('app', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addRoute('app', '0.0.0.0/0', 'nat:egress')
      .addInstance('app', { subnet: 'app', ip: '10.0.2.10' });
    // The builder refuses two holders of one address, so the deleted gateway gets it afterwards, listed first.
    const files = world.build();
    const reuse = (text: unknown) => JSON.parse(JSON.stringify(text).replaceAll('10.0.1.51', '10.0.1.50'));
    const gone = (x: Record<string, unknown>) => JSON.stringify(x).includes('10.0.1.51');
    tweak(files, 'NatGateways', (items) => deadFirst(items, gone, reuse));
    tweak(files, 'NetworkInterfaces', (items) => deadFirst(items, gone, reuse));
    const s = buildSnapshot(files);
    expect(finding(ask(s, 'app', '10.0.1.50', 'tcp', 22), 'NAT_GATEWAY_NOT_A_DESTINATION').resource).toBe(
      world.id('egress', 'nat'),
    );
    expect(ask(s, 'app', '93.184.216.34', 'tcp', 443).reachable).toBe(true);
  });

  it('endpoints: the interface of an endpoint being deleted does not hide the instance that now holds its address', () => {
    // A VPC endpoint's interface (being deleted) still lists 10.0.1.70, which "api" holds now.
    const world = new SnapshotBuilder()
      .addInterface('old-endpoint', { subnet: 'public', ip: '10.0.1.71', interfaceType: 'vpc_endpoint' })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('api', { subnet: 'public', ip: '10.0.1.70' });
    const files = world.build();
    const eni = world.id('old-endpoint', 'eni');
    tweak(files, 'NetworkInterfaces', (items) =>
      deadFirst(
        items,
        (x) => x.NetworkInterfaceId === eni,
        (x) => JSON.parse(JSON.stringify({ ...x, Status: 'deleting' }).replaceAll('10.0.1.71', '10.0.1.70')),
      ),
    );
    const d = ask(buildSnapshot(files), 'web', '10.0.1.70', 'tcp', 22);
    expect(d.reachable).toBe(true);
    expect(d.endpoints.to.instanceId).toBe(world.id('api'));
  });

  it('ENIs: an address only an interface being deleted holds is answered by no one', () => {
    const world = new SnapshotBuilder()
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInterface('leftover', { subnet: 'public', ip: '10.0.1.80', interfaceType: 'interface' });
    const files = world.build();
    tweak(files, 'NetworkInterfaces', (items) =>
      items.map((x) => (x.NetworkInterfaceId === world.id('leftover', 'eni') ? { ...x, Status: 'deleting' } : x)),
    );
    expect(codes(ask(buildSnapshot(files), 'web', '10.0.1.80', 'tcp', 22))).toEqual([
      'NO_INTERFACE_AT_DESTINATION forward',
    ]);
  });

  it('IGWs: a gateway being detached never stands in for the attached one', () => {
    // main's first gateway is being detached (listed first); the route table of "priv" lacks a default route.
    const world = new SnapshotBuilder()
      .addSubnet('priv', { vpc: 'main', cidr: '10.0.2.0/24' })
      .addInstance('box', { subnet: 'priv', ip: '10.0.2.10', publicIp: '54.10.0.30' });
    const files = world.build();
    tweak(files, 'InternetGateways', (items) => [
      { InternetGatewayId: 'igw-0000000000000dead', Attachments: [{ State: 'detaching', VpcId: world.id('main') }] },
      ...items,
    ]);
    const d = ask(buildSnapshot(files), 'box', '93.184.216.34', 'tcp', 443);
    expect(finding(d, 'NO_INTERNET_GATEWAY_ROUTE').fix?.params).toMatchObject({
      target: { gatewayId: world.id('main', 'igw') },
    });
  });
});

describe('every blocker on both paths: the walk goes on as if the missing link existed', () => {
  it('a deleted peering with no replacement: reports the blackhole, then the reply path too', () => {
    // "main" and "b" were peered (old, deleted since). main's route to b still names it (blackhole); b never had a
    // route back. Whoever re-peers them must also add b's route: one answer says both.
    const world = new SnapshotBuilder()
      .addVpc('b', { cidr: '10.1.0.0/16' })
      .addSubnet('b1', { vpc: 'b', cidr: '10.1.1.0/24' })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b-host', { subnet: 'b1', ip: '10.1.1.10' })
      .allowIcmp('b-host', '10.0.0.0/16')
      .peer('old', 'main', 'b', { status: 'deleted' })
      .addRoute('public', '10.1.0.0/16', 'pcx:old', 'blackhole');
    const d = ask(world, 'web', 'b-host');
    // The dead peering is named too (DESIGN §3), with no fix of its own: nothing brings a deleted peering back.
    expect(codes(d)).toEqual(['ROUTE_BLACKHOLE forward', 'PEERING_NOT_ACTIVE forward', 'NO_ROUTE return']);
    expect(finding(d, 'PEERING_NOT_ACTIVE')).toMatchObject({
      resource: world.id('old'),
      evidence: 'status deleted',
      fix: null,
      message: expect.stringContaining(
        "a deleted one cannot be made active again (the route's fix creates a new peering)",
      ),
    });
    // One plan creates the new peering, points main's route at it and adds b's missing route back through it.
    const plan = finding(d, 'ROUTE_BLACKHOLE').fix;
    expect(plan).toMatchObject({
      action: 'CreateVpcPeeringConnection',
      params: {
        vpcId: [world.id('main'), world.id('b')].sort()[0],
        peerVpcId: [world.id('main'), world.id('b')].sort()[1],
      },
      reversible: true,
    });
    expect(plan?.action === 'CreateVpcPeeringConnection' && plan.params.routes).toEqual(
      expect.arrayContaining([
        { routeTableId: world.id('public-rt'), destinationCidrBlock: '10.1.0.0/16', previousTarget: world.id('old') },
        { routeTableId: world.id('b-main'), destinationCidrBlock: '10.0.0.0/16' },
      ]),
    );
    expect(finding(d, 'NO_ROUTE', 'return').fix?.id).toBe(plan?.id);
    expect(d.forward.map((h) => h.component)).toContain('instance');
  });

  it('a deleted peering with blackhole routes both ways: one plan creates the new peering and replaces both routes', () => {
    const world = new SnapshotBuilder()
      .addVpc('b', { cidr: '10.1.0.0/16' })
      .addSubnet('b1', { vpc: 'b', cidr: '10.1.1.0/24', routeTable: 'b-main' })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b-host', { subnet: 'b1', ip: '10.1.1.10' })
      .allowIcmp('b-host', '10.0.0.0/16')
      .peer('old', 'main', 'b', { status: 'deleted' })
      .addRoute('public', '10.1.0.0/16', 'pcx:old', 'blackhole')
      .addRoute('b1', '10.0.0.0/16', 'pcx:old', 'blackhole');
    const d = ask(world, 'web', 'b-host');
    expect(codes(d)).toEqual(['ROUTE_BLACKHOLE forward', 'PEERING_NOT_ACTIVE forward', 'ROUTE_BLACKHOLE return']);
    const [forward, reply] = d.findings.filter((f) => f.code === 'ROUTE_BLACKHOLE');
    expect(forward?.fix?.id).toBe(reply?.fix?.id);
    expect(forward?.fix?.params).toMatchObject({
      routes: [
        { routeTableId: world.id('b-main'), destinationCidrBlock: '10.0.0.0/16' },
        { routeTableId: world.id('public-rt'), destinationCidrBlock: '10.1.0.0/16' },
      ].sort((x, y) => x.routeTableId.localeCompare(y.routeTableId)),
    });
  });

  it('a transit gateway attachment with no association: reports it, then checks the rest of the way', () => {
    // "main" and "spoke" share tgw "hub"; main's attachment was never associated with a route table, and spoke-host
    // admits no ICMP: both need changing.
    const world = new SnapshotBuilder()
      .addVpc('spoke', { cidr: '10.9.0.0/16' })
      .addSubnet('s1', { vpc: 'spoke', cidr: '10.9.1.0/24' })
      .addTransitGateway('hub')
      .attach('main-att', { tgw: 'hub', vpc: 'main', subnets: ['public'], associated: false })
      .attach('spoke-att', { tgw: 'hub', vpc: 'spoke', subnets: ['s1'] })
      .addRoute('public', '10.9.0.0/16', 'tgw:hub')
      .addRoute('s1', '10.0.0.0/16', 'tgw:hub')
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('spoke-host', { subnet: 's1', ip: '10.9.1.10' });
    const d = ask(world, 'web', 'spoke-host');
    expect(codes(d)).toEqual(['TGW_ATTACHMENT_NOT_ASSOCIATED forward', 'SG_INGRESS_DENIED forward']);
    // The fix associates it with hub's default association table; the walk goes on through that table's routes.
    expect(finding(d, 'TGW_ATTACHMENT_NOT_ASSOCIATED').fix).toMatchObject({
      action: 'AssociateTransitGatewayRouteTable',
      params: {
        transitGatewayRouteTableId: world.id('hub', 'tgw-rtb'),
        transitGatewayAttachmentId: world.id('main-att', 'tgw-attach'),
      },
      reversible: true,
    });
    expect(d.forward.map((h) => h.id)).toContain(world.id('hub', 'tgw-rtb'));
  });

  it('a missing transit gateway route: reports it, then the reply’s own missing route', () => {
    // spoke's attachment does not propagate into hub's table (no route to 10.9/16), and spoke's subnet has no route
    // back to main: the answer lists both.
    const world = new SnapshotBuilder()
      .addVpc('spoke', { cidr: '10.9.0.0/16' })
      .addSubnet('s1', { vpc: 'spoke', cidr: '10.9.1.0/24' })
      .addTransitGateway('hub')
      .attach('main-att', { tgw: 'hub', vpc: 'main', subnets: ['public'] })
      .attach('spoke-att', { tgw: 'hub', vpc: 'spoke', subnets: ['s1'], propagate: false })
      .addRoute('public', '10.9.0.0/16', 'tgw:hub')
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('spoke-host', { subnet: 's1', ip: '10.9.1.10' })
      .allowIcmp('spoke-host', '10.0.0.0/16');
    const d = ask(world, 'web', 'spoke-host');
    expect(codes(d)).toEqual(['TGW_NO_ROUTE forward', 'NO_ROUTE return']);
    expect(finding(d, 'TGW_NO_ROUTE').fix).toMatchObject({
      action: 'EnableTransitGatewayRouteTablePropagation',
      params: {
        transitGatewayRouteTableId: world.id('hub', 'tgw-rtb'),
        transitGatewayAttachmentId: world.id('spoke-att', 'tgw-attach'),
      },
    });
    expect(finding(d, 'NO_ROUTE', 'return').fix?.params).toMatchObject({
      target: { transitGatewayId: world.id('hub') },
    });
  });

  it('a transit gateway blackhole covering the destination: a more specific static route gets past it', () => {
    // hub's table holds a static blackhole 10.0.0.0/8 and spoke does not propagate: the fix is a static route to
    // spoke's own CIDR (more specific, so it wins), not a propagation (a static route beats a propagated one).
    const world = new SnapshotBuilder()
      .addVpc('spoke', { cidr: '10.9.0.0/16' })
      .addSubnet('s1', { vpc: 'spoke', cidr: '10.9.1.0/24' })
      .addTransitGateway('hub')
      .attach('main-att', { tgw: 'hub', vpc: 'main', subnets: ['public'] })
      .attach('spoke-att', { tgw: 'hub', vpc: 'spoke', subnets: ['s1'], propagate: false })
      .addTgwRoute('hub', '10.0.0.0/8', null)
      .addRoute('public', '10.9.0.0/16', 'tgw:hub')
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('spoke-host', { subnet: 's1', ip: '10.9.1.10' });
    expect(finding(ask(world, 'web', 'spoke-host'), 'TGW_ROUTE_BLACKHOLE').fix).toMatchObject({
      action: 'CreateTransitGatewayRoute',
      params: {
        transitGatewayRouteTableId: world.id('hub', 'tgw-rtb'),
        destinationCidrBlock: '10.9.0.0/16',
        transitGatewayAttachmentId: world.id('spoke-att', 'tgw-attach'),
      },
    });
  });
});
