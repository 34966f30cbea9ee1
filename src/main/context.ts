/**
 * The CLI's composition root: builds the services the CLI and the shell use (snapshot loading, AWS clients live or
 * sandboxed, snapshot export) from the validated configuration. The only place that knows both live AWS and the sandbox.
 */
import type { CliContext, TextOut } from '../cli/context.js';
import type { Config } from '../config.js';
import type { Deps } from '../core/deps.js';
import type { Logger } from '../log.js';
import { buildSnapshot, readSnapshotFiles } from '../snapshot/index.js';

/** The sandbox's region when none is given: the seed lab lives in us-east-1. */
export const SANDBOX_DEFAULT_REGION = 'us-east-1';

/** Builds the CLI context for this process. */
export function createCliContext(opts: {
  config: Config;
  logger: Logger;
  stdout: TextOut;
  stderr: TextOut;
  stdin: CliContext['stdin'];
  env: NodeJS.ProcessEnv;
}): CliContext {
  const { config, logger } = opts;
  const common = {
    logger,
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    probesEnabled: config.probesEnabled,
  };
  return {
    stdout: opts.stdout,
    stderr: opts.stderr,
    stdin: opts.stdin,
    env: opts.env,
    logger,
    loadSnapshot: (path) => buildSnapshot(readSnapshotFiles(path)),
    async openDeps(target): Promise<Deps> {
      // The AWS SDK (live clients, sandbox, collectors) is imported on first use: offline commands start faster.
      if (target.sandbox !== undefined) {
        const { createSandbox } = await import('../sandbox/index.js');
        // --sandbox: the same SDK clients and code path as live AWS, answered by the in-memory account.
        const region = target.region ?? SANDBOX_DEFAULT_REGION;
        const sandbox =
          target.sandbox === true
            ? createSandbox({ region })
            : createSandbox({ files: readSnapshotFiles(target.sandbox), region });
        return { ...common, clients: sandbox.clients, region };
      }
      const { createAwsClients } = await import('./aws.js');
      const { clients, region } = await createAwsClients({
        ...(target.region !== undefined ? { region: target.region } : config.region ? { region: config.region } : {}),
        ...(target.roleArn !== undefined ? { roleArn: target.roleArn } : {}),
        logger,
      });
      return { ...common, clients, region };
    },
    async exportSnapshot(deps, scope, outDir) {
      const { collectSnapshot, writeSnapshot } = await import('../collect/index.js');
      const { files, stats } = await collectSnapshot(deps.clients.ec2, scope, {
        region: deps.region,
        logger: deps.logger,
      });
      const paths = await writeSnapshot(files, outDir);
      return { paths, calls: stats.calls, rounds: stats.rounds };
    },
    hasAwsCredentials: async () => (await import('./aws.js')).hasAwsCredentials(),
  };
}
