/**
 * The local shell (`npm start` without Slack tokens): a conversation on a terminal or a pipe. Ask in any form
 * `parseRequest` understands; then `fix 2`, `fix all`, `undo`, `recheck`, `probe`, `help`, `quit`.
 * Uses the sandbox when WHYPING_SANDBOX=1 or when no AWS credentials are configured, and says which on its first line.
 */
import { userInfo } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import type { UndoKey } from '../core/apply-fix.js';
import type { Deps } from '../core/deps.js';
import { investigate } from '../core/investigate.js';
import { parseRequest } from '../core/request.js';
import { asWhypingError, isWhypingError, WhypingError } from '../errors.js';
import type { Diagnosis, FixPlan, Query } from '../model/index.js';
import { numberedFixes, renderText, sanitizeTerminalText } from '../render/text.js';
import type { CliContext, TextOut } from './context.js';
import { errorText, useColor } from './program.js';

/** The fix and undo protocol as the shell uses it (wired in src/main from core/apply-fix and the undo executor). */
export interface ShellFixer {
  apply(
    deps: Deps,
    query: Query,
    fixId: string | 'all',
    opts: { actor: string; confirm: (plans: FixPlan[]) => Promise<boolean>; undo: UndoKey },
  ): Promise<{ lines: string[]; undos: { label: string; token: string }[]; diagnosis: Diagnosis | null }>;
  /** `ok` is false when nothing was undone (refused, or undone already). */
  undo(deps: Deps, token: string, opts: { actor: string; undo: UndoKey }): Promise<{ lines: string[]; ok: boolean }>;
}

/** Options of the shell. */
export interface ShellOptions {
  /** WHYPING_SANDBOX=1 (or a scenario name). */
  sandboxRequested: boolean;
  /** WHYPING_SANDBOX=0: never the sandbox, even without AWS credentials (then the shell stops, exit 3). */
  sandboxDisabled?: boolean;
  /** WHYPING_SANDBOX=<scenario>: a built-in scenario instead of the seed lab. */
  scenario?: string;
  fixer: ShellFixer;
}

const HELP = `Ask a question, in any of these forms:
  why can't web-1 ping db-1
  can web-1 reach db-1 on 443
  "Instance - NextWork VPC 1" 10.2.4.95 tcp 22        (quote a Name with spaces)
  why can't I connect to web-1 with ec2 instance connect
An end is an instance id, Name tag, ENI id, IP address, internet, or eic.
Then:
  fix N      apply fix number N of the last answer (asks y/N first)
  fix all    apply every fix of the last answer, in order
  undo       undo the last fix applied in this session
  recheck    ask the last question again
  probe      ask the last question again with a live probe from the source instance
  help       this text
  quit       leave`;

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
  /** The next line, or null at the end of input; `prompt` is shown only to a person at a terminal. */
  async next(prompt: string): Promise<string | null> {
    if (this.terminal) {
      this.rl.setPrompt(prompt);
      this.rl.prompt();
    } else if (this.interactive) {
      this.out.write(prompt);
    }
    const r = await this.it.next();
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
  const out = (s = '') => ctx.stdout.write(`${s}\n`);
  const color = useColor(ctx);
  const dim = (s: string) => (color ? `\u001b[2m${s}\u001b[22m` : s);
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
  out('Ask "why can\'t web-1 ping db-1", or type help.');
  const fixer = opts.fixer;
  const lines = new Lines(ctx.stdin, ctx.stdout, interactive);
  const actor = `shell:${safeUser()}`;
  const state: { last: { query: Query; diagnosis: Diagnosis } | null } = { last: null };
  const undos: { label: string; token: string }[] = [];

  const ask = async (query: Query, probe = false) => {
    const diagnosis = await investigate(query, { kind: 'live', deps }, { probe, onStage: (s) => out(dim(`… ${s}`)) });
    state.last = { query, diagnosis };
    ctx.stdout.write(renderText(diagnosis, { color }));
    if (numberedFixes(diagnosis).length > 0)
      out(dim('Type fix N, or fix all, to apply (whyping asks first and rechecks after).'));
  };

  const confirm = async (plans: FixPlan[]): Promise<boolean> => {
    out('This will change your network:');
    for (const p of plans) {
      out(sanitizeTerminalText(`  - ${p.summary}${p.reversible ? '' : '  (cannot be undone)'}`));
      for (const w of p.warnings ?? []) out(sanitizeTerminalText(`    WARNING: ${w}`));
    }
    if (!interactive) out('Apply? [y/N]');
    const raw = await lines.next('Apply? [y/N] ');
    if (raw === null && interactive) out(); // Ctrl-D/Ctrl-C at the question: end its line
    const answer = raw?.trim().toLowerCase() ?? '';
    return answer === 'y' || answer === 'yes';
  };

  for (;;) {
    const raw = await lines.next('whyping> ');
    if (raw === null) {
      // Ctrl-D at the prompt: end the prompt's line, so "Bye." does not land after "whyping> ".
      if (interactive) out();
      break;
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const word = line.toLowerCase();
    try {
      if (['quit', 'exit', 'q', 'bye', ':q'].includes(word)) break;
      if (word === 'help' || word === '?') {
        out(HELP);
      } else if (word === 'recheck' || word === 'again' || word === 'probe') {
        if (!state.last) out('Nothing to recheck yet: ask a question first.');
        else await ask(state.last.query, word === 'probe');
      } else if (/^fix(\s|$)/.test(word)) {
        const current = state.last;
        if (!current) {
          out('Nothing to fix yet: ask a question first.');
          continue;
        }
        const fixes = numberedFixes(current.diagnosis);
        const arg = word.slice(3).trim();
        let id: string | 'all';
        if (arg === 'all') {
          if (fixes.length === 0) {
            out('The last answer has no fixes to apply.');
            continue;
          }
          id = 'all';
        } else {
          const n = /^\d+$/.test(arg) ? Number(arg) : Number.NaN;
          const plan = fixes[n - 1];
          if (!plan) {
            out(
              fixes.length === 0
                ? 'The last answer has no fixes to apply.'
                : `Say fix 1${fixes.length > 1 ? `…fix ${fixes.length}` : ''}, or fix all.`,
            );
            continue;
          }
          id = plan.id;
        }
        const result = await fixer.apply(deps, current.query, id, { actor, confirm, undo: ctx.undoKey() });
        for (const l of result.lines) out(sanitizeTerminalText(l));
        for (const u of result.undos) undos.push(u);
        if (result.diagnosis) {
          state.last = { query: current.query, diagnosis: result.diagnosis };
          out('Rechecked after the change:');
          ctx.stdout.write(renderText(result.diagnosis, { color }));
        }
      } else if (word === 'undo') {
        const u = undos.pop();
        if (!u) {
          out('Nothing to undo in this session.');
          continue;
        }
        const result = await fixer.undo(deps, u.token, { actor, undo: ctx.undoKey() });
        for (const l of result.lines) out(sanitizeTerminalText(l));
        if (result.ok) out(dim(sanitizeTerminalText(`(undid: ${u.label}) Type recheck to see the effect.`)));
      } else {
        await ask(parseRequest(line));
      }
    } catch (e) {
      const err = asWhypingError(e);
      if (!isWhypingError(e)) ctx.logger.debug({ err: e }, 'shell command failed');
      out(`Sorry: ${errorText(err)}`);
      if (err.code === 'BAD_INPUT') out(dim('Type help for the forms I understand.'));
      if (err.exitCode === 3) out(dim(SANDBOX_HINT));
      if (err.code === 'INTERNAL') out(dim('Rerun with WHYPING_LOG_LEVEL=debug to see the details.'));
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
