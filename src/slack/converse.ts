/**
 * Runs the conversation (core/conversation) in a Slack thread: one visible message updated in place as stages finish,
 * the details and buttons in the thread, every message carrying the state after it, effects checked against who may
 * run them, audit events for every fix step, and the response_url when the bot cannot post.
 */
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { UndoKey } from '../core/apply-fix.js';
import { type Effect, type Input, type Reply, step } from '../core/conversation.js';
import type { Deps } from '../core/deps.js';
import type { FixQueue } from '../core/fix-queue.js';
import type { PerformOptions } from '../core/perform.js';
import type { WhypingError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Query } from '../model/index.js';
import {
  type Block,
  detailsMessage,
  linesMessage,
  pickMessage,
  progressMessage,
  type SlackMessage,
  undoButton,
  verdictMessage,
} from '../render/blocks.js';
import { historySection } from '../render/history.js';
import { errorText, fixReportLines, helpText, instanceLines, undoReportLines } from '../render/views.js';
import type { Access } from './access.js';
import { stateMetadata, type ThreadState } from './thread.js';

/** Where a conversation step happens. */
export interface Where {
  channel: string;
  /** The thread to answer in; null: the first message starts one (a slash command at the top of a channel). */
  threadTs: string | null;
  user: string;
  /** A slash command's or a click's response_url: ephemeral answers, and the fallback when the bot cannot post. */
  respond?: RespondFn;
}

/** Runs one conversation effect (core/perform's performEffect). */
export type Perform = (effect: Effect, deps: Deps, opts: PerformOptions) => Promise<Input>;

/** What running a conversation in Slack needs. */
export interface ConverseContext {
  client: WebClient;
  deps: Deps;
  perform: Perform;
  access: Access;
  logger: Logger;
  queue: FixQueue;
  /** Signs undo tokens and verifies them before an undo. */
  undo: UndoKey;
  /** The deps writes run with (WHYPING_FIX_ROLE_ARN assumed as whyping-<user>), or the read deps. */
  writeDepsFor: (user: string) => Promise<Deps>;
  now: () => Date;
}

/** How long a thread waits for the blockers' history after the answer before one line says it did not arrive. */
const SLACK_HISTORY_WAIT_MS = 30_000;

/** Slack errors that mean the bot cannot post in this conversation (a private channel it is not in, a DM). */
const CANNOT_POST = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

function slackError(e: unknown): string | undefined {
  return (e as { data?: { error?: string } }).data?.error;
}

