/** The shared vocabulary: ids, snapshot resources, queries, diagnoses. */
export type * from './accounts.js';
export type * from './diagnosis.js';
export type * from './ids.js';
export type * from './load-balancers.js';
export type * from './raw.js';
export type * from './resources.js';
