/**
 * Endpoint resolution against a snapshot: what the user typed (`web-1`, `i-…`, `eni-…`, `10.2.4.95`, `54.1.2.3`,
 * `internet`, `eic`) → the instance / ENI / address the engine traces from or to. Pure.
 */
import { WhypingError } from '../errors.js';
import type {
  Instance,
  LoadBalancer,
  NetworkInterface,
  NetworkInterfaceId,
  ResolvedEndpoint,
  Snapshot,
  VpcEndpoint,
  VpcId,
} from '../model/index.js';
import { attachmentPhase } from '../model/resources.js';
import { isCidr, parseIp, unusableAddress } from '../net/ip.js';

/** Words that stand for "a host on the internet". */
const INTERNET_WORDS = new Set(['internet', 'the-internet', '0.0.0.0/0']);
/** Words that stand for the region's EC2 Instance Connect service range. */
const EIC_WORDS = new Set(['eic', 'ec2-instance-connect', 'instance-connect']);
const MAX_CANDIDATES = 5;

/** Something that looks like an address the user meant to type (validated strictly afterwards). */
const IPV4_LIKE = /^\d+(\.\d+)+$/;
const IPV6_LIKE = /^[0-9a-f:.]*:[0-9a-f:.]*$/i;

interface Context {
  /** Region of the other endpoint: picks the EIC range. */
  region?: string;
  /** VPC of the other endpoint: picks among ENIs sharing a private IP (overlapping CIDRs). */
  vpcId?: VpcId;
}

/** The region's EC2 Instance Connect managed prefix list name. */
export function eicPrefixListName(region: string): string {
  return `com.amazonaws.${region}.ec2-instance-connect`;
}

function primaryIp(eni: NetworkInterface | undefined): string | null {
  return eni?.privateIps[0]?.address ?? null;
}

function instanceLabel(inst: Instance): string {
  const bits = [inst.id, inst.state];
  if (inst.vpcId) bits.push(inst.vpcId);
  if (inst.region) bits.push(inst.region);
  return `${inst.name ?? '(no Name)'} (${bits.join(', ')})`;
}

function eniLabel(s: Snapshot, eni: NetworkInterface): string {
  const inst = eni.attachment?.instanceId ? s.instances.get(eni.attachment.instanceId) : undefined;
  const owner = inst ? `${inst.name ? `${inst.name} ` : ''}${inst.id}` : eni.description || eni.interfaceType;
  return `${eni.id} (${owner}, ${eni.vpcId}${eni.region ? `, ${eni.region}` : ''})`;
}

function fromInstance(s: Snapshot, inst: Instance, input: string): ResolvedEndpoint {
  const eniId = inst.networkInterfaceIds[0];
  const eni = eniId ? s.networkInterfaces.get(eniId) : undefined;
  const out: ResolvedEndpoint = {
    kind: 'instance',
    input,
    id: inst.id,
    ip: primaryIp(eni) ?? inst.privateIp ?? null,
    instanceId: inst.id,
  };
  if (eniId) out.eni = eniId;
  if (inst.name) out.name = inst.name;
  return out;
}

function withEniOwner(s: Snapshot, out: ResolvedEndpoint, eni: NetworkInterface): ResolvedEndpoint {
  out.eni = eni.id;
  const instId = eni.attachment?.instanceId;
  if (instId) {
    out.instanceId = instId;
    const name = s.instances.get(instId)?.name;
    if (name) out.name = name;
  } else if (eni.tags.Name) out.name = eni.tags.Name;
  return out;
}

/** A load balancer: the node in its first zone whose interface the snapshot holds stands for it. */
function fromLoadBalancer(s: Snapshot, lb: LoadBalancer, input: string): ResolvedEndpoint {
  const node = lb.nodes.find((n) => n.networkInterfaceId && s.networkInterfaces.has(n.networkInterfaceId));
  const eni = node?.networkInterfaceId ? s.networkInterfaces.get(node.networkInterfaceId) : undefined;
  if (!eni) {
    throw new WhypingError(
      'UNKNOWN_ENDPOINT',
      `The snapshot holds no network interface of ${lb.name}'s nodes, so "${input}" cannot be placed. Add the output of \`aws ec2 describe-network-interfaces\`, or name the node's address.`,
      { input, candidates: [] },
    );
  }
  // An internet-facing load balancer's DNS name resolves to its public addresses from anywhere, its VPC included.
  const publicIp = lb.scheme === 'internet-facing' ? (node?.publicIp ?? eni.privateIps[0]?.publicIp) : undefined;
  const out: ResolvedEndpoint = {
    kind: 'load-balancer',
    input,
    id: lb.arn,
    ip: publicIp ?? node?.privateIp ?? primaryIp(eni),
    eni: eni.id,
    name: lb.name,
  };
  if (publicIp) out.viaPublicIp = true;
  return out;
}

