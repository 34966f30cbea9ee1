/**
 * Ends that live in other accounts, live. An end naming its account (`i-0abc@444455556666`, `db-b@444455556666`,
 * `--to-account`) is looked up there, through that account's read role; an end naming none is looked up with the
 * default credentials, and, when it is not found there, in the account of the other end, then in the accounts
 * configured by name (WHYPING_ACCOUNT_ROLES). Found in several accounts, it is ambiguous and the answer lists where
 * each match lives. Each end is then collected in the account and region where it was found.
 */
import type { NetworkInterface } from '@aws-sdk/client-ec2';
import { WhypingError } from '../errors.js';
import type { Where } from '../model/index.js';
import { isPublicIp } from '../net/ip.js';
import type { EndText } from './ends.js';
import type { Ec2Reader } from './reader.js';
import { classifyEndpoint, describeEnis, type LiveEndpoint, resolveLiveSettled } from './resolve.js';
import type { Site, Span } from './span.js';

/** An end as found: what it resolved to and the site (account and region) holding it. */
export interface PlacedEnd {
  end: LiveEndpoint;
  site: Site;
  /** Not found in any account asked: looked for again in the accounts and regions the path reaches. */
  pending?: WhypingError;
}

type Settled = LiveEndpoint | WhypingError;

/** The account owning what an end resolved to (its instances' reservation, or its interfaces). */
function ownerOf(e: LiveEndpoint): string | undefined {
  return e.instances[0]?.reservation.OwnerId ?? e.enis[0]?.OwnerId ?? undefined;
}

/** True when an end resolved to an instance or an interface (an address no interface holds resolves to nothing). */
function found(e: Settled | undefined): e is LiveEndpoint {
  return !!e && !(e instanceof WhypingError) && (e.instances.length > 0 || e.enis.length > 0);
}

/** Looks `texts` up in one site; a site that cannot be read answers with why, for every text. */
async function lookIn(site: Site, texts: string[]): Promise<Settled[]> {
  if (!site.reader || site.unread) {
    const why = site.unread ?? 'it cannot be read';
    return texts.map(
      (t) =>
        new WhypingError(
          'AWS_ACCESS_DENIED',
          `"${t}" cannot be looked up in account ${site.where.account} (${site.where.region}): ${why}.`,
        ),
    );
  }
  try {
    return await resolveLiveSettled(site.reader, texts, site.where.region);
  } catch (e) {
    if (!(e instanceof WhypingError)) throw e;
    const err = new WhypingError(
      e.code,
      `"${texts.join('", "')}" could not be looked up in account ${site.where.account} (${site.where.region}): ${e.message}`,
      e.details,
    );
    return texts.map(() => err);
  }
}

/** Says which account a "not found" answer was about. */
function inAccount(e: Settled, where: Where, text: string): Settled {
  if (!(e instanceof WhypingError) || e.code !== 'UNKNOWN_ENDPOINT') return e;
  return new WhypingError(
    'UNKNOWN_ENDPOINT',
    `${e.message.replace(/\.$/, '')} (account ${where.account}); in another region, name it: ${text}@${where.account}/<region>.`,
    e.details,
  );
}

function labelOf(e: LiveEndpoint, where: Where): string {
  const i = e.instances[0]?.instance;
  const id = i?.InstanceId ?? e.enis[0]?.NetworkInterfaceId ?? e.spec.text;
  return `${id} in account ${where.account} (${where.region})`;
}

/**
 * Resolves both ends across the configured accounts (one round with the default credentials, then one per account
 * tier only for ends naming another account or not found at home) and returns where each lives.
 */
