/**
 * What the CLI front end needs from the composition root (src/main): streams, the environment, and the functions that
 * load a snapshot or build AWS clients (live or sandbox). The CLI itself only parses, calls core, and renders.
 */
import type { UndoKey } from '../core/apply-fix.js';
import type { Deps } from '../core/deps.js';
import type { Logger } from '../log.js';
import type { LoadProgress, Snapshot } from '../model/index.js';

/** A writable text stream (process.stdout, or a buffer in tests). */
export interface TextOut {
  write(text: string): unknown;
  /** True when a person is watching (colours, progress lines). */
  isTTY?: boolean;
  /** The terminal's width (absent on a pipe: then text is laid out for 80 columns). */
  columns?: number;
}

/** Where live commands read AWS from: the account (default credential chain) or the in-memory sandbox. */
export interface AwsTarget {
  region?: string;
  roleArn?: string;
  /** `--sandbox [PATH]`: true for the built-in seed lab, a path for a snapshot loaded into the sandbox. */
  sandbox?: string | true;
}

/** What `whyping snapshot` exports. */
export interface SnapshotScope {
  vpcIds: string[];
  instanceIds: string[];
}

/** The composition root's services, injected so tests can run the CLI in-process. */
export interface CliContext {
  stdout: TextOut;
  stderr: TextOut;
  /** Lines typed or piped into the shell (and `--batch -`). */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /**
   * Reads and indexes a snapshot file or folder (SNAPSHOT_UNREADABLE / SNAPSHOT_INVALID); `onProgress` hears of each
   * file as it is checked and parsed.
   */
  loadSnapshot(path: string, onProgress?: (progress: LoadProgress) => void): Snapshot;
  /** Builds the dependencies for live commands: AWS clients from the default credential chain, or the sandbox's. */
  openDeps(target: AwsTarget): Promise<Deps>;
  /** `whyping snapshot`: collects the scope through `deps` and writes one JSON file per key into `outDir`. */
  exportSnapshot(
    deps: Deps,
    scope: SnapshotScope,
    outDir: string,
  ): Promise<{ paths: string[]; calls: number; rounds: number }>;
  /** True when the default credential chain finds credentials (fast where no metadata service exists). */
  hasAwsCredentials(): Promise<boolean>;
  /**
   * The key and lifetime of undo tokens (core/secret.ts `resolveUndoSecret(config, 'local')`): resolved on first use,
   * so only `fix`, `undo` and the shell's fixes create the key file.
   */
  undoKey(): UndoKey;
  /** The built-in sandbox scenarios' names: the words `--sandbox` takes as its value besides an existing path. */
  sandboxScenarios?(): string[];
  /** The clock undo tokens are checked against (default: the system clock; tests pass a fixed one). */
  now?: () => Date;
  /** The timer of bounded waits (the history's 5 s; default: a real timer); tests pass one they control. */
  wait?: (ms: number) => Promise<void>;
}
