/** Snapshot loading: read files (I/O), build the normalized snapshot (pure), resolve endpoints (pure). */
export * from './build.js';
export * from './load.js';
export * from './read.js';
export * from './resolve.js';
