// Owns StreamsBuilder, the entry point of the DSL: it creates source streams and tables, registers
// stores for Processor API steps, and build() hands out the finished Topology (or every problem found).
import type { StateStore, StoreBuilder } from '@sluice/state';
import type { Topology } from '../topology/topology.js';
import { InternalStreamsBuilder } from './internal-builder.js';
import { KStream, Prefix } from './kstream.js';
import type { Consumed } from './options.js';
import { materializedTable, TablePrefix, type KTable } from './ktable.js';
import { keyValueStoreFor, resolveMaterialized, type Materialized } from './materialized.js';
import { TableSourceSupplier } from './ktable/table-processors.js';
import type { ProcessorSupplier } from '../processor/api.js';
import { addGlobalStore, addGlobalTable, type GlobalKTable } from './global/global-ktable.js';

export class StreamsBuilder {
  /** @internal */
  readonly internal = new InternalStreamsBuilder();
  private built = false;

  /** A stream of the records of one or more topics, or of every topic matching a pattern. */
  stream<K = unknown, V = unknown>(topics: string | readonly string[] | RegExp, consumed?: Consumed<K, V>): KStream<K, V> {
    const b = this.internal;
    const name = consumed?.name ?? b.newProcessorName(Prefix.SOURCE);
    const list = topics instanceof RegExp ? undefined : typeof topics === 'string' ? [topics] : [...(topics ?? [])];
    if (!(topics instanceof RegExp) && (!list || list.length === 0 || list.some((t) => typeof t !== 'string' || t.length === 0))) {
      b.problem(`stream() of source '${name}' reads from no topic: give a topic name, a list of topic names, or a RegExp`, name);
    } else {
      b.add(name, [], (t) =>
        t.addSource(name, topics, {
          ...(consumed?.keySerde ? { keySerde: consumed.keySerde } : {}),
          ...(consumed?.valueSerde ? { valueSerde: consumed.valueSerde } : {}),
          ...(consumed?.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}),
          ...(consumed?.offsetReset ? { offsetReset: consumed.offsetReset } : {}),
        }),
      );
    }
    return new KStream<K, V>({ builder: b, nodeName: name, keySerde: consumed?.keySerde, valueSerde: consumed?.valueSerde, repartitionRequired: false });
  }

  /** A table of a topic read as a changelog: the latest value per key; null values delete. */
  table<K = unknown, V = unknown>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const b = this.internal;
    const mat = resolveMaterialized(b, materialized, `${topic}-`, { keySerde: consumed?.keySerde, valueSerde: consumed?.valueSerde });
    const sourceName = consumed?.name ?? b.newProcessorName(Prefix.SOURCE);
    const tableName = consumed?.name !== undefined ? `${consumed.name}-table-source` : b.newProcessorName(TablePrefix.SOURCE);
    if (typeof topic !== 'string' || topic.length === 0) b.problem(`table() of source '${sourceName}' reads from no topic: give a topic name`, sourceName);
    b.add(sourceName, [], (t) =>
      t.addSource(sourceName, topic, {
        ...(consumed?.keySerde ? { keySerde: consumed.keySerde } : {}),
        ...(consumed?.valueSerde ? { valueSerde: consumed.valueSerde } : {}),
        ...(consumed?.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}),
        ...(consumed?.offsetReset ? { offsetReset: consumed.offsetReset } : {}),
      }),
    );
    const store = keyValueStoreFor(mat, `table '${topic}'`);
    const addStore = () => {
      b.add(`${tableName}#store`, [tableName], (t) => {
        t.addStateStore(store, tableName);
        t.registerDefaultsAware(store);
      });
    };
    const supplier = new TableSourceSupplier<K, V>(mat.storeName, mat.queryable ? mat.storeName : undefined, addStore);
    b.add(tableName, [sourceName], (t) => t.addProcessor(tableName, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, sourceName));
    if (mat.queryable) addStore();
    return materializedTable(b, tableName, supplier, mat);
  }

  /**
   * A table every worker keeps whole: all partitions of `topic`, restored from the topic itself before
   * processing starts and kept current while running. Joined with streams by any key
   * (KStream.join(globalTable, keySelector, joiner)); its store is always queryable.
   */
  globalTable<K = unknown, V = unknown>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    return addGlobalTable(this.internal, topic, consumed, materialized);
  }

  /**
   * A custom global store: every worker runs `stateUpdateSupplier`'s processor over all partitions
   * of `topic` to keep the store current (restoring re-runs it). Logging is turned off: the topic is
   * the changelog.
   */
  addGlobalStore<K, V>(storeBuilder: StoreBuilder<StateStore>, topic: string, consumed: Consumed<K, V>, stateUpdateSupplier: ProcessorSupplier<K, V, void, void>): this {
    addGlobalStore(this.internal, storeBuilder, topic, consumed, stateUpdateSupplier);
    return this;
  }

  /** Registers a store for processors added with KStream.process(supplier, storeName). */
  addStateStore(builder: StoreBuilder<StateStore>): this {
    this.internal.add(builder?.name ?? '(store)', [], (t) => t.addStateStore(builder));
    return this;
  }

  /** The finished topology. Throws a TopologyError listing every problem found while building. */
  build(): Topology {
    if (this.built) return this.internal.topology;
    const t = this.internal.build();
    this.built = true;
    return t;
  }
}
