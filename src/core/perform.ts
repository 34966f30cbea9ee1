/**
 * Runs the conversation's effects against AWS (live or sandbox) and turns each outcome into the conversation's next
 * input. The one place where undo tokens are read (the token format is the fix room's; its key comes with it).
 */
import type { FixPlan } from '../model/index.js';
import { applyFix, applyUndo, type UndoKey, readUndoToken as verifyToken } from './apply-fix.js';
import type { Effect, Input, UndoOutcome } from './conversation.js';
import { failed } from './conversation.js';
import type { Deps } from './deps.js';
import { type FixQueue, inProcessQueue } from './fix-queue.js';
import { readHistory } from './history.js';
import { listInstances } from './instances.js';
import { investigate } from './investigate.js';

/** How a front end runs effects. */
export interface PerformOptions {
  /** Who asked: recorded in rule descriptions, tags and the audit log (`shell:<user>`, `slack:U…`). */
  actor: string;
  /** Shown the exact changes after the dry run; false cancels (a Slack click was confirmed in the client). */
  confirm: (plans: FixPlan[]) => Promise<boolean>;
  onStage?: (stage: string) => void;
  /** Deps for writes (Slack: the fix role assumed for this user); reads use `deps`. */
  writeDeps?: Deps;
  /** Serializes fixes of one question (double clicks apply once). */
  queue?: FixQueue;
  /** Signs the undo tokens of fixes and verifies them before an undo (src/core/secret.ts `resolveUndoSecret`). */
  undo: UndoKey;
  /** How long the history effect waits for CloudTrail before one line says it did not arrive (default: no limit). */
  historyWaitMs?: number;
  /** The timer of that wait (default: a real one); tests inject one. */
  wait?: (ms: number) => Promise<void>;
}

const defaultQueue = inProcessQueue();

/** Verifies an undo token with the front end's key: the one call site of the token format outside src/fix. */
export function readUndoToken(token: string, key: UndoKey, now: Date) {
  return verifyToken(token, key.key, now).token;
}

/** Runs one effect; errors become a `failed` input, never a throw. */
export async function performEffect(effect: Effect, deps: Deps, opts: PerformOptions): Promise<Input> {
  try {
    switch (effect.kind) {
      case 'investigate': {
        const diagnosis = await investigate(
          effect.query,
          { kind: 'live', deps },
          { probe: effect.probe, ...(opts.onStage ? { onStage: opts.onStage } : {}) },
        );
        return { kind: 'answered', query: effect.query, diagnosis };
      }
      case 'fix': {
        const queue = opts.queue ?? defaultQueue;
        const key = `fix:${JSON.stringify(effect.query)}`;
        const report = await queue.run(key, () =>
          applyFix(opts.writeDeps ?? deps, effect.query, effect.fixId, {
            actor: opts.actor,
            confirm: opts.confirm,
            undo: opts.undo,
            ...(effect.expected ? { expected: effect.expected } : {}),
          }),
        );
        return { kind: 'fixed', report };
      }
      case 'undo': {
        // Every token is verified (signature, expiry) before anything is undone.
        const tokens = effect.entry.tokens.map((t) => readUndoToken(t, opts.undo, deps.now()));
        const outcomes: UndoOutcome[] = [];
        // Undo the command's changes in reverse; stop at the first that cannot be undone (it says why).
        for (const token of [...tokens].reverse()) {
          const r = await applyUndo(opts.writeDeps ?? deps, token, opts.actor);
          outcomes.push({ status: r.status, message: r.message, requestIds: r.requestIds });
          if (r.status !== 'applied') break;
        }
        return { kind: 'undone', entry: effect.entry, outcomes };
      }
      case 'history': {
        // Off (WHYPING_HISTORY_DAYS=0): the diagnosis comes back unchanged, and nothing is shown.
        if (deps.historyDays === 0) return { kind: 'history', diagnosis: effect.diagnosis };
        const diagnosis = await readHistory(
          effect.diagnosis,
          { kind: 'live', deps },
          {
            ...(opts.historyWaitMs !== undefined ? { timeoutMs: opts.historyWaitMs } : {}),
            ...(opts.wait ? { wait: opts.wait } : {}),
          },
        );
        return { kind: 'history', diagnosis };
      }
      case 'instances':
        return { kind: 'listed', list: await listInstances({ kind: 'live', deps }) };
      default: {
        const never: never = effect;
        return never;
      }
    }
  } catch (e) {
    return failed(e, effect.kind === 'fix' || effect.kind === 'investigate' ? effect.query : undefined);
  }
}