/** An interface VPC endpoint: its first interface stands for it. */
function fromEndpoint(s: Snapshot, ep: VpcEndpoint, input: string): ResolvedEndpoint {
  const eni = ep.networkInterfaceIds.map((id) => s.networkInterfaces.get(id)).find((e) => e !== undefined);
  if (!eni) {
    throw new WhypingError(
      'UNKNOWN_ENDPOINT',
      `${ep.id} is a ${ep.type} endpoint with no network interface in the snapshot: only an interface endpoint is a place to reach (a gateway endpoint is a route target).`,
      { input, candidates: [] },
    );
  }
  return { kind: 'vpc-endpoint', input, id: ep.id, ip: primaryIp(eni), eni: eni.id, name: ep.serviceName };
}

/** A load balancer by ARN, name or DNS name; an interface endpoint by id or DNS name; null when none matches. */
function resolveLoadBalancing(s: Snapshot, text: string): ResolvedEndpoint | null {
  const lbs = s.loadBalancing;
  const lower = text.toLowerCase().replace(/\.$/, '');
  if (text.startsWith('arn:')) {
    const lb = lbs?.loadBalancers.get(text);
    if (lb) return fromLoadBalancer(s, lb, text);
    throw new WhypingError(
      'UNKNOWN_ENDPOINT',
      `No load balancer in the snapshot has the ARN ${text}. Name a load balancer (its name, ARN or DNS name), an instance, an ENI or an address.`,
      { input: text, candidates: [...(lbs?.loadBalancers.keys() ?? [])].slice(0, MAX_CANDIDATES) },
    );
  }
  const ep =
    s.vpcEndpoints.get(lower as `vpce-${string}`) ?? s.vpcEndpoints.get(lbs?.endpointByDns.get(lower) ?? 'vpce-');
  if (ep) return fromEndpoint(s, ep, text);
  const arns = lbs?.byName.get(lower) ?? [];
  if (arns.length > 1)
    throw ambiguous(
      text,
      arns.map((a) => a),
      'Use the load balancer ARN instead.',
    );
  const lb = arns[0] ? lbs?.loadBalancers.get(arns[0]) : undefined;
  return lb ? fromLoadBalancer(s, lb, text) : null;
}

function fromEni(s: Snapshot, eni: NetworkInterface, input: string): ResolvedEndpoint {
  return withEniOwner(s, { kind: 'network-interface', input, id: eni.id, ip: primaryIp(eni) }, eni);
}

/**
 * Levenshtein distance, or `limit + 1` as soon as it is known to exceed `limit`: close names for a typo, here and
 * in the live resolver (src/collect/resolve.ts).
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Up to 5 close matches: Name tags (and ids) sharing a prefix with the input, or within a small edit distance. */
export function closeMatches(s: Snapshot, text: string): string[] {
  const q = text.toLowerCase();
  const scored: { label: string; score: number }[] = [];
  const consider = (key: string, label: string) => {
    const k = key.toLowerCase();
    let score: number;
    if (k.startsWith(q) || q.startsWith(k)) score = Math.abs(k.length - q.length) / 100;
    else if (k.includes(q) && q.length >= 3) score = 0.5;
    else {
      const limit = Math.max(2, Math.floor(q.length / 3));
      // The first 64 characters: a long Name tag costs no more than a short one.
      const d = editDistance(q.slice(0, 64), k.slice(0, 64), limit);
      if (d > limit) return;
      score = d;
    }
    scored.push({ label, score });
  };
  const isId = /^(i|eni)-/.test(q);
  for (const inst of s.instances.values()) {
    if (inst.name) consider(inst.name, `${inst.name} (${inst.id})`);
    if (isId) consider(inst.id, inst.name ? `${inst.id} (${inst.name})` : inst.id);
  }
  for (const eni of s.networkInterfaces.values()) {
    if (eni.tags.Name) consider(eni.tags.Name, `${eni.tags.Name} (${eni.id})`);
    if (isId && q.startsWith('eni-')) consider(eni.id, eni.id);
  }
  scored.sort((a, b) => a.score - b.score || a.label.localeCompare(b.label));
  const out: string[] = [];
  for (const c of scored) {
    if (!out.includes(c.label)) out.push(c.label);
    if (out.length === MAX_CANDIDATES) break;
  }
  return out;
}

