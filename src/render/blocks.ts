/**
 * The Block Kit presenter: the same views as the terminal (verdict, paths, blockers, fixes, reports), laid out for
 * Slack within its limits (50 blocks, 3000 characters a text, 25 elements an actions block, 2000 a button value,
 * 300 a confirm text), truncating with a pointer to the CLI command that prints everything. Every resource- or
 * user-derived string is escaped for mrkdwn, so a Name tag of `<!channel>` pings nobody.
 */
import type { Diagnosis, FixPlan, Query } from '../model/index.js';
import { describeEndpoint, describeProtocol, numberedFixes, renderText, verdictLine } from './text.js';
import { fixPlanLines } from './views.js';

/** A Block Kit block or element, as JSON. */
export type Block = Record<string, unknown>;

/** A message: the fallback text (notifications, screen readers) and the blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Slack's limits that the presenter keeps. */
export const LIMITS = {
  blocks: 50,
  text: 3000,
  actions: 25,
  buttonValue: 2000,
  buttonText: 75,
  confirmText: 300,
  fallbackText: 3000,
} as const;

/** Escapes the three characters mrkdwn gives meaning to: `&`, `<` and `>` (mentions, links, channel pings). */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** A message's top-level text is mrkdwn too (notifications): escaped like the blocks. */
function fallback(s: string): string {
  return clip(escapeMrkdwn(s), LIMITS.fallbackText);
}

function section(mrkdwn: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } };
}

function context(mrkdwn: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn }] };
}

/** Quotes an argument for a POSIX shell, for the CLI command the pointer names. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The CLI command that prints the whole answer (the truncation pointer). */
export function cliCommand(q: Query): string {
  const proto = q.protocol === 'icmp' ? '' : ` --protocol ${q.protocol} --port ${q.port}`;
  return `whyping diagnose ${shellQuote(q.from)} ${shellQuote(q.to)}${proto}`;
}

/** The question in one line: `web-1 → db-1 (ping (ICMP))`. */
function questionLine(q: Query): string {
  return `${q.from} → ${q.to} (${describeProtocol(q)})`;
}

/** The one visible message while an investigation runs, updated in place as stages finish. */
export function progressMessage(q: Query, stage: string | null): SlackMessage {
  const head = `:hourglass_flowing_sand: Investigating ${escapeMrkdwn(questionLine(q))}…`;
  const blocks = [section(clip(head, LIMITS.text))];
  if (stage) blocks.push(context(clip(escapeMrkdwn(stage), LIMITS.text)));
  return { text: fallback(`Investigating ${questionLine(q)}…`), blocks };
}

function verdictEmoji(d: Diagnosis): string {
  return d.reachable === true ? ':white_check_mark:' : d.reachable === false ? ':x:' : ':warning:';
}

/** The one-line reason under the verdict: the first blocker, what was not analyzed, or why some connections fail. */
function reasonLine(d: Diagnosis): string | null {
  // Reachable, yet some connections fail: the first such warning is the reason to read on.
  if (d.reachable === true) return d.partlyDenied?.[0]?.message ?? null;
  const first = d.findings[0];
  if (first) return `${first.code} on ${first.resource}: ${first.message}`;
  return d.notAnalyzed?.reason ?? null;
}

/** The verdict, as the final state of the visible message. */
export function verdictMessage(d: Diagnosis, opts: { detailsInThread?: boolean } = {}): SlackMessage {
  const line = verdictLine(d).replace(/^[✓✗?] /, '');
  const blocks: Block[] = [section(clip(`${verdictEmoji(d)} *${escapeMrkdwn(line)}*`, LIMITS.text))];
  const reason = reasonLine(d);
  const notes: string[] = [];
  if (reason) notes.push(escapeMrkdwn(reason));
  if (opts.detailsInThread) notes.push('Details, and the fixes, in the thread.');
  if (notes.length > 0) blocks.push(context(clip(notes.join('  ·  '), LIMITS.text)));
  return { text: fallback(line), blocks };
}

/** What a fix button carries: everything its click needs, so any replica can serve it. */
export interface FixButtonValue {
  q: Query;
  /** A fix id, or `all`. */
  id: string;
  /** The plan the user saw (tells a stale plan from one already applied); left out when it does not fit. */
  p?: FixPlan;
  /** 1 when the change did not fit a confirm dialog: the click opens a modal that shows it and applies on submit. */
  m?: 1;
}

