// Owns reading the optional (named?, materialized?) arguments of DSL operations the way Kafka
// Streams' overloads allow: op(), op(named), op(materialized), op(named, materialized).
import type { Serde } from '@sluice/serdes';
import type { InternalStreamsBuilder } from './internal-builder.js';
import { Materialized, resolveMaterialized, type ResolvedMaterialized } from './materialized.js';
import type { Named } from './options.js';

export function splitArgs<M>(a: unknown, b: M | undefined): { named: Named | undefined; materialized: M | undefined } {
  if (a instanceof Materialized) return { named: undefined, materialized: a as M };
  return { named: a as Named | undefined, materialized: b };
}

/**
 * The node name and the store of an aggregation called with (named?, materialized?); generated names
 * start with `prefix`. With `burnsStoreName`, an unnamed Materialized uses up a store name first, as
 * Kafka Streams does in count() (kept so topologies are named alike).
 */
export function aggregationNameAndStore<K, V>(
  builder: InternalStreamsBuilder,
  a: Named | Materialized<K, V> | undefined,
  b: Materialized<K, V> | undefined,
  prefix: string,
  defaults: { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined },
  burnsStoreName = false,
): { name: string; mat: ResolvedMaterialized<K, V> } {
  const { named, materialized } = splitArgs(a, b);
  if (burnsStoreName && materialized !== undefined && materialized.storeName === undefined) builder.newStoreName(prefix);
  const mat = resolveMaterialized(builder, materialized, prefix, defaults);
  return { name: builder.nameOrGenerate(named?.name, prefix), mat };
}
