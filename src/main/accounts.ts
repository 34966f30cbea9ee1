/**
 * Clients per account and region for paths that leave the home account or region. The home account is read with the
 * default credentials (or --role-arn) in any region; another account through a role: WHYPING_ACCOUNT_ROLES names it
 * per account (`111122223333=arn:aws:iam::111122223333:role/x,…`), else WHYPING_ACCOUNT_ROLE gives a pattern
 * (`arn:aws:iam::{account}:role/whyping-read`). Fixes in another account use WHYPING_ACCOUNT_FIX_ROLE (same pattern).
 * Each role's credentials are assumed on first use and shared by its clients until five minutes before they expire.
 */
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ROLE_ARN } from '../config.js';
import { noAccountRole, WhypingError } from '../errors.js';
import type { AccountClients, AccountPurpose, Where } from '../model/index.js';

/** The roles of other accounts, as the environment configures them. */
export interface AccountRoles {
  /** WHYPING_ACCOUNT_ROLES: account → role ARN (read). */
  explicit: Map<string, string>;
  /** WHYPING_ACCOUNT_ROLE: a role ARN with `{account}` in it (read). */
  pattern: string | null;
  /** WHYPING_ACCOUNT_FIX_ROLE: a role ARN with `{account}` in it (fixes). */
  fixPattern: string | null;
}

const ACCOUNT = /^\d{12}$/;

/** A `{account}` pattern: an IAM role ARN once an account id is put in. */
function pattern(variable: string, raw: string | undefined): string | null {
  const v = raw?.trim();
  if (!v) return null;
  if (!v.includes('{account}') || !ROLE_ARN.test(v.replaceAll('{account}', '111122223333'))) {
    throw new WhypingError(
      'BAD_INPUT',
      `${variable} must be an IAM role ARN with {account} where the account id goes (arn:aws:iam::{account}:role/whyping-read).`,
      { variable },
    );
  }
  return v;
}

/** Reads WHYPING_ACCOUNT_ROLES, WHYPING_ACCOUNT_ROLE and WHYPING_ACCOUNT_FIX_ROLE; a malformed value is bad input. */
export function parseAccountRoles(env: NodeJS.ProcessEnv = process.env): AccountRoles {
  const explicit = new Map<string, string>();
  for (const part of (env.WHYPING_ACCOUNT_ROLES ?? '').split(',')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const account = item.slice(0, eq).trim();
    const arn = item.slice(eq + 1).trim();
    if (eq < 0 || !ACCOUNT.test(account) || !ROLE_ARN.test(arn)) {
      throw new WhypingError(
        'BAD_INPUT',
        `WHYPING_ACCOUNT_ROLES has "${item}": write account=role ARN pairs separated by commas (111122223333=arn:aws:iam::111122223333:role/whyping-read).`,
        { variable: 'WHYPING_ACCOUNT_ROLES' },
      );
    }
    explicit.set(account, arn);
  }
  return {
    explicit,
    pattern: pattern('WHYPING_ACCOUNT_ROLE', env.WHYPING_ACCOUNT_ROLE),
    fixPattern: pattern('WHYPING_ACCOUNT_FIX_ROLE', env.WHYPING_ACCOUNT_FIX_ROLE),
  };
}

/** The role to assume in `account` for `purpose`, or null when none is configured. */
export function roleFor(roles: AccountRoles, account: string, purpose: AccountPurpose): string | null {
  if (purpose === 'fix') return roles.fixPattern?.replaceAll('{account}', account) ?? null;
  return roles.explicit.get(account) ?? roles.pattern?.replaceAll('{account}', account) ?? null;
}

type Provider = ReturnType<typeof fromTemporaryCredentials>;

/** One provider per role, shared by every client that uses it, renewed five minutes before its credentials expire. */
export function sharedCredentials(provider: Provider): Provider {
  type Entry = { promise: ReturnType<Provider>; expiresAt: number };
  let cached: Entry | undefined;
  return (props) => {
    if (!cached || Date.now() >= cached.expiresAt) {
      const entry: Entry = { promise: provider(props), expiresAt: Number.POSITIVE_INFINITY };
      entry.promise.then(
        (c) => {
          entry.expiresAt = (c.expiration?.getTime() ?? Number.POSITIVE_INFINITY) - 5 * 60_000;
        },
        () => {
          if (cached === entry) cached = undefined; // a failed AssumeRole is retried on the next call
        },
      );
      cached = entry;
    }
    return cached.promise;
  };
}

/** How the account clients are built: the home clients' config (credentials, retries, timeouts) and the roles. */
export interface AccountClientOptions {
  /** The EC2 client config of the home account, without its region. */
  config: Omit<EC2ClientConfig, 'region'>;
  roles: AccountRoles;
  /** The region STS is asked in (the home region). */
  stsRegion: string;
  sessionName: string;
  /** Wraps each client built (the per-call time limit). */
  wrap?: (c: EC2Client) => EC2Client;
}

/** Clients per account and region, built on first use and kept. */
export function createAccountClients(opts: AccountClientOptions): AccountClients<EC2Client> {
  const clients = new Map<string, EC2Client>();
  const providers = new Map<string, Provider>();
  const wrap = opts.wrap ?? ((c: EC2Client) => c);
  const credentialsOf = (roleArn: string): Provider => {
    let p = providers.get(roleArn);
    if (!p) {
      p = sharedCredentials(
        fromTemporaryCredentials({
          params: { RoleArn: roleArn, RoleSessionName: opts.sessionName, DurationSeconds: 3600 },
          // STS is asked with the home credentials (never the role's own), in the home region.
          clientConfig: { region: opts.stsRegion },
          ...(opts.config.credentials ? { masterCredentials: opts.config.credentials as never } : {}),
        }),
      );
      providers.set(roleArn, p);
    }
    return p;
  };
  const build = (key: string, make: () => EC2Client): EC2Client => {
    let c = clients.get(key);
    if (!c) {
      c = wrap(make());
      clients.set(key, c);
    }
    return c;
  };
  return {
    home: (region) => build(`home/${region}`, () => new EC2Client({ ...opts.config, region })),
    other: (where: Where, purpose) => {
      const roleArn = roleFor(opts.roles, where.account, purpose);
      if (!roleArn) throw noAccountRole(where.account, purpose);
      return build(
        `${roleArn}/${where.region}`,
        () => new EC2Client({ ...opts.config, region: where.region, credentials: credentialsOf(roleArn) }),
      );
    },
    roleFor: (account, purpose) => roleFor(opts.roles, account, purpose),
    named: () => [...opts.roles.explicit.keys()],
  };
}