export async function resolveAcross(span: Span, ends: EndText[], region: string): Promise<PlacedEnd[]> {
  const accounts = span.accounts;
  const hasRole = (a: string) => !!accounts?.roleFor(a, 'read');
  // Ends naming an account whose role is configured (or another region) are looked up there; the others at home.
  const far = ends.map((e) => !!e.account && !!accounts && (hasRole(e.account) || (!!e.region && e.region !== region)));
  const atHome = ends.map((_, i) => !far[i]);
  const homeTexts = ends.filter((_, i) => atHome[i]).map((e) => e.text);
  const homeAnswers = homeTexts.length ? await resolveLiveSettled(span.homeReader, homeTexts, region) : [];
  const results: Settled[] = [];
  const sites: Site[] = [];
  let k = 0;
  for (const i of ends.keys()) {
    results[i] = atHome[i] ? (homeAnswers[k++] as Settled) : new WhypingError('UNKNOWN_ENDPOINT', 'not looked up');
    sites[i] = span.home;
  }
  const homeOwner = results.filter(found).map(ownerOf).find(Boolean);
  span.learnHome(homeOwner);
  const home = span.homeAccount;

  // An end at home that names an account (no role is configured for it): it must be the home account's.
  for (const [i, e] of ends.entries()) {
    const r = results[i];
    if (!atHome[i] || !e.account || (home && e.account === home)) continue;
    if (found(r) && ownerOf(r) === e.account) continue;
    const role = accounts ? '' : ' (other accounts are read only live, with WHYPING_ACCOUNT_ROLE set)';
    throw new WhypingError(
      'AWS_ACCESS_DENIED',
      `"${e.text}@${e.account}": account ${e.account} is not the account of the default credentials${home ? ` (${home})` : ''}, and no role is configured for it${role}: set WHYPING_ACCOUNT_ROLE=arn:aws:iam::{account}:role/whyping-read or WHYPING_ACCOUNT_ROLES=${e.account}=arn:aws:iam::${e.account}:role/<name>.`,
      { input: e.text },
    );
  }

  // Round 2: ends naming another account, there; an unqualified end not found at home, in the other end's account.
  const wants = new Map<string, { where: Where; asks: { i: number; text: string }[] }>();
  const ask = (where: Where, i: number, text: string) => {
    const key = `${where.account}/${where.region}`;
    const w = wants.get(key) ?? { where, asks: [] };
    w.asks.push({ i, text });
    wants.set(key, w);
  };
  for (const [i, e] of ends.entries()) {
    if (far[i] && e.account) ask({ account: e.account, region: e.region ?? region }, i, e.text);
  }
  for (const [i, e] of ends.entries()) {
    const other = ends[1 - i];
    if (e.account || !other?.account || other.account === home || !accounts || !named(e)) continue;
    // The other end's account comes first: a Name found there wins over the same Name at home.
    ask({ account: other.account, region: other.region ?? region }, i, e.text);
  }
  const secondary: { i: number; where: Where; r: Settled }[] = [];
  await askAll(wants, secondary);
  for (const { i, where, r } of secondary) {
    const e = ends[i] as EndText;
    if (e.account) {
      results[i] = inAccount(r, where, e.text);
      if (found(r)) sites[i] = span.site(where);
    } else if (found(r)) {
      results[i] = r;
      sites[i] = span.site(where);
    }
  }

  // Round 3: an unqualified end found nowhere yet, in the accounts configured by name.
  const configured = (accounts?.named() ?? []).filter((a) => a !== home);
  const missing = ends.flatMap((e, i) =>
    !e.account && named(e) && isUnknown(results[i]) && configured.length > 0 ? [{ i, e }] : [],
  );
  if (missing.length > 0) {
    wants.clear();
    const tried = new Set(ends.map((e) => e.account).filter(Boolean));
    for (const { i, e } of missing)
      for (const a of configured) if (!tried.has(a)) ask({ account: a, region }, i, e.text);
    const third: { i: number; where: Where; r: Settled }[] = [];
    await askAll(wants, third);
    for (const { i, e } of missing) {
      const hits = third.filter((t) => t.i === i && found(t.r));
      if (hits.length > 1) {
        throw new WhypingError(
          'AMBIGUOUS_ENDPOINT',
          `"${e.text}" is not in the account of the default credentials, and matches in ${hits.length} accounts: ${hits.map((h) => labelOf(h.r as LiveEndpoint, h.where)).join('; ')}. Name the account: ${e.text}@${hits[0]?.where.account} (or --from-account / --to-account).`,
          { input: e.text, candidates: hits.map((h) => labelOf(h.r as LiveEndpoint, h.where)) },
        );
      }
      const hit = hits[0];
      if (hit) {
        results[i] = hit.r;
        sites[i] = span.site(hit.where);
      } else {
        const r = results[i] as WhypingError;
        results[i] = new WhypingError(
          'UNKNOWN_ENDPOINT',
          `${r.message.replace(/\.$/, '')} (looked in account ${home ?? 'of the default credentials'} and in ${configured.join(', ')}).`,
          r.details,
        );
      }
    }
  }

  const out: PlacedEnd[] = [];
  for (const [i, r] of results.entries()) {
    const e = ends[i] as EndText;
    const other = results[1 - i];
    // A Name found nowhere yet, while the other end is found: looked for where the path goes (`namesOnThePath`).
    if (isUnknown(r) && !e.account && accounts && named(e) && other && !(other instanceof WhypingError)) {
      out.push({
        end: { spec: classifyEndpoint(e.text), instances: [], enis: [] },
        site: span.home,
        pending: r as WhypingError,
      });
      continue;
    }
    if (r instanceof WhypingError) throw r;
    out.push({ end: r, site: sites[i] as Site });
  }
  return out;

  async function askAll(
    w: Map<string, { where: Where; asks: { i: number; text: string }[] }>,
    into: { i: number; where: Where; r: Settled }[],
  ): Promise<void> {
    if (w.size === 0) return;
    // One lookup per account and region, in one round.
    const tasks = [...w.values()].map(({ where, asks }) => async () => {
      const answers = await lookIn(
        span.site(where),
        asks.map((a) => a.text),
      );
      for (const [j, a] of asks.entries()) into.push({ i: a.i, where, r: answers[j] as Settled });
    });
    // Each lookup counts its own round; run side by side, they are one sequential round.
    const before = span.stats.rounds;
    await Promise.all(tasks.map((t) => t()));
    span.stats.rounds = Math.min(span.stats.rounds, before + 1);
  }
}

