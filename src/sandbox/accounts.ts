/**
 * A sandbox spanning several accounts and regions: one sandbox (state and clients) per account and region, as real
 * clients are per account and region. The home account's clients are the default ones; another account's are reached
 * "through its role" (the sandbox's roles follow WHYPING_ACCOUNT_ROLE's pattern). A peering known to both sides is one
 * object, so accepting it in the accepter's account is seen from the requester's.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { noAccountRole } from '../errors.js';
import type { AccountClients, AccountPurpose, RawSnapshotFile, Where } from '../model/index.js';
import type { Sandbox, SandboxOptions } from './index.js';
import type { SandboxCall } from './middleware.js';

/** The files of each account and region (`<account>/<region>`), when the files say both. */
export function siteGroups(files: RawSnapshotFile[]): Map<string, RawSnapshotFile[]> {
  const out = new Map<string, RawSnapshotFile[]>();
  for (const f of files) {
    if (!f.accountId || !f.region) return new Map();
    const key = `${f.accountId}/${f.region}`;
    out.set(key, [...(out.get(key) ?? []), f]);
  }
  return out;
}

/** The sandboxes of several accounts and regions; the returned one is the home account's first region. */
export function createWorld(
  groups: Map<string, RawSnapshotFile[]>,
  opts: SandboxOptions,
  name: string,
  createSite: (files: RawSnapshotFile[], region: string, calls: SandboxCall[]) => Sandbox,
): Sandbox {
  const calls: SandboxCall[] = [];
  const sites = new Map<string, Sandbox>();
  for (const [key, files] of groups) sites.set(key, createSite(files, files[0]?.region ?? 'us-east-1', calls));
  // One peering object for every account and region that shows it.
  const peerings = new Map<string, unknown>();
  const tgwPlaces = new Map<string, Where>();
  for (const s of sites.values()) {
    const list = s.state.docs.VpcPeeringConnections;
    for (const [i, p] of list.entries()) {
      const id = p.VpcPeeringConnectionId ?? '';
      const first = peerings.get(id);
      if (first) list[i] = first as (typeof list)[number];
      else peerings.set(id, p);
    }
  }
  // Where each transit gateway lives, so a peering attachment can name its peer's region (as AWS's record does).
  for (const [key, s] of sites) {
    const [account = '', region = ''] = key.split('/');
    for (const t of s.state.docs.TransitGateways)
      if (t.TransitGatewayId) tgwPlaces.set(t.TransitGatewayId, { account, region });
  }
  for (const s of sites.values()) for (const [id, w] of tgwPlaces) s.state.tgwPlaces.set(id, w);
  const [firstKey] = groups.keys();
  const homeAccount = opts.homeAccount ?? firstKey?.split('/')[0] ?? '';
  const homeKey = [...sites.keys()].find((k) => k.startsWith(`${homeAccount}/`)) ?? firstKey ?? '';
  const home = sites.get(homeKey) as Sandbox;
  const noRole = new Set(opts.noRoleAccounts ?? []);
  const siteOf = (where: Where): EC2Client => {
    const s = sites.get(`${where.account}/${where.region}`);
    if (s) return s.clients.ec2;
    // An account and region with nothing in it: an empty sandbox there.
    const empty = createSite(
      [{ path: 'sandbox:empty', data: {}, region: where.region, accountId: where.account }],
      where.region,
      calls,
    );
    sites.set(`${where.account}/${where.region}`, empty);
    return empty.clients.ec2;
  };
  const roleFor = (account: string, purpose: AccountPurpose) =>
    noRole.has(account) ? null : `arn:aws:iam::${account}:role/whyping-${purpose === 'fix' ? 'fix' : 'read'}`;
  const accounts: AccountClients<EC2Client> = {
    home: (region) => siteOf({ account: homeAccount, region }),
    other: (where, purpose) => {
      if (!roleFor(where.account, purpose)) throw noAccountRole(where.account, purpose);
      return siteOf(where);
    },
    roleFor,
    named: () => [...new Set([...groups.keys()].map((k) => k.split('/')[0] ?? ''))].filter((a) => a !== homeAccount),
  };
  return {
    ...home,
    clients: { ...home.clients, accounts },
    calls,
    scenario: name,
    sites,
    snapshotFiles: () => [...sites.values()].flatMap((s) => s.state.toFiles()),
  };
}
