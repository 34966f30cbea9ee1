/**
 * One conversation for every front end (DESIGN.md §5): a pure step `(state, input) → {state, replies, effects}`.
 * The shell keeps the state in memory; Slack keeps it in whyping's own message in the thread (message metadata), so
 * the state is plain, small, serializable data. Effects (investigate, fix, undo) are run by `performEffect` and their
 * outcome comes back as the next input.
 */
import { asWhypingError, WhypingError } from '../errors.js';
import type { Diagnosis, FixPlan, Query } from '../model/index.js';
import type { ApplyFixReport } from './apply-fix.js';
import { fixPlansOf } from './fix-order.js';
import type { InstanceList } from './instances.js';
import { parseRequest } from './request.js';

/** A fix number given in this conversation: `fix N` means the fix shown as N, for as long as the question stays. */
export interface FixRef {
  n: number;
  id: string;
  summary: string;
}

/** What one fix command changed, undone as a whole by one `undo`. */
export interface UndoEntry {
  /** What the fix command changed: each reversible change's summary, in apply order, one per line. */
  label: string;
  /** Undo tokens in apply order (undone in reverse). */
  tokens: string[];
}

/** The state of a conversation: plain data (Slack stores it in message metadata). */
export interface ConversationState {
  /** The question of the last answer. */
  query: Query | null;
  /** Every fix number given for this question, in the order they were given. */
  fixes: FixRef[];
  /** The fix ids the last answer proposes. */
  current: string[];
  /** One entry per fix command that changed something, the latest last. */
  undo: UndoEntry[];
}

/** The state of a new conversation. */
export const NEW_CONVERSATION: ConversationState = { query: null, fixes: [], current: [], undo: [] };

/** What the conversation asks its front end to do. */
export type Effect =
  | { kind: 'investigate'; query: Query; probe: boolean }
  | {
      kind: 'fix';
      query: Query;
      fixId: string | 'all' /** The plan the user saw (a button carries it). */;
      expected?: FixPlan;
    }
  | { kind: 'undo'; entry: UndoEntry }
  /** After an answer: read what changed on its blockers (CloudTrail); the answer is already shown. */
  | { kind: 'history'; diagnosis: Diagnosis }
  /** List the instances a question can name (`instances`). */
  | { kind: 'instances' };

/** One outcome of an undo step (an executor result, as lines of the report). */
export interface UndoOutcome {
  status: 'applied' | 'already-in-place' | 'refused' | 'failed' | 'would-apply';
  message: string;
  requestIds: string[];
}

/** Input to the conversation: a line the user typed, or the outcome of an effect. */
export type Input =
  | { kind: 'text'; text: string }
  | { kind: 'answered'; query: Query; diagnosis: Diagnosis }
  | { kind: 'fixed'; report: ApplyFixReport }
  | { kind: 'undone'; entry: UndoEntry; outcomes: UndoOutcome[] }
  /** The answer's diagnosis with `history` set on its blockers (unchanged when the history is off). */
  | { kind: 'history'; diagnosis: Diagnosis }
  | { kind: 'listed'; list: InstanceList }
  | { kind: 'failed'; error: WhypingError; query?: Query };

/** What the front end shows, as values; each front end lays them out with src/render. */
export type Reply =
  | { kind: 'help'; topic?: string }
  | { kind: 'quit' }
  | { kind: 'notice'; text: string }
  | { kind: 'hint'; text: string }
  | { kind: 'diagnosis'; diagnosis: Diagnosis; fixNumbers: ReadonlyMap<string, number>; rechecked: boolean }
  | { kind: 'fix-report'; report: ApplyFixReport }
  | { kind: 'undo-report'; entry: UndoEntry; outcomes: UndoOutcome[]; undone: boolean }
  /** What changed on the blockers of the answer just shown (it follows that answer). */
  | { kind: 'history'; diagnosis: Diagnosis; fixNumbers: ReadonlyMap<string, number> }
  | { kind: 'instances'; list: InstanceList }
  | {
      kind: 'error';
      error: WhypingError /** The question that met it (an ambiguous end is asked again). */;
      query?: Query;
    };