/** An end looked up by id, Name or address (not `internet` or `eic`, which are no account's). */
function named(e: EndText): boolean {
  const kind = classifyEndpoint(e.text).kind;
  return kind !== 'internet' && kind !== 'eic';
}

function isUnknown(r: Settled | undefined): boolean {
  return r instanceof WhypingError && r.code === 'UNKNOWN_ENDPOINT';
}

/**
 * A public or Elastic IP end that no interface at home holds may belong to another account or region the collection
 * reached (or one configured by name): it is that interface, not a host on the internet. One round, two filtered
 * DescribeNetworkInterfaces calls per account and region asked (the address on an interface, or on one of its
 * secondary private addresses); the first site holding it wins.
 */
export async function publicIpsElsewhere(
  span: Span,
  ends: PlacedEnd[],
): Promise<{ site: Site; end: LiveEndpoint; enis: NetworkInterface[] }[]> {
  const loose = ends.filter(
    ({ end }) =>
      end.spec.kind === 'ip' && end.enis.length === 0 && isPublicIp(end.spec.ip) && !end.spec.ip.includes(':'),
  );
  if (loose.length === 0) return [];
  const ips = loose.map(({ end }) => (end.spec as { ip: string }).ip);
  const home = span.homeAccount;
  for (const a of span.accounts?.named() ?? [])
    if (a !== home) span.site({ account: a, region: span.home.where.region });
  const sites = [...span.sites.values()].filter((s) => s !== span.home && s.reader && !s.unread);
  if (sites.length === 0) return [];
  const found: { site: Site; enis: NetworkInterface[] }[] = [];
  await span.homeReader.round(
    'public addresses in other accounts and regions',
    sites.map((site) => async () => {
      const reader = site.reader as Ec2Reader;
      try {
        const enis = [
          ...(await describeEnis(reader, 'association.public-ip', ips)),
          ...(await describeEnis(reader, 'addresses.association.public-ip', ips)),
        ];
        if (enis.length) found.push({ site, enis });
      } catch (e) {
        // A site that cannot be read here is named by the expansion already (or stays unasked): never fatal.
        span.homeReader.logger.warn({ account: site.where.account, region: site.where.region }, String(e));
      }
    }),
  );
  const out: { site: Site; end: LiveEndpoint; enis: NetworkInterface[] }[] = [];
  for (const { end } of loose) {
    const ip = (end.spec as { ip: string }).ip;
    for (const { site, enis } of found) {
      const held = enis.filter(
        (e) => e.Association?.PublicIp === ip || e.PrivateIpAddresses?.some((p) => p.Association?.PublicIp === ip),
      );
      if (held.length) {
        out.push({ site, end, enis: held });
        break;
      }
    }
  }
  return out;
}

/**
 * Ends found in no account asked (their Name or id), looked for in the accounts and regions the collection reached
 * from the other end: one round, one lookup per site. Found in one site: that end, collected there; in several:
 * ambiguous, naming where each lives; nowhere: the original "not found" answer.
 */
export async function namesOnThePath(span: Span, ends: PlacedEnd[]): Promise<{ site: Site; end: LiveEndpoint }[]> {
  const pending = ends.filter((p) => p.pending);
  if (pending.length === 0) return [];
  const sites = [...span.sites.values()].filter((s) => s !== span.home && s.reader && !s.unread);
  const hits: { i: number; site: Site; end: LiveEndpoint }[] = [];
  if (sites.length > 0) {
    const texts = pending.map((p) => p.end.spec.text);
    const before = span.stats.rounds;
    await Promise.all(
      sites.map(async (site) => {
        const answers = await lookIn(site, texts);
        for (const [i, a] of answers.entries()) if (found(a)) hits.push({ i, site, end: a });
      }),
    );
    span.stats.rounds = Math.min(span.stats.rounds, before + 1);
  }
  const out: { site: Site; end: LiveEndpoint }[] = [];
  for (const [i, p] of pending.entries()) {
    const mine = hits.filter((h) => h.i === i);
    if (mine.length === 0) throw p.pending as WhypingError;
    if (mine.length > 1) {
      const labels = mine.map((h) => labelOf(h.end, h.site.where as Where));
      throw new WhypingError(
        'AMBIGUOUS_ENDPOINT',
        `"${p.end.spec.text}" matches in ${mine.length} accounts the path reaches: ${labels.join('; ')}. Name the account: ${p.end.spec.text}@${mine[0]?.site.where.account}/${mine[0]?.site.where.region}.`,
        { input: p.end.spec.text, candidates: labels },
      );
    }
    const hit = mine[0] as { site: Site; end: LiveEndpoint };
    out.push({ site: hit.site, end: hit.end });
  }
  return out;
}
