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

/**
 * Where a snapshot load stands, told before each file is checked or parsed: `check` is the first pass over a folder's
 * files (their top-level keys and nesting, on the bytes), `parse` a file being parsed and built. `done` files came
 * before this one in that phase, of `total`. When loading by need fails, the folder is read again in file order to name
 * the first wrong file, and `parse` counts from 0 again.
 */
export interface LoadProgress {
  phase: 'check' | 'parse';
  file: { path: string; size: number };
  done: number;
  total: number;
  /** A file read in chunks (over 256 MiB) is told again after each chunk, with the bytes of it read so far. */
  bytesRead?: number;
}
