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
import { pushTo } from './aws/shared.js';
import { subnetsFrom } from './aws/subnets.js';
import {
  transitGatewayAttachmentsFrom,
  transitGatewayRouteTablesFrom,
  transitGatewaysFrom,
} from './aws/transit-gateways.js';
import { vpcsFrom } from './aws/vpcs.js';
import { buildIndex } from './indexes.js';
import { mergeFiles } from './merge.js';
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
  const merged = mergeFiles(files);
  const inp = merged.inputs;
  const presentKeys = merged.presentKeys;
  const warn = merged.warn.bind(merged);

  // Prefix lists first: routes and rules are worded with their names.
  const prefixLists = prefixListsFrom(inp);
  const vpcs = vpcsFrom(inp);
  const subnets = subnetsFrom(inp);
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
  const networkAcls = networkAclsFrom(inp, vpcs, warn);
  const securityGroups = securityGroupsFrom(inp, prefixLists, vpcs, warn);
  const networkInterfaces = networkInterfacesFrom(inp, warn);
  const instances = instancesFrom(inp, networkInterfaces);
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
