/**
 * Live endpoint resolution: each endpoint is looked up with server-side filters (instance-id, tag:Name,
 * network-interface-id, private and public addresses, the EC2 Instance Connect prefix list), both ends in one round.
 * Unknown or ambiguous instance names and ids raise the same errors as offline resolution.
 */
import {
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkInterfacesCommand,
  type Filter,
  type Instance,
  type ManagedPrefixList,
  type NetworkInterface,
  type Reservation,
} from '@aws-sdk/client-ec2';
import { WhypingError } from '../errors.js';
import { isIp, isPublicIp, parseIp } from '../net/ip.js';
import { editDistance, eicPrefixListName } from '../snapshot/resolve.js';
import { chunks, type Ec2Reader } from './reader.js';

/** How an endpoint's text is looked up (the same grammar as offline resolution). */
export type EndpointSpec =
  | { kind: 'instance-id'; text: string; id: string }
  | { kind: 'eni-id'; text: string; id: string }
  | { kind: 'ip'; text: string; ip: string }
  | { kind: 'internet'; text: string }
  | { kind: 'eic'; text: string }
  | { kind: 'name'; text: string; name: string };

/** Classifies what the user typed: `i-…`, `eni-…`, an IP, `internet`, `eic` / `ec2-instance-connect`, else a Name. */
export function classifyEndpoint(text: string): EndpointSpec {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (/^i-[0-9a-z]+$/i.test(t)) return { kind: 'instance-id', text, id: lower };
  if (/^eni-[0-9a-z]+$/i.test(t)) return { kind: 'eni-id', text, id: lower };
  // EC2 filters compare text: send the canonical spelling (an IPv6 address has many).
  if (isIp(t)) return { kind: 'ip', text, ip: parseIp(t)?.text ?? t };
  if (lower === 'internet') return { kind: 'internet', text };
  if (lower === 'eic' || lower === 'ec2-instance-connect') return { kind: 'eic', text };
  return { kind: 'name', text, name: t };
}

/** An instance with the reservation it came in (describe-instances groups instances by reservation). */
export interface FoundInstance {
  instance: Instance;
  reservation: Omit<Reservation, 'Instances'>;
}

/** What an endpoint resolved to live: the instances and/or ENIs it names (none for `internet` or an unused IP). */
export interface LiveEndpoint {
  spec: EndpointSpec;
  instances: FoundInstance[];
  enis: NetworkInterface[];
  prefixList?: ManagedPrefixList;
}

/** Spellings of a Name tried server-side: tag filters are case-sensitive, offline matching is not. */
export function nameVariants(name: string): string[] {
  const lower = name.toLowerCase();
  const title = lower.replace(/(^|[\s\-_])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());
  const first = lower.charAt(0).toUpperCase() + lower.slice(1);
  // `*` and `?` are filter wildcards: escape them so a Name containing one matches only itself.
  return [...new Set([name, lower, name.toUpperCase(), title, first])].map((v) => v.replace(/([*?\\])/g, '\\$1'));
}

const nameOf = (i: Instance) => i.Tags?.find((t) => t.Key === 'Name')?.Value;
// As offline: a terminated instance keeps its Name for a while after a replacement starts; prefer the living ones.
const isGone = (i: Instance) => i.State?.Name === 'terminated';

/** DescribeInstances with filters, every page; instances keep their reservation. */
export async function describeInstances(r: Ec2Reader, filters: Filter[]): Promise<FoundInstance[]> {
  const reservations = await r.pages(
    'DescribeInstances',
    (NextToken) => r.ec2.send(new DescribeInstancesCommand({ Filters: filters, NextToken })),
    (o) => o.Reservations,
  );
  return reservations.flatMap(({ Instances, ...reservation }) =>
    (Instances ?? []).map((instance) => ({ instance, reservation })),
  );
}

/** DescribeNetworkInterfaces with one filter (values chunked), every page. */
export async function describeEnis(r: Ec2Reader, name: string, values: string[]): Promise<NetworkInterface[]> {
  const out: NetworkInterface[] = [];
  for (const part of chunks(values)) {
    out.push(
      ...(await r.pages(
        'DescribeNetworkInterfaces',
        (NextToken) =>
          r.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: name, Values: part }], NextToken })),
        (o) => o.NetworkInterfaces,
      )),
    );
  }
  return out;
}

/** An instance id that is not hexadecimal, as no AWS id is (`i-web`): a Name tag when no instance has that id. */
function maybeName(spec: { kind: 'instance-id'; id: string }): boolean {
  return !/^i-[0-9a-f]+$/.test(spec.id);
}