/** Runs one input through the conversation in a thread, and every effect it leads to. Never throws. */
export class ThreadRun {
  private fallback = false;
  private progressTs: string | null = null;
  private stageChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: ConverseContext,
    private readonly where: Where,
    private state: ThreadState,
  ) {}

  /** Steps the conversation with `input`, then runs its effects one after the other. */
  async run(input: Input): Promise<void> {
    await this.guard(async () => {
      const next = step(this.state.c, input);
      this.state = { ...this.state, c: next.state };
      await this.show(next.replies);
      await this.drive(next.effects);
    });
  }

  /** Runs one effect a button asked for (the button carries what it needs), then what it leads to. */
  async runEffect(effect: Effect): Promise<void> {
    await this.guard(() => this.drive([effect]));
  }

  private async drive(first: Effect[]): Promise<void> {
    const effects = [...first];
    while (effects.length > 0) {
      const effect = effects.shift() as Effect;
      const result = await this.perform(effect);
      if (!result) continue;
      const next = step(this.state.c, result);
      this.state = { ...this.state, c: next.state };
      await this.show(next.replies);
      effects.push(...next.effects);
    }
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      this.ctx.logger.error({ err: e, channel: this.where.channel }, 'slack conversation failed');
      await this.ephemeral(`Sorry, something went wrong: ${e instanceof Error ? e.message : String(e)}`).catch(
        () => {},
      );
    }
    if (this.fallback) {
      await this.ephemeral(
        'I cannot post in this conversation (a private channel I am not in, or a DM), so there is no thread and no updates: invite me with /invite @whyping.',
      ).catch(() => {});
    }
  }

  private audit(event: string, extra: Record<string, unknown> = {}): void {
    this.ctx.logger.info(
      { audit: event, user: this.where.user, channel: this.where.channel, thread: this.where.threadTs, ...extra },
      `whyping audit: ${event}`,
    );
  }

  private async perform(effect: Effect): Promise<Input | null> {
    if (effect.kind === 'history') {
      // A read after the answer is out: no access check beyond the question's, no audit, no progress message.
      return this.ctx.perform(effect, this.ctx.deps, {
        actor: `slack:${this.where.user}`,
        confirm: async () => false,
        undo: this.ctx.undo,
        historyWaitMs: SLACK_HISTORY_WAIT_MS,
      });
    }
    const refusal = await this.ctx.access.allows(this.where.user, effect);
    const fixId = effect.kind === 'fix' ? effect.fixId : effect.kind === 'undo' ? 'undo' : undefined;
    if (refusal) {
      if (fixId) this.audit('refused', { fixId, reason: 'not authorized' });
      await this.ephemeral(refusal);
      return null;
    }
    const actor = `slack:${this.where.user}`;
    const opts: PerformOptions = { actor, confirm: async () => true, queue: this.ctx.queue, undo: this.ctx.undo };
    if (effect.kind === 'investigate') {
      this.progressTs = await this.post(progressMessage(effect.query, null), { top: this.where.threadTs === null });
      opts.onStage = (stage) => this.stage(effect, stage);
    } else if (effect.kind !== 'instances') {
      this.audit('requested', { fixId });
      opts.writeDeps = await this.ctx.writeDepsFor(this.where.user);
    }
    const result = await this.ctx.perform(effect, this.ctx.deps, opts);
    await this.stageChain;
    if (result.kind === 'fixed') {
      const r = result.report;
      this.audit(r.status, {
        fixId,
        diagnosisId: r.diagnosisId,
        requestIds: r.plans.flatMap((p) => p.requestIds),
        ...(r.missingPermission ? { missingPermission: r.missingPermission } : {}),
      });
    } else if (result.kind === 'undone') {
      this.audit(result.outcomes.every((o) => o.status === 'applied') ? 'undone' : 'undo-refused', {
        fixId,
        requestIds: result.outcomes.flatMap((o) => o.requestIds),
      });
    } else if (result.kind === 'failed' && fixId) {
      this.audit('failed', { fixId, code: result.error.code });
    }
    return result;
  }

  /** Updates the progress message with the stage (in order; never a message per stage). */
  private stage(effect: Effect & { kind: 'investigate' }, stage: string): void {
    const ts = this.progressTs;
    if (!ts || this.fallback) return;
    this.stageChain = this.stageChain.then(() => this.update(ts, progressMessage(effect.query, stage))).catch(() => {});
  }

  private async show(replies: Reply[]): Promise<void> {
    for (const r of replies) {
      switch (r.kind) {
        case 'quit':
          break;
        case 'help':
          await this.say(helpText('slack', r.topic));
          break;
        case 'notice':
          await this.say(r.text);
          break;
        case 'hint':
          // Slack has buttons for "type fix N"; only hints that say what happened are shown.
          if (r.text.startsWith('(undid')) await this.thread(linesMessage([r.text]));
          break;
        case 'diagnosis': {
          const verdict = verdictMessage(r.diagnosis, { detailsInThread: !this.fallback });
          const ts = this.progressTs ?? this.state.verdictTs;
          this.progressTs = null;
          if (ts && !this.fallback) {
            await this.update(ts, verdict);
            this.state = { ...this.state, verdictTs: ts };
          } else {
            const posted = await this.post(verdict, { top: this.where.threadTs === null });
            if (posted) this.state = { ...this.state, verdictTs: posted };
          }
          await this.thread(detailsMessage(r.diagnosis, r.fixNumbers));
          break;
        }
        case 'fix-report': {
          const lines = fixReportLines(r.report, `slack:${this.where.user}`, this.ctx.now());
          const tokens = r.report.undo?.tokens ?? [];
          await this.thread(linesMessage(lines, { extra: tokens.length > 0 ? [undoButton(tokens)] : [] }));
          break;
        }
        case 'undo-report':
          await this.thread(linesMessage(undoReportLines(r.entry, r.outcomes)));
          break;
        case 'instances':
          await this.say(instanceLines(r.list).join('\n'));
          break;
        case 'error':
          await this.error(r.error, r.query);
          break;
        case 'history': {
          // A reply in the thread after the details, with no state: a fix clicked meanwhile keeps the newer state.
          const lines = historySection(r.diagnosis, r.fixNumbers);
          if (lines.length > 0) await this.post(linesMessage(lines), { top: false, state: false });
          break;
        }
        default: {
          const never: never = r;
          return never;
        }
      }
    }
  }

  /** Errors: an ambiguous end gets a menu; bad input ephemerally; AWS errors in the thread (or ephemerally). */
  private async error(e: WhypingError, query: Query | undefined): Promise<void> {
    if (this.progressTs && !this.fallback) {
      await this.update(this.progressTs, linesMessage([`Could not answer: ${errorText(e, 'slack')}`]));
      this.progressTs = null;
    }
    if (e.code === 'AMBIGUOUS_ENDPOINT' && query) {
      const input = String(e.details.input ?? '');
      const side = query.from === input ? 'from' : 'to';
      const candidates = (e.details.candidates ?? []).map((label) => ({
        label,
        value: /\b((?:i|eni)-[0-9a-zA-Z]+)\b/.exec(label)?.[1] ?? label,
      }));
      const menu = pickMessage(query, side, input, candidates);
      if (this.where.respond && this.where.threadTs === null) {
        await this.where.respond({ response_type: 'ephemeral', ...menu });
      } else {
        await this.thread(menu);
      }
      return;
    }
    const text = `Sorry: ${errorText(e, 'slack')}`;
    const input = e.code === 'BAD_INPUT' || e.code === 'UNKNOWN_ENDPOINT' || e.code === 'AMBIGUOUS_ENDPOINT';
    if (input || this.where.threadTs === null) await this.ephemeral(text);
    else await this.thread(linesMessage([text]));
  }

  /** A sentence for the asker: in the thread, or ephemerally when there is no thread yet (a slash command). */
  private async say(text: string): Promise<void> {
    if (this.where.threadTs === null) await this.ephemeral(text);
    else await this.thread(linesMessage(text.split('\n')));
  }

  /** Posts in the thread, carrying the state after this step. */
  private async thread(msg: SlackMessage): Promise<void> {
    await this.post(msg, { top: false });
  }

  /**
   * Posts a message (at the top of the channel when `top`, which starts the thread); returns its ts. It carries the
   * state after this step unless `state` is false (a late reply must not hide a newer state in the thread).
   */
  private async post(msg: SlackMessage, opts: { top: boolean; state?: boolean }): Promise<string | null> {
    if (this.fallback) {
      await this.respondInChannel(msg);
      return null;
    }
    try {
      const r = await this.ctx.client.chat.postMessage({
        channel: this.where.channel,
        text: msg.text,
        blocks: msg.blocks as never,
        ...(opts.top || this.where.threadTs === null ? {} : { thread_ts: this.where.threadTs }),
        ...(opts.state === false ? {} : { metadata: stateMetadata(this.state) as never }),
        unfurl_links: false,
        unfurl_media: false,
      });
      const ts = r.ts ?? null;
      if (this.where.threadTs === null && ts) this.where.threadTs = ts;
      return ts;
    } catch (e) {
      const code = slackError(e);
      if (code && CANNOT_POST.has(code) && this.where.respond) {
        this.fallback = true;
        await this.respondInChannel(msg);
        return null;
      }
      throw e;
    }
  }

  private async update(ts: string, msg: SlackMessage): Promise<void> {
    await this.ctx.client.chat.update({
      channel: this.where.channel,
      ts,
      text: msg.text,
      blocks: msg.blocks as never,
      metadata: stateMetadata(this.state) as never,
    });
  }

  private async respondInChannel(msg: SlackMessage): Promise<void> {
    if (!this.where.respond) return;
    // Progress messages are not worth a response_url use (5 at most): only answers go this way.
    if (msg.text.startsWith('Investigating ')) return;
    await this.where.respond({ response_type: 'in_channel', text: msg.text, blocks: msg.blocks as Block[] as never });
  }

  private async ephemeral(text: string): Promise<void> {
    const msg = linesMessage([text]);
    if (this.where.respond) {
      await this.where.respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: msg.text,
        blocks: msg.blocks as never,
      });
      return;
    }
    await this.ctx.client.chat.postEphemeral({
      channel: this.where.channel,
      user: this.where.user,
      text: msg.text,
      blocks: msg.blocks as never,
      ...(this.where.threadTs ? { thread_ts: this.where.threadTs } : {}),
    });
  }
}
