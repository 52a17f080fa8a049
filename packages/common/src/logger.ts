// Owns the logging port. Libraries log through a Logger the user may replace; the default writes
// one JSON-free, human-readable line per event to stderr at or above the configured level.

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

function formatFields(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
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

export interface ConsoleLoggerOptions {
  level?: LogLevel;
  name?: string;
  write?: (line: string) => void;
}

export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const level = options.level ?? (process.env['SLUICE_LOG_LEVEL'] as LogLevel | undefined) ?? 'info';
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const make = (bound: Record<string, unknown>): Logger => {
    const log = (l: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
      if (order[l] < order[level]) return;
      const name = options.name ? ` [${options.name}]` : '';
      write(`${new Date().toISOString()} ${l.toUpperCase()}${name} ${message}${formatFields({ ...bound, ...fields })}`);
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
