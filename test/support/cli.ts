/**
 * The CLI run in the test's own process through the bin entry's own wiring (src/main/run.ts: the configuration read
 * from the environment, the composition root's context, the fix commands, `start` opening the shell, a pino log at
 * WHYPING_LOG_LEVEL), with stdout and stderr (the log included) captured: for what a command prints and the exit code
 * it returns, without starting a process for each. What only a process shows (bin/whyping.js, the exit code the process
 * ends with, signals, a reader that goes away, the AWS SDK finding credentials in the environment) is tested by starting
 * bin/whyping.js.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { runMain } from '../../src/main/run.js';

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
  const stdin = new PassThrough();
  stdin.end(input);
  const code = await runMain(argv, {
    env,
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
    log: new Writable({
      write(chunk, _encoding, done) {
        stderr += String(chunk);
        done();
      },
    }),
  });
  return { code, stdout, stderr };
}

/**
 * `whyping start` (the local shell, with no Slack tokens) in the test's process, `lines` piped to it, `env` (without
 * any AWS_, SLACK_ or WHYPING_ variable of the test's own environment) as its environment. The AWS SDK reads
 * credentials from process.env, not from the context: for the run, process.env's AWS_ variables are the ones of a
 * machine with nothing configured (no keys, no profile, no credentials or config file, no instance metadata), put back
 * as they were afterwards.
 */
export async function runShellHere(lines: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), 'whyping-shell-'));
  const nothingConfigured: NodeJS.ProcessEnv = {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    AWS_CONFIG_FILE: join(home, 'none'),
  };
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_') && !k.startsWith('SLACK_') && !k.startsWith('WHYPING_')) base[k] = v;
  }
  const saved = Object.entries(process.env).filter(([k]) => k.startsWith('AWS_'));
  for (const [k] of saved) delete process.env[k];
  Object.assign(process.env, nothingConfigured);
  try {
    const own = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    return await runCliHere(['start'], { ...base, ...own, ...nothingConfigured, ...env }, `${lines.join('\n')}\n`);
  } finally {
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    for (const [k, v] of saved) process.env[k] = v;
  }
}
