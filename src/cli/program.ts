/**
 * The command line (DESIGN.md §3): `diagnose`, `snapshot`, `fix`/`undo` (registered by src/cli/fix-command.ts) and
 * `start`. One top-level catch maps every error to a message and an exit code; no stack trace reaches a user.
 */

import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { Command, CommanderError, Option } from 'commander';
import { withAccount } from '../core/ends.js';
import { readHistory } from '../core/history.js';
import { listInstances } from '../core/instances.js';
import { investigate, investigateBatch, type Source } from '../core/investigate.js';
import { parseRequestArgs, parseTokens, tokenize } from '../core/request.js';
import { asWhypingError, EXIT, isWhypingError, WhypingError } from '../errors.js';
import type { Diagnosis, LoadProgress, Snapshot } from '../model/index.js';
import { findHelpTopic, helpTopicLines, helpTopicText } from '../render/help-topics.js';
import { historySection } from '../render/history.js';
import { renderJson, toJson, toJsonBatchError } from '../render/json.js';
import { DEFAULT_WIDTH, renderText, sanitizeTerminalText, wrapLine } from '../render/text.js';
import { errorText, instanceLines } from '../render/views.js';
import { coalesced } from './coalesce.js';
import type { AwsTarget, CliContext, TextOut } from './context.js';
import { registerHealthcheck } from './healthcheck.js';
import { statusLine } from './progress.js';

/** Exit code for an unexpected failure (sysexits EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** A hook the fix developer's module uses to add `fix` and `undo` (src/cli/fix-command.ts). */
export type RegisterCommands = (program: Command, ctx: CliContext & { setExitCode(code: number): void }) => void;

/** What the composition root plugs into the CLI: the fix commands, the shell and the Slack app (loaded on use). */
export interface CliExtras {
  registerFixCommands?: RegisterCommands;
  startShell?: () => Promise<number>;
  startSlack?: () => Promise<void>;
  version?: string;
}

