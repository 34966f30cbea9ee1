/** Helpers every noun's normalizer uses: tags, names, origin (account and region), ports. */
import type { Tags, VpcId } from '../../model/index.js';

type RawTags = { Key: string; Value?: string | null | undefined }[] | null | undefined;

/** The tags of every resource that has none: one shared, frozen object (a big account has hundreds of thousands). */
const NO_TAGS: Tags = Object.freeze({});

export function tagsOf(raw: RawTags): Tags {
  if (!raw || raw.length === 0) return NO_TAGS;
  const out: Record<string, string> = {};
  for (const t of raw) out[t.Key] = t.Value ?? '';
  return out;
}

export function withName<T extends object>(obj: T, tags: Tags): T {
  const name = tags.Name;
  if (name !== undefined && name !== '') (obj as { name?: string }).name = name;
  return obj;
}

/** `us-east-1a` → `us-east-1`; Local Zones (`us-west-2-lax-1a`) keep their parent region. */
export function regionFromAz(az: string | null | undefined): string | undefined {
  if (!az) return undefined;
  const m = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})/.exec(az);
  return m?.[1];
}

const pool = new Map<string, string>();

/**
 * One string for equal values during a build: JSON.parse makes a new string for every occurrence, so the ids an ENI
 * names (its subnet, VPC, groups) and the values thousands of resources share (zone, state, account) would each be a
 * copy. Only for values that repeat: a pool lookup per unique id costs more than the copy. build.ts empties the pool
 * when the snapshot is built.
 */
export function intern<T extends string>(text: T): T {
  const known = pool.get(text);
  if (known !== undefined) return known as T;
  pool.set(text, text);
  return text;
}

/** Empties intern's pool (at the end of a build). */
export function forgetInterned(): void {
  pool.clear();
}

/** Sets `accountId` and `region` when known (never as undefined, to keep objects small and JSON clean). */
export function origin<T extends object>(obj: T, accountId: string | null | undefined, region: string | undefined): T {
  const o = obj as { accountId?: string; region?: string };
  if (accountId) o.accountId = intern(accountId);
  if (region) o.region = intern(region);
  return obj;
}

/**
 * The array itself when it is empty, else a copy just its size: an array filled by push() keeps room for about 16 more
 * items, and a big account keeps hundreds of thousands of short arrays (an ENI's addresses, a group's rules).
 */
export function fitted<T>(items: T[]): T[] {
  return items.length === 0 ? items : items.slice();
}

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** CIDRs of an association set whose state is `associated` (or says none), in order. */
export function associatedIpv6(
  set: { Ipv6CidrBlock?: string | null; Ipv6CidrBlockState?: { State?: string | null } | null }[] | null | undefined,
): string[] {
  return (set ?? [])
    .filter((a) => a.Ipv6CidrBlock && (a.Ipv6CidrBlockState?.State ?? 'associated') === 'associated')
    .map((a) => a.Ipv6CidrBlock as string);
}

/** VPCs an internet gateway (or egress-only one) is attached to: `available`/`attached`, or no state given. */
export function attachedVpcs(
  attachments: { VpcId?: string | null; State?: string | null }[] | null | undefined,
): VpcId[] {
  return (attachments ?? [])
    .filter((a) => a.VpcId && (a.State === 'available' || a.State === 'attached' || !a.State))
    .map((a) => a.VpcId as VpcId);
}

/**
 * Why a TCP/UDP port range is one AWS never stores (it refuses ports outside 0-65535 and a from above the to, e.g.
 * `InvalidPermission.Malformed: TCP/UDP port (70000) out of range`), or null. -1 is read as "no bound", as before.
 */
export function badPortRange(
  protocol: string | number,
  from: number | null | undefined,
  to: number | null | undefined,
): string | null {
  if (protocol !== 'tcp' && protocol !== 'udp') return null;
  const f = from === null || from === undefined || from === -1 ? 0 : from;
  const t = to === null || to === undefined || to === -1 ? 65535 : to;
  if (!Number.isInteger(f) || !Number.isInteger(t) || f < 0 || t < 0 || f > 65535 || t > 65535) {
    return `ports ${from ?? ''}-${to ?? ''} outside 0-65535`;
  }
  if (f > t) return `a reversed port range ${from}-${to}`;
  return null;
}
