/**
 * Parts of a path in other accounts or regions that could not be read: the answer says exactly which and what to
 * grant, and the verdict beyond them is "not analyzed" (false when what was read already shows a blocker), never a
 * guess. Everything that was read is still shown.
 */
import type { UnreadPart } from '../collect/index.js';
import type { Diagnosis } from '../model/index.js';

/** One sentence per unread part: where, what, why and what to grant. */
export function unreadSentence(u: UnreadPart): string {
  const what =
    u.vpcs.length > 0
      ? `${u.vpcs.join(', ')} in account ${u.account} (${u.region})`
      : `account ${u.account} in ${u.region}`;
  const via = u.via.length > 0 ? ` (reached through ${u.via.join(', ')})` : '';
  return `Not read: ${what}${via}: ${u.reason}.`;
}

/**
 * The diagnosis with the unread parts named in the warnings, and in `notAnalyzed` when the path needed one: the walk
 * stopped at it or names it, or an end is an address no interface that was read holds (it may lie beyond).
 */
export function withUnread(diagnosis: Diagnosis, unread: UnreadPart[]): Diagnosis {
  if (unread.length === 0) return diagnosis;
  // (A transit gateway peering whose far gateway was not read needs nothing here: the engine stops at a gateway the
  // snapshot does not hold, so the far side's association is "not analyzed", never "associated with nothing".)
  const d = diagnosis;
  const warnings = [...d.warnings, ...unread.map(unreadSentence)];
  if (d.reachable === true) return { ...d, warnings };
  const na = d.notAnalyzed;
  const walked = JSON.stringify([d.forward, d.return, d.findings, na]);
  const unplaced = [d.endpoints.from, d.endpoints.to].some((e) => e.kind === 'ip' && !e.eni);
  const ids = (u: UnreadPart) => [...u.vpcs, ...u.via];
  const hit = unread.find((u) => ids(u).some((id) => walked.includes(id))) ?? (unplaced ? unread[0] : undefined);
  if (!hit) return { ...d, warnings };
  // A stop for another reason (IPv6, an appliance) stays the answer's; the unread part is still in the warnings.
  const naElsewhere = na && !ids(hit).some((id) => na.id === id || na.reason.includes(id));
  if (naElsewhere && !unplaced) return { ...d, warnings };
  return {
    ...d,
    warnings,
    reachable: d.findings.length > 0 ? false : null,
    notAnalyzed: { component: 'account', id: `${hit.account}/${hit.region}`, reason: unreadSentence(hit) },
  };
}
