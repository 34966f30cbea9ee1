/** The deps a use case gets over a sandbox in tests: its clients and region, no logs, a given clock, no waits, no probes. */
import type { Deps } from '../../src/core/deps.js';
import { silentLogger } from '../../src/log.js';
import type { Sandbox } from '../../src/sandbox/index.js';

export function sandboxDeps(sb: Sandbox, now: () => Date): Deps {
  return {
    clients: sb.clients,
    region: sb.region,
    logger: silentLogger,
    now,
    sleep: async () => {},
    probesEnabled: false,
  };
}
