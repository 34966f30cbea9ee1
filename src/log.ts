/** The pino logger, with secrets redacted. Logs go to stderr so stdout stays for answers. */
import { type Logger, pino } from 'pino';

export type { Logger };

/** Paths that never reach a log line. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  'appToken',
  'signingSecret',
  '*.signingSecret',
  'headers.authorization',
  '*.headers.authorization',
  'credentials',
  '*.credentials',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'PreSharedKey',
  '*.PreSharedKey',
];

/** Creates the process logger; `WHYPING_LOG_LEVEL` (default `warn` for the CLI and shell, `info` for servers). */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.WHYPING_LOG_LEVEL ?? 'warn';
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'whyping' } },
    (options.destination ?? pino.destination(2)) as pino.DestinationStream,
  );
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: 'silent' });
