/** Raw input of a snapshot: describe-* JSON documents as the AWS CLI / SDK v3 print them (PascalCase). */

/** One JSON document and where it came from. */
export interface RawSnapshotFile {
  /** File path (or `live:<Operation>` for collected data): errors and warnings name it. */
  path: string;
  /** The parsed JSON: an object whose top-level keys are describe-* output keys (`Vpcs`, `RouteTables`, …). */
  data: unknown;
  /** Region from the layout (`aws_configs/<region>/…`), when the layout says. */
  region?: string;
  /** Account from the layout (`aws_configs/accounts/<id>/<region>/…`), when the layout says. */
  accountId?: string;
}
