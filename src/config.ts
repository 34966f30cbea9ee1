/** Environment configuration, read and validated once in a composition root (src/main). */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { WhypingError } from './errors.js';

/** WHYPING_SANDBOX read as a flag: 1/true/yes/on or 0/false/no/off (any case, spaces ignored), or empty. */
function flag(value: string): { success: true; data: boolean } | { success: false } {
  const v = value.trim().toLowerCase();
  if (!['', '0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v)) return { success: false };
  return { success: true, data: ['1', 'true', 'yes', 'on'].includes(v) };
}

/** A positive number within bounds, read from text; set-but-empty means the default. */
const bounded = (z: typeof Zod.z, min: number, max: number, integer = false) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() || undefined : v),
    z
      .string()
      .regex(integer ? /^\d+$/ : /^\d+(\.\d+)?$/, {
        message: `use a ${integer ? 'whole ' : ''}number from ${min} to ${max}`,
      })
      .transform(Number)
      .refine((n) => n >= min && n <= max, { message: `use a number from ${min} to ${max}` })
      .optional(),
  );
/** An IAM role ARN (WHYPING_ROLE_ARN, --role-arn): any partition, a 12-digit account, a role path and name. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Set-but-empty (or blank) means the default, as for every variable here. */
const emptyIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** How far back the blockers' history looks when WHYPING_HISTORY_DAYS is not set, and at most. */
export const DEFAULT_HISTORY_DAYS = 7;
export const MAX_HISTORY_DAYS = 90;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The environment's zod schema: built (and zod loaded) only when the fast reading below is not sure of a value. */
const defineSchema = (z: typeof Zod.z) =>
  z.object({
    // Case and spaces do not matter (DEBUG, " debug "), and set-but-empty means the default, as for the other variables.
    WHYPING_LOG_LEVEL: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
      z.enum(LOG_LEVELS, { message: `use one of ${LOG_LEVELS.join(', ')}` }).optional(),
    ),
    WHYPING_SANDBOX: z.string().trim().optional(),
    WHYPING_PROBES: z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => ['on', 'off', '1', '0', 'true', 'false', ''].includes(v), { message: 'use on or off' })
      .optional(),
    AWS_REGION: z.string().trim().optional(),
    WHYPING_ROLE_ARN: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim() || undefined : v),
      z.string().regex(ROLE_ARN, 'an IAM role ARN: arn:aws:iam::123456789012:role/Name').optional(),
    ),
    PORT: z.preprocess(
      emptyIsUnset,
      z.coerce
        .number({ message: 'use a port from 1 to 65535' })
        .int('use a port from 1 to 65535')
        .min(1, 'use a port from 1 to 65535')
        .max(65535, 'use a port from 1 to 65535')
        .optional(),
    ),
    WHYPING_PROBE_TIMEOUT_S: z.preprocess(
      emptyIsUnset,
      z.coerce
        .number({ message: 'use a number of seconds' })
        .int('use a whole number of seconds')
        .min(5, 'use 5 to 600 seconds')
        .max(600, 'use 5 to 600 seconds')
        .optional(),
    ),
    // DynamoDB table names: 3 to 255 letters, digits, underscores, hyphens and dots.
    WHYPING_LOCK_TABLE: z.preprocess(
      emptyIsUnset,
      z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name: 3 to 255 letters, digits, _ - or .')
        .optional(),
    ),
    WHYPING_HISTORY_DAYS: z.preprocess(
      emptyIsUnset,
      z.coerce
        .number({ message: 'use a number of days' })
        .int('use a whole number of days')
        .min(0, `use 1 to ${MAX_HISTORY_DAYS} days, or 0 for no history in the shell and Slack`)
        .max(MAX_HISTORY_DAYS, `use 1 to ${MAX_HISTORY_DAYS} days (CloudTrail's event history keeps 90)`)
        .optional(),
    ),
    AWS_DEFAULT_REGION: z.string().trim().optional(),
    SLACK_BOT_TOKEN: z.string().optional(),
    SLACK_SIGNING_SECRET: z.string().optional(),
    SLACK_APP_TOKEN: z.string().optional(),
    SLACK_API_URL: z.string().trim().optional(),
    HOST: z.string().trim().optional(),
    WHYPING_FIXERS: z.string().optional(),
    WHYPING_PROBERS: z.string().optional(),
    WHYPING_CHANNELS: z.string().optional(),
    WHYPING_FIX_ROLE_ARN: z.string().trim().optional(),
    NO_COLOR: z.string().optional(),
    // The key of undo tokens: at least 32 characters (a 256-bit key written as hex or base64 is 43-64 characters).
    WHYPING_SECRET: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim() || undefined : v),
      z
        .string()
        .min(32, { message: 'use at least 32 characters, e.g. the output of `openssl rand -hex 32`' })
        .optional(),
    ),
    WHYPING_UNDO_TTL_H: bounded(z, 1, 24 * 366),
    WHYPING_AWS_TIMEOUT_S: bounded(z, 1, 600),
    WHYPING_MAX_SNAPSHOT_MB: bounded(z, 1, 1024 * 1024, true),
    XDG_CONFIG_HOME: z.string().optional(),
    HOME: z.string().optional(),
  });

