import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/support/build-once.ts'],
    // Test files share worker processes: the AWS SDK and our modules are imported once per worker instead of once per
    // file (most of the suite's time on a 2-core machine). What a file leaves behind in the process (nock, env) is
    // reset by test/support/per-file.ts before the next file runs.
    isolate: false,
    // Two workers: vitest's default on a 2-core machine is one (cores - 1), which left the second core to the processes
    // the CLI tests start; with files sharing workers, the suite's own CPU time is the limit.
    maxWorkers: 2,
    setupFiles: ['test/support/per-file.ts'],
    testTimeout: 20_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: 'coverage/vitest-results.json' }]],
  },
});
