/**
 * `buildSnapshot(files)`: merge (validate describe-* JSON, gather items by key: merge.ts) → normalize (one object per
 * id, one module per noun: aws/*.ts) → link (references.ts) → index (indexes.ts). Pure: no I/O. The order below is
 * the order warnings are raised in, and each step reads only what earlier steps built.
 */
import type { RawSnapshotFile, Snapshot, SnapshotWarning } from '../model/index.js';
import { addressesFrom } from './aws/addresses.js';
import { vpcEndpointsFrom } from './aws/endpoints.js';
import { instancesFrom } from './aws/instances.js';
import { egressOnlyInternetGatewaysFrom, internetGatewaysFrom } from './aws/internet-gateways.js';
import { buildLoadBalancing } from './aws/load-balancers.js';
import { natGatewaysFrom } from './aws/nat-gateways.js';
import { networkAclsFrom } from './aws/network-acls.js';
import { networkInterfacesFrom } from './aws/network-interfaces.js';
import { peeringConnectionsFrom } from './aws/peering.js';
import { prefixListsFrom } from './aws/prefix-lists.js';
import { routeTablesFrom } from './aws/route-tables.js';
import { securityGroupsFrom } from './aws/security-groups.js';
import { forgetInterned, pushTo } from './aws/shared.js';
import { subnetsFrom } from './aws/subnets.js';
import {
  transitGatewayAttachmentsFrom,
  transitGatewayRouteTablesFrom,
  transitGatewaysFrom,
} from './aws/transit-gateways.js';
import { vpcsFrom } from './aws/vpcs.js';
import { buildIndex } from './indexes.js';
import { type Inputs, type Merger, mergeFiles } from './merge.js';
import {
  attachUnlistedInterfaces,
  checkRouteTargets,
  inheritVpcRegions,
  knownTargetIn,
  placeAddresses,
} from './references.js';

export { MAX_REPORTED_ISSUES } from './merge.js';

/** Builds the normalized, indexed snapshot from raw describe-* documents. Throws SNAPSHOT_INVALID naming file + path. */
export function buildSnapshot(files: RawSnapshotFile[]): Snapshot {
  return buildMerged(mergeFiles(files));
}

/** Lets go of keys' raw items once their noun is built (the merger's own lists: the files are not touched). */
function release(inp: Inputs, ...keys: (keyof Inputs)[]): void {
  for (const k of keys) (inp as Record<string, unknown[]>)[k] = [];
}

/**
 * Builds the snapshot from validated, gathered items. Each key's raw items are dropped as soon as its noun is built,
 * so when nothing else holds the parsed files (loadSnapshot), raw items and built objects never all coexist.
 */
export function buildMerged(merged: Merger): Snapshot {
  try {
    return buildFrom(merged);
  } finally {
    forgetInterned();
  }
}

function buildFrom(merged: Merger): Snapshot {
  const inp = merged.inputs;
  const presentKeys = merged.presentKeys;
  const warn = merged.warn.bind(merged);

  // Prefix lists first: routes and rules are worded with their names.
  const prefixLists = prefixListsFrom(inp);
  release(inp, 'PrefixLists', 'ManagedPrefixLists', 'PrefixListEntries');
  const vpcs = vpcsFrom(inp);
  const subnets = subnetsFrom(inp);
  release(inp, 'Vpcs', 'Subnets');
  inheritVpcRegions(vpcs, subnets);
  const peeringConnections = peeringConnectionsFrom(inp);
  const internetGateways = internetGatewaysFrom(inp);
  const egressOnlyInternetGateways = egressOnlyInternetGatewaysFrom(inp);
  const natGateways = natGatewaysFrom(inp, subnets);
  const transitGateways = transitGatewaysFrom(inp);
  const transitGatewayAttachments = transitGatewayAttachmentsFrom(inp);
  const transitGatewayRouteTables = transitGatewayRouteTablesFrom(inp, {
    prefixLists,
    vpcs,
    transitGatewayAttachments,
    warn,
  });
  release(
    inp,
    'VpcPeeringConnections',
    'InternetGateways',
    'EgressOnlyInternetGateways',
    'NatGateways',
    'TransitGateways',
    'TransitGatewayAttachments',
    'TransitGatewayVpcAttachments',
    'TransitGatewayPeeringAttachments',
    'TransitGatewayRouteTables',
    'TransitGatewayStaticRoutes',
    'TransitGatewayPropagations',
  );
  const vpcEndpoints = vpcEndpointsFrom(inp);
  const { routeTables, routesToCheckLater } = routeTablesFrom(inp, {
    prefixLists,
    vpcs,
    knownTarget: knownTargetIn({
      peeringConnections,
      natGateways,
      internetGateways,
      egressOnlyInternetGateways,
      transitGateways,
      vpcEndpoints,
    }),
    presentKeys,
    warn,
  });
  release(inp, 'RouteTables');
  const networkAcls = networkAclsFrom(inp, vpcs, warn);
  release(inp, 'NetworkAcls');
  const securityGroups = securityGroupsFrom(inp, prefixLists, vpcs, warn);
  release(inp, 'SecurityGroups');
  const networkInterfaces = networkInterfacesFrom(inp, warn);
  release(inp, 'NetworkInterfaces');
  const instances = instancesFrom(inp, networkInterfaces);
  release(inp, 'Reservations');
  attachUnlistedInterfaces(instances, networkInterfaces);
  const addresses = addressesFrom(inp);
  placeAddresses(addresses, instances, networkInterfaces, warn);
  checkRouteTargets(routesToCheckLater, instances, networkInterfaces, warn);

  const index = buildIndex(
    {
      vpcs,
      subnets,
      routeTables,
      networkAcls,
      networkInterfaces,
      instances,
      internetGateways,
      egressOnlyInternetGateways,
      transitGatewayAttachments,
      prefixLists,
      securityGroups,
      natGateways,
      peeringConnections,
      addresses,
    },
    presentKeys,
    warn,
  );

  const loadBalancing = buildLoadBalancing(inp, { networkInterfaces, subnets, vpcEndpoints, presentKeys }, warn);

  const warningsByResource = new Map<string, SnapshotWarning[]>();
  for (const w of merged.warnings) for (const id of new Set(w.resourceIds)) pushTo(warningsByResource, id, w);
  index.warningsByResource = warningsByResource;

  return {
    vpcs,
    subnets,
    routeTables,
    securityGroups,
    networkAcls,
    networkInterfaces,
    instances,
    internetGateways,
    egressOnlyInternetGateways,
    natGateways,
    peeringConnections,
    addresses,
    transitGateways,
    transitGatewayAttachments,
    transitGatewayRouteTables,
    vpcEndpoints,
    prefixLists,
    ...(loadBalancing ? { loadBalancing } : {}),
    presentKeys,
    warnings: merged.warnings,
    index,
  };
}
