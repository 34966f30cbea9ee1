/**
 * Fixes that make a missing link, end to end in the sandbox (the in-memory account beneath the real EC2 client):
 * the engine plans them, applyFix applies them, the re-diagnosis is reachable, the undos bring the blockers back.
 * - Transit gateway: "main" and "spoke" share "hub", but main's attachment was never associated with a route table
 *   and spoke's never propagates into it.
 * - Peering: "main" and "b" were peered once; the peering is deleted and both routes to it are blackholes.
 */
import { describe, expect, it } from 'vitest';
import { applyFix, applyUndo, readUndoToken } from '../../src/core/apply-fix.js';
import type { Deps } from '../../src/core/deps.js';
import { investigate } from '../../src/core/investigate.js';
import type { Query, RawSnapshotFile } from '../../src/model/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { SnapshotBuilder } from '../support/builder.js';
import { sandboxDeps } from '../support/sandbox-deps.js';
import { TEST_UNDO } from '../support/undo-key.js';

const now = () => new Date('2026-11-25T10:00:00Z');
const opts = { actor: 'cli:tester', confirm: async () => true, undo: TEST_UNDO };

/** Undoes a fix command from its one token. */
const undo = (deps: Deps, token: string | undefined) =>
  applyUndo(deps, readUndoToken(token ?? '', TEST_UNDO.key, now()).token, 'cli:tester');

const depsOf = (sb: Sandbox): Deps => sandboxDeps(sb, now);

const world = new SnapshotBuilder()
  .addVpc('spoke', { cidr: '10.9.0.0/16' })
  .addSubnet('s1', { vpc: 'spoke', cidr: '10.9.1.0/24' })
  .addTransitGateway('hub')
  .attach('main-att', { tgw: 'hub', vpc: 'main', subnets: ['public'], associated: false })
  .attach('spoke-att', { tgw: 'hub', vpc: 'spoke', subnets: ['s1'], propagate: false })
  .addRoute('public', '10.9.0.0/16', 'tgw:hub')
  .addRoute('s1', '10.0.0.0/16', 'tgw:hub')
  .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
  .addInstance('spoke-host', { subnet: 's1', ip: '10.9.1.10' })
  .allowIcmp('spoke-host', '10.0.0.0/16');
const PING: Query = { from: 'web', to: 'spoke-host', protocol: 'icmp', port: null };

/**
 * The world as AWS describes it: propagated routes come from GetTransitGatewayRouteTablePropagations (the builder
 * lists them among the searched routes, which the live collection reads for static routes only).
 */
function files(): RawSnapshotFile[] {
  const out = world.build();
  const statics = out.find((f) => 'TransitGatewayStaticRoutes' in (f.data as object));
  if (!statics) throw new Error('the world has no transit gateway routes');
  const tables = (statics.data as { TransitGatewayStaticRoutes: TgwTable[] }).TransitGatewayStaticRoutes;
  const propagations = tables.map((t) => ({
    TransitGatewayRouteTableId: t.TransitGatewayRouteTableId,
    TransitGatewayRouteTablePropagations: t.Routes.filter((r) => r.Type === 'propagated').map((r) => ({
      ...r.TransitGatewayAttachments[0],
      State: 'enabled',
    })),
  }));
  for (const t of tables) t.Routes = t.Routes.filter((r) => r.Type !== 'propagated');
  out.push({
    path: 'builder/us-east-1/TransitGatewayPropagations.json',
    data: { TransitGatewayPropagations: propagations },
  });
  return out;
}
interface TgwTable {
  TransitGatewayRouteTableId: string;
  Routes: { Type: string; TransitGatewayAttachments: Record<string, string>[] }[];
}

