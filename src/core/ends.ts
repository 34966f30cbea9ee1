/**
 * Both ends of a question on a snapshot that may span accounts: an end may name its account (`i-0abc@444455556666`,
 * `db-b@444455556666/eu-west-1`, or --from-account / --to-account, which the CLI writes the same way). A Name matching
 * instances in several accounts is taken in the other end's account when exactly one match lives there; otherwise it
 * is ambiguous and the message says where each match lives. The snapshot's own resolution does the rest.
 */
import { type EndText, parseEnd } from '../collect/ends.js';
import { WhypingError } from '../errors.js';
import type { Instance, NetworkInterface, ResolvedEndpoint, Snapshot } from '../model/index.js';
import { resolveEndpoints } from '../snapshot/index.js';

/** `--from-account` / `--to-account` as the CLI reads them. */
export { withAccount } from '../collect/ends.js';

type Ends = { from: ResolvedEndpoint; to: ResolvedEndpoint };

/** The accounts a snapshot's resources say they belong to. */
function accountsOf(s: Snapshot): Set<string> {
  const out = new Set<string>();
  for (const v of s.vpcs.values()) if (v.accountId) out.add(v.accountId);
  for (const i of s.instances.values()) if (i.accountId) out.add(i.accountId);
  return out;
}

const where = (o: { accountId?: string; region?: string }) =>
  `account ${o.accountId ?? 'unknown'}${o.region ? ` (${o.region})` : ''}`;

/** Living instances named `name` (terminated ones only when no other has it). */
function instancesNamed(s: Snapshot, name: string): Instance[] {
  const all = (s.index.instancesByName.get(name.toLowerCase()) ?? [])
    .map((id) => s.instances.get(id))
    .filter((i): i is Instance => !!i);
  const alive = all.filter((i) => i.state !== 'terminated');
  return alive.length ? alive : all;
}

/** The text naming exactly what `e` names in its account, checked against the snapshot. */
function pin(s: Snapshot, e: EndText, input: string): string {
  const account = e.account as string;
  const held = accountsOf(s);
  if (held.size === 0) {
    throw new WhypingError(
      'BAD_INPUT',
      `"${input}" names account ${account}, and this snapshot does not say which account its resources belong to (write it per account, aws_configs/accounts/<id>/<region>/): drop @${account}.`,
      { input },
    );
  }
  if (!held.has(account)) {
    throw new WhypingError(
      'UNKNOWN_ENDPOINT',
      `"${input}": the snapshot holds no account ${account} (it holds ${[...held].sort().join(', ')}).`,
      { input, candidates: [...held].sort() },
    );
  }
  const inPlace = (o: { accountId?: string; region?: string }) =>
    o.accountId === account && (!e.region || o.region === e.region);
  const id = e.text.trim().toLowerCase();
  const byId: Instance | NetworkInterface | undefined =
    s.instances.get(id as never) ?? s.networkInterfaces.get(id as never);
  if (byId) {
    if (inPlace(byId)) return byId.id;
    throw new WhypingError('UNKNOWN_ENDPOINT', `${byId.id} is in ${where(byId)}, not in account ${account}.`, {
      input,
      candidates: [`${byId.id}@${byId.accountId}`],
    });
  }
  const named = instancesNamed(s, e.text.trim());
  if (named.length > 0) {
    const here = named.filter(inPlace);
    if (here.length === 1) return (here[0] as Instance).id;
    if (here.length > 1) throw ambiguous(input, here);
    throw new WhypingError(
      'UNKNOWN_ENDPOINT',
      `No instance is named "${e.text.trim()}" in account ${account}; it is in ${named.map((i) => `${i.id}@${i.accountId}`).join(', ')}.`,
      { input, candidates: named.map((i) => `${i.id}@${i.accountId}`) },
    );
  }
  // An address held in several accounts (overlapping VPCs): the interface of the account named.
  const holders = (s.index.privateIpToEni.get(e.text.trim()) ?? [])
    .map((x) => s.networkInterfaces.get(x))
    .filter((x): x is NetworkInterface => !!x);
  const there = holders.filter(inPlace);
  if (holders.length > 0 && there.length === 0) {
    throw new WhypingError(
      'UNKNOWN_ENDPOINT',
      `No interface of account ${account} holds ${e.text.trim()}; ${holders.map((h) => `${h.id} in ${where(h)}`).join(', ')} does.`,
      { input, candidates: holders.map((h) => `${e.text.trim()}@${h.accountId}`) },
    );
  }
  if (holders.length > 1 && there.length === 1) return (there[0] as NetworkInterface).id;
  return e.text;
}

function ambiguous(input: string, matches: Instance[]): WhypingError {
  const labels = matches.map((i) => `${i.name ?? i.id} (${i.id}) in ${where(i)}`);
  return new WhypingError(
    'AMBIGUOUS_ENDPOINT',
    `"${input}" matches ${matches.length} instances: ${labels.join('; ')}. Name the instance id, or its account (${input}@${matches[0]?.accountId ?? '<account>'}, or --from-account / --to-account).`,
    { input, candidates: labels },
  );
}

/** The account of a resolved end (its interface's or instance's), when the snapshot says. */
function accountOfEnd(s: Snapshot, r: ResolvedEndpoint): string | undefined {
  const eni = r.eni ? s.networkInterfaces.get(r.eni) : undefined;
  const inst = r.instanceId ? s.instances.get(r.instanceId) : undefined;
  return eni?.accountId ?? inst?.accountId;
}

/**
 * Resolves both ends; an end naming an account is pinned there first, and a Name living in several accounts is taken
 * in the other end's account when exactly one match is there.
 */
export function resolveEnds(s: Snapshot, from: string, to: string): Ends {
  const inputs: [string, string] = [from, to];
  const parsed = inputs.map(parseEnd);
  const texts = parsed.map((p, i) => (p.account ? pin(s, p, inputs[i] as string) : p.text));
  const run = (a: string, b: string): Ends => {
    const r = resolveEndpoints(s, a, b);
    // The answer shows what the user typed, not the id it was pinned to.
    return { from: { ...r.from, input: from.trim() }, to: { ...r.to, input: to.trim() } };
  };
  try {
    return run(texts[0] as string, texts[1] as string);
  } catch (e) {
    if (!(e instanceof WhypingError) || e.code !== 'AMBIGUOUS_ENDPOINT') throw e;
    // A Name in several accounts: the other end's account first.
    for (const i of [0, 1]) {
      if (parsed[i]?.account) continue;
      const matches = instancesNamed(s, texts[i] as string);
      const accounts = new Set(matches.map((m) => m.accountId));
      if (accounts.size < 2) continue;
      const j = 1 - i;
      let other: string | undefined = parsed[j]?.account;
      if (!other) {
        try {
          const r = resolveEndpoints(s, texts[j] as string, texts[j] as string);
          other = accountOfEnd(s, r.from);
        } catch {
          other = undefined;
        }
      }
      const there = matches.filter((m) => m.accountId === other);
      if (there.length !== 1) throw ambiguous(inputs[i] as string, matches);
      texts[i] = (there[0] as Instance).id;
    }
    if (texts[0] === from && texts[1] === to) throw e;
    return run(texts[0] as string, texts[1] as string);
  }
}
