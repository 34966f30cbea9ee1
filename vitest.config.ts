import { defineConfig } from 'vitest/config';

/**
 * Files with a real-time deadline under concurrency (Bolt answers 20 commands at once and each must be acked within
 * Slack's 3 s): they run last, one at a time, so that the other worker's CPU-heavy files do not take their time.
 */
const DEADLINES = ['test/slack/app.integ.test.ts'];

// (`include` is set per project, not here: a project that extends this config would add its list to this one.)

export default defineConfig({
  test: {
    environment: 'node',
    globalSetup: ['test/support/build-once.ts'],
    // Test files share worker processes: the AWS SDK and our modules are imported once per worker instead of once per
    // file (most of the suite's time on a 2-core machine). What a file leaves behind in the process (nock, env) is
    // reset by test/support/per-file.ts before the next file runs.
    isolate: false,
    setupFiles: ['test/support/per-file.ts'],
    testTimeout: 20_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: 'coverage/vitest-results.json' }]],
    projects: [
      {
        extends: true,
        // Two workers: vitest's default on a 2-core machine is one (cores - 1), which left the second core to the
        // processes the CLI tests start; with files sharing workers, the suite's own CPU time is the limit.
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: DEADLINES,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'deadlines', include: DEADLINES, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