type Env = Zod.z.output<ReturnType<typeof defineSchema>>;
let schema: ReturnType<typeof defineSchema> | undefined;

const TRIMMED = [
  'WHYPING_SANDBOX',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'SLACK_API_URL',
  'HOST',
  'WHYPING_FIX_ROLE_ARN',
];
const AS_IS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'WHYPING_FIXERS',
  'WHYPING_PROBERS',
  'WHYPING_CHANNELS',
  'NO_COLOR',
  'XDG_CONFIG_HOME',
  'HOME',
];
/** Whole numbers within bounds (written as plain digits on the fast path): variable → [min, max]. */
const WHOLE: Record<string, [number, number]> = {
  PORT: [1, 65535],
  WHYPING_PROBE_TIMEOUT_S: [5, 600],
  WHYPING_HISTORY_DAYS: [0, MAX_HISTORY_DAYS],
};
const BOUNDED: Record<string, [number, number, boolean]> = {
  WHYPING_UNDO_TTL_H: [1, 24 * 366, false],
  WHYPING_AWS_TIMEOUT_S: [1, 600, false],
  WHYPING_MAX_SNAPSHOT_MB: [1, 1024 * 1024, true],
};

/**
 * The schema's result without zod, for the values it is sure of (the usual case: unset or plainly valid); undefined
 * when any value needs the schema, which then decides and words the error exactly as before.
 */
