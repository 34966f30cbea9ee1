/** pino as Bolt's logger: Bolt's messages go through the same redaction as ours (tokens, the signing secret). */
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../log.js';

const TO_PINO: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Wraps a pino logger in Bolt's Logger interface; objects are logged as fields, so redaction applies to them. */
export function boltLogger(pino: Logger): BoltLogger {
  let log = pino.child({ component: 'bolt' });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) => {
      const objects = msg.filter((m): m is object => typeof m === 'object' && m !== null && !(m instanceof Error));
      const error = msg.find((m): m is Error => m instanceof Error);
      const text = msg
        .filter((m) => typeof m !== 'object' || m === null)
        .map(String)
        .join(' ');
      const fields = Object.assign({}, ...objects, error ? { err: error } : {});
      log[level](fields, text);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    // Bolt sets its default level (INFO) on the logger it is given; WHYPING_LOG_LEVEL decides instead.
    setLevel(_level: LogLevel) {},
    getLevel() {
      const found = (Object.entries(TO_PINO) as [LogLevel, string][]).find(([, v]) => v === log.level);
      return found ? found[0] : LogLevel.INFO;
    },
    setName(name: string) {
      log = pino.child({ component: name });
    },
  };
}