/** What Re-check and Probe carry. */
export interface QueryButtonValue {
  q: Query;
}

/** What Undo carries: the tokens of one fix command; left out (`s: 1`, the thread's state) when they do not fit. */
export type UndoButtonValue = { t: string[] } | { s: 1 };

/** Action ids of the buttons (a number follows `fix:` so ids are unique in their block). */
export const ACTIONS = {
  fix: 'whyping_fix',
  fixAll: 'whyping_fix_all',
  recheck: 'whyping_recheck',
  probe: 'whyping_probe',
  undo: 'whyping_undo',
  pick: 'whyping_pick',
} as const;

function fixValue(q: Query, id: string, plan: FixPlan | undefined, modal: boolean): string {
  const m = modal ? { m: 1 as const } : {};
  const withPlan = JSON.stringify({ q, id, ...(plan ? { p: plan } : {}), ...m } satisfies FixButtonValue);
  return withPlan.length <= LIMITS.buttonValue ? withPlan : JSON.stringify({ q, id, ...m } satisfies FixButtonValue);
}

/** The confirm dialog of a fix button, or null when the change does not fit in one (the click opens a modal). */
export function fixConfirm(plans: FixPlan[]): Block | null {
  const text = fixPlanText(plans);
  if (text.length > LIMITS.confirmText) return null;
  return {
    title: { type: 'plain_text', text: 'Change AWS?' },
    text: { type: 'plain_text', text },
    confirm: { type: 'plain_text', text: 'Apply' },
    deny: { type: 'plain_text', text: 'Cancel' },
    style: 'danger',
  };
}

/** The exact change, as the confirm dialog and the modal show it. */
export function fixPlanText(plans: FixPlan[]): string {
  return fixPlanLines(plans)
    .map((l) => l.trim())
    .join('\n');
}

function button(text: string, actionId: string, value: string, extra: Block = {}): Block {
  return {
    type: 'button',
    text: { type: 'plain_text', text: clip(text, LIMITS.buttonText) },
    action_id: actionId,
    value,
    ...extra,
  };
}

/** The buttons under an answer: one per fix in apply order, then Fix all, Re-check and Probe. */
function answerButtons(d: Diagnosis, fixNumbers: ReadonlyMap<string, number>): Block[] {
  const q = d.query;
  const fixes = numberedFixes(d);
  const elements: Block[] = [];
  for (const [i, f] of fixes.entries()) {
    const n = fixNumbers.get(f.id) ?? i + 1;
    const confirm = fixConfirm([f]);
    elements.push(
      button(`Fix ${n}: ${f.summary}`, `${ACTIONS.fix}:${n}`, fixValue(q, f.id, f, confirm === null), {
        ...(confirm ? { confirm } : {}),
      }),
    );
  }
  // Fix all, Re-check and Probe always fit: fixes beyond the actions block's room are left to `fix all` and `fix N`.
  const room = LIMITS.actions - 3;
  const shown = elements.slice(0, room);
  if (fixes.length > 1) {
    const confirm = fixConfirm(fixes);
    shown.push(
      button('Fix all', ACTIONS.fixAll, fixValue(q, 'all', undefined, confirm === null), {
        style: 'danger',
        ...(confirm ? { confirm } : {}),
      }),
    );
  }
  shown.push(button('Re-check', ACTIONS.recheck, JSON.stringify({ q } satisfies QueryButtonValue)));
  shown.push(button('Probe', ACTIONS.probe, JSON.stringify({ q } satisfies QueryButtonValue)));
  return shown;
}

/** Splits the text view into its sections (blank-line separated), each a heading and its lines. */
function textSections(d: Diagnosis, fixNumbers: ReadonlyMap<string, number>): string[] {
  // The fixes by number, as in the shell: the buttons' values carry the ids. The verdict line is the visible message.
  return renderText(d, { fixNumbers, fixIds: false }).trimEnd().split('\n\n').slice(1);
}