/** The result of one step. */
export interface Step {
  state: ConversationState;
  replies: Reply[];
  effects: Effect[];
}

const QUIT = new Set(['quit', 'exit', 'q', 'bye', ':q']);

function sameQuery(a: Query | null, b: Query): boolean {
  return a !== null && a.from === b.from && a.to === b.to && a.protocol === b.protocol && a.port === b.port;
}

/** The fix numbers of the state as a map (id → n), for the renderers. */
export function fixNumbersOf(state: ConversationState): ReadonlyMap<string, number> {
  return new Map(state.fixes.map((f) => [f.id, f.n]));
}

/** Numbers the fixes of a new answer: the same question keeps its numbers, a new fix gets the next one. */
function numbered(state: ConversationState, query: Query, d: Diagnosis): ConversationState {
  const keep = sameQuery(state.query, query);
  const fixes = keep ? [...state.fixes] : [];
  const plans = fixPlansOf(d);
  for (const p of plans) {
    if (!fixes.some((f) => f.id === p.id)) {
      fixes.push({ n: Math.max(0, ...fixes.map((f) => f.n)) + 1, id: p.id, summary: p.summary });
    }
  }
  return { ...state, query, fixes, current: plans.map((p) => p.id) };
}

function say(state: ConversationState, ...replies: Reply[]): Step {
  return { state, replies, effects: [] };
}

/** "Say fix 1…fix 4, or fix all." — the numbers the last answer offers. */
function whichFixes(state: ConversationState): string {
  const ns = state.fixes.filter((f) => state.current.includes(f.id)).map((f) => f.n);
  if (ns.length === 0) return 'The last answer has no fixes to apply.';
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  const range =
    ns.length === 1
      ? `fix ${lo}`
      : hi - lo + 1 === ns.length
        ? `fix ${lo}…fix ${hi}`
        : ns.map((n) => `fix ${n}`).join(', ');
  return `Say ${range}, or fix all.`;
}

/** One step of the conversation. Pure: no I/O, no clock. */
export function step(state: ConversationState, input: Input): Step {
  switch (input.kind) {
    case 'text':
      return onText(state, input.text);
    case 'answered': {
      const next = numbered(state, input.query, input.diagnosis);
      // How to apply the fixes is part of the text view (right under them), and Slack has buttons for it.
      const shown = say(next, {
        kind: 'diagnosis',
        diagnosis: input.diagnosis,
        fixNumbers: fixNumbersOf(next),
        rechecked: false,
      });
      // The verdict never waits for CloudTrail: what changed on the blockers is read after it is shown.
      const blocked = input.diagnosis.reachable === false && input.diagnosis.findings.length > 0;
      return blocked ? { ...shown, effects: [{ kind: 'history', diagnosis: input.diagnosis }] } : shown;
    }
    case 'history':
      if (!input.diagnosis.findings.some((f) => f.history)) return say(state);
      return say(state, { kind: 'history', diagnosis: input.diagnosis, fixNumbers: fixNumbersOf(state) });
    case 'fixed': {
      const r = input.report;
      let next = state;
      // One fix command, one undo entry: its token (or, when split, its tokens in apply order) undone as a whole.
      const tokens = r.undo?.tokens ?? [];
      if (tokens.length > 0) {
        const label = r.plans
          .filter((p) => p.status === 'applied' && p.plan.reversible)
          .map((p) => p.plan.summary)
          .join('\n');
        next = { ...next, undo: [...next.undo, { label, tokens }] };
      }
      const replies: Reply[] = [{ kind: 'fix-report', report: r }];
      if (r.after) {
        next = numbered(next, r.query, r.after);
        replies.push({ kind: 'diagnosis', diagnosis: r.after, fixNumbers: fixNumbersOf(next), rechecked: true });
      }
      return say(next, ...replies);
    }
    case 'undone': {
      // The entry is used up whatever happened: `undo` again steps further back.
      const next = { ...state, undo: state.undo.filter((u) => u !== input.entry && !sameEntry(u, input.entry)) };
      const undone = input.outcomes.length > 0 && input.outcomes.every((o) => o.status === 'applied');
      const replies: Reply[] = [{ kind: 'undo-report', entry: input.entry, outcomes: input.outcomes, undone }];
      if (undone) replies.push({ kind: 'hint', text: undidText(input.entry) });
      return say(next, ...replies);
    }
    case 'listed':
      return say(state, { kind: 'instances', list: input.list });
    case 'failed':
      return say(state, { kind: 'error', error: input.error, ...(input.query ? { query: input.query } : {}) });
    default: {
      const never: never = input;
      return never;
    }
  }
}

