/**
 * `whyping fix` and `whyping undo` (DESIGN.md §3), registered on the CLI's commander program by
 * `registerFixCommands(program, ctx)`. Both show the exact change, ask before changing AWS (unless --yes), follow the
 * protocol in core/apply-fix, and exit 0 applied or already in place, 1 refused or not fixable, 2 bad input, 3 AWS error.
 */
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Option } from 'commander';
// Types only at the top: core/apply-fix.js brings the AWS SDK, loaded when `fix` or `undo` runs, never for `--help`.
import type { ApplyFixReport, ApplyResult, PlanReport } from '../core/apply-fix.js';
import { withAccount } from '../core/ends.js';
import { parseRequestArgs } from '../core/request.js';
import { EXIT, WhypingError } from '../errors.js';
import type { Diagnosis, FixPlan } from '../model/index.js';
import { sanitizeTerminalText } from '../render/text.js';
import type { AwsTarget, CliContext } from './context.js';

/** The context `registerFixCommands` receives from the CLI (src/cli/program.ts `RegisterCommands`). */
export type FixCommandContext = CliContext & { setExitCode(code: number): void };

interface FixOptions {
  protocol?: string;
  port?: string;
  apply: string;
  fromAccount?: string;
  toAccount?: string;
  yes?: boolean;
  json?: boolean;
  region?: string;
  roleArn?: string;
  sandbox?: string | true;
}

interface UndoOptions {
  yes?: boolean;
  json?: boolean;
  region?: string;
  roleArn?: string;
  sandbox?: string | true;
}

/** Exit code of a fix report: 0 applied or already in place, 1 refused, 3 AWS error (a denied IAM action included). */
export function fixExitCode(
  status: ApplyFixReport['status'] | ApplyResult['status'],
  missingPermission?: string,
): number {
  switch (status) {
    case 'applied':
    case 'already-in-place':
    case 'would-apply':
      return EXIT.reachable;
    case 'refused':
      return missingPermission ? EXIT.aws : 1;
    case 'failed':
      return EXIT.aws;
    default: {
      const never: never = status;
      return never;
    }
  }
}

/** Who is applying: the OS user, recorded in rule descriptions and tags. */
export function cliActor(env: NodeJS.ProcessEnv): string {
  let name = env.USER ?? env.USERNAME ?? '';
  try {
    name = userInfo().username || name;
  } catch {
    // No passwd entry (containers): keep the environment's name.
  }
  return `cli:${name || 'unknown'}`;
}

/** The exact change of a plan, for the confirmation. */
export function planLines(plans: FixPlan[]): string[] {
  const out: string[] = [];
  for (const [i, p] of plans.entries()) {
    // Several changes are numbered as they are applied (for `--apply all`, diagnose's fix numbers); one is not.
    out.push(plans.length > 1 ? `  ${i + 1}. ${p.id}: ${p.summary}` : `  ${p.id}: ${p.summary}`);
    out.push(`      EC2 ${p.action} ${JSON.stringify(p.params)}`);
    out.push(
      p.reversible
        ? `      undo: ${p.undo}`
        : `      CANNOT BE UNDONE: ${p.undo.replace(/^cannot be undone:\s*/i, '')}`,
    );
    for (const w of p.warnings ?? []) out.push(`      WARNING: ${w}`);
  }
  return out;
}

function verdict(d: Diagnosis | null, reachable: boolean | null): string {
  if (!d) return 'unknown';
  return reachable === true
    ? 'reachable'
    : reachable === false
      ? `not reachable (${d.findings.length} blocker(s))`
      : 'not analyzed';
}

const STATUS_WORD: Record<PlanReport['status'], string> = {
  applied: 'APPLIED',
  'already-in-place': 'ALREADY IN PLACE',
  refused: 'REFUSED',
  failed: 'FAILED',
  skipped: 'SKIPPED',
  'would-apply': 'WOULD APPLY',
};