/** Runs the CLI on `argv` (without node and script) and returns the process exit code. */
export async function runCli(argv: string[], ctx: CliContext, extra: CliExtras = {}): Promise<number> {
  let exitCode: number = EXIT.reachable;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  // An answer's "(help eic)" works as typed: `whyping help <topic>` is `whyping explain <topic>`, while
  // `whyping help <command>` stays commander's help for that command.
  const topic = argv[0] === 'help' && argv[1] !== undefined ? findHelpTopic(argv[1]) : undefined;
  const args = topic ? ['explain', ...argv.slice(1)] : argv;
  const scenarios = ctx.sandboxScenarios?.() ?? [];
  const sandbox = sandboxValueOnlyWhenItIsOne(args, (word) => isSandboxValue(word, scenarios));
  try {
    const program = buildProgram(ctx, setExitCode, extra);
    await program.parseAsync(sandbox.argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    const code = reportError(e, ctx);
    // Say why a word after --sandbox became an end when the failure is about the ends.
    const aboutEnds = (word: string) =>
      e instanceof CommanderError
        ? e.code === 'commander.excessArguments'
        : isWhypingError(e) && e.message.includes(word);
    for (const word of sandbox.readAsEnds.filter(aboutEnds)) {
      ctx.stderr.write(
        `whyping: --sandbox did not take "${word}" as its value: it is neither a built-in scenario (${scenarios.join(', ')}) nor an existing file or folder.\n`,
      );
    }
    return code;
  }
}

/** The commands whose `--sandbox [PATH|SCENARIO]` sits among positional arguments (ends, an undo token). */
const SANDBOX_BESIDE_ARGUMENTS = new Set(['diagnose', 'fix', 'undo']);

/** True when `word` can only mean a value of --sandbox: a built-in scenario's name or a file or folder that exists. */
export function isSandboxValue(word: string, scenarios: readonly string[]): boolean {
  return scenarios.includes(word) || existsSync(word);
}

/**
 * Commander gives an option with an optional value the next word when it does not start with "-", so `diagnose
 * --sandbox web-1 db-1` would read web-1 as a snapshot path. Here a bare --sandbox moves right past the words that
 * cannot be its value (`isValue`: only a scenario or an existing path can), up to the next option, a value or the end,
 * and those words stay arguments (`readAsEnds`). `--sandbox=VALUE` always sets the value.
 */
export function sandboxValueOnlyWhenItIsOne(
  argv: readonly string[],
  isValue: (word: string) => boolean,
): { argv: string[]; readAsEnds: string[] } {
  const out = [...argv];
  const readAsEnds: string[] = [];
  if (!SANDBOX_BESIDE_ARGUMENTS.has(out[0] ?? '')) return { argv: out, readAsEnds };
  for (let i = 1; i < out.length && out[i] !== '--'; i++) {
    if (out[i] !== '--sandbox') continue;
    for (let next = out[i + 1]; next !== undefined && !next.startsWith('-') && !isValue(next); next = out[i + 1]) {
      readAsEnds.push(next);
      out[i] = next;
      out[i + 1] = '--sandbox';
      i++;
    }
  }
  return { argv: out, readAsEnds };
}

/** The one place where errors become messages and exit codes. */
export function reportError(e: unknown, ctx: CliContext): number {
  if (e instanceof CommanderError) {
    // Commander has already printed its message (or the help) to our stderr/stdout.
    return e.exitCode === 0 ? 0 : EXIT.badInput;
  }
  if (isWhypingError(e)) {
    ctx.logger.debug({ err: e, cause: e.cause }, 'command failed');
    ctx.stderr.write(`whyping: ${errorText(e, 'cli')}\n`);
    return e.exitCode;
  }
  ctx.logger.debug({ err: e }, 'unexpected error');
  const message = e instanceof Error ? e.message : String(e);
  ctx.stderr.write(
    `whyping: unexpected error: ${firstLine(message)}\nRerun with WHYPING_LOG_LEVEL=debug to see the details.\n`,
  );
  return EXIT_INTERNAL;
}

/** A WhypingError for a person (the view lives in src/render). */
export { errorText };

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface DiagnoseOptions {
  protocol?: string;
  port?: string;
  snapshot?: string;
  sandbox?: string | true;
  region?: string;
  roleArn?: string;
  probe?: boolean;
  osUser?: string;
  json?: boolean;
  batch?: string;
  history?: boolean;
  verbose?: boolean;
  fromAccount?: string;
  toAccount?: string;
}

interface InstancesOptions {
  snapshot?: string;
  sandbox?: string | true;
  region?: string;
  roleArn?: string;
  json?: boolean;
}

interface SnapshotOptions {
  vpc: string[];
  instance: string[];
  region?: string;
  roleArn?: string;
  sandbox?: string | true;
  out: string;
}

/** Builds the commander program. */
export function buildProgram(ctx: CliContext, setExitCode: (code: number) => void, extra: CliExtras = {}): Command {
  const program = new Command('whyping');
  program
    .description('Answers "why can\'t A ping B?" for AWS networks: both paths hop by hop, every blocker, and its fix.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `whyping: ${s}` : s),
    })
    .showHelpAfterError('(run whyping --help, or whyping <command> --help, for usage)')
    .addHelpText(
      'after',
      `
Endpoints: an instance id, Name tag (quote it when it has spaces), ENI id, private or public IP, any IP address,
internet, or eic (the region's EC2 Instance Connect range). "db-1:443" is short for --protocol tcp --port 443.
An end in another account: db-b@444455556666 (or db-b@444455556666/eu-west-1), or --from-account / --to-account.

An answer's "(help eic)" names a topic: whyping help eic (or whyping explain eic) prints it in full.

Exit codes: 0 reachable, 1 not reachable (or not analyzed), 2 bad usage or input, 3 AWS could not be read,
70 unexpected error.

Environment: AWS_REGION, AWS_PROFILE and the other AWS_* variables of the SDK (credentials, endpoints),
WHYPING_ROLE_ARN, WHYPING_SANDBOX=1 (shell), WHYPING_PROBES=off, WHYPING_LOG_LEVEL (default warn; logs go to stderr),
NO_COLOR, SLACK_BOT_TOKEN, PORT (see the README's table for every variable).`,
    );
  if (extra.version) program.version(extra.version, '-V, --version');

  program
    .command('diagnose')
    .description('Explain whether <from> can reach <to>: verdict, both paths hop by hop, every blocker and its fix')
    .argument('[from]', 'source: instance id, Name tag, ENI id, IP address, internet, or eic')
    .argument('[to]', 'destination: same forms; "db-1:443" means tcp port 443')
    .option('--protocol <protocol>', 'icmp, tcp or udp (default: icmp, or tcp when a port is given)')
    .option('--port <port>', 'tcp or udp port, 1-65535')
    .option('--snapshot <path>', 'read an offline snapshot (a describe-* JSON file or folder) instead of AWS')
    .addOption(
      new Option(
        '--sandbox [path|scenario]',
        'use the in-memory sandbox account: the seed lab, a built-in scenario (transitive-peering, nacl-reply, blackhole-route, host-firewall, broken-nlb), or the snapshot at PATH loaded into it; the next word is its value only when it names a scenario or an existing path',
      ).conflicts('snapshot'),
    )
    .option('--region <region>', 'AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION)')
    .option('--role-arn <arn>', 'assume this IAM role to read AWS (default: WHYPING_ROLE_ARN)')
    .option(
      '--from-account <account>',
      'the 12-digit account <from> lives in (same as <from>@<account>; read through its WHYPING_ACCOUNT_ROLE)',
    )
    .option('--to-account <account>', 'the 12-digit account <to> lives in (same as <to>@<account>)')
    .option('--probe', 'also send a real ping/connect from the source instance (SSM Run Command)')
    .option(
      '--os-user <name>',
      'with eic → instance: also check that you may push a key for this OS user (EC2 Instance Connect SendSSHPublicKey, throwaway key)',
    )
    .option('--json', 'print one JSON object (the documented contract) instead of text')
    .option(
      '--history',
      'also say what changed on each blocker lately and who did it (CloudTrail LookupEvents, after the verdict; waits for it 5 s at most)',
    )
    .option('--verbose', "text: each hop with its full rule, each fix with its id and undo, the blockers' evidence")
    .option('--batch <file>', 'with --snapshot and --json: one JSON query a line in, one result a line out (- = stdin)')
    .addHelpText(
      'after',
      `
Examples:
  whyping diagnose "Instance - NextWork VPC 1" 10.2.4.95 --sandbox
  whyping diagnose web-1 db-1:5432 --snapshot ./snap --json
  whyping diagnose eic web-1                     (EC2 Instance Connect to web-1: tcp 22)
  whyping diagnose app-a db-b --to-account 444455556666   (db-b read through that account's role)
  whyping diagnose "why can't web-1 ping db-1" --region eu-west-1 --probe
  whyping diagnose --snapshot ./snap --batch flows.jsonl --json`,
    )
    .action(async (from: string | undefined, to: string | undefined, opts: DiagnoseOptions) => {
      setExitCode(await diagnoseCommand(ctx, from, to, opts));
    });

  program
    .command('snapshot')
    .description('Save the live network state (describe-* JSON, one file per key) for offline use with --snapshot')
    .option('--vpc <vpc-id>', 'a VPC to export (repeat for more)', collect, [])
    .option('--instance <instance-id>', 'an instance to export, with its network (repeat for more)', collect, [])
    .option('--region <region>', 'AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION)')
    .option('--role-arn <arn>', 'assume this IAM role to read AWS (default: WHYPING_ROLE_ARN)')
    .option('--sandbox [path]', 'export from the in-memory sandbox account instead of AWS')
    .addHelpText('after', '\nWith no --vpc and no --instance, every VPC of the region is exported.')
    .requiredOption('--out <dir>', 'folder to write the JSON files into')
    .action(async (opts: SnapshotOptions) => {
      setExitCode(await snapshotCommand(ctx, opts));
    });

  program
    .command('instances')
    .description('List the instances you can name in a question: Name, id, private IP (public IP, state)')
    .option('--snapshot <path>', 'list the instances of an offline snapshot instead of AWS')
    .addOption(
      new Option('--sandbox [path|scenario]', 'list the in-memory sandbox account (as for diagnose)').conflicts(
        'snapshot',
      ),
    )
    .option('--region <region>', 'AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION)')
    .option('--role-arn <arn>', 'assume this IAM role to read AWS (default: WHYPING_ROLE_ARN)')
    .option(
      '--json',
      'print one JSON object: {"where", "more", "instances": [{id, name, state, vpcId, privateIp, publicIp}]}',
    )
    .action(async (opts: InstancesOptions) => {
      setExitCode(await instancesCommand(ctx, opts));
    });

  program
    .command('explain')
    .description('Explain a help topic named in an answer, e.g. "(help eic)"; without a topic, list the topics')
    .argument('[topic]', 'the topic (eic, peer-sg)')
    .action((topic: string | undefined) => {
      if (topic === undefined) {
        ctx.stdout.write(`Topics (whyping explain <topic>):\n${helpTopicLines().join('\n')}\n`);
        return setExitCode(0);
      }
      const { known, text } = helpTopicText(topic, 'whyping explain');
      (known ? ctx.stdout : ctx.stderr).write(`${text}\n`);
      setExitCode(known ? 0 : EXIT.badInput);
    });

  // ctx as the prototype, not spread: a spread would read every getter now (stdin opens process.stdin, ~5 ms a start).
  extra.registerFixCommands?.(program, Object.assign(Object.create(ctx) as CliContext, { setExitCode }));
  registerHealthcheck(program, ctx, setExitCode);

  program
    .command('start')
    .description('Run the Slack app when SLACK_BOT_TOKEN is set; otherwise open the local shell (npm start)')
    .action(async () => {
      if (ctx.env.SLACK_BOT_TOKEN) {
        if (!extra.startSlack) throw new WhypingError('INTERNAL', 'The Slack app is not wired in this build.');
        // The process stays up while the app serves; SIGTERM drains it and exits.
        await extra.startSlack();
        return;
      }
      if (!extra.startShell) throw new WhypingError('INTERNAL', 'The local shell is not wired in this build.');
      setExitCode(await extra.startShell());
    });

  return program;
}

