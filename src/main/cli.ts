/** The bin entry (bin/whyping.js imports this): the process's handlers, then the command (./run.ts) and its exit code. */
import './sdk-notice.js';
import { runMain } from './run.js';

// A reader that goes away (`whyping … | head -1`) is not an error: stop quietly instead of printing a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// In a container whyping runs as PID 1, and the kernel drops every signal PID 1 has no handler for: `docker stop` would
// wait its 10 s and kill. Exit on SIGTERM / SIGINT, unless something else handles them (a graceful shutdown of its own).
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  process.on(signal, () => {
    if (process.listenerCount(signal) === 1) process.exit(code);
  });
}

process.exitCode = await runMain(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  get stdin() {
    return process.stdin;
  },
});
