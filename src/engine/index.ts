/** The reachability engine: `diagnose(snapshot, query, endpoints)` (pure). */
export { AWS_CODE, diagnose, EPHEMERAL } from './diagnose.js';
export { FIX_SPECS, type FixSpec, fixSpecOf } from './fix-specs.js';
export { fixId } from './fixes.js';