function target(opts: { region?: string; roleArn?: string; sandbox?: string | true }): AwsTarget {
  if (opts.sandbox !== undefined && opts.roleArn !== undefined) {
    throw usage('--role-arn reads live AWS; it has no meaning with --sandbox.');
  }
  const t: AwsTarget = {};
  if (opts.region !== undefined) t.region = opts.region;
  if (opts.roleArn !== undefined) t.roleArn = opts.roleArn;
  if (opts.sandbox !== undefined) t.sandbox = opts.sandbox;
  return t;
}

function usage(message: string): WhypingError {
  return new WhypingError('BAD_INPUT', message);
}

async function diagnoseCommand(
  ctx: CliContext,
  from: string | undefined,
  to: string | undefined,
  opts: DiagnoseOptions,
): Promise<number> {
  if (opts.batch !== undefined) return batchCommand(ctx, from, opts);
  // --sandbox takes the next word when it is a scenario or a path: `diagnose --sandbox seed-lab db-1` leaves one end.
  const tookEnd =
    typeof opts.sandbox === 'string' && to === undefined
      ? ` (--sandbox took "${opts.sandbox}" as its snapshot path or scenario: put --sandbox after the ends, or write --sandbox=seed-lab)`
      : '';
  const twoEnds = usage(
    `diagnose needs two ends: whyping diagnose <from> <to> (e.g. whyping diagnose web-1 db-1 --port 443)${tookEnd}.`,
  );
  if (from === undefined) throw twoEnds;
  const flags: { protocol?: string; port?: string } = {};
  if (opts.protocol !== undefined) flags.protocol = opts.protocol;
  if (opts.port !== undefined) flags.port = opts.port;
  const asked = to === undefined ? wholeRequest(from, flags, twoEnds) : parseRequestArgs(from, to, flags);
  const query = {
    ...asked,
    from: withAccount(asked.from, opts.fromAccount, '--from-account'),
    to: withAccount(asked.to, opts.toAccount, '--to-account'),
  };

  let source: Source;
  if (opts.snapshot !== undefined) {
    if (opts.roleArn !== undefined) throw usage('--role-arn reads live AWS; it has no meaning with --snapshot.');
    if (opts.region !== undefined) {
      throw usage('--region picks the live AWS region; a snapshot carries its own regions: drop --region.');
    }
    source = { kind: 'snapshot', snapshot: loadWithStatus(ctx, opts.snapshot) };
  } else {
    source = { kind: 'live', deps: await ctx.openDeps(target(opts)) };
  }
  // On a terminal, the stage in progress and its elapsed seconds on one line of stderr, cleared before the answer.
  const status = statusLine(ctx.stderr);
  let diagnosis: Diagnosis;
  try {
    diagnosis = await investigate(query, source, {
      probe: opts.probe === true,
      onStage: (s) => status.stage(s),
      ...(opts.osUser !== undefined ? { instanceConnectUser: opts.osUser } : {}),
    });
  } finally {
    status.done();
  }
  if (opts.json) {
    // The JSON object is written once: it waits for the history, HISTORY_WAIT_MS at most.
    const answer = opts.history ? await readHistory(diagnosis, source, historyWait(ctx)) : diagnosis;
    ctx.stdout.write(`${renderJson(answer)}\n`);
    return verdictExitCode(answer);
  }
  // The verdict first; the history follows when it arrives (HISTORY_WAIT_MS at most, then one line says so).
  const width = textWidth(ctx.stdout);
  ctx.stdout.write(renderText(diagnosis, { color: useColor(ctx), width, verbose: opts.verbose === true }));
  if (opts.history) {
    const lines = historySection(await readHistory(diagnosis, source, historyWait(ctx)));
    if (lines.length > 0) ctx.stdout.write(`\n${lines.flatMap((l) => wrapLine(l, width)).join('\n')}\n`);
  }
  return verdictExitCode(diagnosis);
}

