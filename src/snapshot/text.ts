/** Console wording of rules, entries and routes, so every hop cites the object the way the user will see it. */
import type {
  NaclEntry,
  Route,
  RouteDestination,
  RouteTarget,
  RuleProtocol,
  SgPeer,
  TransitGatewayRoute,
} from '../model/index.js';

const ICMP_TYPE_NAMES: Record<number, string> = {
  0: 'Echo Reply',
  3: 'Destination Unreachable',
  4: 'Source Quench',
  5: 'Redirect',
  8: 'Echo Request',
  11: 'Time Exceeded',
  12: 'Parameter Problem',
  13: 'Timestamp',
  14: 'Timestamp Reply',
};

/** `-1`/`all` → all; 6/17/1/58 and names → tcp/udp/icmp/icmpv6; other IANA numbers stay numbers. */
export function normalizeProtocol(raw: string): RuleProtocol {
  const p = raw.trim().toLowerCase();
  switch (p) {
    case '-1':
    case 'all':
      return 'all';
    case '6':
    case 'tcp':
      return 'tcp';
    case '17':
    case 'udp':
      return 'udp';
    case '1':
    case 'icmp':
      return 'icmp';
    case '58':
    case 'icmpv6':
      return 'icmpv6';
    default:
      // The schema admits only names above and IANA numbers here.
      return Number(p);
  }
}

function protocolWord(p: RuleProtocol): string {
  if (p === 'all') return 'ALL';
  if (p === 'icmpv6') return 'ICMPv6';
  if (typeof p === 'number') return `protocol ${p}`;
  return p.toUpperCase();
}

function portsWord(from: number | null, to: number | null): string {
  if (from === null || to === null || (from <= 0 && to >= 65535) || from === -1) return 'ALL';
  return from === to ? String(from) : `${from}-${to}`;
}

/** `ICMP Echo Request (8/-1)`, `ICMP ALL`, `ICMP 13/0`. */
function icmpWord(proto: 'icmp' | 'icmpv6', type: number | null, code: number | null): string {
  const word = protocolWord(proto);
  if (type === null || type === -1) return `${word} ALL`;
  const name = proto === 'icmp' ? ICMP_TYPE_NAMES[type] : undefined;
  const pair = `${type}/${code ?? -1}`;
  return name ? `${word} ${name} (${pair})` : `${word} ${pair}`;
}

/** The protocol-and-ports part of a rule: `TCP 22`, `UDP 1024-65535`, `ALL traffic`, `ICMP Echo Request (8/-1)`. */
export function trafficWord(protocol: RuleProtocol, from: number | null, to: number | null): string {
  if (protocol === 'all') return 'ALL traffic';
  if (protocol === 'icmp' || protocol === 'icmpv6') return icmpWord(protocol, from, to);
  if (protocol === 'tcp' || protocol === 'udp') return `${protocolWord(protocol)} ${portsWord(from, to)}`;
  return protocolWord(protocol);
}

/** `10.1.0.0/16`, `pl-0abc (com.amazonaws.us-east-1.s3)`, `sg-0abc (web-sg)`, `111122223333/sg-0abc`. */
export function peerWord(peer: SgPeer, names: { prefixList?: string; group?: string }): string {
  switch (peer.kind) {
    case 'cidr':
      return peer.cidr;
    case 'prefix-list':
      return names.prefixList ? `${peer.id} (${names.prefixList})` : peer.id;
    case 'security-group': {
      const id = peer.userId ? `${peer.userId}/${peer.groupId}` : peer.groupId;
      return names.group ? `${id} (${names.group})` : id;
    }
    default: {
      const never: never = peer;
      return String(never);
    }
  }
}

/** The text of a rule before its peer: `inbound TCP 22 from `, `outbound ALL traffic to `. */
export function sgRulePrefix(
  direction: 'ingress' | 'egress',
  protocol: RuleProtocol,
  from: number | null,
  to: number | null,
): string {
  return direction === 'ingress'
    ? `inbound ${trafficWord(protocol, from, to)} from `
    : `outbound ${trafficWord(protocol, from, to)} to `;
}

/** `inbound ICMP Echo Request (8/-1) from 10.1.0.0/16`, `outbound ALL traffic to 0.0.0.0/0`. */
export function sgRuleText(
  direction: 'ingress' | 'egress',
  protocol: RuleProtocol,
  from: number | null,
  to: number | null,
  peer: string,
): string {
  return direction === 'ingress'
    ? `inbound ${trafficWord(protocol, from, to)} from ${peer}`
    : `outbound ${trafficWord(protocol, from, to)} to ${peer}`;
}

/** `100 ICMP ALL 10.2.0.0/16 DENY`, `110 TCP 1024-65535 0.0.0.0/0 ALLOW`, `* ALL ALL 0.0.0.0/0 DENY`. */
export function naclEntryText(e: Omit<NaclEntry, 'text'>): string {
  const num = e.ruleNumber === 32767 ? '*' : String(e.ruleNumber);
  let what: string;
  if (e.protocol === 'all') what = 'ALL ALL';
  else if (e.protocol === 'icmp' || e.protocol === 'icmpv6') {
    const t = e.icmp?.type ?? -1;
    what = t === -1 ? `${protocolWord(e.protocol)} ALL` : icmpWord(e.protocol, t, e.icmp?.code ?? -1);
  } else if (e.protocol === 'tcp' || e.protocol === 'udp') {
    what = `${protocolWord(e.protocol)} ${e.portRange ? portsWord(e.portRange.from, e.portRange.to) : 'ALL'}`;
  } else what = `${protocolWord(e.protocol)} ALL`;
  return `${num} ${what} ${e.cidr} ${e.action.toUpperCase()}`;
}

function targetWord(t: RouteTarget): string {
  switch (t.kind) {
    case 'local':
      return 'local';
    case 'other':
      return t.id || t.field;
    default:
      return t.id;
  }
}

/** `10.2.0.0/16 → pcx-0abc (blackhole)`, `pl-0abc (com.amazonaws.us-east-1.s3) → vpce-0def`. */
export function routeText(
  destination: RouteDestination,
  target: RouteTarget,
  state: Route['state'],
  prefixListName?: string,
): string {
  const dest =
    destination.kind === 'cidr'
      ? destination.cidr
      : prefixListName
        ? `${destination.id} (${prefixListName})`
        : destination.id;
  return `${dest} → ${targetWord(target)}${state === 'blackhole' ? ' (blackhole)' : ''}`;
}

/** `10.2.0.0/16 → tgw-attach-0abc (vpc-0123) [propagated]`, `10.9.0.0/16 → blackhole [static]`. */
export function tgwRouteText(
  r: Omit<TransitGatewayRoute, 'text'>,
  resourceOf: (id: string) => string | undefined,
): string {
  const targets =
    r.state === 'blackhole' || r.attachmentIds.length === 0
      ? 'blackhole'
      : r.attachmentIds
          .map((id) => {
            const res = resourceOf(id);
            return res ? `${id} (${res})` : id;
          })
          .join(', ');
  return `${r.cidr} → ${targets} [${r.type}]`;
}
