/**
 * The Slack app's composition root (`npm start` with SLACK_BOT_TOKEN): validates the Slack settings (a bad one is one
 * line and exit 2), builds the AWS clients (live, or the sandbox with WHYPING_SANDBOX=1), the per-user fix role, and
 * drains on SIGTERM.
 */
import type { Config } from '../config.js';
import { loadSlackConfig } from '../config.js';
import type { Deps } from '../core/deps.js';
import { performEffect } from '../core/perform.js';
import { resolveUndoSecret } from '../core/secret.js';
import type { Logger } from '../log.js';
import { createSlackApp, type SlackApp } from '../slack/app.js';

/** Options of `startSlack` (tests pass their own deps and host). */
export interface StartSlackOptions {
  config: Config;
  logger: Logger;
  /** Overrides the AWS deps (tests). */
  deps?: Deps;
  host?: string;
  /** Exit on SIGTERM/SIGINT after draining (the process); tests drain themselves. */
  handleSignals?: boolean;
}

/** Starts the Slack app; resolves when it listens. */
export async function startSlack(opts: StartSlackOptions): Promise<{ slack: SlackApp; port: number }> {
  const { config, logger } = opts;
  const slackConfig = loadSlackConfig(config);
  // Resolved before anything starts: Socket Mode with neither WHYPING_SECRET nor a signing secret is a bad setting.
  const undo = { key: resolveUndoSecret(config, 'slack'), ttlHours: config.undoTtlHours };
  const common = {
    logger,
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    probesEnabled: config.probesEnabled,
  };
  let deps = opts.deps;
  let awsReady: () => Promise<boolean> = async () => true;
  if (!deps) {
    if (config.sandbox) {
      const { createSandbox } = await import('../sandbox/index.js');
      const sandbox = createSandbox(config.sandboxScenario ? { scenario: config.sandboxScenario } : {});
      deps = { ...common, clients: sandbox.clients, region: sandbox.region };
    } else {
      const { createAwsClients, hasAwsCredentials } = await import('./aws.js');
      const { clients, region } = await createAwsClients({
        ...(config.region ? { region: config.region } : {}),
        logger,
      });
      deps = { ...common, clients, region };
      awsReady = () => hasAwsCredentials({ timeoutMs: 3000 });
    }
  }
  const readDeps = deps;
  const roleArn = slackConfig.fixRoleArn;
  const writeDepsFor =
    roleArn && !config.sandbox
      ? async (user: string): Promise<Deps> => {
          // Each click assumes the fix role as whyping-<user>, so CloudTrail shows who asked; reads keep the bot's.
          const { createAwsClients } = await import('./aws.js');
          const { clients } = await createAwsClients({
            region: readDeps.region,
            roleArn,
            sessionName: `whyping-${user}`,
            logger,
          });
          return { ...readDeps, clients };
        }
      : undefined;
  const slack = createSlackApp({
    config: slackConfig,
    undo,
    deps: readDeps,
    sandbox: config.sandbox,
    perform: performEffect,
    logger,
    awsReady,
    ...(writeDepsFor ? { writeDepsFor } : {}),
    ...((opts.host ?? slackConfig.host) ? { host: opts.host ?? slackConfig.host } : {}),
  });
  const { port } = await slack.start();
  if (opts.handleSignals) {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: no new work; finishing what is in flight');
      slack.drain().then(
        () => process.exit(0),
        (e) => {
          logger.error({ err: e }, 'drain failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  }
  return { slack, port };
}