/** Resolves both endpoints in one round of calls (one per filter kind, both ends' values together). */
export async function resolveLive(r: Ec2Reader, texts: string[], region: string): Promise<LiveEndpoint[]> {
  const out = await resolveLiveSettled(r, texts, region);
  for (const e of out) if (e instanceof WhypingError) throw e;
  return out as LiveEndpoint[];
}

/** As `resolveLive`, each end's failure (unknown instance, Name or interface) returned in its place instead of thrown. */
export async function resolveLiveSettled(
  r: Ec2Reader,
  texts: string[],
  region: string,
): Promise<(LiveEndpoint | WhypingError)[]> {
  const specs = texts.map(classifyEndpoint);
  const pick = <K extends EndpointSpec['kind']>(k: K) =>
    specs.filter((s): s is Extract<EndpointSpec, { kind: K }> => s.kind === k);
  const ids = pick('instance-id').map((s) => s.id);
  // An id that is not hexadecimal (`i-web`) may as well be a Name, as offline resolution reads it: look up both.
  const names = [
    ...pick('name').map((s) => s.name),
    ...pick('instance-id')
      .filter(maybeName)
      .map((s) => s.text.trim()),
  ];
  const eniIds = pick('eni-id').map((s) => s.id);
  const ips = pick('ip')
    .map((s) => s.ip)
    .filter((ip) => !ip.includes(':'));
  const ipv6s = pick('ip')
    .map((s) => s.ip)
    .filter((ip) => ip.includes(':'));
  const publicIps = ips.filter((ip) => isPublicIp(ip));

  let byId: FoundInstance[] = [];
  let byName: FoundInstance[] = [];
  let enis: NetworkInterface[] = [];
  let eic: ManagedPrefixList | undefined;
  const tasks: (() => Promise<unknown>)[] = [];
  if (ids.length) tasks.push(async () => (byId = await describeInstances(r, [{ Name: 'instance-id', Values: ids }])));
  if (names.length) {
    const values = [...new Set(names.flatMap(nameVariants))];
    tasks.push(async () => (byName = await describeInstances(r, [{ Name: 'tag:Name', Values: values }])));
  }
  if (eniIds.length) tasks.push(async () => enis.push(...(await describeEnis(r, 'network-interface-id', eniIds))));
  if (ips.length) tasks.push(async () => enis.push(...(await describeEnis(r, 'addresses.private-ip-address', ips))));
  if (ipv6s.length) tasks.push(async () => enis.push(...(await describeEnis(r, 'ipv6-addresses.ipv6-address', ipv6s))));
  if (publicIps.length) {
    // An auto-assigned public IP or an EIP on the primary address, and EIPs on secondary private addresses.
    tasks.push(async () => enis.push(...(await describeEnis(r, 'association.public-ip', publicIps))));
    tasks.push(async () => enis.push(...(await describeEnis(r, 'addresses.association.public-ip', publicIps))));
  }
  if (specs.some((s) => s.kind === 'eic')) {
    tasks.push(async () => {
      const lists = await r.pages(
        'DescribeManagedPrefixLists',
        (NextToken) =>
          r.ec2.send(
            new DescribeManagedPrefixListsCommand({
              Filters: [{ Name: 'prefix-list-name', Values: [eicPrefixListName(region)] }],
              NextToken,
            }),
          ),
        (o) => o.PrefixLists,
      );
      eic = lists[0];
    });
  }
  await r.round('resolve endpoints', tasks);
  enis = [...new Map(enis.map((e) => [e.NetworkInterfaceId, e])).values()];

  const out: (LiveEndpoint | WhypingError)[] = [];
  for (const spec of specs) {
    try {
      out.push(await resolveOne(spec));
    } catch (e) {
      if (!(e instanceof WhypingError)) throw e;
      out.push(e);
    }
  }
  return out;

  async function resolveOne(spec: EndpointSpec): Promise<LiveEndpoint> {
    switch (spec.kind) {
      case 'instance-id': {
        let found = byId.filter((f) => f.instance.InstanceId === spec.id);
        if (found.length === 0 && maybeName(spec)) found = pickByName(byName, spec.text.trim());
        if (found.length === 0) {
          throw new WhypingError(
            'UNKNOWN_ENDPOINT',
            `No instance ${spec.id} in ${region}: check the id and --region.`,
            { input: spec.text, candidates: [] },
          );
        }
        return { spec, instances: found, enis: [] };
      }
      case 'name': {
        // Several matches are not an error here: they are all collected, and resolution on the collected snapshot
        // decides (narrowing by the other end's VPC, as offline) or raises AMBIGUOUS_ENDPOINT with offline's words.
        let found = pickByName(byName, spec.name);
        let namedEnis: NetworkInterface[] = [];
        if (found.length === 0) {
          // Tag filters are case-sensitive and a mixed-case Name ("NextWork VPC") has no predictable spelling; and a
          // Name may belong to an ENI (an appliance, an endpoint). On this failure path only: one more round.
          let near: FoundInstance[] = [];
          let enisNamed: NetworkInterface[] = [];
          await r.round('resolve a Name that matched nothing', [
            async () => {
              near = await nearNames(r, spec.name);
            },
            async () => {
              enisNamed = await describeEnis(r, 'tag:Name', nameVariants(spec.name));
            },
          ]);
          found = pickByName(near, spec.name);
          const want = spec.name.toLowerCase();
          namedEnis = enisNamed.filter((e) =>
            e.TagSet?.some((t) => t.Key === 'Name' && t.Value?.toLowerCase() === want),
          );
          if (found.length === 0 && namedEnis.length === 0) {
            const candidates = rankNames(near, spec.name);
            const hint = candidates.length ? ` Did you mean: ${candidates.join(', ')}?` : '';
            throw new WhypingError('UNKNOWN_ENDPOINT', `No instance is named "${spec.name}" in ${region}.${hint}`, {
              input: spec.text,
              candidates,
            });
          }
        }
        return { spec, instances: found, enis: found.length > 0 ? [] : namedEnis };
      }
      case 'eni-id': {
        const found = enis.filter((e) => e.NetworkInterfaceId === spec.id);
        if (found.length === 0) {
          throw new WhypingError(
            'UNKNOWN_ENDPOINT',
            `No network interface ${spec.id} in ${region}: check the id and --region.`,
            { input: spec.text, candidates: [] },
          );
        }
        return { spec, instances: [], enis: found };
      }
      case 'ip': {
        // Any IP is a valid endpoint: one that no ENI holds is a host the packet is routed to (or the internet).
        const found = enis.filter(
          (e) =>
            e.PrivateIpAddresses?.some((p) => p.PrivateIpAddress === spec.ip || p.Association?.PublicIp === spec.ip) ||
            e.Association?.PublicIp === spec.ip ||
            e.Ipv6Addresses?.some((a) => sameIp(a.Ipv6Address, spec.ip)),
        );
        return { spec, instances: [], enis: found };
      }
      case 'eic':
        if (!eic) {
          throw new WhypingError(
            'UNKNOWN_ENDPOINT',
            `${region} has no EC2 Instance Connect prefix list (${eicPrefixListName(region)}): check --region, or use \`internet\`.`,
            { input: spec.text, candidates: [] },
          );
        }
        return { spec, instances: [], enis: [], prefixList: eic };
      case 'internet':
        return { spec, instances: [], enis: [] };
      default: {
        const never: never = spec;
        throw new Error(`unhandled endpoint ${String(never)}`);
      }
    }
  }
}

