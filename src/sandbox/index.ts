/**
 * The sandbox: an in-memory AWS account beneath real SDK clients (DESIGN.md §6). `createSandbox()` is cheap and
 * isolated: every call has its own state, ids, clock and clients, so tests, the shell and each Slack demo workspace
 * can each have one.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AccountClients, RawSnapshotFile } from '../model/index.js';
import { createWorld, siteGroups } from './accounts.js';
import { cloudtrailHandlers, seedTrail } from './cloudtrail.js';
import { dynamoHandlers } from './dynamodb.js';
import { ec2Handlers } from './ec2/index.js';
import { eicHandlers } from './eic.js';
import { elbv2Handlers } from './elbv2.js';
import { attachSandbox, type SandboxCall } from './middleware.js';
import { DEFAULT_SCENARIO, loadScenario } from './scenarios/index.js';
import { ssmHandlers } from './ssm.js';
import { type HostFacts, SandboxState } from './state.js';

export type { SandboxCall } from './middleware.js';
export { DEFAULT_SCENARIO, listScenarios, loadScenario } from './scenarios/index.js';
export type { HostFact, HostFacts } from './state.js';
export { SandboxState } from './state.js';

/** Options of `createSandbox`. */
export interface SandboxOptions {
  /** A built-in scenario by name (default `seed-lab`); ignored when `files` is given. */
  scenario?: string;
  /** Any snapshot (describe-* documents), e.g. from `readSnapshotFiles(path)` for `--sandbox PATH`. */
  files?: RawSnapshotFile[];
  /** Host facts (OS firewall, listening ports, SSM agent); default: the scenario's, or a `HostFacts` key in `files`. */
  hostFacts?: HostFacts;
  /** Region of the account and its clients (default: the snapshot's, else us-east-1). */
  region?: string;
  /** IAM actions the caller is denied (`ec2:CreateRoute`, `ssm:*`): they fail with UnauthorizedOperation. */
  deny?: string[];
  /** Seed of the id generator (ids and request ids repeat for the same seed). */
  seed?: number;
  /** The sandbox's clock (SSM timestamps). */
  now?: () => Date;
  /** Simulated latency of every call, in ms (benchmarks); default 0. */
  latencyMs?: number;
  /** Load every account and region of `files` into one sandbox account (as before accounts were followed). */
  oneAccount?: boolean;
  /** Several accounts: those whyping has no role for (reading them fails as with no WHYPING_ACCOUNT_ROLE). */
  noRoleAccounts?: string[];
  /** Several accounts: the home account, read with the default clients (default: the first account of the files). */
  homeAccount?: string;
  /** DynamoDB tables the account has (the fix-lease table, WHYPING_LOCK_TABLE): name → partition key attribute. */
  dynamoTables?: Record<string, string>;
}

/** An in-memory account and the SDK clients that talk to it. */
export interface Sandbox {
  /** Real SDK clients answered by the sandbox (the same shape as core's AwsClients). */
  clients: {
    ec2: EC2Client;
    ssm: SSMClient;
    eic: EC2InstanceConnectClient;
    cloudtrail: CloudTrailClient;
    elbv2: ElasticLoadBalancingV2Client;
    /** Several accounts or regions: their EC2 clients, as the live ones are (a role per account). */
    accounts?: AccountClients<EC2Client>;
  };
  /** A DynamoDB client answered by the sandbox (the fix-lease table); not one of core's clients. */
  dynamodb: DynamoDBClient;
  state: SandboxState;
  /** Every call answered, in order (service `ec2` | `ssm` | `ec2-instance-connect` | `dynamodb`, operation, error). */
  calls: SandboxCall[];
  region: string;
  /** The scenario loaded (or `files` when a snapshot was given). */
  scenario: string;
  /** The current state as describe-* documents (what `buildSnapshot` reads). */
  snapshotFiles(): RawSnapshotFile[];
  /** Several accounts or regions: the sandbox of each, by `<account>/<region>` (absent for one account and region). */
  sites?: Map<string, Sandbox>;
}

/** Fake static credentials: the sandbox never signs anything, but the clients must not look for real ones. */
const CREDENTIALS = { accessKeyId: 'AKIASANDBOXEXAMPLE', secretAccessKey: 'sandbox-secret-not-used' };

/** A request handler that refuses to touch the network: a command the middleware did not answer fails loudly. */
const NO_NETWORK = {
  handle: () =>
    Promise.reject(
      new Error('whyping sandbox: this request was not answered in memory and must not reach the network'),
    ),
};

/**
 * Creates an isolated sandbox account with real EC2 / SSM / EC2 Instance Connect clients plugged into it; a snapshot
 * or scenario spanning several accounts or regions becomes one sandbox per account and region (accounts.ts).
 */