/** A snapshot file at least this big shows on the status line, however early in the load. */
const SHOW_FILE_BYTES = 16 * 1024 * 1024;
/** After this long, every file of the load shows on the status line. */
const SHOW_AFTER_MS = 500;

/**
 * Loads `--snapshot PATH`. On a terminal, a big or slow load shows on the status line of stderr the file it is on
 * (`Checking …` in the first pass over a folder's files, then `Reading us-east-1/SecurityGroups.json (6 of 14 files,
 * 29 MB)…`), and clears it when loaded or refused. The load holds the process, so the line changes from one file to
 * the next and shows no ticking seconds. A small snapshot loads without a flicker of it: a file shows once it is big
 * or the load has taken a while, and every file after it.
 */
function loadWithStatus(ctx: CliContext, path: string): Snapshot {
  const status = statusLine(ctx.stderr);
  const started = Date.now();
  let showing = false;
  try {
    return ctx.loadSnapshot(path, (p) => {
      showing ||= p.file.size >= SHOW_FILE_BYTES || Date.now() - started >= SHOW_AFTER_MS;
      if (showing) status.show(loadStage(path, p));
    });
  } finally {
    status.done();
  }
}

/**
 * The status line of a load: the phase, the file (relative to the snapshot folder), its place and its size, and how
 * much of it is read when it is read in chunks.
 */