/** Compares two IP texts by value (IPv6 has many spellings of one address). */
function sameIp(a: string | undefined, b: string): boolean {
  const x = a ? parseIp(a) : null;
  const y = parseIp(b);
  return !!x && !!y && x.family === y.family && x.value === y.value;
}

/** Instances whose Name equals `name` ignoring case; terminated ones only when no other matches. */
function pickByName(instances: FoundInstance[], name: string): FoundInstance[] {
  const want = name.toLowerCase();
  const all = instances.filter((f) => nameOf(f.instance)?.toLowerCase() === want);
  const live = all.filter((f) => !isGone(f.instance));
  return live.length > 0 ? live : all;
}

/** Instances whose Name contains the start of a word of `name`, in a few spellings (one call, failure path only). */
async function nearNames(r: Ec2Reader, name: string): Promise<FoundInstance[]> {
  const words = name.split(/[\s\-_]+/).filter((w) => w.length >= 3);
  const stems = words.map((w) => w.slice(0, Math.min(w.length, 5)));
  const values = [...new Set(stems.flatMap((s) => nameVariants(s)).map((v) => `*${v}*`))].slice(0, 50);
  if (values.length === 0) return [];
  return describeInstances(r, [{ Name: 'tag:Name', Values: values }]);
}

/** The five names closest to `name`. */
function rankNames(instances: FoundInstance[], name: string): string[] {
  const names = [...new Set(instances.map((f) => nameOf(f.instance)).filter((n): n is string => !!n))];
  return names
    .map((n) => ({ n, d: editDistance(n.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, 5)
    .map((x) => x.n);
}
