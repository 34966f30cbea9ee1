/**
 * The pino logger, with secrets redacted. Logs go to stderr so stdout stays for answers.
 *
 * pino is loaded, and the logger built, when the first line at an enabled level is written: a command that logs nothing
 * (`--help`, an offline question at the default level `warn`) never opens pino's ~30 files nor, at exit, fsyncs stderr.
 * Until then the logger answers `level`, `isLevelEnabled`, `bindings` and `child` itself, with pino's semantics.
 */
import { createRequire } from 'node:module';
import type * as Pino from 'pino';

export type Logger = Pino.Logger;

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

/** pino's levels (it has no custom ones here); `silent` writes nothing. */
const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

let pinoModule: typeof Pino | undefined;
function loadPino(): typeof Pino {
  pinoModule ??= createRequire(import.meta.url)('pino') as typeof Pino;
  return pinoModule;
}

function checkLevel(level: string): string {
  // pino's own wording for the same mistake, thrown when the logger is created as before, not at its first line.
  if (!Object.hasOwn(LEVELS, level)) throw new Error(`default level:${level} must be included in custom levels`);
  return level;
}

/**
 * A logger that builds its pino logger (`make`) on first real use. `bindings` are what pino's `bindings()` would say
 * (the base fields, then each child's).
 */
function lazyLogger(level: string, bindings: Record<string, unknown>, make: () => Logger): Logger {
  let real: Logger | undefined;
  let current = checkLevel(level);
  const materialize = (): Logger => {
    if (real === undefined) {
      real = make();
      if (real.level !== current) real.level = current;
    }
    return real;
  };
  const enabled = (name: string) => (LEVELS[name] ?? Number.NaN) >= (LEVELS[current] ?? 0);
  const own: Record<string, unknown> = {
    isLevelEnabled: (name: string) => name !== 'silent' && enabled(name),
    bindings: () => ({ ...bindings }),
    child: (childBindings: Record<string, unknown>, options?: { level?: string }) =>
      lazyLogger(options?.level ?? current, { ...bindings, ...childBindings }, () =>
        materialize().child(childBindings, options),
      ),
  };
  for (const name of Object.keys(LEVELS)) {
    if (name === 'silent') continue;
    own[name] = (...args: unknown[]) => {
      if (!enabled(name)) return;
      (materialize()[name as Pino.Level] as (...a: unknown[]) => void)(...args);
    };
  }
  return new Proxy({} as Logger, {
    get(_target, prop) {
      if (real === undefined) {
        if (prop === 'level') return current;
        if (typeof prop === 'string' && Object.hasOwn(own, prop)) return own[prop];
      }
      const target = materialize();
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(_target, prop, value) {
      if (real === undefined && prop === 'level') {
        current = checkLevel(String(value));
        return true;
      }
      return Reflect.set(materialize(), prop, value);
    },
  });
}

/** Creates the process logger; `WHYPING_LOG_LEVEL` (default `warn` for the CLI and shell, `info` for servers). */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.WHYPING_LOG_LEVEL ?? 'warn';
  const base = { app: 'whyping' };
  return lazyLogger(level, base, () => {
    const { pino } = loadPino();
    return pino(
      { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base },
      (options.destination ?? pino.destination(2)) as Pino.DestinationStream,
    );
  });
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentLogger: Logger = lazyLogger('silent', {}, () => loadPino().pino({ level: 'silent' }));
