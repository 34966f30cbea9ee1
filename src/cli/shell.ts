/**
 * The local shell (`npm start` without Slack tokens): a conversation on a terminal or a pipe. Ask in any form
 * `parseRequest` understands; then `fix 2`, `fix all`, `undo`, `recheck`, `probe`, `help`, `quit`.
 * Uses the sandbox when WHYPING_SANDBOX=1 or when no AWS credentials are configured, and says which on its first line.
 */
import { userInfo } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import {
  type ConversationState,
  type Effect,
  fixNumbersOf,
  type Input,
  NEW_CONVERSATION,
  type Reply,
  step,
} from '../core/conversation.js';
import type { Deps } from '../core/deps.js';
import type { PerformOptions } from '../core/perform.js';
import { suggestedQuestion } from '../core/suggest.js';
import { asWhypingError, WhypingError } from '../errors.js';
import type { Diagnosis, FixPlan } from '../model/index.js';
import { historySection } from '../render/history.js';
import { palette, renderText, sanitizeTerminalText, wrapLine } from '../render/text.js';
import { errorText, fixPlanLines, fixReportLines, helpText, instanceLines, undoReportLines } from '../render/views.js';
import type { CliContext, TextOut } from './context.js';
import { HISTORY_WAIT_MS, textWidth, useColor } from './program.js';
import { statusLine } from './progress.js';

/** Runs one conversation effect (core/perform's `performEffect`, injected so the AWS SDK loads only when used). */
export type Perform = (effect: Effect, deps: Deps, opts: PerformOptions) => Promise<Input>;

/** Options of the shell. */
export interface ShellOptions {
  /** WHYPING_SANDBOX=1 (or a scenario name). */
  sandboxRequested: boolean;
  /** WHYPING_SANDBOX=0: never the sandbox, even without AWS credentials (then the shell stops, exit 3). */
  sandboxDisabled?: boolean;
  /** WHYPING_SANDBOX=<scenario>: a built-in scenario instead of the seed lab. */
  scenario?: string;
  perform: Perform;
}

const SANDBOX_HINT = 'In the shell, WHYPING_SANDBOX=1 uses the built-in sandbox instead of AWS.';

/**
 * Reads lines one at a time, so a confirmation can take the next line of a pipe. On a terminal (a real output
 * stream) readline owns the prompt, with line editing and history; otherwise the prompt is written as text.
 */
