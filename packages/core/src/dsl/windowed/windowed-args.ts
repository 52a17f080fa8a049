// Owns what the windowed DSL handles share: reading the optional (named?, materialized?) arguments
// the way Kafka Streams' overloads allow, the window store naming prefixes, and adding one windowed
// aggregation (processor + store + windowed key serde) below a grouped stream.
import { Serdes, type Serde, type Windowed } from '@sluice/serdes';
import type { StateStore } from '@sluice/state';
import type { ProcessorSupplier } from '../../processor/api.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import { KTable } from '../ktable.js';
import type { DeferredStoreBuilder, ResolvedMaterialized } from '../materialized.js';
import type { WindowedTableSupplier } from '../operators/window-common.js';
import { windowedKeySerde, type WindowedKind } from './windowed-key-serde.js';

export const WindowedPrefix = {
  AGGREGATE: 'KSTREAM-AGGREGATE-',
  REDUCE: 'KSTREAM-REDUCE-',
} as const;

export { splitArgs } from '../args.js';

export const LONG = Serdes.Long();

/** Adds the windowed aggregation `name` below the grouped stream and returns its KTable. */
export function addWindowedAggregation<K, V, VA>(
  grouped: KGroupedStream<K, V>,
  o: {
    name: string;
    mat: ResolvedMaterialized<K, VA>;
    supplier: WindowedTableSupplier & { get(): unknown };
    store: DeferredStoreBuilder<StateStore>;
    kind: WindowedKind;
  },
): KTable<Windowed<K>, VA> {
  const b = grouped.internals.builder;
  const parent = grouped.sourceForAggregation(o.mat.storeName);
  const key = windowedKeySerde(o.mat.keySerde, o.kind, `'${o.name}'`);
  b.add(o.name, [parent], (t) => {
    t.addProcessor(o.name, o.supplier as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>, parent);
    t.addStateStore(o.store, o.name);
    t.registerDefaultsAware(o.store);
    if (key.defaultsAware) t.registerDefaultsAware(key.defaultsAware);
  });
  return new KTable<Windowed<K>, VA>({
    builder: b,
    nodeName: o.name,
    keySerde: key.serde,
    valueSerde: o.mat.valueSerde as Serde<VA> | undefined,
    supplier: o.supplier,
    queryableStoreName: o.mat.queryable ? o.mat.storeName : undefined,
  });
}

/** The store supplier of Materialized.as(supplier) must be of the kind the aggregation needs. */
export function supplierKindProblem(mat: ResolvedMaterialized<unknown, unknown>, kind: 'window' | 'session', name: string): string | undefined {
  const s = mat.m.supplier as { windowSizeMs?: unknown; retentionMs?: unknown } | undefined;
  if (s === undefined) return undefined;
  const isWindow = typeof s.windowSizeMs === 'number';
  const isSession = !isWindow && typeof s.retentionMs === 'number';
  if (kind === 'window' && !isWindow) {
    return `windowed aggregation '${name}' needs a window store, but Materialized.as() got the supplier of store '${mat.storeName}' of another kind; use Stores.persistentWindowStore(name, retentionMs, windowSizeMs, false) (or inMemoryWindowStore)`;
  }
  if (kind === 'session' && !isSession) {
    return `session aggregation '${name}' needs a session store, but Materialized.as() got the supplier of store '${mat.storeName}' of another kind; use Stores.persistentSessionStore(name, retentionMs) (or inMemorySessionStore)`;
  }
  return undefined;
}