export function readFast(env: NodeJS.ProcessEnv): Env | undefined {
  const out: Record<string, unknown> = {};
  const get = (name: string): string | undefined | null => {
    const v: unknown = env[name];
    return v === undefined || typeof v === 'string' ? v : null;
  };
  for (const name of [...TRIMMED, ...AS_IS]) {
    const v = get(name);
    if (v === null) return undefined;
    if (v !== undefined) out[name] = TRIMMED.includes(name) ? v.trim() : v;
  }
  const level = get('WHYPING_LOG_LEVEL');
  if (level === null) return undefined;
  const lvl = level?.trim().toLowerCase() || undefined;
  if (lvl !== undefined && !(LOG_LEVELS as readonly string[]).includes(lvl)) return undefined;
  out.WHYPING_LOG_LEVEL = lvl;
  const probes = get('WHYPING_PROBES');
  if (probes === null) return undefined;
  if (probes !== undefined) {
    const p = probes.trim().toLowerCase();
    if (!['on', 'off', '1', '0', 'true', 'false', ''].includes(p)) return undefined;
    out.WHYPING_PROBES = p;
  }
  const role = get('WHYPING_ROLE_ARN');
  if (role === null) return undefined;
  const arn = role?.trim() || undefined;
  if (arn !== undefined && !ROLE_ARN.test(arn)) return undefined;
  out.WHYPING_ROLE_ARN = arn;
  const table = get('WHYPING_LOCK_TABLE');
  if (table === null) return undefined;
  if (table !== undefined && table.trim() !== '') {
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) return undefined;
    out.WHYPING_LOCK_TABLE = table;
  }
  const secret = get('WHYPING_SECRET');
  if (secret === null) return undefined;
  const key = secret?.trim() || undefined;
  if (key !== undefined && key.length < 32) return undefined;
  out.WHYPING_SECRET = key;
  for (const [name, [min, max]] of Object.entries(WHOLE)) {
    const v = get(name);
    if (v === null) return undefined;
    if (v === undefined || v.trim() === '') continue;
    if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) return undefined;
    out[name] = Number(v);
  }
  for (const [name, [min, max, integer]] of Object.entries(BOUNDED)) {
    const v = get(name);
    if (v === null) return undefined;
    const t = v?.trim() || undefined;
    if (t === undefined) continue;
    if (!(integer ? /^\d+$/ : /^\d+(\.\d+)?$/).test(t) || Number(t) < min || Number(t) > max) return undefined;
    out[name] = Number(t);
  }
  return out as Env;
}

/** The validated configuration. */
export interface Config {
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** WHYPING_SANDBOX=1: the shell (and the Slack app) use the in-memory sandbox account. */
  sandbox: boolean;
  /** WHYPING_SANDBOX=0 (or false/no/off): never the sandbox, even when no AWS credentials are found. */
  sandboxDisabled?: true;
  /** WHYPING_SANDBOX=<scenario>: a built-in scenario other than the seed lab (implies `sandbox`). */
  sandboxScenario?: string;
  /** WHYPING_PROBES=off: no SSM command is ever sent. */
  probesEnabled: boolean;
  /** AWS_REGION, else AWS_DEFAULT_REGION; undefined lets the SDK read the profile. */
  region: string | undefined;
  slack: { botToken?: string; signingSecret?: string; appToken?: string };
  noColor: boolean;
  /** The raw environment the Slack settings are read from (validated by `loadSlackConfig` when the app starts). */
  env: NodeJS.ProcessEnv;
  /** WHYPING_SECRET: the key of undo tokens (else derived from the Slack signing secret, or kept in `configDir`). */
  undoSecret?: string;
  /** WHYPING_UNDO_TTL_H: hours an undo token stays valid (default 168, a week). */
  undoTtlHours: number;
  /** WHYPING_AWS_TIMEOUT_S: seconds one AWS call may take, per attempt (default 10). */
  awsTimeoutSeconds: number;
  /** WHYPING_MAX_SNAPSHOT_MB: the largest snapshot (file, or folder in total) whyping reads (default 4096). */
  maxSnapshotMb: number;
  /** Where the shell and the CLI keep their files: $XDG_CONFIG_HOME/whyping, else ~/.config/whyping. */
  configDir: string | undefined;
  /** PORT: where the Slack app serves HTTP (events, /healthz, /readyz) and where `whyping healthcheck` asks. */
  port: number;
  /** WHYPING_PROBE_TIMEOUT_S: how long a live probe may take from SendCommand to its result, in milliseconds. */
  probeDeadlineMs: number;
  /** WHYPING_LOCK_TABLE: the DynamoDB table that holds fix leases shared by replicas; unset: an in-process lease. */
  lockTable?: string;
  /** WHYPING_HISTORY_DAYS: how far back the blockers' CloudTrail history looks (1 to 90 days; 0: off in the shell and Slack). */
  historyDays: number;
}