export function loadStage(root: string, p: LoadProgress): string {
  const name = sanitizeTerminalText(relative(root, p.file.path) || basename(p.file.path));
  const size =
    p.file.size < 1024 * 1024 ? `${Math.ceil(p.file.size / 1024)} kB` : `${Math.round(p.file.size / 1024 / 1024)} MB`;
  // At most 100 %: the file may have grown since it was listed.
  const read =
    p.bytesRead === undefined
      ? size
      : `${Math.min(100, Math.floor((100 * p.bytesRead) / Math.max(1, p.file.size)))} % of ${size}`;
  const place = p.total > 1 ? `${p.done + 1} of ${p.total} files, ${read}` : read;
  return `${p.phase === 'check' ? 'Checking' : 'Reading'} ${name} (${place})…`;
}

async function instancesCommand(ctx: CliContext, opts: InstancesOptions): Promise<number> {
  let source: Source;
  if (opts.snapshot !== undefined) {
    if (opts.roleArn !== undefined) throw usage('--role-arn reads live AWS; it has no meaning with --snapshot.');
    if (opts.region !== undefined) throw usage('--region picks the live AWS region; a snapshot has its own: drop it.');
    source = { kind: 'snapshot', snapshot: loadWithStatus(ctx, opts.snapshot) };
  } else {
    source = { kind: 'live', deps: await ctx.openDeps(target(opts)) };
  }
  const list = await listInstances(source);
  if (opts.json) {
    ctx.stdout.write(`${JSON.stringify({ where: list.where, more: list.more, instances: list.rows })}\n`);
  } else {
    const width = textWidth(ctx.stdout);
    const lines = instanceLines(list).flatMap((l) => wrapLine(sanitizeTerminalText(l), width));
    ctx.stdout.write(`${lines.join('\n')}\n`);
  }
  return EXIT.reachable;
}