function unknown(s: Snapshot, text: string, what: string): WhypingError {
  const candidates = closeMatches(s, text);
  const hint = candidates.length
    ? ` Did you mean: ${candidates.join(', ')}?`
    : ' Use an instance id, ENI id, Name tag, IP address, `internet` or `eic`.';
  return new WhypingError('UNKNOWN_ENDPOINT', `No ${what} matches "${text}" in the snapshot.${hint}`, {
    input: text,
    candidates,
  });
}

function ambiguous(text: string, labels: string[], advice: string): WhypingError {
  return new WhypingError(
    'AMBIGUOUS_ENDPOINT',
    `"${text}" matches ${labels.length} things: ${labels.join('; ')}. ${advice}`,
    { input: text, candidates: labels },
  );
}

/** VPCs reachable from `vpcId` in one hop: peering connections (any status) and shared transit gateways. */
function connectedVpcs(s: Snapshot, vpcId: VpcId): Set<string> {
  const out = new Set<string>([vpcId]);
  for (const pcx of s.peeringConnections.values()) {
    if (pcx.requester.vpcId === vpcId) out.add(pcx.accepter.vpcId);
    if (pcx.accepter.vpcId === vpcId) out.add(pcx.requester.vpcId);
  }
  const tgws = new Set<string>();
  for (const attId of s.index.vpcTransitGatewayAttachments.get(vpcId) ?? []) {
    const att = s.transitGatewayAttachments.get(attId);
    if (att && attachmentPhase(att.state) !== 'dead') tgws.add(att.transitGatewayId);
  }
  if (tgws.size)
    for (const att of s.transitGatewayAttachments.values())
      if (att.resourceType === 'vpc' && tgws.has(att.transitGatewayId)) out.add(att.resourceId);
  return out;
}

/**
 * Several ENIs hold the same private IP (overlapping VPC CIDRs): keep the one in the other endpoint's VPC, else the one
 * in a VPC peered with it or on the same transit gateway. Anything else stays ambiguous.
 */
function pickByVpc(s: Snapshot, enis: NetworkInterface[], ctx: Context): NetworkInterface[] {
  if (!ctx.vpcId || enis.length < 2) return enis;
  const same = enis.filter((e) => e.vpcId === ctx.vpcId);
  if (same.length) return same;
  const near = connectedVpcs(s, ctx.vpcId);
  const linked = enis.filter((e) => near.has(e.vpcId));
  return linked.length ? linked : enis;
}

function resolveIp(s: Snapshot, text: string, ctx: Context): ResolvedEndpoint {
  const parsed = parseIp(text);
  if (!parsed) {
    throw new WhypingError(
      'BAD_INPUT',
      `"${text}" is not a valid IP address. Check the digits (each IPv4 part is 0–255), or quote a Name tag.`,
      { input: text },
    );
  }
  const ip = parsed.text;
  const unusable = unusableAddress(ip);
  if (unusable) {
    throw new WhypingError(
      'BAD_INPUT',
      `${unusable}. Name an instance, an ENI, an address one holds, \`internet\` or a host on the internet instead.`,
      { input: text },
    );
  }
  const privateHits = (s.index.privateIpToEni.get(ip) ?? [])
    .map((id) => s.networkInterfaces.get(id))
    .filter((e): e is NetworkInterface => !!e);
  if (privateHits.length) {
    const picked = pickByVpc(s, privateHits, ctx);
    if (picked.length > 1) {
      throw ambiguous(
        text,
        picked.map((e) => eniLabel(s, e)),
        'The VPCs overlap: name the instance or ENI id instead.',
      );
    }
    return withEniOwner(s, { kind: 'ip', input: text, ip }, picked[0] as NetworkInterface);
  }
  const publicEni = s.index.publicIpToEni.get(ip);
  const eni = publicEni ? s.networkInterfaces.get(publicEni) : undefined;
  if (eni) return withEniOwner(s, { kind: 'ip', input: text, ip, viaPublicIp: true }, eni);
  return { kind: 'ip', input: text, ip };
}

