/** Where AWS state lives beyond one account and region: the clients that read (or change) each account and region. */
/** An account and a region. */
export interface Where {
  account: string;
  region: string;
}

/** What an EC2 client of another account is for: reading (the read role) or applying a fix (the fix role). */
export type AccountPurpose = 'read' | 'fix';

/**
 * Clients (EC2's: the model stays free of the SDK, so the type is a parameter) for the accounts and regions a path reaches. The home account (the one the default credentials belong
 * to) is read with them in any region; another account through the role configured for it (assumed on first use,
 * its credentials cached for their lifetime). Both may throw a WhypingError saying what to configure or grant.
 */
export interface AccountClients<Client> {
  /** The default credentials' EC2 client in `region`. */
  home(region: string): Client;
  /** An EC2 client in `where.account` through its role; throws (AWS_ACCESS_DENIED) naming the variables to set when none is configured. */
  other(where: Where, purpose: AccountPurpose): Client;
  /** The role whyping would assume in `account` for `purpose`, or null when none is configured (for messages). */
  roleFor(account: string, purpose: AccountPurpose): string | null;
  /** The accounts configured by name (WHYPING_ACCOUNT_ROLES), where an end not found at home is looked for. */
  named(): string[];
}