describe('transit gateway fixes in the sandbox', () => {
  it('associates the attachment and enables propagation, after which the ping passes; the undos restore both blockers', async () => {
    const sb = createSandbox({ files: files(), now });
    const deps = depsOf(sb);
    const before = await investigate(PING, { kind: 'live', deps });
    expect(before.findings.map((f) => `${f.code} ${f.fix?.action ?? '-'}`)).toEqual([
      'TGW_ATTACHMENT_NOT_ASSOCIATED AssociateTransitGatewayRouteTable',
      'TGW_NO_ROUTE EnableTransitGatewayRouteTablePropagation',
    ]);

    const r = await applyFix(deps, PING, 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.reachableAfter).toBe(true);

    expect(r.undo?.tokens).toHaveLength(1);
    const u = await undo(deps, r.undo?.tokens[0]);
    expect(u.status, u.message).toBe('applied');
    const after = await investigate(PING, { kind: 'live', deps });
    expect(after.findings.map((f) => f.code)).toEqual(['TGW_ATTACHMENT_NOT_ASSOCIATED', 'TGW_NO_ROUTE']);
  });

  it('names the IAM action the sandbox denies and changes nothing', async () => {
    const sb = createSandbox({ files: files(), now, deny: ['ec2:EnableTransitGatewayRouteTablePropagation'] });
    const r = await applyFix(depsOf(sb), PING, 'all', opts);
    expect(r.status).toBe('refused');
    expect(r.missingPermission).toBe('ec2:EnableTransitGatewayRouteTablePropagation');
  });
});

describe('a new peering in the sandbox', () => {
  const peered = new SnapshotBuilder()
    .addVpc('b', { cidr: '10.1.0.0/16' })
    .addSubnet('b1', { vpc: 'b', cidr: '10.1.1.0/24', routeTable: 'b-main' })
    .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
    .addInstance('b-host', { subnet: 'b1', ip: '10.1.1.10' })
    .allowIcmp('b-host', '10.0.0.0/16')
    .peer('old', 'main', 'b', { status: 'deleted' })
    .addRoute('public', '10.1.0.0/16', 'pcx:old', 'blackhole')
    .addRoute('b1', '10.0.0.0/16', 'pcx:old', 'blackhole');
  const TO_B: Query = { from: 'web', to: 'b-host', protocol: 'icmp', port: null };

  it('creates and accepts a peering in place of the deleted one and repoints both routes; the undo deletes it', async () => {
    const sb = createSandbox({ files: peered.build(), now });
    const deps = depsOf(sb);
    const r = await applyFix(deps, TO_B, 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.reachableAfter).toBe(true);
    const created = sb.calls.filter((c) => c.operation === 'CreateVpcPeeringConnection' && !c.error);
    expect(created).toHaveLength(1);

    const u = await undo(deps, r.undo?.tokens[0]);
    expect(u.status, u.message).toBe('applied');
    expect((await investigate(TO_B, { kind: 'live', deps })).findings.map((f) => `${f.code} ${f.direction}`)).toEqual([
      'ROUTE_BLACKHOLE forward',
      'PEERING_NOT_ACTIVE forward',
      'ROUTE_BLACKHOLE return',
    ]);
  });

  it('adds the route the other side lacks through the new peering, in the same plan', async () => {
    const oneWay = new SnapshotBuilder()
      .addVpc('b', { cidr: '10.1.0.0/16' })
      .addSubnet('b1', { vpc: 'b', cidr: '10.1.1.0/24' })
      .addInstance('web', { subnet: 'public', ip: '10.0.1.10' })
      .addInstance('b-host', { subnet: 'b1', ip: '10.1.1.10' })
      .allowIcmp('b-host', '10.0.0.0/16')
      .peer('old', 'main', 'b', { status: 'deleted' })
      .addRoute('public', '10.1.0.0/16', 'pcx:old', 'blackhole');
    const sb = createSandbox({ files: oneWay.build(), now });
    const r = await applyFix(depsOf(sb), TO_B, 'all', opts);
    expect(r.status, r.message).toBe('applied');
    expect(r.reachableAfter).toBe(true);
    expect(sb.calls.filter((c) => c.operation === 'CreateRoute' && !c.error)).toHaveLength(1);
  });
});
