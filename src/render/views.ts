/**
 * The words of the conversation's views, decided once: help, the fix plan a user confirms, the fix report (applied /
 * already in place / refused, with the audit line), the undo report, and errors. Text and Block Kit lay them out.
 */
import type { ApplyFixReport } from '../core/apply-fix.js';
import type { UndoEntry, UndoOutcome } from '../core/conversation.js';
import type { InstanceList } from '../core/instances.js';
import type { WhypingError } from '../errors.js';
import type { FixPlan } from '../model/index.js';
import { helpTopicLines, helpTopicText } from './help-topics.js';
import { sanitizeTerminalText } from './text.js';

/** Which front end the help is for: the shell takes bare lines, Slack takes `/whyping …` and `@whyping …`. */
export type HelpFor = 'shell' | 'slack';

/** The help text. */
export function helpText(front: HelpFor, topic?: string): string {
  if (topic !== undefined) return helpTopicText(topic, front === 'slack' ? '/whyping help' : 'help').text;
  return `${commandsText(front)}
Topics (help <topic>):
${helpTopicLines().join('\n')}`;
}

function commandsText(front: HelpFor): string {
  if (front === 'slack') {
    return `Ask, in a channel or an incident thread:
  /whyping web-1 db-1                 (ping)
  /whyping web-1 db-1 tcp 443         (or udp 53; db-1:443 works too)
  @whyping why can't Instance - NextWork VPC 1 ping Instance - NextWork VPC 2
An end is an instance id, Name tag, ENI id, IP address, internet, or eic; quote a Name to force a reading.
Then, in the thread of an answer (or with its buttons):
  @whyping fix N      apply fix number N of that answer (fixers only)
  @whyping fix all    apply every fix, in order
  @whyping undo       undo the last fix command; again to step further back
  @whyping recheck    ask the question again
  @whyping probe      ask again with a live probe from the source instance (probers only)
/whyping instances lists the instances you can name.`;
  }
  return `Ask a question, in any of these forms:
  why can't web-1 ping db-1
  can web-1 reach db-1 on 443
  why can't Instance - NextWork VPC 1 ping Instance - NextWork VPC 2
  "Instance - NextWork VPC 1" 10.2.4.95 tcp 22        (quotes force a reading)
  why can't I connect to web-1 with ec2 instance connect
An end is an instance id, Name tag, ENI id, IP address, internet, or eic.
Then:
  fix N      apply fix number N of the last answer (asks y/N first)
  fix all    apply every fix of the last answer, in order
  undo       undo the last fix command (undo again steps further back)
  recheck    ask the last question again
  probe      ask the last question again, with a live probe from the source
  paths      the last answer in full: each hop's rule, each fix's id and undo
  instances  list the instances you can name (Name, id, private IP)
  help       this text; help <topic> explains a topic
  quit       leave`;
}

/** What a fix will change, for the confirmation (the shell's question, Slack's confirm dialog or modal). */
export function fixPlanLines(plans: FixPlan[]): string[] {
  return [
    'This will change your network:',
    ...plans.flatMap((p) => [
      `  - ${p.summary}${p.reversible ? '' : '  (cannot be undone)'}`,
      ...(p.warnings ?? []).map((w) => `    WARNING: ${w}`),
    ]),
  ];
}

const MARK: Record<string, string> = {
  applied: '✓ applied',
  'already-in-place': '= already in place',
  refused: '✗ refused',
  failed: '✗ failed',
  skipped: '- skipped',
  'would-apply': '- would apply',
};

/**
 * A fix report: one line per plan (with the AWS request ids), the audit line, then the overall message. With the
 * conversation's fix numbers, a plan is named by its number (the answer above holds the change).
 */
