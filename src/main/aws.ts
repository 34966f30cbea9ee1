/**
 * Live AWS clients, built once in the composition root. Credentials come from the SDK's default chain (env, SSO,
 * shared files, process, web identity, container and instance metadata); an optional role (`--role-arn` /
 * WHYPING_ROLE_ARN) is assumed on top with the SDK's own provider. Endpoints are never set here, so the SDK's
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL_SSM variables keep working.
 */
import { userInfo } from 'node:os';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ROLE_ARN } from '../config.js';
import type { AwsClients } from '../core/deps.js';
import { WhypingError } from '../errors.js';
import type { Logger } from '../log.js';
import { createAccountClients, parseAccountRoles, sharedCredentials } from './accounts.js';

/** How the live clients are built. */
export interface AwsClientOptions {
  /** `--region`; else AWS_REGION (or the AWS CLI's AWS_DEFAULT_REGION). */
  region?: string;
  /** `--role-arn`; else WHYPING_ROLE_ARN. (Not AWS_ROLE_ARN: the SDK reserves that for web identity.) */
  roleArn?: string;
  /** The assumed role's session name (default whyping-<local user>; the Slack app uses whyping-<slack user id>). */
  sessionName?: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** WHYPING_AWS_TIMEOUT_S: seconds one call may take, its retries included (default 10). */
  timeoutSeconds?: number;
}

/** The name of the error a call past its time limit fails with (src/errors.ts turns it into one exit-3 line). */
export const AWS_TIMEOUT_ERROR = 'WhypingAwsTimeout';

/**
 * Bounds every call of a client to `seconds`, retries included: the call's request is aborted (its socket closed,
 * no further retry) and the call fails with AWS_TIMEOUT_ERROR. An endpoint that accepts and never answers cannot
 * keep whyping silent.
 */
export function withCallTimeout<C extends { send: (...a: never[]) => Promise<unknown> }>(
  client: C,
  seconds: number,
): C {
  const send = client.send.bind(client) as (command: unknown, options?: Record<string, unknown>) => Promise<unknown>;
  const bounded = (command: unknown, options?: unknown) => {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        const name = (command as { constructor?: { name?: string } }).constructor?.name?.replace(/Command$/, '');
        reject(
          Object.assign(
            new Error(`no answer from AWS${name ? ` to ${name}` : ''} within ${seconds} s, retries included`),
            {
              name: AWS_TIMEOUT_ERROR,
            },
          ),
        );
      }, seconds * 1000);
    });
    const opts = typeof options === 'object' && options !== null ? options : {};
    return Promise.race([send(command, { ...opts, abortSignal: abort.signal }), late]).finally(() =>
      clearTimeout(timer),
    );
  };
  (client as { send: unknown }).send = bounded;
  return client;
}

/** Retries of throttled or failed calls when AWS_MAX_ATTEMPTS is not set (the SDK's standard strategy, with backoff). */
export const DEFAULT_MAX_ATTEMPTS = 5;

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;

/** The region to use: the flag, else AWS_REGION / AWS_DEFAULT_REGION; missing or malformed is an error. */
export function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const region = (flag || env.AWS_REGION || env.AWS_DEFAULT_REGION || '').trim();
  if (!region) {
    throw new WhypingError(
      'AWS_REGION',
      'No AWS region: pass --region (e.g. --region us-east-1) or set AWS_REGION. Or use --sandbox for the demo account.',
    );
  }
  if (!REGION.test(region)) {
    throw new WhypingError('AWS_REGION', `"${region}" is not an AWS region name (e.g. us-east-1, eu-west-2).`);
  }
  return region;
}

/** The role to assume, from the flag or WHYPING_ROLE_ARN; a malformed ARN is bad input. */
export function resolveRoleArn(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const arn = (flag || env.WHYPING_ROLE_ARN || '').trim();
  if (!arn) return undefined;
  if (!ROLE_ARN.test(arn)) {
    throw new WhypingError('BAD_INPUT', `"${arn}" is not an IAM role ARN (arn:aws:iam::123456789012:role/Name).`);
  }
  return arn;
}

/** A RoleSessionName CloudTrail can attribute: `whyping-<local user>`. */
function sessionName(): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep the default
  }
  return `whyping-${user}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/** Builds the EC2, SSM, EC2 Instance Connect and CloudTrail clients for live AWS. */
export async function createAwsClients(opts: AwsClientOptions): Promise<{ clients: AwsClients; region: string }> {
  const env = opts.env ?? process.env;
  const region = resolveRegion(opts.region, env);
  const roleArn = resolveRoleArn(opts.roleArn, env);
  const roles = parseAccountRoles(env);
  const session = (opts.sessionName ?? sessionName()).replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  const credentials = roleArn
    ? sharedCredentials(
        fromTemporaryCredentials({
          params: {
            RoleArn: roleArn,
            RoleSessionName: session,
            DurationSeconds: 3600,
          },
          clientConfig: { region },
        }),
      )
    : undefined; // undefined: each client uses the SDK's default credential chain
  const seconds = opts.timeoutSeconds ?? 10;
  const common = {
    region,
    ...(credentials ? { credentials } : {}),
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: DEFAULT_MAX_ATTEMPTS }),
    retryMode: 'standard' as const,
    userAgentAppId: 'whyping',
    // Each attempt's socket gives up too, so a retry still fits in the call's time.
    requestHandler: { connectionTimeout: seconds * 1000, requestTimeout: seconds * 1000 },
  };
  opts.logger.debug({ region, role: roleArn ?? null, timeoutSeconds: seconds }, 'live AWS clients');
  return {
    region,
    clients: {
      ec2: withCallTimeout(new EC2Client(common), seconds),
      ssm: withCallTimeout(new SSMClient(common), seconds),
      eic: withCallTimeout(new EC2InstanceConnectClient(common), seconds),
      cloudtrail: withCallTimeout(new CloudTrailClient(common), seconds),
      elbv2: withCallTimeout(new ElasticLoadBalancingV2Client(common), seconds),
      // Other accounts and regions the path reaches: built on first use, with the same timeouts and retries.
      accounts: createAccountClients({
        config: (({ region: _r, ...rest }) => rest)(common),
        roles,
        stsRegion: region,
        sessionName: session,
        wrap: (c) => withCallTimeout(c, seconds),
      }),
    },
  };
}

/**
 * True when the SDK's default chain yields credentials. Fast where no metadata service exists: the instance and
 * container metadata lookups get a short timeout and no retries, and the whole check gives up after `timeoutMs`.
 * The shell uses it to choose between live AWS and the sandbox; it never throws and never hangs.
 */
export async function hasAwsCredentials(opts: { timeoutMs?: number } = {}): Promise<boolean> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    const provider = fromNodeProviderChain({ timeout: Math.min(500, timeoutMs), maxRetries: 0 });
    const found = provider().then(
      (c) => Boolean(c.accessKeyId && c.secretAccessKey),
      () => false,
    );
    return await Promise.race([found, giveUp]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
