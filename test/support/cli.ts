/**
 * The CLI run in the test's own process, wired as the bin entry wires it (src/main/cli.ts: the configuration read from
 * the environment, the composition root's context, the fix commands, a pino log at WHYPING_LOG_LEVEL), with stdout and
 * stderr (the log included) captured: for what a command prints and the exit code it returns, without starting a
 * process for each. What only a process shows (bin/whyping.js, the exit code the process ends with, signals, a reader
 * that goes away, the AWS SDK finding credentials in the environment) is tested by starting bin/whyping.js.
 */
import { PassThrough, Writable } from 'node:stream';
import { registerFixCommands } from '../../src/cli/fix-command.js';
import { runCli } from '../../src/cli/program.js';
import { type Config, loadConfig } from '../../src/config.js';
import { isWhypingError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createCliContext } from '../../src/main/context.js';

/** What a command printed, and its exit code. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `whyping <argv>` with `env` as its environment and `input` on stdin (both pipes, not terminals). */
export async function runCliHere(argv: string[], env: NodeJS.ProcessEnv, input = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    return { code: 2, stdout, stderr: `whyping: ${isWhypingError(e) ? e.message : String(e)}\n` };
  }
  const log = new Writable({
    write(chunk, _encoding, done) {
      stderr += String(chunk);
      done();
    },
  });
  const stdin = new PassThrough();
  stdin.end(input);
  const ctx = createCliContext({
    config,
    logger: createLogger({ level: config.logLevel, destination: log }),
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
      isTTY: false,
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
      isTTY: false,
    },
    stdin,
    env,
  });
  const code = await runCli(argv, ctx, { registerFixCommands });
  return { code, stdout, stderr };
}
