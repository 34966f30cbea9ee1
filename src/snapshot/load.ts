/**
 * `loadSnapshot(path)`: what `--snapshot PATH` does — read, validate and build — one file at a time, so a file's text
 * and parsed document are let go once its items are gathered, and each key's raw items once its noun is built
 * (buildMerged). Same snapshot and same errors as `buildSnapshot(readSnapshotFiles(path))`, in less memory; where
 * several files are wrong, the first wrong one in file order is named, be it unreadable or invalid.
 */
import type { Snapshot } from '../model/index.js';
import { buildMerged } from './build.js';
import { Merger, refuseEmpty } from './merge.js';
import { type ReadOptions, readSnapshotFile, snapshotFileList } from './read.js';

export function loadSnapshot(path: string, opts: ReadOptions = {}): Snapshot {
  const files = snapshotFileList(path, opts);
  const merger = new Merger();
  for (const f of files) merger.addFile(readSnapshotFile(f, opts));
  refuseEmpty(
    merger,
    files.map((f) => f.path),
  );
  return buildMerged(merger);
}