class Lines {
  private readonly rl: Interface;
  private readonly it: AsyncIterator<string>;
  constructor(
    input: NodeJS.ReadableStream,
    private readonly out: TextOut,
    private readonly interactive: boolean,
  ) {
    const terminal = interactive && isStream(out);
    this.rl = createInterface({
      input,
      ...(terminal ? { output: out as NodeJS.WritableStream, terminal: true } : { terminal: false }),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    this.it = this.rl[Symbol.asyncIterator]();
    // Ctrl-C at the prompt leaves the shell (readline would otherwise only pause the input).
    this.rl.on('SIGINT', () => this.rl.close());
    this.terminal = terminal;
  }
  private readonly terminal: boolean;
  /**
   * The next line, or null at the end of input. A terminal shows the prompt and the typed line; otherwise the prompt
   * and the line read are written out, so a transcript of piped input shows the questions with the answers.
   */
  async next(prompt: string, opts: { askedAtEnd?: boolean } = {}): Promise<string | null> {
    if (this.terminal) {
      this.rl.setPrompt(prompt);
      this.rl.prompt();
    } else if (this.interactive) {
      this.out.write(prompt);
    }
    const r = await this.it.next();
    // A question met by the end of input is still shown (its answer is no); the shell's own prompt is not.
    if (!this.interactive && (!r.done || opts.askedAtEnd)) this.out.write(`${prompt}${r.done ? '' : r.value}\n`);
    return r.done ? null : r.value;
  }
  close(): void {
    this.rl.close();
  }
}

function isStream(out: TextOut): boolean {
  return typeof (out as { on?: unknown }).on === 'function';
}

/** Runs the shell until `quit` or the end of input; returns the exit code (0). */
export async function runShell(ctx: CliContext, opts: ShellOptions): Promise<number> {
  const width = textWidth(ctx.stdout);
  // Every line fits the terminal (80 columns when piped), continued under its text when it does not.
  const out = (s = '') =>
    ctx.stdout.write(
      `${s
        .split('\n')
        .flatMap((l) => wrapLine(l, width))
        .join('\n')}\n`,
    );
  const color = useColor(ctx);
  const { dim } = palette(color);
  const interactive = ctx.stdin.isTTY === true;

  let deps: Deps;
  try {
    const hasCredentials = opts.sandboxRequested || (await ctx.hasAwsCredentials());
    if (!hasCredentials && opts.sandboxDisabled) {
      throw new WhypingError(
        'AWS_CREDENTIALS',
        'No AWS credentials were found, and WHYPING_SANDBOX=0 keeps the shell off the built-in sandbox: sign in (aws sso login, AWS_PROFILE or the AWS_* variables), or unset WHYPING_SANDBOX to use the sandbox.',
      );
    }
    const useSandbox = opts.sandboxRequested || !hasCredentials;
    const why = opts.sandboxRequested ? `WHYPING_SANDBOX=${opts.scenario ?? '1'}` : 'no AWS credentials were found';
    const scenario = opts.sandboxRequested ? opts.scenario : undefined;
    deps = await ctx.openDeps(useSandbox ? { sandbox: scenario ?? true } : {});
    const label = scenario ? `scenario ${scenario}` : 'the seed lab';
    out(
      useSandbox
        ? `whyping shell — using the built-in sandbox (${label}, ${deps.region}; no real AWS account is touched) because ${why}.`
        : `whyping shell — using live AWS (region ${deps.region}) with your default credentials.`,
    );
  } catch (e) {
    const err = asWhypingError(e);
    ctx.stderr.write(
      `whyping: ${errorText(err)}\n${err.message.includes('WHYPING_SANDBOX') ? '' : `${SANDBOX_HINT}\n`}`,
    );
    return err.exitCode;
  }
  out(`Ask "${await suggestedQuestion(deps)}", or type help.`);
  const lines = new Lines(ctx.stdin, ctx.stdout, interactive);
  const actor = `shell:${safeUser()}`;
  let state: ConversationState = NEW_CONVERSATION;
  const view = { color, width };
  /** The last answer shown, for `paths` (the full view) and the summary after a fix. */
  const shown: { last?: { diagnosis: Diagnosis; fixNumbers: ReadonlyMap<string, number> } } = {};

  const confirm = async (plans: FixPlan[]): Promise<boolean> => {
    for (const l of fixPlanLines(plans)) out(sanitizeTerminalText(l));
    const raw = await lines.next('Apply? [y/N] ', { askedAtEnd: true });
    if (raw === null && interactive) out(); // Ctrl-D/Ctrl-C at the question: end its line
    const answer = raw?.trim().toLowerCase() ?? '';
    return answer === 'y' || answer === 'yes';
  };

  /** Shows the replies; true when the user asked to quit. */
  const show = (replies: Reply[]): boolean => {
    for (const r of replies) {
      switch (r.kind) {
        case 'quit':
          return true;
        case 'help':
          out(helpText('shell', r.topic));
          break;
        case 'notice':
          out(sanitizeTerminalText(r.text));
          break;
        case 'hint':
          out(dim(sanitizeTerminalText(r.text)));
          break;
        case 'diagnosis': {
          shown.last = { diagnosis: r.diagnosis, fixNumbers: r.fixNumbers };
          // Right after a fix the report said blockers before → after: the recheck shows what is left, not the paths.
          if (r.rechecked) out('Rechecked after the change:');
          ctx.stdout.write(
            renderText(r.diagnosis, { ...view, fixNumbers: r.fixNumbers, howToApply: true, paths: !r.rechecked }),
          );
          break;
        }
        case 'fix-report':
          for (const l of fixReportLines(r.report, actor, deps.now(), fixNumbersOf(state)))
            out(sanitizeTerminalText(l));
          break;
        case 'undo-report':
          for (const l of undoReportLines(r.entry, r.outcomes, { brief: true })) out(sanitizeTerminalText(l));
          break;
        case 'instances':
          for (const l of instanceLines(r.list)) out(sanitizeTerminalText(l));
          break;
        case 'error': {
          const err = r.error;
          if (err.code === 'INTERNAL') ctx.logger.debug({ err: err.cause ?? err }, 'shell command failed');
          out(`Sorry: ${errorText(err, 'shell')}`);
          if (err.code === 'BAD_INPUT') out(dim('Type help for the forms I understand.'));
          if (err.exitCode === 3) out(dim(SANDBOX_HINT));
          if (err.code === 'INTERNAL') out(dim('Rerun with WHYPING_LOG_LEVEL=debug to see the details.'));
          break;
        }
        case 'history':
          // What changed on the blockers, after the answer (HISTORY_WAIT_MS at most, then one line says so).
          out();
          for (const l of historySection(r.diagnosis, r.fixNumbers)) out(l);
          break;
        default: {
          const never: never = r;
          return never;
        }
      }
    }
    return false;
  };

  const status = statusLine(ctx.stdout, { dim });
  const performOpts: PerformOptions = {
    actor,
    confirm,
    undo: ctx.undoKey(),
    // A terminal shows the stage in progress with its elapsed seconds on one line, cleared before the answer; a
    // transcript (piped output) gets each stage once, as a line.
    onStage: (s) => (ctx.stdout.isTTY === true ? status.stage(s) : out(dim(`… ${s}`))),
    historyWaitMs: HISTORY_WAIT_MS,
    ...(ctx.wait ? { wait: ctx.wait } : {}),
  };
  for (;;) {
    const raw = await lines.next('whyping> ');
    if (raw === null) {
      // Ctrl-D at the prompt: end the prompt's line, so "Bye." does not land after "whyping> ".
      if (interactive) out();
      break;
    }
    if (/^\s*(paths|verbose)\s*$/i.test(raw)) {
      // A view of the last answer, not a conversation step: every hop with its full rule, fixes with ids and undo.
      const last = shown.last;
      if (last) ctx.stdout.write(renderText(last.diagnosis, { ...view, fixNumbers: last.fixNumbers, verbose: true }));
      else out('Nothing to show yet: ask a question first.');
      continue;
    }
    let next = step(state, { kind: 'text', text: raw });
    state = next.state;
    if (show(next.replies)) break;
    const effects = [...next.effects];
    while (effects.length > 0) {
      const effect = effects.shift() as Effect;
      let input: Input;
      try {
        input = await opts.perform(effect, deps, performOpts);
      } finally {
        status.done();
      }
      next = step(state, input);
      state = next.state;
      show(next.replies);
      effects.push(...next.effects);
    }
  }
  lines.close();
  out('Bye.');
  return 0;
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^\w.-]/g, '') || 'local';
  } catch {
    return 'local';
  }
}
