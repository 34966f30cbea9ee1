/**
 * The CLI's composition root: builds the services the CLI and the shell use (snapshot loading, AWS clients live or
 * sandboxed, snapshot export) from the validated configuration. The only place that knows both live AWS and the sandbox.
 */
import { existsSync } from 'node:fs';
import type { CliContext, TextOut } from '../cli/context.js';
import type { Config } from '../config.js';
import type { UndoKey } from '../core/apply-fix.js';
import type { Deps } from '../core/deps.js';
import { DynamoDbLeases, LOCK_TABLE_KEY } from '../core/lease.js';
import { resolveUndoSecret } from '../core/secret.js';
import { isWhypingError, WhypingError } from '../errors.js';
import type { Logger } from '../log.js';
import { listScenarios } from '../sandbox/scenarios/index.js';
import { buildSnapshot, loadSnapshot, readSnapshotFiles } from '../snapshot/index.js';

/**
 * Reads a snapshot for the sandbox through the same validated loader as --snapshot (bounded, every known key checked:
 * a malformed value is SNAPSHOT_INVALID, exit 2, before the sandbox reads it); when the path does not exist, the
 * error also names the built-in scenarios.
 */
function readSandboxFiles(path: string, scenarios: string[], maxMb: number) {
  try {
    const files = readSnapshotFiles(path, { maxMb });
    buildSnapshot(files);
    return files;
  } catch (e) {
    if (isWhypingError(e, 'SNAPSHOT_UNREADABLE') && !existsSync(path)) {
      throw new WhypingError(
        'SNAPSHOT_UNREADABLE',
        `${e.message} --sandbox takes a snapshot file or folder, or a built-in scenario: ${scenarios.join(', ')}.`,
        e.details,
        { cause: e },
      );
    }
    throw e;
  }
}

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
    probeDeadlineMs: config.probeDeadlineMs,
    historyDays: config.historyDays,
  };
  let undoKey: UndoKey | undefined;
  return {
    undoKey: () => {
      undoKey ??= { key: resolveUndoSecret(config, 'local'), ttlHours: config.undoTtlHours };
      return undoKey;
    },
    stdout: opts.stdout,
    stderr: opts.stderr,
    // Read when a command reads stdin: process.stdin opens a stream (a pipe, a TTY) the moment it is touched.
    get stdin() {
      return opts.stdin;
    },
    env: opts.env,
    logger,
    sandboxScenarios: listScenarios,
    // One file at a time, each file's raw items let go once built: same snapshot and errors, less memory.
    loadSnapshot: (path, onProgress) =>
      loadSnapshot(path, { maxMb: config.maxSnapshotMb, ...(onProgress ? { onProgress } : {}) }),
    async openDeps(target): Promise<Deps> {
      // The AWS SDK (live clients, sandbox, collectors) is imported on first use: offline commands start faster.
      if (target.sandbox !== undefined) {
        // --sandbox [PATH|SCENARIO]: the same SDK clients and code path as live AWS, answered by the in-memory account.
        const { createSandbox, listScenarios } = await import('../sandbox/index.js');
        const region = target.region !== undefined ? { region: target.region } : {};
        const spec = target.sandbox;
        let sandbox: ReturnType<typeof createSandbox>;
        const lockTable = config.lockTable ? { dynamoTables: { [config.lockTable]: LOCK_TABLE_KEY } } : {};
        if (spec === true) sandbox = createSandbox({ ...region, ...lockTable });
        else if (!existsSync(spec) && listScenarios().includes(spec))
          sandbox = createSandbox({ scenario: spec, ...region, ...lockTable });
        else
          sandbox = createSandbox({
            files: readSandboxFiles(spec, listScenarios(), config.maxSnapshotMb),
            ...region,
            ...lockTable,
          });
        // WHYPING_LOCK_TABLE with the sandbox: the sandbox's own DynamoDB holds the table (the lease code path, no AWS).
        const leases = config.lockTable
          ? { leases: new DynamoDbLeases(sandbox.dynamodb, config.lockTable, logger) }
          : {};
        return { ...common, ...leases, clients: sandbox.clients, region: sandbox.region };
      }
      const { createAwsClients } = await import('./aws.js');
      const { clients, region } = await createAwsClients({
        ...(target.region !== undefined ? { region: target.region } : config.region ? { region: config.region } : {}),
        ...(target.roleArn !== undefined ? { roleArn: target.roleArn } : {}),
        timeoutSeconds: config.awsTimeoutSeconds,
        logger,
      });
      if (!config.lockTable) return { ...common, clients, region };
      // The lock table is whyping's own: written with its own identity (the default chain), not a role it reads with.
      const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
      const dynamodb = new DynamoDBClient({ region: config.region ?? region, userAgentAppId: 'whyping' });
      return { ...common, leases: new DynamoDbLeases(dynamodb, config.lockTable, logger), clients, region };
    },
    async exportSnapshot(deps, scope, outDir) {
      const { collectSnapshot, writeSnapshot } = await import('../collect/index.js');
      const { files, stats } = await collectSnapshot(deps.clients.ec2, scope, {
        region: deps.region,
        logger: deps.logger,
        ...(deps.clients.accounts ? { accounts: deps.clients.accounts } : {}),
      });
      const paths = await writeSnapshot(files, outDir);
      return { paths, calls: stats.calls, rounds: stats.rounds };
    },
    hasAwsCredentials: async () => (await import('./aws.js')).hasAwsCredentials(),
  };
}
