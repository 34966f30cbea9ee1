/**
 * The blockers' history use case: after the verdict, what changed on each blocking resource lately (CloudTrail). It
 * never fails the answer and never delays it: front ends show the verdict first and this when it arrives.
 */
import type { Diagnosis, Finding, FindingHistory } from '../model/index.js';
import type { Source } from './investigate.js';

/** How far back the history looks when the deps do not say (WHYPING_HISTORY_DAYS). */
const DEFAULT_DAYS = 7;

/** Options of `readHistory`. */
export interface HistoryReadOptions {
  /** Give up after this long (the CLI's --json waits 5 s): unread resources get `skipped`. Default: no limit. */
  timeoutMs?: number;
  /** The timer the deadline waits on (default: a real timer that never holds the process open); tests inject one. */
  wait?: (ms: number) => Promise<void>;
}

/** The diagnosis with `history` set on every finding that has a resource to look up. */
export async function readHistory(
  diagnosis: Diagnosis,
  source: Source,
  opts: HistoryReadOptions = {},
): Promise<Diagnosis> {
  const { addHistory, wantsHistory } = await import('../collect/index.js');
  const wanted = diagnosis.findings.filter(wantsHistory);
  if (wanted.length === 0) return diagnosis;
  const days = source.kind === 'live' ? (source.deps.historyDays ?? DEFAULT_DAYS) : DEFAULT_DAYS;
  const now = source.kind === 'live' ? source.deps.now() : new Date();
  const skipped = (reason: string): Diagnosis => ({
    ...diagnosis,
    findings: diagnosis.findings.map((f) => (wantsHistory(f) ? { ...f, history: emptyHistory(days, now, reason) } : f)),
  });
  if (days === 0) return skipped('history not read: WHYPING_HISTORY_DAYS=0 turns it off (set 1 to 90 days).');
  if (source.kind === 'snapshot')
    return skipped('history not read: a snapshot has no CloudTrail history (ask live AWS).');
  const client = source.deps.clients.cloudtrail;
  if (client === undefined) return skipped('history not read: no CloudTrail client (cloudtrail:LookupEvents).');
  const deps = source.deps;
  const reading = addHistory(client, diagnosis.findings, { days, now: deps.now, sleep: deps.sleep });
  const findings = await withDeadline(reading, opts.timeoutMs, opts.wait ?? realTimer);
  if (findings === undefined) {
    const s = Math.round((opts.timeoutMs ?? 0) / 1000);
    return skipped(
      `the history did not arrive within ${s} s (cloudtrail:LookupEvents is slow or queued); ask again for it.`,
    );
  }
  return { ...diagnosis, findings };
}

function emptyHistory(days: number, now: Date, skipped: string): FindingHistory {
  const from = new Date(now.getTime() - days * 86_400_000);
  return { window: { days, from: from.toISOString(), to: now.toISOString() }, skipped, events: [] };
}

/** The result, or undefined when `timeoutMs` passes first. */
async function withDeadline(
  work: Promise<Finding[]>,
  timeoutMs: number | undefined,
  wait: (ms: number) => Promise<void>,
): Promise<Finding[] | undefined> {
  if (timeoutMs === undefined) return work;
  return Promise.race([work, wait(timeoutMs).then(() => undefined)]);
}

/** A timer that never holds the process open (the answer is out; a late history is not worth waiting on). */
function realTimer(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
