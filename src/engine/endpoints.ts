/**
 * The two ends of a query placed in the snapshot: an interface (with the private address the packet carries), or
 * an address outside it (a host on the internet).
 */

import type { NetworkInterface, ResolvedEndpoint, Snapshot } from '../model/index.js';
import { hostCidr, isPublicIp, parseIp } from '../net/ip.js';
import { EPHEMERAL, hostOf, INTERNET_ANY, isHost } from './flow.js';
import type { Walk } from './walk.js';

/** Where the request starts. */
export type SourcePlace =
  | { kind: 'eni'; eni: NetworkInterface; ip: string }
  | {
      kind: 'internet';
      cidr: string;
      label: string;
      /** A private (RFC 1918/6598) address outside every VPC of the snapshot: an off-snapshot private network. */
      private?: boolean;
    };
/** Where the request goes. */
export type DestinationPlace =
  | { kind: 'eni'; eni: NetworkInterface; ip: string; publicIp: string | null }
  | { kind: 'address'; cidr: string };

/** The interface an endpoint stands for (an instance: its primary interface). */
function eniOf(s: Snapshot, ep: ResolvedEndpoint): NetworkInterface | null {
  if (ep.eni) return s.networkInterfaces.get(ep.eni) ?? null;
  const inst = ep.instanceId ? s.instances.get(ep.instanceId) : undefined;
  const first = inst?.networkInterfaceIds[0];
  return first ? (s.networkInterfaces.get(first) ?? null) : null;
}

/** The private address of an ENI an endpoint stands for (its public IP mapped back, or the primary address). */
function privateAddressOf(eni: NetworkInterface, ep: ResolvedEndpoint): string {
  if (ep.ip && eni.privateIps.some((p) => p.address === ep.ip)) return ep.ip;
  if (ep.ip) {
    const mapped = eni.privateIps.find((p) => p.publicIp === ep.ip);
    if (mapped) return mapped.address;
  }
  return eni.privateIps.find((p) => p.primary)?.address ?? eni.privateIps[0]?.address ?? ep.ip ?? '';
}

/** Places both ends of the query, or stops the walk (not analyzed) and returns null when an end cannot be placed. */
export function placeEnds(
  t: Walk,
  endpoints: { from: ResolvedEndpoint; to: ResolvedEndpoint },
): { source: SourcePlace; destination: DestinationPlace } | null {
  // Where the request starts.
  let source: SourcePlace;
  const fromEni = eniOf(t.s, endpoints.from);
  if (fromEni) {
    source = { kind: 'eni', eni: fromEni, ip: privateAddressOf(fromEni, endpoints.from) };
  } else if (endpoints.from.eni || endpoints.from.instanceId) {
    t.rec.stop(
      'network-interface',
      endpoints.from.eni ?? endpoints.from.instanceId ?? '?',
      'the source is not in the snapshot',
    );
    return null;
  } else if (endpoints.from.kind === 'internet' || !endpoints.from.ip) {
    const range = endpoints.from.sourceRange;
    source = { kind: 'internet', cidr: range?.cidrs[0] ?? INTERNET_ANY, label: range?.label ?? 'the internet' };
  } else {
    const ip = endpoints.from.ip;
    const inVpc = t.vpcHolding(ip);
    if (inVpc) {
      t.rec.stop('vpc', inVpc, `no network interface in the snapshot holds the source address ${ip}`);
      return null;
    }
    // Outside every VPC: a public address is a host on the internet (documentation and reserved ranges included);
    // a private one is a network beyond the snapshot (on premises, or a VPC it does not hold).
    source = isPublicIp(ip)
      ? { kind: 'internet', cidr: hostCidr(ip), label: `internet host ${ip}` }
      : { kind: 'internet', cidr: hostCidr(ip), label: `private host ${ip}`, private: true };
  }

  // Where it goes.
  let destination: DestinationPlace;
  const toEni = eniOf(t.s, endpoints.to);
  if (toEni) {
    const ip = privateAddressOf(toEni, endpoints.to);
    const viaPublic = endpoints.to.viaPublicIp === true && endpoints.to.ip !== null && endpoints.to.ip !== ip;
    destination = { kind: 'eni', eni: toEni, ip, publicIp: viaPublic ? endpoints.to.ip : null };
  } else if (endpoints.to.eni || endpoints.to.instanceId) {
    t.rec.stop(
      'network-interface',
      endpoints.to.eni ?? endpoints.to.instanceId ?? '?',
      'the destination is not in the snapshot',
    );
    return null;
  } else {
    destination = { kind: 'address', cidr: endpoints.to.ip ? hostCidr(endpoints.to.ip) : INTERNET_ANY };
  }

  if (source.kind === 'internet' && source.private && !overTheInternet(t, destination)) {
    const ip = hostOf(source.cidr);
    t.rec.stop(
      'query',
      ip,
      `${ip} is a private address in no VPC of the snapshot: it belongs to a network beyond it (on premises over a VPN or Direct Connect, or a VPC the snapshot does not hold), whose routes and filters whyping cannot see`,
    );
    return null;
  }
  if (source.kind === 'eni' && parseIp(source.ip)?.family !== 4) {
    t.rec.stop('network-interface', source.eni.id, `${source.eni.id} has no IPv4 address in the snapshot`);
    return null;
  }
  if (destination.kind === 'eni' && parseIp(destination.ip)?.family !== 4) {
    t.rec.stop('network-interface', destination.eni.id, `${destination.eni.id} has no IPv4 address in the snapshot`);
    return null;
  }
  if (source.kind === 'eni') {
    const inst = t.instanceOf(source.eni);
    t.clientEphemeral = inst?.platform === 'windows' ? EPHEMERAL.windows : inst ? EPHEMERAL.linux : EPHEMERAL.any;
  }
  return { source, destination };
}

/** A destination only the internet leads to from outside the snapshot: a public address of an interface or NAT gateway. */
function overTheInternet(t: Walk, destination: DestinationPlace): boolean {
  if (destination.kind === 'eni') return destination.publicIp !== null;
  const ip = hostOf(destination.cidr);
  return isHost(destination.cidr) && isPublicIp(ip) && (t.s.index.natByIp.has(ip) || t.s.index.unheldAddresses.has(ip));
}