function resolveEic(s: Snapshot, text: string, ctx: Context): ResolvedEndpoint {
  const lists = [...s.prefixLists.values()].filter((pl) => pl.name?.endsWith('.ec2-instance-connect'));
  let list = ctx.region ? lists.find((pl) => pl.name === eicPrefixListName(ctx.region as string)) : undefined;
  if (!list && !ctx.region && lists.length === 1) list = lists[0];
  if (!list) {
    const want = ctx.region ? eicPrefixListName(ctx.region) : 'com.amazonaws.<region>.ec2-instance-connect';
    throw new WhypingError(
      'UNKNOWN_ENDPOINT',
      `The snapshot has no EC2 Instance Connect prefix list ${want}, so "${text}" cannot be resolved. Add the output of ` +
        '`aws ec2 describe-managed-prefix-lists` and its entries (PrefixListEntries), or use `internet`.',
      { input: text, candidates: lists.map((pl) => `${pl.name} (${pl.id})`).slice(0, MAX_CANDIDATES) },
    );
  }
  if (list.cidrs.length === 0) {
    throw new WhypingError(
      'UNKNOWN_ENDPOINT',
      `The prefix list ${list.name} (${list.id}) has no CIDRs in the snapshot. Add its entries (PrefixListEntries).`,
      { input: text, candidates: [] },
    );
  }
  const region = list.name?.slice('com.amazonaws.'.length, -'.ec2-instance-connect'.length) ?? ctx.region ?? '';
  return {
    kind: 'internet',
    input: text,
    ip: null,
    sourceRange: { label: `EC2 Instance Connect (${region})`, cidrs: [...list.cidrs], prefixListId: list.id },
  };
}

function resolveName(s: Snapshot, text: string): ResolvedEndpoint | null {
  const ids = s.index.instancesByName.get(text.toLowerCase());
  if (ids?.length) {
    let insts = ids.map((id) => s.instances.get(id)).filter((i): i is Instance => !!i);
    // A terminated instance keeps its Name for a while after a replacement starts: prefer the living ones.
    const alive = insts.filter((i) => i.state !== 'terminated');
    if (alive.length) insts = alive;
    // Several living instances with this Name are ambiguous, whatever the other end is (DESIGN §3): guessing by the
    // other end's VPC or region could pick the other end itself. The user names one by its id.
    if (insts.length > 1) {
      throw ambiguous(
        text,
        insts.map((i) => instanceLabel(i)),
        'Use the instance id instead.',
      );
    }
    return fromInstance(s, insts[0] as Instance, text);
  }
  // No instance has this Name: an ENI might (a tagged appliance or endpoint interface).
  const q = text.toLowerCase();
  const enis = [...s.networkInterfaces.values()].filter((e) => e.tags.Name?.toLowerCase() === q);
  if (enis.length > 1)
    throw ambiguous(
      text,
      enis.map((e) => eniLabel(s, e)),
      'Use the ENI id instead.',
    );
  const eni = enis[0];
  return eni ? fromEni(s, eni, text) : null;
}

