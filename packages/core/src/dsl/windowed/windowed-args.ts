// Owns what the windowed DSL handles share: the window store naming prefixes, the retention of a
// windowed store and the kind of store supplier it needs, and adding one windowed aggregation
// (processor + store + windowed key serde) below a grouped stream.
import { Serdes, type Serde, type Windowed } from '@sluice/serdes';
import { Stores, type StateStore, type StoreBuilder } from '@sluice/state';
import type { EmitStrategy } from '../emit-strategy.js';
import { emitMetadataStoreName } from '../operators/window-close-emitter.js';
import type { ProcessorSupplier } from '../../processor/api.js';
import type { InternalStreamsBuilder } from '../internal-builder.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import { KTable } from '../ktable.js';
import type { DeferredStoreBuilder, ResolvedMaterialized } from '../materialized.js';
import type { WindowedTableSupplier } from '../operators/window-common.js';
import { windowedKeySerde, type WindowedKind } from './windowed-key-serde.js';

export const WindowedPrefix = {
  AGGREGATE: 'KSTREAM-AGGREGATE-',
  REDUCE: 'KSTREAM-REDUCE-',
} as const;

export const LONG = Serdes.Long();

/** Adds the windowed aggregation `name` below the grouped stream and returns its KTable. */
export function addWindowedAggregation<K, V, VA>(
  grouped: KGroupedStream<K, V>,
  o: {
    name: string;
    mat: ResolvedMaterialized<K, VA>;
    supplier: WindowedTableSupplier & { get(): unknown; emitOnClose: boolean };
    store: DeferredStoreBuilder<StateStore>;
    kind: WindowedKind;
    emitStrategy: EmitStrategy;
  },
): KTable<Windowed<K>, VA> {
  const b = grouped.internals.builder;
  const parent = grouped.sourceForAggregation(o.mat.storeName);
  const key = windowedKeySerde(o.mat.keySerde, o.kind, `'${o.name}'`);
  b.addProcessorWithStore(o.name, parent, o.supplier as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>, o.store, key.defaultsAware);
  if (o.emitStrategy.type() === 'ON_WINDOW_CLOSE') {
    o.supplier.emitOnClose = true;
    const metadata = Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier(emitMetadataStoreName(o.mat.storeName), o.mat.m.storeType ?? 'rocksdb'), Serdes.String(), Serdes.Long()).withCachingDisabled();
    if (o.mat.m.loggingEnabled) metadata.withLoggingEnabled({ ...o.mat.m.topicConfig });
    else metadata.withLoggingDisabled();
    b.add(`${o.name}#emit-metadata`, [o.name], (t) => t.addStateStore(metadata as unknown as StoreBuilder<StateStore>, o.name));
  }
  return new KTable<Windowed<K>, VA>({
    builder: b,
    nodeName: o.name,
    keySerde: key.serde,
    valueSerde: o.mat.valueSerde as Serde<VA> | undefined,
    supplier: o.supplier,
    queryableStoreName: o.mat.queryable ? o.mat.storeName : undefined,
  });
}

/**
 * The retention of the store of windowed aggregation `name`: Materialized.withRetention, or by
 * default the least it may be, the windows' span (`span.ms`, `span.what` in messages) plus grace.
 */
export function windowedRetention(
  b: InternalStreamsBuilder,
  name: string,
  mat: ResolvedMaterialized<unknown, unknown>,
  store: 'window' | 'session',
  span: { readonly ms: number; readonly what: string; readonly got: string },
  graceMs: number,
): number {
  const needed = span.ms + graceMs;
  const retentionMs = mat.m.retentionMs ?? needed;
  if (needed > retentionMs) {
    b.problem(
      `the retention period of ${store} store '${mat.storeName}' must be no smaller than ${span.what} plus the grace period. ` +
        `Got ${span.got}, grace=[${graceMs}], retention=[${retentionMs}]; use Materialized.withRetention(${needed}) or more`,
      name,
    );
  }
  return retentionMs;
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
