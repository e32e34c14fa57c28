import pino, { type Logger } from 'pino';
import { activeTraceIds } from './tracing';

export type { Logger };

/** Structured JSON logs on stdout; each line carries the active trace id. */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => activeTraceIds() ?? {},
  });
}