/** The Slack app's settings (DESIGN.md §5), validated at start. */
export interface SlackConfig {
  botToken: string;
  /** Required over HTTP; Socket Mode does not sign requests. */
  signingSecret: string | undefined;
  /** Socket Mode when set. */
  appToken: string | undefined;
  /** The Web API base URL (default https://slack.com/api/). */
  apiUrl: string | undefined;
  /** HTTP port: /slack/events over HTTP, and /healthz and /readyz in both modes. */
  port: number;
  /** The interface to listen on (HOST); undefined: every interface. */
  host: string | undefined;
  /** Users (U…/W…) and user groups (S…) who may apply and undo fixes; empty = nobody, except in the sandbox. */
  fixers: string[];
  /** Who may run probes (a command on an instance); default: the fixers. */
  probers: string[];
  /** The channels whyping answers in; empty = any (but a Slack Connect channel only when listed). */
  channels: string[];
  /** Writes assume this role per click, session name whyping-<user>. */
  fixRoleArn: string | undefined;
}

function slackIds(name: string, value: string | undefined, pattern: RegExp, what: string): string[] {
  const ids = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const wrong = ids.find((id) => !pattern.test(id));
  if (wrong !== undefined) {
    throw new WhypingError(
      'BAD_INPUT',
      `${name} has an invalid entry "${wrong.slice(0, 40)}": list ${what}, separated by commas.`,
      {
        variable: name,
      },
    );
  }
  return ids;
}

/** Reads the Slack app's settings; a missing or malformed one is named in one line (exit 2). */
export function loadSlackConfig(config: Pick<Config, 'env' | 'port'>): SlackConfig {
  const env = config.env;
  const bad = (variable: string, message: string) => new WhypingError('BAD_INPUT', message, { variable });
  const botToken = env.SLACK_BOT_TOKEN?.trim() ?? '';
  if (!/^xoxb-[\w-]+$/.test(botToken)) throw bad('SLACK_BOT_TOKEN', 'SLACK_BOT_TOKEN must be a bot token (xoxb-…).');
  const appToken = env.SLACK_APP_TOKEN?.trim() || undefined;
  if (appToken !== undefined && !/^xapp-[\w-]+$/.test(appToken)) {
    throw bad('SLACK_APP_TOKEN', 'SLACK_APP_TOKEN must be an app-level token (xapp-…) with connections:write.');
  }
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim() || undefined;
  if (!appToken && !signingSecret) {
    throw bad(
      'SLACK_SIGNING_SECRET',
      'SLACK_SIGNING_SECRET is required over HTTP (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode.',
    );
  }
  const apiUrl = env.SLACK_API_URL?.trim() || undefined;
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+\/$/.test(apiUrl)) {
    throw bad('SLACK_API_URL', 'SLACK_API_URL must be an http(s) URL ending in /, like https://slack.com/api/.');
  }
  const fixRoleArn = env.WHYPING_FIX_ROLE_ARN?.trim() || undefined;
  if (fixRoleArn !== undefined && !ROLE_ARN.test(fixRoleArn)) {
    throw bad(
      'WHYPING_FIX_ROLE_ARN',
      'WHYPING_FIX_ROLE_ARN must be an IAM role ARN (arn:aws:iam::123456789012:role/Name).',
    );
  }
  const people = /^[UWS][A-Z0-9]{2,}$/;
  const fixers = slackIds('WHYPING_FIXERS', env.WHYPING_FIXERS, people, 'Slack user ids (U…) and user-group ids (S…)');
  const probers =
    env.WHYPING_PROBERS !== undefined && env.WHYPING_PROBERS.trim() !== ''
      ? slackIds('WHYPING_PROBERS', env.WHYPING_PROBERS, people, 'Slack user ids (U…) and user-group ids (S…)')
      : fixers;
  const channels = slackIds('WHYPING_CHANNELS', env.WHYPING_CHANNELS, /^[CGD][A-Z0-9]{2,}$/, 'channel ids (C…, G…)');
  const host = env.HOST?.trim() || undefined;
  return {
    botToken,
    signingSecret,
    appToken,
    apiUrl,
    port: config.port,
    host,
    fixers,
    probers,
    channels,
    fixRoleArn,
  };
}

