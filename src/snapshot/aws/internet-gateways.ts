/** Internet gateways and egress-only internet gateways. */
import type {
  EgressOnlyInternetGateway,
  EgressOnlyInternetGatewayId,
  InternetGateway,
  InternetGatewayId,
} from '../../model/index.js';
import { dedup, type Inputs } from '../merge.js';
import { attachedVpcs, origin, tagsOf, withName } from './shared.js';

export function internetGatewaysFrom(inp: Inputs): Map<InternetGatewayId, InternetGateway> {
  const internetGateways = new Map<InternetGatewayId, InternetGateway>();
  for (const [id, { value: g, file }] of dedup(
    inp.InternetGateways,
    (g) => g.InternetGatewayId,
    (g) => g.OwnerId,
  )) {
    const tags = tagsOf(g.Tags);
    const igw: InternetGateway = { id: id as InternetGatewayId, attachedVpcIds: attachedVpcs(g.Attachments), tags };
    internetGateways.set(igw.id, origin(withName(igw, tags), g.OwnerId ?? file.accountId, file.region));
  }
  return internetGateways;
}

export function egressOnlyInternetGatewaysFrom(
  inp: Inputs,
): Map<EgressOnlyInternetGatewayId, EgressOnlyInternetGateway> {
  const egressOnlyInternetGateways = new Map<EgressOnlyInternetGatewayId, EgressOnlyInternetGateway>();
  for (const [id, { value: g, file }] of dedup(
    inp.EgressOnlyInternetGateways,
    (g) => g.EgressOnlyInternetGatewayId,
    (g) => g.OwnerId,
  )) {
    const eigw: EgressOnlyInternetGateway = {
      id: id as EgressOnlyInternetGatewayId,
      attachedVpcIds: attachedVpcs(g.Attachments),
      tags: tagsOf(g.Tags),
    };
    egressOnlyInternetGateways.set(eigw.id, origin(eigw, g.OwnerId ?? file.accountId, file.region));
  }
  return egressOnlyInternetGateways;
}
