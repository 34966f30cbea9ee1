/** The bin entry (bin/whyping.js imports this): reads the environment once, wires the CLI, sets the exit code. */
import './sdk-notice.js';
import { runCli } from '../cli/program.js';
import { loadConfig } from '../config.js';
import { isWhypingError, WhypingError } from '../errors.js';
import { createLogger } from '../log.js';
import { createCliContext } from './context.js';

const VERSION = '0.1.0';

// A reader that goes away (`whyping … | head -1`) is not an error: stop quietly instead of printing a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// In a container whyping runs as PID 1, and the kernel drops every signal PID 1 has no handler for: `docker stop` would
// wait its 10 s and kill. Exit on SIGTERM / SIGINT, unless something else handles them (a graceful shutdown of its own).
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  process.on(signal, () => {
    if (process.listenerCount(signal) === 1) process.exit(code);
  });
}

async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    process.stderr.write(`whyping: ${isWhypingError(e) ? e.message : String(e)}\n`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel });
  const ctx = createCliContext({
    config,
    logger,
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  });
  const argv = process.argv.slice(2);
  // fix-command.ts loads core/apply-fix (and so the AWS SDK) only when fix or undo runs.
  const { registerFixCommands } = await import('../cli/fix-command.js');
  return runCli(argv, ctx, {
    version: VERSION,
    registerFixCommands,
    startSlack: async () => {
      const { startSlack } = await import('./slack.js');
      // A server logs at info unless WHYPING_LOG_LEVEL says otherwise.
      const serverLogger = process.env.WHYPING_LOG_LEVEL ? logger : createLogger({ level: 'info' });
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

process.exitCode = await main();
