/**
 * What `whyping <argv>` does once the process is set up (src/main/cli.ts: the exit on SIGTERM / SIGINT, a reader that
 * goes away, the exit code): reads the configuration from the environment, builds the composition root's context,
 * and runs the command — `start` opens the Slack app or the local shell. The environment and the streams are passed
 * in, so the tests run a command, the shell included, in their own process wired exactly as the bin wires it.
 */

import type { CliContext, TextOut } from '../cli/context.js';
import { runCli } from '../cli/program.js';
import { loadConfig } from '../config.js';
import { isWhypingError, WhypingError } from '../errors.js';
import { createLogger } from '../log.js';
import { createCliContext } from './context.js';

const VERSION = '0.1.0';

/** The process's side of a run: its environment, its streams and where the log goes (stderr, fd 2, by default). */
export interface MainIo {
  env: NodeJS.ProcessEnv;
  stdout: TextOut;
  stderr: TextOut;
  /** Read only when a command reads stdin (a getter stays lazy: process.stdin opens a stream when touched). */
  readonly stdin: CliContext['stdin'];
  log?: NodeJS.WritableStream;
}

/** Runs `whyping <argv>`; returns the exit code. */
export async function runMain(argv: string[], io: MainIo): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(io.env);
  } catch (e) {
    io.stderr.write(`whyping: ${isWhypingError(e) ? e.message : String(e)}\n`);
    return 2;
  }
  const destination = io.log ? { destination: io.log } : {};
  const logger = createLogger({ level: config.logLevel, ...destination });
  const ctx = createCliContext({
    config,
    logger,
    stdout: io.stdout,
    stderr: io.stderr,
    get stdin() {
      return io.stdin;
    },
    env: io.env,
  });
  // fix-command.ts loads core/apply-fix (and so the AWS SDK) only when fix or undo runs.
  const { registerFixCommands } = await import('../cli/fix-command.js');
  return runCli(argv, ctx, {
    version: VERSION,
    registerFixCommands,
    startSlack: async () => {
      const { startSlack } = await import('./slack.js');
      // A server logs at info unless WHYPING_LOG_LEVEL says otherwise.
      const serverLogger = io.env.WHYPING_LOG_LEVEL ? logger : createLogger({ level: 'info', ...destination });
      await startSlack({ config, logger: serverLogger, handleSignals: true });
    },
    startShell: async () => {
      // The shell (readline, the conversation) is loaded when `start` opens it, not for one-off commands.
      const { runShell } = await import('../cli/shell.js');
      const { performEffect } = await import('../core/perform.js');
      if (config.sandboxScenario !== undefined) {
        const { listScenarios } = await import('../sandbox/index.js');
        if (!listScenarios().includes(config.sandboxScenario)) {
          throw new WhypingError(
            'BAD_INPUT',
            `WHYPING_SANDBOX=${config.sandboxScenario} is not a built-in scenario: use 1 (the seed lab), 0 (never the sandbox), or one of ${listScenarios().join(', ')}.`,
          );
        }
      }
      return runShell(ctx, {
        sandboxRequested: config.sandbox,
        ...(config.sandboxDisabled ? { sandboxDisabled: true } : {}),
        ...(config.sandboxScenario ? { scenario: config.sandboxScenario } : {}),
        perform: performEffect,
      });
    },
  });
}