export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const scenario = opts.files ? null : loadScenario(opts.scenario ?? DEFAULT_SCENARIO);
  const files = opts.files ?? scenario?.files ?? [];
  const sites = opts.oneAccount ? new Map() : siteGroups(files);
  if (sites.size > 1) {
    return createWorld(sites, opts, scenario?.name ?? 'files', (files, region, calls) =>
      createSite(
        { ...opts, files, region, hostFacts: opts.hostFacts ?? scenario?.hostFacts ?? hostFactsIn(files) ?? {} },
        calls,
      ),
    );
  }
  return createSite(opts);
}

/** One sandbox account in one region. */
function createSite(opts: SandboxOptions, sharedCalls?: SandboxCall[]): Sandbox {
  const scenario = opts.files ? null : loadScenario(opts.scenario ?? DEFAULT_SCENARIO);
  const files = opts.files ?? scenario?.files ?? [];
  const region = opts.region ?? files.find((f) => f.region)?.region ?? 'us-east-1';
  const accountId = files.find((f) => f.accountId)?.accountId ?? ownerIdOf(files);
  const state = new SandboxState({
    region,
    ...(accountId ? { accountId } : {}),
    hostFacts: opts.hostFacts ?? scenario?.hostFacts ?? hostFactsIn(files) ?? {},
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  state.load(files);
  for (const action of opts.deny ?? []) state.deniedActions.add(action);
  for (const [name, key] of Object.entries(opts.dynamoTables ?? {}))
    state.dynamoTables.set(name, { key, items: new Map() });
  // In a sandbox of several accounts each keeps its own calls, and the world's list sees them all in order.
  const calls: SandboxCall[] = sharedCalls ? teeTo(sharedCalls) : [];
  const config = { region, credentials: CREDENTIALS, maxAttempts: 1, requestHandler: NO_NETWORK };
  const ec2 = new EC2Client(config);
  const ssm = new SSMClient(config);
  const eic = new EC2InstanceConnectClient(config);
  const latencyMs = opts.latencyMs ?? 0;
  attachSandbox(ec2, { service: 'ec2', handlers: ec2Handlers, state, calls, latencyMs });
  attachSandbox(ssm, { service: 'ssm', handlers: ssmHandlers, state, calls, latencyMs });
  attachSandbox(eic, { service: 'ec2-instance-connect', handlers: eicHandlers, state, calls, latencyMs });
  const cloudtrail = new CloudTrailClient(config);
  attachSandbox(cloudtrail, { service: 'cloudtrail', handlers: cloudtrailHandlers, state, calls, latencyMs });
  seedTrail(state, state.hostFacts.history ?? []);
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  attachSandbox(elbv2, { service: 'elasticloadbalancing', handlers: elbv2Handlers, state, calls, latencyMs });
  const dynamodb = new DynamoDBClient(config);
  attachSandbox(dynamodb, { service: 'dynamodb', handlers: dynamoHandlers, state, calls, latencyMs });
  return {
    clients: { ec2, ssm, eic, cloudtrail, elbv2 },
    dynamodb,
    state,
    calls,
    region,
    scenario: scenario?.name ?? 'files',
    snapshotFiles: () => state.toFiles(),
  };
}

/** A list whose pushes also land in `all`. */
function teeTo(all: SandboxCall[]): SandboxCall[] {
  const own: SandboxCall[] = [];
  const push = own.push.bind(own);
  Object.defineProperty(own, 'push', {
    enumerable: false,
    value: (...items: SandboxCall[]) => {
      all.push(...items);
      return push(...items);
    },
  });
  return own;
}

/**
 * Host facts shipped inside a snapshot: a JSON file with a top-level `HostFacts` key (buildSnapshot ignores unknown
 * keys), so `--sandbox PATH` can carry its own OS firewall and listening-port facts.
 */
function hostFactsIn(files: RawSnapshotFile[]): HostFacts | undefined {
  for (const f of files) {
    const facts = (f.data as { HostFacts?: HostFacts } | null)?.HostFacts;
    if (facts && typeof facts === 'object') return facts;
  }
  return undefined;
}

/** The account id the documents carry (a VPC's OwnerId), when the layout does not say. */
function ownerIdOf(files: RawSnapshotFile[]): string | undefined {
  for (const f of files) {
    const vpcs = (f.data as { Vpcs?: { OwnerId?: string }[] } | null)?.Vpcs;
    const owner = Array.isArray(vpcs) ? vpcs.find((v) => v.OwnerId)?.OwnerId : undefined;
    if (owner) return owner;
  }
  return undefined;
}
