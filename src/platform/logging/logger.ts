import { pino, type Logger, type LoggerOptions } from 'pino';
import { maskPhonesInText, redactDeep } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerConfig {
  level: string;
  /** Human-readable output for `npm run dev`; JSON otherwise. */
  pretty?: boolean;
  /** Where to write; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

/**
 * Creates the process logger. Every record (message, merged objects, child bindings, errors)
 * passes through {@link redactDeep}, so tokens and phone numbers never reach the output in full.
 */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level,
    base: { service: 'puente' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      log: (record) => redactDeep(record) as Record<string, unknown>,
    },
    // Errors are redacted by the log formatter; keep pino from serializing them first into a shape we would miss.
    serializers: { err: serializeError, error: serializeError },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((arg) => (typeof arg === 'string' ? maskPhonesInText(arg) : arg));
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  if (config.pretty && !config.destination) {
    // The dev console: one line per record, and an error as its name and message unless the level
    // asks for detail (debug or trace show the stack). JSON output always keeps the whole error.
    const brief = consoleErrorSerializer(config.level);
    return redactChildBindings(pino({
      ...options,
      serializers: { err: brief, error: brief },
      transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } },
    }));
  }
  return redactChildBindings(config.destination ? pino(options, config.destination) : pino(options));
}

const serializeError = (err: unknown) => redactDeep(err);

/** The dev console's error serializer: the whole error at debug and trace, else {@link summarizeError}. */
export function consoleErrorSerializer(level: string): (err: unknown) => unknown {
  const value = pino.levels.values[level];
  const detailed = value !== undefined && value <= (pino.levels.values.debug ?? 20);
  return (err) => redactDeep(detailed ? err : summarizeError(err));
}

/** An error as one short line's worth: its kind, message and code (no stack, no cause chain). */
export function summarizeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const { code, status } = err as { code?: unknown; status?: unknown };
  return { type: err.name, message: err.message, ...(code !== undefined ? { code } : {}), ...(status !== undefined ? { status } : {}) };
}

/**
 * pino's `formatters.bindings` only sees the root bindings, so `logger.child({ waId })` would
 * bypass redaction. Children are created with `Object.create(parent)`, so overriding `child` on
 * the root makes every descendant redact its bindings too.
 */
function redactChildBindings(logger: Logger): Logger {
  const protoChild = Object.getPrototypeOf(logger).child as Logger['child'];
  logger.child = function child(this: Logger, bindings, options) {
    return protoChild.call(this, redactDeep(bindings) as typeof bindings, options);
  } as Logger['child'];
  return logger;
}