function resolveWith(s: Snapshot, input: string, ctx: Context): ResolvedEndpoint {
  const text = input.trim();
  if (text === '')
    throw new WhypingError('BAD_INPUT', 'An endpoint is empty: name an instance, ENI, IP, `internet` or `eic`.');
  const lower = text.toLowerCase();
  if (INTERNET_WORDS.has(lower)) return { kind: 'internet', input: text, ip: null };
  if (EIC_WORDS.has(lower)) return resolveEic(s, text, ctx);
  // Ids as typed, then in lower case (a miss in a big account's maps costs several cache misses: look once when equal).
  const other = lower === text ? undefined : lower;
  const inst = s.instances.get(text as `i-${string}`) ?? (other && s.instances.get(other as `i-${string}`));
  if (inst) return fromInstance(s, inst, text);
  const eni =
    s.networkInterfaces.get(text as NetworkInterfaceId) ??
    (other && s.networkInterfaces.get(other as NetworkInterfaceId));
  if (eni) return fromEni(s, eni, text);
  // An id-shaped input that is not in the snapshot is an unknown id, not a Name tag.
  if (/^i-[0-9a-f]{8,17}$/i.test(text)) throw unknown(s, text, 'instance');
  if (/^eni-[0-9a-f]{8,17}$/i.test(text)) throw unknown(s, text, 'network interface');
  if (IPV4_LIKE.test(text) || (IPV6_LIKE.test(text) && text.includes(':'))) {
    // A Name tag that happens to look like a number ("1.2") still wins when it exists.
    if (!parseIp(text)) {
      const named = s.index.instancesByName.has(lower) ? resolveName(s, text) : null;
      if (named) return named;
    }
    return resolveIp(s, text, ctx);
  }
  if (text.startsWith('arn:')) return resolveLoadBalancing(s, text) as ResolvedEndpoint;
  const named = resolveName(s, text) ?? resolveLoadBalancing(s, text);
  if (named) return named;
  if (isCidr(text)) {
    throw new WhypingError(
      'BAD_INPUT',
      `"${text}" is a CIDR block, not an endpoint: give one address in it (or \`internet\`).`,
      { input: text },
    );
  }
  throw unknown(s, text, 'instance, network interface or Name tag');
}

/** Resolves one endpoint. `context.region` (the other endpoint's region) picks the EIC range and narrows names. */
export function resolveEndpoint(snapshot: Snapshot, text: string, context?: { region?: string }): ResolvedEndpoint {
  return resolveWith(snapshot, text, context?.region ? { region: context.region } : {});
}

/** Region and VPC of a resolved endpoint, when it is (or sits on) an ENI or instance in the snapshot. */
function placeOf(s: Snapshot, e: ResolvedEndpoint): Context {
  const eni = e.eni ? s.networkInterfaces.get(e.eni) : undefined;
  const inst = e.instanceId ? s.instances.get(e.instanceId) : undefined;
  const out: Context = {};
  const region = eni?.region ?? inst?.region;
  const vpcId = eni?.vpcId ?? inst?.vpcId;
  if (region) out.region = region;
  if (vpcId) out.vpcId = vpcId;
  return out;
}

/**
 * Resolves both ends of a query. Each end gives the other its context: `eic` takes the other end's region, and a
 * private IP held by ENIs in several (overlapping) VPCs is narrowed to the other end's VPC or a VPC connected to it.
 */
export function resolveEndpoints(
  snapshot: Snapshot,
  from: string,
  to: string,
): { from: ResolvedEndpoint; to: ResolvedEndpoint } {
  const attempt = (text: string, ctx: Context): ResolvedEndpoint | WhypingError => {
    try {
      return resolveWith(snapshot, text, ctx);
    } catch (e) {
      if (e instanceof WhypingError && (e.code === 'AMBIGUOUS_ENDPOINT' || e.code === 'UNKNOWN_ENDPOINT')) return e;
      throw e;
    }
  };
  const isEic = (text: string) => EIC_WORDS.has(text.trim().toLowerCase());
  // `eic` waits for the other end's region. Otherwise a first pass without context; then each end that failed
  // retries with the other end's place.
  let a: ResolvedEndpoint | WhypingError;
  let b: ResolvedEndpoint | WhypingError;
  if (isEic(from) && !isEic(to)) {
    b = attempt(to, {});
    a = attempt(from, b instanceof WhypingError ? {} : placeOf(snapshot, b));
  } else if (isEic(to) && !isEic(from)) {
    a = attempt(from, {});
    b = attempt(to, a instanceof WhypingError ? {} : placeOf(snapshot, a));
  } else {
    a = attempt(from, {});
    b = attempt(to, {});
  }
  if (a instanceof WhypingError && !(b instanceof WhypingError)) a = attempt(from, placeOf(snapshot, b));
  if (b instanceof WhypingError && !(a instanceof WhypingError)) b = attempt(to, placeOf(snapshot, a));
  if (a instanceof WhypingError) throw a;
  if (b instanceof WhypingError) throw b;
  return { from: a, to: b };
}
