// Owns the small checks every setting goes through when an app is created: each names the setting,
// what it expected and what it got (with its type, so `'100'` and `100` are told apart), and offers
// the closest valid word for a misspelt choice.
import { ConfigError } from '@sluice/common';

/** A value as a message shows it: its type and, when short, itself. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `the ${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (Buffer.isBuffer(v)) return `a Buffer of ${v.length} bytes`;
  return 'an object';
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** The word of `choices` closest to `word` (case-insensitive), if it is close enough to be a typo. */
export function closest(word: string, choices: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  // a truncated or extended word ('warning' for 'warn', 'blockCache' for 'blockCacheBytes')
  if (lower.length >= 3) for (const c of choices) if (c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase())) return c;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of choices) {
    const score = editDistance(word.toLowerCase(), c.toLowerCase());
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return bestScore <= Math.max(2, Math.min(3, Math.floor(word.length / 3))) ? best : undefined;
}

export function quoteList(words: readonly string[]): string {
  const q = words.map((w) => `'${w}'`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** A number >= min (an integer unless `fractional`); the fallback when not set. */
export function numberSetting(name: string, v: unknown, fallback: number, min: number, unit = ''): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || !Number.isInteger(v)) {
    throw new ConfigError(`${name} must be an integer >= ${min}${unit}, got ${describeValue(v)}`, { context: { setting: name } });
  }
  return v;
}

export function stringSetting(name: string, v: unknown, what = 'a non-empty string'): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim().length === 0) throw new ConfigError(`${name} must be ${what}, got ${describeValue(v)}`, { context: { setting: name } });
  return v;
}


/** One of `choices`; a near miss gets "did you mean". */
export function choiceSetting<T extends string>(name: string, v: unknown, choices: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
  const guess = typeof v === 'string' ? closest(v, choices) : undefined;
  throw new ConfigError(`${name} must be one of ${quoteList(choices)}, got ${describeValue(v)}${guess ? ` (did you mean '${guess}'?)` : ''}`, {
    context: { setting: name, choices },
  });
}

export function functionSetting<F>(name: string, v: unknown, shape: string): F | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'function') throw new ConfigError(`${name} must be a function ${shape}, got ${describeValue(v)}`, { context: { setting: name } });
  return v as F;
}

/** An object whose `methods` are all functions (a serde, a logger, a clock). */
export function objectWithMethods<T>(name: string, v: unknown, methods: readonly string[], example: string): T | undefined {
  if (v === undefined) return undefined;
  const missing = v !== null && typeof v === 'object' ? methods.filter((m) => typeof (v as Record<string, unknown>)[m] !== 'function') : methods;
  if (missing.length > 0) {
    throw new ConfigError(`${name} must be an object with ${methods.map((m) => `${m}()`).join(', ')} (e.g. ${example}), got ${describeValue(v)}${v !== null && typeof v === 'object' ? ` without ${missing.map((m) => `${m}()`).join(', ')}` : ''}`, {
      context: { setting: name },
    });
  }
  return v as T;
}

export function plainObject(name: string, v: unknown, what: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${name} must be ${what}, got ${describeValue(v)}`, { context: { setting: name } });
  return v as Record<string, unknown>;
}

/** An object of string values (topic configs). */
export function stringMap(name: string, v: unknown, example: string): { [key: string]: string } {
  const o = plainObject(name, v, `an object of string values, e.g. ${example}`) ?? {};
  for (const [k, value] of Object.entries(o)) {
    if (typeof value !== 'string') throw new ConfigError(`${name}['${k}'] must be a string (topic configs are strings, e.g. '2'), got ${describeValue(value)}`, { context: { setting: name } });
  }
  return { ...(o as { [key: string]: string }) };
}

/** Keys of an options object that are not among `known`, as an error naming the closest known one. */
export function rejectUnknownKeys(name: string, o: Record<string, unknown>, known: readonly string[], hint = ''): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  const words = unknown.map((k) => {
    const guess = closest(k, known);
    return `'${k}'${guess ? ` (did you mean '${guess}'?)` : ''}`;
  });
  throw new ConfigError(`unknown ${name} ${words.join(', ')}; known: ${known.join(', ')}${hint}`, { context: { setting: name } });
}