/** What an undo reversed: a single change in one line; several as a list, one change a line. */
function undidText(entry: UndoEntry): string {
  const changes = entry.label.split('\n');
  if (changes.length === 1) return `(undid: ${entry.label}) Type recheck to see the effect.`;
  return [
    `(undid ${changes.length} changes)`,
    ...changes.map((c) => `  - ${c}`),
    'Type recheck to see the effect.',
  ].join('\n');
}

function sameEntry(a: UndoEntry, b: UndoEntry): boolean {
  return a.label === b.label && a.tokens.join() === b.tokens.join();
}

function onText(state: ConversationState, raw: string): Step {
  const line = raw.trim();
  const word = line.toLowerCase();
  if (line === '' || line.startsWith('#')) return say(state);
  if (QUIT.has(word)) return say(state, { kind: 'quit' });
  if (word === 'help' || word === '?') return say(state, { kind: 'help' });
  const topic = /^help\s+(\S+)$/.exec(word)?.[1];
  if (topic) return say(state, { kind: 'help', topic });
  if (word === 'instances' || word === 'list') return { state, replies: [], effects: [{ kind: 'instances' }] };
  if (word === 'recheck' || word === 'again' || word === 'probe') {
    if (!state.query) return say(state, { kind: 'notice', text: 'Nothing to recheck yet: ask a question first.' });
    return { state, replies: [], effects: [{ kind: 'investigate', query: state.query, probe: word === 'probe' }] };
  }
  if (/^fix(\s|$)/.test(word)) return onFix(state, word.slice(3).trim());
  if (word === 'undo') {
    const entry = state.undo[state.undo.length - 1];
    if (!entry) return say(state, { kind: 'notice', text: 'Nothing to undo in this session.' });
    return { state, replies: [], effects: [{ kind: 'undo', entry }] };
  }
  try {
    return { state, replies: [], effects: [{ kind: 'investigate', query: parseRequest(line), probe: false }] };
  } catch (e) {
    return say(state, { kind: 'error', error: asWhypingError(e) });
  }
}

function onFix(state: ConversationState, arg: string): Step {
  const query = state.query;
  if (!query) return say(state, { kind: 'notice', text: 'Nothing to fix yet: ask a question first.' });
  if (arg === 'all') {
    if (state.current.length === 0)
      return say(state, { kind: 'notice', text: 'The last answer has no fixes to apply.' });
    return { state, replies: [], effects: [{ kind: 'fix', query, fixId: 'all' }] };
  }
  const n = /^\d+$/.test(arg) ? Number(arg) : Number.NaN;
  const ref = state.fixes.find((f) => f.n === n);
  if (!ref) return say(state, { kind: 'notice', text: whichFixes(state) });
  if (!state.current.includes(ref.id)) {
    return say(state, {
      kind: 'notice',
      text: `Fix ${n} (${ref.summary}) is no longer proposed: the last answer does not need it (applied, or the network changed). ${whichFixes(state)}`,
    });
  }
  return { state, replies: [], effects: [{ kind: 'fix', query, fixId: ref.id }] };
}

/** An error as the conversation's input, for front ends that catch around `performEffect`. */
export function failed(e: unknown, query?: Query): Input {
  return { kind: 'failed', error: e instanceof WhypingError ? e : asWhypingError(e), ...(query ? { query } : {}) };
}
