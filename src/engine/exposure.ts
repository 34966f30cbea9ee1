/**
 * What a fix exposes to the internet, said before anyone confirms it: a rule opening an administration port to
 * `0.0.0.0/0`, and the ports a new public address makes reachable through the rules already in place.
 */
import type { NetworkInterface, SgRule, Snapshot } from '../model/index.js';

/** Ports people log in or administer through (shells, remote desktops, databases, caches, cluster APIs). */
const ADMIN_PORTS: Record<number, string> = {
  22: 'SSH',
  23: 'Telnet',
  135: 'Windows RPC',
  139: 'NetBIOS',
  445: 'SMB',
  1433: 'SQL Server',
  1521: 'Oracle',
  2375: 'Docker API',
  2376: 'Docker API',
  2379: 'etcd',
  3306: 'MySQL',
  3389: 'RDP',
  5432: 'PostgreSQL',
  5900: 'VNC',
  5984: 'CouchDB',
  6379: 'Redis',
  6443: 'Kubernetes API',
  9200: 'Elasticsearch',
  11211: 'Memcached',
  27017: 'MongoDB',
};

/** True for the CIDRs that mean "anyone": 0.0.0.0/0 and ::/0. */
export function isAnywhere(cidr: string): boolean {
  return cidr === '0.0.0.0/0' || cidr === '::/0';
}

/** ADMIN_PORTS in ascending port order, each with its words (`22 (SSH)`). */
const ADMIN_PORT_LIST = Object.entries(ADMIN_PORTS).map(([p, name]) => ({ port: Number(p), text: `${p} (${name})` }));

/** The administration ports inside a port range, as `22 (SSH)`; every one of them for "all ports". */
function adminPortsIn(from: number, to: number): string[] {
  return ADMIN_PORT_LIST.filter((a) => a.port >= from && a.port <= to).map((a) => a.text);
}

/**
 * The warning a new rule from `cidr` deserves: null unless it opens an administration port to anyone. It names the
 * ports and how to ask for less (the asker's own range as the source).
 */
export function adminPortWarning(protocol: string, fromPort: number, toPort: number, cidr: string): string | null {
  if (!isAnywhere(cidr) || (protocol !== 'tcp' && protocol !== 'udp')) return null;
  const ports = adminPortsIn(fromPort, toPort);
  if (ports.length === 0) return null;
  const port = ports[0]?.split(' ')[0];
  return `This opens ${protocol.toUpperCase()} ${ports.join(', ')} to the whole internet (${cidr}): anyone can try to log in. To open it to one address only, ask from that address instead of internet (\`<your public IP> → host:${port}\`): the rule then names its /32.`;
}

function ruleOpensToAnyone(r: SgRule): boolean {
  return r.peer.kind === 'cidr' && isAnywhere(r.peer.cidr);
}

function rulePorts(r: SgRule): [number, number] {
  if (r.protocol === 'all' || r.fromPort === null || r.toPort === null || r.fromPort === -1) return [0, 65535];
  return [r.fromPort, r.toPort];
}

/**
 * What a new public address on `eni` exposes: every inbound rule of its security groups that allows anyone
 * (0.0.0.0/0 or ::/0), administration ports called out. Always a sentence, so the confirmation says it either way.
 */
export function publicAddressExposure(s: Snapshot, eni: NetworkInterface): string {
  const open: string[] = [];
  const admin: string[] = [];
  for (const gid of eni.groupIds) {
    const g = s.securityGroups.get(gid);
    for (const r of g?.ingress ?? []) {
      if (!ruleOpensToAnyone(r)) continue;
      open.push(`${r.text} (${gid})`);
      if (r.protocol === 'tcp' || r.protocol === 'udp' || r.protocol === 'all') {
        const [from, to] = rulePorts(r);
        admin.push(...adminPortsIn(from, to));
      }
    }
  }
  const groups = eni.groupIds.join(', ') || 'its security groups';
  if (open.length === 0) {
    return `A public address on ${eni.id} exposes nothing more for now: no inbound rule of ${groups} allows traffic from anywhere.`;
  }
  const adminText =
    admin.length > 0 ? ` Administration ports among them: ${[...new Set(admin)].join(', ')}: review them first.` : '';
  return `A public address on ${eni.id} exposes to the whole internet what ${groups} allow from anywhere: ${open.join('; ')}.${adminText}`;
}