/** How long `diagnose --history` waits for CloudTrail after the verdict (text) or before answering (--json). */
export const HISTORY_WAIT_MS = 5_000;

function historyWait(ctx: CliContext): { timeoutMs: number; wait?: (ms: number) => Promise<void> } {
  return { timeoutMs: HISTORY_WAIT_MS, ...(ctx.wait ? { wait: ctx.wait } : {}) };
}

/**
 * One argument holding the whole question (`whyping diagnose "why can't web-1 ping db-1"`), read as the shell does;
 * --protocol and --port apply to it as if typed at its end. Only a missing end gets the two-ends usage message: any
 * other problem (a bad port, an unbalanced quote) is said as it is.
 */
function wholeRequest(text: string, flags: { protocol?: string; port?: string }, twoEnds: WhypingError) {
  const tokens = tokenize(text);
  if (flags.protocol !== undefined)
    tokens.push({ text: '--protocol', quoted: false }, { text: flags.protocol, quoted: true });
  if (flags.port !== undefined) tokens.push({ text: '--port', quoted: false }, { text: flags.port, quoted: true });
  try {
    return parseTokens(tokens);
  } catch (e) {
    if (isWhypingError(e) && e.message.startsWith('Name two ends')) throw twoEnds;
    throw e;
  }
}

/** 0 when reachable; 1 when not, or when the path could not be analyzed (reachable: null). */
export function verdictExitCode(d: Diagnosis): number {
  return d.reachable === true ? EXIT.reachable : EXIT.unreachable;
}

/** Colours only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(ctx: Pick<CliContext, 'stdout' | 'env'>): boolean {
  if (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '') return false;
  if (ctx.env.FORCE_COLOR !== undefined && ctx.env.FORCE_COLOR !== '0') return true;
  return ctx.stdout.isTTY === true;
}

/** The width text is laid out for: the terminal's columns, 80 when the output is not a terminal. */
export function textWidth(out: TextOut): number {
  return out.isTTY === true && typeof out.columns === 'number' && out.columns > 20 ? out.columns : DEFAULT_WIDTH;
}