/** A fix report as terminal lines (the shell can reuse them). */
export function fixReportLines(r: ApplyFixReport): string[] {
  const out: string[] = [`Before: ${verdict(r.before, r.reachableBefore)}.`];
  // Cancelled at the question: every plan is "SKIPPED … Cancelled: not applied."; the overall message says it once.
  const plans = r.plans.every((p) => p.status === 'skipped') ? [] : r.plans;
  for (const p of plans) {
    out.push(`${STATUS_WORD[p.status]} ${p.plan.id}: ${p.message}`);
    if (p.requestIds.length > 0) out.push(`  AWS request id(s): ${p.requestIds.join(', ')}`);
    if (p.leftBehind?.length) out.push(`  LEFT BEHIND: ${p.leftBehind.join(', ')}`);
  }
  for (const i of r.irreversible) out.push(`NOT IN THE UNDO TOKEN: ${i.fixId} — ${i.why}`);
  if (r.undo) {
    const n = r.undo.steps.length;
    if (r.undo.split) {
      out.push(
        `Undo: one token for all ${n} changes would pass 1,900 characters, so each change has its own token (undo them last first, until ${r.undo.expiresAt}):`,
      );
      r.undo.tokens.forEach((t, i) => {
        out.push(`  ${r.undo?.steps[i]}`);
        out.push(`    whyping undo ${t}`);
      });
    } else {
      out.push(
        `Undo (${n === 1 ? 'this change' : `all ${n} changes, in reverse order, or none if any was changed since`}; until ${r.undo.expiresAt}):`,
      );
      out.push(`  whyping undo ${r.undo.tokens[0]}`);
    }
  }
  if (r.plans.length === 0 || r.status === 'refused' || r.status === 'failed') out.push(r.message);
  out.push(
    `After: ${r.after ? verdict(r.after, r.reachableAfter) : `${verdict(r.before, r.reachableAfter)} (nothing changed)`}.`,
  );
  return out;
}

function target(opts: { region?: string; roleArn?: string; sandbox?: string | true }): AwsTarget {
  if (opts.sandbox !== undefined && opts.roleArn !== undefined) {
    throw new WhypingError('BAD_INPUT', '--role-arn changes live AWS; it has no meaning with --sandbox.');
  }
  const t: AwsTarget = {};
  if (opts.region !== undefined) t.region = opts.region;
  if (opts.roleArn !== undefined) t.roleArn = opts.roleArn;
  if (opts.sandbox !== undefined) t.sandbox = opts.sandbox;
  return t;
}

/** Reads one line of stdin; null at end of input. */
function readLine(input: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve(null);
    });
  });
}

/**
 * Asks "Apply? [y/N]" on a terminal; with --yes, says yes; with no terminal and no --yes, refuses (a script must say
 * --yes to change AWS).
 */
async function confirm(ctx: FixCommandContext, yes: boolean | undefined, what: string[]): Promise<boolean> {
  ctx.stderr.write(`${sanitizeTerminalText(what.join('\n'))}\n`);
  if (yes) return true;
  if (ctx.stdin.isTTY !== true) {
    ctx.stderr.write('Refusing to change AWS without confirmation: stdin is not a terminal. Add --yes to apply.\n');
    return false;
  }
  ctx.stderr.write('Apply? [y/N] ');
  const line = await readLine(ctx.stdin);
  return /^\s*y(es)?\s*$/i.test(line ?? '');
}

