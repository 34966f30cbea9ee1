/** Live AWS reads: endpoint resolution, scoped collection, snapshot export. Takes an EC2Client, never builds one. */

export { eicPrefixListName } from '../snapshot/resolve.js';
export { type CollectOptions, type CollectResult, collectForQuery, collectSnapshot } from './collect.js';
export {
  addHistory,
  CAUSES,
  type HistoryOptions,
  historyEvent,
  LOOKUP_INTERVAL_MS,
  skippedLine,
  summarize,
  wantsHistory,
} from './history.js';
export { type CollectStats, Ec2Reader } from './reader.js';
export { classifyEndpoint, type EndpointSpec } from './resolve.js';
export type { UnreadPart } from './span.js';
export { writeSnapshot } from './write.js';