async function batchCommand(ctx: CliContext, from: string | undefined, opts: DiagnoseOptions): Promise<number> {
  if (from !== undefined) throw usage('--batch reads the queries from the file: give no <from> <to> with it.');
  if (opts.snapshot === undefined) throw usage('--batch needs --snapshot PATH (batches run offline).');
  if (!opts.json) throw usage('--batch prints JSON lines: add --json.');
  if (opts.probe || opts.history || opts.sandbox !== undefined || opts.roleArn !== undefined) {
    throw usage('--batch runs on a snapshot only: drop --probe, --history, --sandbox and --role-arn.');
  }
  if (opts.protocol !== undefined || opts.port !== undefined) {
    throw usage('--batch takes the protocol and port from each line: drop --protocol and --port.');
  }
  const snapshot = loadWithStatus(ctx, opts.snapshot);
  const input = opts.batch === '-' ? ctx.stdin : await openBatchFile(opts.batch as string);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let count = 0;
  const out = coalesced(ctx.stdout);
  try {
    for await (const r of investigateBatch(snapshot, lines)) {
      const obj = 'diagnosis' in r ? toJson(r.diagnosis) : toJsonBatchError(r.query, r.error);
      out.write(`${JSON.stringify(obj)}\n`);
      count++;
    }
  } catch (e) {
    if (isWhypingError(e)) throw e;
    throw new WhypingError(
      'BAD_INPUT',
      `Cannot read the batch file ${opts.batch}: ${asWhypingError(e).message}`,
      {},
      {
        cause: e,
      },
    );
  } finally {
    out.flush();
  }
  if (count === 0) {
    const name = opts.batch === '-' ? 'stdin' : `the batch file ${opts.batch}`;
    ctx.stderr.write(`whyping: ${name} held no queries (only empty lines): nothing was diagnosed.\n`);
  }
  return EXIT.reachable;
}

/** Opens the batch file, failing early (exit 2) when it cannot be read. */
function openBatchFile(path: string): Promise<NodeJS.ReadableStream> {
  // Opening a folder succeeds on Linux (only the first read fails, with EISDIR): ask first.
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    // Missing or unreadable: the open below says which.
  }
  if (isFolder) {
    return Promise.reject(
      new WhypingError('BAD_INPUT', `Cannot read the batch file ${path}: it is a folder, not a file of JSON lines.`),
    );
  }
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path, { encoding: 'utf8' });
    stream.once('open', () => resolve(stream));
    stream.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ENOENT'
          ? 'no such file'
          : e.code === 'EISDIR'
            ? 'it is a folder, not a file of JSON lines'
            : e.message;
      reject(new WhypingError('BAD_INPUT', `Cannot read the batch file ${path}: ${why}.`, {}, { cause: e }));
    });
  });
}

function isFile(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false; // missing: it will be created
  }
}

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

async function snapshotCommand(ctx: CliContext, opts: SnapshotOptions): Promise<number> {
  for (const v of opts.vpc) if (!VPC_ID.test(v)) throw usage(`"${v}" is not a VPC id (vpc-0123456789abcdef0).`);
  for (const i of opts.instance) {
    if (!INSTANCE_ID.test(i)) throw usage(`"${i}" is not an instance id (i-0123456789abcdef0).`);
  }
  if (isFile(opts.out)) throw usage(`--out ${opts.out} is a file: give a folder to write the JSON files into.`);
  const deps = await ctx.openDeps(target(opts));
  const { paths, calls, rounds } = await ctx.exportSnapshot(
    deps,
    { vpcIds: opts.vpc, instanceIds: opts.instance },
    opts.out,
  );
  ctx.stdout.write(
    `Wrote ${paths.length} file${paths.length === 1 ? '' : 's'} to ${opts.out} (${calls} AWS call${calls === 1 ? '' : 's'} in ${rounds} round${rounds === 1 ? '' : 's'}).\nUse it with: whyping diagnose <from> <to> --snapshot ${opts.out}\n`,
  );
  return EXIT.reachable;
}
