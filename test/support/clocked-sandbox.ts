/**
 * A sandbox and deps sharing one test clock that moves only when whyping sleeps: CloudTrail's 2 calls a second hold
 * (the sandbox throttles by its clock, whyping's queue sleeps by the same one) with no real waiting.
 */
import type { Deps } from '../../src/core/deps.js';
import { silentLogger } from '../../src/log.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export function clockedSandbox(opts: SandboxOptions = {}, start = Date.parse('2026-11-25T10:00:00Z')) {
  let t = start;
  const now = () => new Date(t);
  const sandbox: Sandbox = createSandbox({ region: 'us-east-1', ...opts, now });
  const deps: Deps = {
    clients: sandbox.clients,
    region: sandbox.region,
    logger: silentLogger,
    now,
    sleep: async (ms) => {
      t += ms;
    },
    probesEnabled: true,
  };
  return { sandbox, deps, now };
}

/** Holds every CloudTrail call of `deps` until the returned function is called (the SDK's own middleware stack). */
export function holdCloudTrail(deps: Deps): () => void {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  deps.clients.cloudtrail?.middlewareStack.add(
    (next) => async (args) => {
      await opened;
      return next(args);
    },
    { step: 'initialize', name: 'testHoldCloudTrail' },
  );
  return open;
}
