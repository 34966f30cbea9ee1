/**
 * `whyping healthcheck`: the image's HEALTHCHECK. With a Slack app configured (SLACK_BOT_TOKEN) it asks the app's
 * `GET /healthz` on PORT at 127.0.0.1 and passes on 200; with none (the shell) there is nothing to check and it passes.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { CliContext } from './context.js';

/** How long the app has to answer; the image's HEALTHCHECK allows 5 s for the whole command. */
const ANSWER_TIMEOUT_MS = 3_000;

/** Exit code when the app does not answer 200 (any non-zero code means unhealthy to Docker and Kubernetes). */
const UNHEALTHY = 1;

/** Asks the Slack app whether it is alive; returns the exit code. */
export async function healthcheck(ctx: CliContext): Promise<number> {
  const config = loadConfig(ctx.env);
  if (!config.slack.botToken) {
    ctx.stdout.write(
      'healthy: no Slack app is configured (SLACK_BOT_TOKEN is not set), and the shell needs no check.\n',
    );
    return 0;
  }
  const url = `http://127.0.0.1:${config.port}/healthz`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
  } catch (e) {
    ctx.stderr.write(`whyping: unhealthy: ${url} ${unreachable(e)}.\n`);
    return UNHEALTHY;
  }
  const body = (await response.text().catch(() => '')).split('\n')[0]?.trim().slice(0, 200) ?? '';
  if (response.status !== 200) {
    ctx.stderr.write(`whyping: unhealthy: ${url} answered ${response.status}${body ? `: ${body}` : ''}.\n`);
    return UNHEALTHY;
  }
  ctx.stdout.write(`healthy: ${url} answered 200.\n`);
  return 0;
}

/** Why nothing answered, in words: refused, timed out, or the system's error code. */
function unreachable(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError') return `did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`;
  if (err.cause?.code === 'ECONNREFUSED') return 'refused the connection (is the Slack app running, on PORT?)';
  return `could not be reached (${err.cause?.code ?? err.name ?? 'error'})`;
}

/** Adds `healthcheck` to the program. */
export function registerHealthcheck(program: Command, ctx: CliContext, setExitCode: (code: number) => void): void {
  program
    .command('healthcheck')
    .description(
      "Exit 0 when the Slack app answers GET /healthz on PORT (or when no Slack app is configured): the image's HEALTHCHECK",
    )
    .action(async () => {
      setExitCode(await healthcheck(ctx));
    });
}
