// Owns GlobalKTable (a table whose full copy every worker keeps, from all partitions of its topic)
// and how the DSL declares one and custom global stores: StreamsBuilder.globalTable and
// StreamsBuilder.addGlobalStore, named as Kafka Streams names them (<topic>-STATE-STORE-n,
// KTABLE-SOURCE-n for the source and for the processor).
import type { Serde } from '@sluice/serdes';
import type { StateStore, StoreBuilder } from '@sluice/state';
import type { ProcessorSupplier } from '../../processor/api.js';
import type { InternalStreamsBuilder } from '../internal-builder.js';
import { keyValueStoreFor, Materialized, resolveMaterialized } from '../materialized.js';
import type { Consumed } from '../options.js';
import { TableSourceSupplier } from '../ktable/table-processors.js';
import { storeValueGetter, type TableValueGetterSupplier } from '../ktable/value-getter.js';

const TABLE_SOURCE = 'KTABLE-SOURCE-';
const STREAM_SOURCE = 'KSTREAM-SOURCE-';

export interface GlobalKTableInternals<K, V> {
  readonly builder: InternalStreamsBuilder;
  readonly storeName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
}

export class GlobalKTable<K, V> {
  /** @internal */
  constructor(readonly internals: GlobalKTableInternals<K, V>) {}

  /** The name of the store every worker keeps the table in (always queryable). */
  queryableStoreName(): string {
    return this.internals.storeName;
  }

  /** @internal How joins read the table: from the global store. */
  valueGetterSupplier(): TableValueGetterSupplier<K, V> {
    return storeValueGetter<K, V>(this.internals.storeName);
  }
}

function sourceOptions<K, V>(consumed: Consumed<K, V> | undefined, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined) {
  return {
    ...(keySerde ? { keySerde } : {}),
    ...(valueSerde ? { valueSerde } : {}),
    ...(consumed?.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}),
  };
}

/** StreamsBuilder.globalTable: the store (logging off: the topic is its changelog), source and table processor. */
export function addGlobalTable<K, V>(b: InternalStreamsBuilder, topic: string, consumed: Consumed<K, V> | undefined, materialized: Materialized<K, V> | undefined): GlobalKTable<K, V> {
  // as Kafka Streams: the serdes of Consumed are the store's (Materialized's are used only without them)
  let m = materialized;
  if (consumed?.keySerde) m = (m ?? Materialized.with<K, V>(undefined, undefined)).withKeySerde(consumed.keySerde);
  if (consumed?.valueSerde) m = (m ?? Materialized.with<K, V>(undefined, undefined)).withValueSerde(consumed.valueSerde);
  const mat = resolveMaterialized(b, m, `${topic}-`, { keySerde: undefined, valueSerde: undefined });
  const sourceName = b.newProcessorName(TABLE_SOURCE);
  const processorName = b.newProcessorName(TABLE_SOURCE);
  if (typeof topic !== 'string' || topic.length === 0) {
    b.problem(`globalTable() of source '${sourceName}' reads from no topic: give a topic name`, sourceName);
  } else {
    const store = keyValueStoreFor(mat, `globalTable '${topic}'`).withLoggingDisabled();
    b.add(sourceName, [], (t) => {
      t.addGlobalStoreNodes({
        storeBuilder: store,
        sourceName,
        topic,
        processorName,
        supplier: new TableSourceSupplier<K, V>(mat.storeName, mat.storeName, () => undefined) as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>,
        source: sourceOptions(consumed, mat.keySerde, mat.valueSerde) as never,
        reprocessOnRestore: false,
      });
      t.registerDefaultsAware(store);
    });
  }
  return new GlobalKTable<K, V>({ builder: b, storeName: mat.storeName, keySerde: mat.keySerde, valueSerde: mat.valueSerde });
}

/** StreamsBuilder.addGlobalStore: a custom global store kept by the user's processor. */
export function addGlobalStore<K, V>(
  b: InternalStreamsBuilder,
  storeBuilder: StoreBuilder<StateStore>,
  topic: string,
  consumed: Consumed<K, V> | undefined,
  stateUpdateSupplier: ProcessorSupplier<K, V, void, void>,
): void {
  const sourceName = consumed?.name !== undefined ? `${consumed.name}-table-source` : b.newProcessorName(STREAM_SOURCE);
  if (consumed?.name !== undefined) b.newProcessorName(STREAM_SOURCE);
  const processorName = consumed?.name ?? b.newProcessorName(TABLE_SOURCE);
  if (consumed?.name !== undefined) b.newProcessorName(TABLE_SOURCE);
  // as Kafka Streams: a global store is never change-logged
  storeBuilder?.withLoggingDisabled?.();
  b.add(sourceName, [], (t) =>
    t.addGlobalStoreNodes({
      storeBuilder,
      sourceName,
      topic,
      processorName,
      supplier: stateUpdateSupplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      source: sourceOptions(consumed, consumed?.keySerde, consumed?.valueSerde) as never,
      reprocessOnRestore: true,
    }),
  );
}
