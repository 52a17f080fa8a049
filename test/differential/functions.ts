// Owns the named functions scenarios may use (joiners, key selectors, mappers, predicates) and the
// serdes they name. Each has a twin of the same name and behaviour in java/.../Fns.java and
// Scenarios.java; add both together. Java prints null as "null" in string concatenation, so do we.
import { KeyValue, Serdes, type Serde } from 'sluice';
import type { SerdeName } from './scenario.js';

function str(v: unknown): string {
  return v === null || v === undefined ? 'null' : String(v);
}

function pick<T>(kind: string, table: { [name: string]: T }, name: unknown): T {
  const fn = typeof name === 'string' ? table[name] : undefined;
  if (fn === undefined) throw new Error(`unknown ${kind} ${JSON.stringify(name)}; known: ${Object.keys(table).join(', ')}`);
  return fn;
}

/** Joiners take (value1, value2, key), Sluice's order (the key is last, as in mapValues). */
export function joiner(name: unknown): (v1: unknown, v2: unknown, key: unknown) => string {
  return pick('joiner', { concat: (a, b) => `${str(a)}+${str(b)}`, keyConcat: (a, b, k) => `${str(k)}:${str(a)}+${str(b)}` }, name);
}

export function keySelector(name: unknown): (key: unknown, value: unknown) => unknown {
  return pick<(key: unknown, value: unknown) => unknown>(
    'key selector',
    {
      valueBeforeColon: (_k, v) => (v === null ? null : str(v).split(':')[0]),
      keyUpper: (k) => (k === null ? null : str(k).toUpperCase()),
      keyLower: (k) => (k === null ? null : str(k).toLowerCase()),
    },
    name,
  );
}

export function mapper(name: unknown): (key: unknown, value: unknown) => KeyValue<unknown, unknown> {
  return pick<(key: unknown, value: unknown) => KeyValue<unknown, unknown>>(
    'mapper',
    { swap: (k, v) => KeyValue.pair(v, k), keyUpperValueSame: (k, v) => KeyValue.pair(k === null ? null : str(k).toUpperCase(), v) },
    name,
  );
}

export function valueMapper(name: unknown): (value: unknown, key: unknown) => unknown {
  return pick<(value: unknown, key: unknown) => unknown>(
    'value mapper',
    { upper: (v) => (v === null ? null : str(v).toUpperCase()), suffixX: (v) => (v === null ? null : `${str(v)}x`) },
    name,
  );
}

export function predicate(name: unknown): (key: unknown, value: unknown) => boolean {
  return pick<(key: unknown, value: unknown) => boolean>('predicate', { keyIsNotC: (k) => k !== 'C', valueHasNoX: (_k, v) => v !== null && !str(v).includes('x') }, name);
}

export function serde(name: SerdeName | undefined): Serde<unknown> {
  switch (name ?? 'string') {
    case 'string':
      return Serdes.String() as Serde<unknown>;
    case 'long':
      return Serdes.Long() as Serde<unknown>;
    case 'integer':
      return Serdes.Integer() as Serde<unknown>;
    default:
      throw new Error(`unknown serde ${JSON.stringify(name)} (string, long, integer)`);
  }
}