/** A section of the text view as mrkdwn: the heading in bold, the lines as they are (escaped). */
function sectionBlocks(text: string): Block[] {
  const [head, ...rest] = text.split('\n');
  const body = escapeMrkdwn(rest.join('\n'));
  const title = `*${escapeMrkdwn(head ?? '')}*`;
  const out: Block[] = [];
  let chunk = title;
  for (const line of body.split('\n')) {
    const piece = clip(line, LIMITS.text - 10);
    if (chunk.length + piece.length + 1 > LIMITS.text) {
      out.push(section(chunk));
      chunk = piece;
    } else {
      chunk = chunk ? `${chunk}\n${piece}` : piece;
    }
  }
  if (chunk) out.push(section(chunk));
  return out;
}

/** The thread message of an answer: both paths hop by hop, every blocker, fixes, probe, hints, warnings, buttons. */
export function detailsMessage(d: Diagnosis, fixNumbers: ReadonlyMap<string, number>): SlackMessage {
  const body: Block[] = textSections(d, fixNumbers).flatMap(sectionBlocks);
  const actions: Block = { type: 'actions', block_id: 'whyping_answer', elements: answerButtons(d, fixNumbers) };
  // Room for the truncation pointer and the buttons.
  const room = LIMITS.blocks - 2;
  const blocks = body.length <= room ? body : body.slice(0, room);
  if (body.length > room) {
    blocks.push(
      context(
        `… ${body.length - room} more section(s). Everything: \`${escapeMrkdwn(cliCommand(d.query))}\` (add --sandbox for the demo account).`,
      ),
    );
  }
  blocks.push(actions);
  const from = describeEndpoint(d.endpoints.from);
  const to = describeEndpoint(d.endpoints.to);
  return { text: fallback(`Details: ${from} → ${to}`), blocks };
}

/** Lines of text (a fix or undo report, a notice, help) as one message, in a code-free mrkdwn section each 3000. */
export function linesMessage(lines: string[], opts: { extra?: Block[] } = {}): SlackMessage {
  const text = escapeMrkdwn(lines.join('\n'));
  const blocks: Block[] = [];
  for (let i = 0; i < text.length && blocks.length < LIMITS.blocks - 2; i += LIMITS.text) {
    blocks.push(section(text.slice(i, i + LIMITS.text)));
  }
  blocks.push(...(opts.extra ?? []));
  return { text: fallback(lines.join('\n')), blocks };
}

/** The Undo button under a fix report. */
export function undoButton(tokens: string[]): Block {
  const withTokens = JSON.stringify({ t: tokens } satisfies UndoButtonValue);
  const value =
    withTokens.length <= LIMITS.buttonValue ? withTokens : JSON.stringify({ s: 1 } satisfies UndoButtonValue);
  return { type: 'actions', block_id: 'whyping_undo', elements: [button('Undo', ACTIONS.undo, value)] };
}

/** A candidate for an ambiguous end, as the select menu shows it. */
export interface Candidate {
  /** The text that names it uniquely (an instance id). */
  value: string;
  label: string;
}

/** The select menu for an ambiguous end: choosing one re-runs the question with that end. */
export function pickMessage(q: Query, side: 'from' | 'to', input: string, candidates: Candidate[]): SlackMessage {
  const options = candidates.slice(0, 100).map((c) => ({
    text: { type: 'plain_text', text: clip(c.label, 75) },
    value: clip(c.value, 75),
  }));
  // The question rides in the block id (255 characters), not in the options (75 each). A question too long for it
  // gets the candidates as text: the user asks again with the id.
  const blockId = `whyping_pick:${side}:${JSON.stringify(q)}`;
  if (blockId.length > 255 || options.length === 0) {
    return linesMessage([
      `"${input}" matches several things: ${candidates.map((c) => c.label).join('; ')}.`,
      'Ask again with the id of the one you mean.',
    ]);
  }
  return {
    text: fallback(`"${input}" matches several things: pick one.`),
    blocks: [
      section(`*${escapeMrkdwn(input)}* matches several things. Which one did you mean?`),
      {
        type: 'actions',
        block_id: blockId,
        elements: [
          {
            type: 'static_select',
            action_id: ACTIONS.pick,
            placeholder: { type: 'plain_text', text: 'Pick one' },
            options,
          },
        ],
      },
    ],
  };
}
