/**
 * The blockers' history as text lines (one view, presented by the CLI, the shell and Slack): under a "What changed"
 * heading, one line per blocker (numbered as in the answer's Blockers list, naming its fix) with the most relevant
 * recent change — what, who, when (relative and absolute), the event id — or that none was recorded, or why it could
 * not be read (one line when every blocker met the same failure). Pure: "ago" is counted from the end of the window.
 */
import { fixPlansOf } from '../core/fix-order.js';
import type { Diagnosis, Finding, FindingHistory } from '../model/index.js';
import { sanitizeTerminalText } from './text.js';

/** One line per finding that carries a history; none when nothing was asked. */
export function historyLines(d: Pick<Diagnosis, 'findings'>): string[] {
  return d.findings.flatMap((f) => (f.history ? [historyLine(f, f.history)] : []));
}

/**
 * The "What changed" section: a heading and one line a blocker (`  1. rtb-…: DeleteRoute by sam (role
 * NetworkAdmin), yesterday (…): removed … [event …] → fix 2`); empty when no finding carries a history. Resource data
 * (names, parameters) is stripped of control characters; Slack escapes it again for mrkdwn.
 */
export function historySection(d: Diagnosis, fixNumbers?: ReadonlyMap<string, number>): string[] {
  const withHistory = d.findings.flatMap((f, i) => (f.history ? [{ f, h: f.history, n: i + 1 }] : []));
  const first = withHistory[0];
  if (first === undefined) return [];
  const numbers = fixNumbers ?? new Map(fixPlansOf(d).map((p, i) => [p.id, i + 1]));
  const head = `What changed (CloudTrail, last ${first.h.window.days} days)`;
  const reasons = new Set(withHistory.map(({ h }) => h.skipped));
  const [only] = reasons;
  if (reasons.size === 1 && typeof only === 'string') return [head, `  ${sanitizeTerminalText(only)}`];
  return [
    head,
    ...withHistory.map(({ f, h, n }) => {
      const fix = f.fix && numbers.has(f.fix.id) ? ` → fix ${numbers.get(f.fix.id)}` : '';
      return `  ${n}. ${sanitizeTerminalText(historyLine(f, h))}${fix}`;
    }),
  ];
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
