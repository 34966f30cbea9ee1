/** What the use cases need from the outside world, assembled once in a composition root (src/main). */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from '../log.js';
import type { AccountClients } from '../model/index.js';
import type { LeaseStore } from './lease.js';

/** The AWS SDK clients, live or sandboxed: the same code runs against both. */
export interface AwsClients {
  ec2: EC2Client;
  ssm: SSMClient;
  eic: EC2InstanceConnectClient;
  /** CloudTrail, for the blockers' history (LookupEvents); absent: no history is read. */
  cloudtrail?: CloudTrailClient;
  /** EC2 clients of the other accounts and regions a path reaches; absent: only `ec2`'s account and region are read. */
  accounts?: AccountClients<EC2Client>;
  /** Elastic Load Balancing v2, read when a question involves a load balancer; absent: load balancers are not read. */
  elbv2?: ElasticLoadBalancingV2Client;
}

/** Dependencies of `investigate` and `applyFix`. */
export interface Deps {
  clients: AwsClients;
  region: string;
  logger: Logger;
  /** The clock (tests pass a fixed one). */
  now: () => Date;
  /** Sleep used by pollers (tests pass a fake that advances `now`). */
  sleep: (ms: number) => Promise<void>;
  /** False when WHYPING_PROBES=off: no SSM command is ever sent. */
  probesEnabled: boolean;
  /** How long a live probe may take, SendCommand to result (WHYPING_PROBE_TIMEOUT_S); default 20 s. */
  probeDeadlineMs?: number;
  /** Where fix leases live (WHYPING_LOCK_TABLE: DynamoDB, shared by replicas); default: this process's memory. */
  leases?: LeaseStore;
  /** WHYPING_HISTORY_DAYS: how far back the blockers' history looks (default 7; 0: none in the shell and Slack). */
  historyDays?: number;
}