/** Where the Slack app listens when PORT is not set (Bolt's default). */
export const DEFAULT_PORT = 3000;
/** How long a live probe may take when WHYPING_PROBE_TIMEOUT_S is not set. */
export const DEFAULT_PROBE_TIMEOUT_S = 20;

/** Reads the configuration from `env`; an invalid value is bad input (exit 2) naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = readFast(env) ?? readWithSchema(env);
  const sandboxValue = e.WHYPING_SANDBOX ?? '';
  const sandboxFlag = flag(sandboxValue);
  const scenario = sandboxFlag.success ? undefined : sandboxValue;
  if (scenario !== undefined && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(scenario)) {
    throw new WhypingError(
      'BAD_INPUT',
      'WHYPING_SANDBOX has an invalid value (use 1, 0, or a built-in scenario name).',
      {
        variable: 'WHYPING_SANDBOX',
      },
    );
  }
  const probes = e.WHYPING_PROBES ?? 'on';
  const slack: Config['slack'] = {};
  if (e.SLACK_BOT_TOKEN) slack.botToken = e.SLACK_BOT_TOKEN;
  if (e.SLACK_SIGNING_SECRET) slack.signingSecret = e.SLACK_SIGNING_SECRET;
  if (e.SLACK_APP_TOKEN) slack.appToken = e.SLACK_APP_TOKEN;
  return {
    logLevel: e.WHYPING_LOG_LEVEL ?? 'warn',
    sandbox: scenario !== undefined || (sandboxFlag.success && sandboxFlag.data),
    ...(sandboxFlag.success && sandboxValue !== '' && !sandboxFlag.data ? { sandboxDisabled: true as const } : {}),
    ...(scenario !== undefined ? { sandboxScenario: scenario } : {}),
    probesEnabled: !['off', '0', 'false'].includes(probes),
    region: e.AWS_REGION || e.AWS_DEFAULT_REGION || undefined,
    slack,
    noColor: e.NO_COLOR !== undefined && e.NO_COLOR !== '',
    env,
    ...(e.WHYPING_SECRET ? { undoSecret: e.WHYPING_SECRET } : {}),
    undoTtlHours: e.WHYPING_UNDO_TTL_H ?? 168,
    awsTimeoutSeconds: e.WHYPING_AWS_TIMEOUT_S ?? 10,
    maxSnapshotMb: e.WHYPING_MAX_SNAPSHOT_MB ?? 4096,
    configDir: configDirOf(e.XDG_CONFIG_HOME, e.HOME),
    port: e.PORT ?? DEFAULT_PORT,
    probeDeadlineMs: (e.WHYPING_PROBE_TIMEOUT_S ?? DEFAULT_PROBE_TIMEOUT_S) * 1000,
    historyDays: e.WHYPING_HISTORY_DAYS ?? DEFAULT_HISTORY_DAYS,
    ...(e.WHYPING_LOCK_TABLE !== undefined ? { lockTable: e.WHYPING_LOCK_TABLE } : {}),
  };
}

/** The schema's reading (loads zod): the first invalid value is bad input naming its variable. */
export function readWithSchema(env: NodeJS.ProcessEnv): Env {
  schema ??= defineSchema((createRequire(import.meta.url)('zod') as typeof Zod).z);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new WhypingError('BAD_INPUT', `${name} has an invalid value (${issue?.message ?? 'invalid'}).`, {
      variable: name,
    });
  }
  return parsed.data;
}

/** The XDG Base Directory rule: $XDG_CONFIG_HOME when it is an absolute path, else $HOME/.config. */
function configDirOf(xdg: string | undefined, home: string | undefined): string | undefined {
  if (xdg?.startsWith('/')) return `${xdg.replace(/\/+$/, '')}/whyping`;
  if (home?.startsWith('/')) return `${home.replace(/\/+$/, '')}/.config/whyping`;
  return undefined;
}
