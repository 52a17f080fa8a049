// Owns reading the optional (named?, materialized?) arguments of DSL operations the way Kafka
// Streams' overloads allow: op(), op(named), op(materialized), op(named, materialized).
import { Materialized } from './materialized.js';
import type { Named } from './options.js';

export function splitArgs<M>(a: unknown, b: M | undefined): { named: Named | undefined; materialized: M | undefined } {
  if (a instanceof Materialized) return { named: undefined, materialized: a as M };
  return { named: a as Named | undefined, materialized: b };
}
