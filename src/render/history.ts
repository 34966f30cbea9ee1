/**
 * The blockers' history as text lines (one view, presented by the CLI, the shell and Slack): under each blocker, the
 * most relevant recent change — what, who, when (relative and absolute), the event id — or that none was recorded, or
 * why it could not be read. Pure: "ago" is counted from the end of the history's window.
 */
import type { Diagnosis, Finding, FindingHistory } from '../model/index.js';

/** One line per finding that carries a history; none when nothing was asked. */
export function historyLines(d: Pick<Diagnosis, 'findings'>): string[] {
  return d.findings.flatMap((f) => (f.history ? [historyLine(f, f.history)] : []));
}

/** `rtb-0aaa…: DeleteRoute by alice (role Admin), 1 day ago (2026-12-06 12:00 UTC): removed … [event ev-…]`. */
export function historyLine(f: Pick<Finding, 'resource'>, h: FindingHistory): string {
  if (h.skipped !== null) return `${f.resource}: ${h.skipped}`;
  const e = h.events[0];
  if (e === undefined) return `${f.resource}: no change recorded in ${h.window.days} days.`;
  const more = h.events.length > 1 ? ` (+${h.events.length - 1} earlier)` : '';
  const when = `${ago(Date.parse(h.window.to) - Date.parse(e.time))} (${e.time.slice(0, 16).replace('T', ' ')} UTC)`;
  return `${f.resource}: ${e.eventName} by ${e.principal}, ${when}: ${e.summary} [event ${e.eventId}]${more}`;
}

function ago(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}