export function fixReportLines(
  r: ApplyFixReport,
  actor: string,
  when: Date,
  fixNumbers?: ReadonlyMap<string, number>,
): string[] {
  // Cancelled at the question: every plan is "skipped — Cancelled: not applied."; the overall message says it once.
  const plans = r.plans.every((p) => p.status === 'skipped') ? [] : r.plans;
  const lines = plans.map((p) => {
    const ids = p.requestIds.length > 0 ? ` [request ${p.requestIds.join(', ')}]` : '';
    const n = fixNumbers?.get(p.plan.id);
    const what = n === undefined ? p.plan.summary : `fix ${n}`;
    return `  ${MARK[p.status] ?? p.status}: ${what}${ids}${p.status === 'applied' ? '' : ` — ${p.message}`}`;
  });
  if (r.plans.some((p) => p.status === 'applied')) {
    lines.push(`  audit: ${actor} at ${when.toISOString()}, diagnosis ${r.diagnosisId}`);
  }
  if (r.missingPermission) lines.push(`  missing IAM permission: ${r.missingPermission} (see iam/fix.json)`);
  for (const i of r.irreversible) {
    const n = fixNumbers?.get(i.fixId);
    lines.push(`  cannot be undone: ${n === undefined ? i.summary : `fix ${n}`} — ${i.why}`);
  }
  if (r.undo) {
    const n = r.undo.steps.length;
    lines.push(
      r.undo.split
        ? `  undo: the changes do not fit one token, so each has its own; \`undo\` reverses the last, again for the one before.`
        : `  undo: \`undo\` reverses ${n === 1 ? 'this change' : `these ${n} changes, in reverse order, or none of them`} (until ${r.undo.expiresAt}).`,
    );
  }
  lines.push(r.message);
  return lines;
}

/** An undo report: one line per step (with the AWS request ids); what a step undid is said once, by the caller. */
export function undoReportLines(entry: UndoEntry, outcomes: UndoOutcome[], opts: { brief?: boolean } = {}): string[] {
  if (outcomes.length === 0) return [`Nothing was undone for: ${entry.label.split('\n').join('; ')}.`];
  return outcomes.map((o) => {
    const ids = o.requestIds.length > 0 ? ` [request ${o.requestIds.join(', ')}]` : '';
    if (opts.brief && o.status === 'applied') return `  ✓ undone${ids}`;
    return `  ${MARK[o.status] ?? o.status}: ${o.message}${ids}`;
  });
}

/** The instances a question can name, a line each: Name, id, private IP, then the public IP and a state not running. */
export function instanceLines(list: InstanceList): string[] {
  if (list.rows.length === 0) return [`No instances in ${list.where}.`];
  const width = Math.min(30, Math.max(...list.rows.map((r) => [...(r.name ?? '(no Name)')].length)));
  const lines = list.rows.map((r) => {
    const name = r.name ?? '(no Name)';
    const pad = ' '.repeat(Math.max(0, width - [...name].length));
    const extra = [...(r.publicIp ? [`public ${r.publicIp}`] : []), ...(r.state === 'running' ? [] : [r.state])];
    return `  ${name}${pad}  ${r.id}  ${r.privateIp ?? '-'}${extra.length > 0 ? `  ${extra.join(', ')}` : ''}`;
  });
  const count = list.more ? `the first ${list.rows.length}` : `${list.rows.length}`;
  return [`Instances in ${list.where} (${count}):`, ...lines];
}

/** Which front end an error is shown in: each says how to list the instances in its own words. */
export type ErrorFront = 'cli' | 'shell' | 'slack';

const LIST_INSTANCES: Record<ErrorFront, string> = {
  cli: 'List the instances with: whyping instances (with the same --sandbox, --snapshot or --region).',
  shell: 'Type instances to list them.',
  slack: 'Say `instances` (or `/whyping instances`) to list them.',
};

/**
 * An error for a person: the message, the close matches, and what to do next (resource text sanitised). Shown in a
 * front end, an end that names nothing also says how to list the instances there.
 */
export function errorText(e: WhypingError, front?: ErrorFront): string {
  let text = errorLines(e);
  const input = String(e.details.input ?? '')
    .trim()
    .toLowerCase();
  if (front && e.code === 'UNKNOWN_ENDPOINT' && input !== 'eic' && input !== 'internet') {
    text += `\n${LIST_INSTANCES[front]}`;
  }
  return sanitizeTerminalText(text);
}

function errorLines(e: WhypingError): string {
  let text = e.message;
  const candidates = e.details.candidates;
  if (candidates && candidates.length > 0 && !candidates.every((c) => text.includes(c))) {
    text += `\nDid you mean: ${candidates.join(', ')}?`;
  }
  if (e.code === 'AWS_CREDENTIALS' && !text.includes('--sandbox') && !text.includes('WHYPING_SANDBOX')) {
    text += '\nTo try whyping without an AWS account, add --sandbox (an in-memory copy of the seed lab).';
  }
  return text;
}