/** Adds `fix` and `undo` to the CLI program. */
export function registerFixCommands(program: Command, ctx: FixCommandContext): void {
  const awsOptions = (c: Command) =>
    c
      .option('--region <region>', 'AWS region (default: AWS_REGION or your AWS config)')
      .option('--role-arn <arn>', 'assume this IAM role (it needs iam/fix.json as well as iam/readonly.json)')
      .addOption(new Option('--sandbox [path]', 'change the in-memory sandbox account instead of AWS'))
      .option('--yes', 'apply without asking (required when stdin is not a terminal)')
      .option('--json', 'print the report as JSON');

  awsOptions(
    program
      .command('fix')
      .description(
        'Apply a fix from the diagnosis of <from> → <to>: re-checks fresh state, dry-runs, asks, applies, re-diagnoses, prints the undo token',
      )
      .argument('<from>', 'source, as for diagnose')
      .argument('<to>', 'destination, as for diagnose')
      .option('--protocol <protocol>', 'icmp, tcp or udp (default: icmp, or tcp when a port is given)')
      .option('--port <port>', 'tcp or udp port, 1-65535')
      .option('--from-account <account>', 'the 12-digit account <from> lives in (same as <from>@<account>)')
      .option('--to-account <account>', 'the 12-digit account <to> lives in (same as <to>@<account>)')
      .requiredOption('--apply <fix-id|all>', 'the fix id shown by diagnose, or all (every fix, in order)'),
  ).action(async (from: string, to: string, opts: FixOptions) => {
    const flags: { protocol?: string; port?: string } = {};
    if (opts.protocol !== undefined) flags.protocol = opts.protocol;
    if (opts.port !== undefined) flags.port = opts.port;
    const asked = parseRequestArgs(from, to, flags);
    const query = {
      ...asked,
      from: withAccount(asked.from, opts.fromAccount, '--from-account'),
      to: withAccount(asked.to, opts.toAccount, '--to-account'),
    };
    const fixId = opts.apply.trim();
    if (fixId !== 'all' && !/^[A-Za-z0-9._:-]{1,100}$/.test(fixId)) {
      throw new WhypingError(
        'BAD_INPUT',
        `"${fixId}" is not a fix id: use an id shown by \`whyping diagnose\` (fix-…) or all.`,
      );
    }
    const deps = await ctx.openDeps(target(opts));
    const { applyFix } = await import('../core/apply-fix.js');
    const report = await applyFix(deps, query, fixId, {
      undo: ctx.undoKey(),
      actor: cliActor(ctx.env),
      confirm: (plans) =>
        confirm(ctx, opts.yes, [
          `whyping will make ${plans.length === 1 ? 'this change' : `these ${plans.length} changes, in order`} (AWS dry run: would succeed):`,
          ...planLines(plans),
        ]),
    });
    ctx.stdout.write(
      opts.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${sanitizeTerminalText(fixReportLines(report).join('\n'))}\n`,
    );
    ctx.setExitCode(fixExitCode(report.status, report.missingPermission));
  });

  program
    .command('undo')
    .description('Reverse a change made by `whyping fix`, from the undo token it printed')
    .argument('<undo-token>', 'the token printed by whyping fix (wpu2.…)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or your AWS config)')
    .option('--role-arn <arn>', 'assume this IAM role')
    .addOption(new Option('--sandbox [path]', 'change the in-memory sandbox account instead of AWS'))
    .option('--yes', 'undo without asking (required when stdin is not a terminal)')
    .option('--json', 'print the result as JSON')
    .action(async (text: string, opts: UndoOptions) => {
      const { applyUndo, readUndoToken } = await import('../core/apply-fix.js');
      const where = target(opts);
      const read = readUndoToken(text, ctx.undoKey().key, ctx.now?.() ?? new Date());
      if (read.region !== undefined) {
        if (where.region !== undefined && where.region !== read.region) {
          throw new WhypingError(
            'BAD_INPUT',
            `This undo token's changes were made in ${read.region}, not ${where.region}: drop --region or use --region ${read.region}.`,
          );
        }
        where.region = read.region;
      }
      const n = read.steps.length;
      const ok = await confirm(ctx, opts.yes, [
        `whyping will re-read ${n === 1 ? 'this change' : `these ${n} changes`} and, only if ${n === 1 ? 'it is' : 'all are'} still as whyping left ${n === 1 ? 'it' : 'them'}, undo ${n === 1 ? 'it' : 'them in reverse order'}:`,
        ...read.steps.map((s, i) => `  ${i + 1}. ${s}`),
      ]);
      if (!ok) {
        ctx.stdout.write('Cancelled: nothing was changed.\n');
        ctx.setExitCode(1);
        return;
      }
      const deps = await ctx.openDeps(where);
      const r = await applyUndo(deps, read.token, cliActor(ctx.env));
      if (opts.json) ctx.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        const ids = r.requestIds.length > 0 ? `\n  AWS request id(s): ${r.requestIds.join(', ')}` : '';
        ctx.stdout.write(sanitizeTerminalText(`${STATUS_WORD[r.status]}: ${r.message}${ids}\n`));
      }
      ctx.setExitCode(fixExitCode(r.status, r.missingPermission));
    });
}
