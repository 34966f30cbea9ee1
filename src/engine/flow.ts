/**
 * One direction of the conversation as it crosses the network (the request, then the reply), the traffic it
 * carries and the client's ephemeral port range.
 */

import type { Hop, NatGateway, NetworkInterface, Protocol } from '../model/index.js';
import { parseCidr } from '../net/ip.js';
import type { Traffic } from './rules.js';

/**
 * Ephemeral ports a client picks for TCP/UDP (the reply's destination port). A real client picks one port per
 * connection, so a range a network ACL denies in part fails only the connections whose port falls there: a warning
 * when half the range or less is denied, a blocker when more. See docs/engine.md ("Ephemeral ports").
 */
export const EPHEMERAL = {
  /** Linux net.ipv4.ip_local_port_range default. */
  linux: { from: 32768, to: 60999 },
  /** Windows Server 2008 and later. */
  windows: { from: 49152, to: 65535 },
  /** NAT gateway source ports, and any client whose OS we do not know. */
  any: { from: 1024, to: 65535 },
} as const;

/** Steps (route lookups) one direction may take before the path is called a loop. */
export const MAX_STEPS = 64;
export const INTERNET_ANY = '0.0.0.0/0';

/** The request (forward) or the reply (return). */
export type Side = 'forward' | 'return';

/** A source translation made by a NAT gateway on the way out, undone on the way back. */
export interface NatRecord {
  nat: NatGateway;
  natEni: NetworkInterface | null;
  privateIp: string;
  origSrc: string;
  origEphemeral: { from: number; to: number };
}

/** One direction of the conversation as it crosses the network. */
export interface Flow {
  side: Side;
  hops: Hop[];
  protocol: Protocol;
  traffic: Traffic;
  /** Header addresses as CIDRs (a host is a /32; an internet endpoint may be a range such as `0.0.0.0/0`). */
  src: string;
  dst: string;
  /** The ENI that sent the packet, while the packet still carries its private address (for SG references). */
  srcEni: NetworkInterface | null;
  viaPeering: boolean;
  viaTgw: boolean;
  /**
   * The sender's ENI across a transit gateway that supports security group referencing (the gateway and both VPC
   * attachments enable it): inbound rules at the destination may match its groups. Null otherwise.
   */
  tgwRefEni: NetworkInterface | null;
  viaInternet: boolean;
  /** A NAT gateway translated this packet's source (forward), or this reply must be translated back (return). */
  natted: NatRecord | null;
  steps: number;
  /**
   * Where this direction entered transit gateways so far (`tgw|attachment|destination`): the same entry twice means
   * the routes send the packet round in a circle.
   */
  tgwEntries: Set<string>;
  /**
   * The path went on through a route or association that does not exist (the one a blocker's fix would add): a loop
   * beyond it may be of that assumption's making, so it is not reported as the network's.
   */
  assumedRoute: boolean;
  /** The last transit gateway route that sent this packet on (the one that closes a loop, when there is one). */
  lastTgwRoute: { tgwId: string; routeTableId: string; text: string; attachmentId: string } | null;
  /**
   * Ports of the client's range (`traffic` as it was then) that network ACLs earlier on this reply path deny, when
   * each denied too few to block: connections fail when any ACL on the way denies their port, so the shares add up.
   */
  partlyDenied: { traffic: Traffic; acls: string[]; ports: { from: number; to: number }[] } | null;
  /** Where the packet ended: a network interface, or the internet. */
  arrived: { kind: 'eni'; eni: NetworkInterface; srcSeen: string } | { kind: 'internet'; srcSeen: string } | null;
}

/** A new direction of the conversation, before its first hop. */
export function newFlow(side: Side, protocol: Protocol, traffic: Traffic, src: string, dst: string): Flow {
  return {
    side,
    hops: [],
    protocol,
    traffic,
    src,
    dst,
    srcEni: null,
    viaPeering: false,
    viaTgw: false,
    tgwRefEni: null,
    viaInternet: false,
    natted: null,
    steps: 0,
    tgwEntries: new Set(),
    assumedRoute: false,
    lastTgwRoute: null,
    partlyDenied: null,
    arrived: null,
  };
}

/** The address of a host CIDR (`10.0.0.5/32` → `10.0.0.5`). */
export function hostOf(cidr: string): string {
  const slash = cidr.indexOf('/');
  return slash < 0 ? cidr : cidr.slice(0, slash);
}

/** True for a single address (/32 or /128). */
export function isHost(cidr: string): boolean {
  const c = parseCidr(cidr);
  return c !== null && (c.family === 4 ? c.prefix === 32 : c.prefix === 128);
}
