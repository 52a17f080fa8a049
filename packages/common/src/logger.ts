// Owns the logging port. Libraries log through a Logger the user may replace; the default writes one
// line per event to stderr at or above the configured level: a readable line (`text`), or a JSON
// object (`json`) with the time, level, message and every structured field (application id, thread,
// task, topic, partition, offset, error code). pino and other loggers that take the fields first
// (`info(fields, message)`) are adapted by toLogger().

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line (e.g. the task id). */
  child(fields: Record<string, unknown>): Logger;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function formatFields(fields: Record<string, unknown>, message: string): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (v instanceof Error && message.includes(v.message)) continue; // already in the line
    let text: string;
    if (v instanceof Error) text = `${v.name}: ${v.message}`;
    else if (typeof v === 'string') text = /\s/.test(v) ? JSON.stringify(v) : v;
    else {
      try {
        text = JSON.stringify(v) ?? String(v);
      } catch {
        text = String(v);
      }
    }
    parts.push(`${k}=${text}`);
  }
  return parts.length ? ' ' + parts.join(' ') : '';
}

/** 'text': readable lines; 'json': one JSON object per line (for log collectors). */
export type LogFormat = 'text' | 'json';

export interface ConsoleLoggerOptions {
  level?: LogLevel;
  name?: string;
  /**
   * Default: SLUICE_LOG_FORMAT if set, else 'text' when stderr is a terminal and 'json' when it is not
   * (a container, a file, a pipe to a log collector); 'text' when `write` is given.
   */
  format?: LogFormat;
  write?: (line: string) => void;
}

/** The format a console logger uses when none is given (see ConsoleLoggerOptions.format). */
export function defaultLogFormat(): LogFormat {
  const env = process.env['SLUICE_LOG_FORMAT'];
  if (env === 'json' || env === 'text') return env;
  return process.stderr.isTTY ? 'text' : 'json';
}

/** A JSON-safe copy of a field value: errors become { type, message, code, stack }. */
function jsonValue(v: unknown): unknown {
  if (v instanceof Error) {
    const e = v as Error & { code?: unknown; cause?: unknown };
    return { type: e.name, message: e.message, ...(e.code !== undefined ? { code: e.code } : {}), stack: e.stack };
  }
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return v;
}

function jsonLine(time: number, level: string, name: string | undefined, message: string, fields: Record<string, unknown>): string {
  const out: Record<string, unknown> = { time: new Date(time).toISOString(), level };
  if (name !== undefined && fields['applicationId'] === undefined) out['name'] = name;
  out['msg'] = message;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && !(k in out)) out[k] = jsonValue(v);
  try {
    return JSON.stringify(out);
  } catch {
    return JSON.stringify({ time: out['time'], level, msg: message, fields: String(fields) });
  }
}

export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const level = options.level ?? (process.env['SLUICE_LOG_LEVEL'] as LogLevel | undefined) ?? 'info';
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const format = options.format ?? (options.write !== undefined ? 'text' : defaultLogFormat());
  const make = (bound: Record<string, unknown>): Logger => {
    const log = (l: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
      if (order[l] < order[level]) return;
      const all = fields === undefined ? bound : { ...bound, ...fields };
      if (format === 'json') {
        write(jsonLine(Date.now(), l, options.name, message, all));
        return;
      }
      const name = options.name ? ` [${options.name}]` : '';
      // the name already says which application (config binds applicationId to every line)
      const shown = options.name !== undefined && all['applicationId'] === options.name ? { ...all, applicationId: undefined } : all;
      write(`${new Date().toISOString()} ${l.toUpperCase()}${name} ${message}${formatFields(shown, message)}`);
    };
    return {
      debug: (m, f) => log('debug', m, f),
      info: (m, f) => log('info', m, f),
      warn: (m, f) => log('warn', m, f),
      error: (m, f) => log('error', m, f),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}

export const noopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return noopLogger;
  },
};

/**
 * A logger whose methods take the fields first: pino (`logger.info({ task }, 'message')`), bunyan.
 * Recognised by pino's `levels.values` / bunyan's `levels()`; see toLogger().
 */
export interface FieldsFirstLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  child(bindings: object): FieldsFirstLogger;
  isLevelEnabled?(level: string): boolean;
}

/** True for pino and bunyan loggers (fields first), which Sluice's Logger (message first) is not. */
export function isFieldsFirstLogger(logger: unknown): logger is FieldsFirstLogger {
  if (logger === null || typeof logger !== 'object') return false;
  const levels = (logger as { levels?: unknown }).levels;
  const pinoLike = typeof levels === 'object' && levels !== null && typeof (levels as { values?: unknown }).values === 'object';
  const bunyanLike = typeof levels === 'function' && typeof (logger as { addStream?: unknown }).addStream === 'function';
  return pinoLike || bunyanLike;
}

/**
 * Sluice's Logger for what the `logger` option was given: a Logger as is, a pino or bunyan logger
 * adapted (fields first, Error fields under pino's `err` key so its serializer formats them).
 */
export function toLogger(logger: Logger | FieldsFirstLogger): Logger {
  if (!isFieldsFirstLogger(logger)) return logger as Logger;
  const adapt = (l: FieldsFirstLogger): Logger => {
    const call = (level: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
      if (l.isLevelEnabled !== undefined && !l.isLevelEnabled(level)) return;
      l[level](fields === undefined ? {} : fieldsFor(fields), message);
    };
    return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error'), child: (fields) => adapt(l.child(fields)) };
  };
  return adapt(logger);
}

function fieldsFor(fields: Record<string, unknown>): Record<string, unknown> {
  const err = fields['error'];
  if (!(err instanceof Error) || 'err' in fields) return fields;
  const { error: _error, ...rest } = fields;
  return { ...rest, err };
}

/** The structured fields of an error for a log call: the error itself and its Sluice/Kafka error code. */
export function errorFields(err: unknown): { error: unknown; errorCode?: string; kafkaError?: string } {
  const e = err as { code?: unknown; context?: { kafkaErrorType?: unknown } } | null;
  const out: { error: unknown; errorCode?: string; kafkaError?: string } = { error: err };
  if (typeof e?.code === 'string') out.errorCode = e.code;
  if (typeof e?.context?.kafkaErrorType === 'string') out.kafkaError = e.context.kafkaErrorType;
  return out;
}
