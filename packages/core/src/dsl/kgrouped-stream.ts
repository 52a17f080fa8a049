// Owns KGroupedStream: count, reduce and aggregate of a grouped stream into a KTable, materialized
// in a (by default RocksDB, cached, change-logged) store. If the key changed upstream, a repartition
// topic named after the store (or Grouped's name) comes first, as in Kafka Streams.
import { ConfigError } from '@sluice/common';
import { Serdes } from '@sluice/serdes';
import type { InternalStreamsBuilder } from './internal-builder.js';
import type { KStreamInternals } from './kstream.js';
import { addAggregation, type KTable } from './ktable.js';
import type { Materialized, ResolvedMaterialized } from './materialized.js';
import type { Named } from './options.js';
import { StreamAggregateSupplier, type Aggregator, type Initializer, type Reducer } from './operators/aggregate.js';
import { addRepartition } from './repartition.js';
import { aggregationNameAndStore } from './args.js';
import { SessionWindowedKStream } from './windowed/session-windowed-kstream.js';
import { TimeWindowedKStream } from './windowed/time-windowed-kstream.js';
import { SessionWindows } from './windows/session-windows.js';
import { SlidingWindows } from './windows/sliding-windows.js';
import { TimeWindows } from './windows/time-windows.js';
import { CogroupedKStream } from './cogroup/cogrouped-kstream.js';

export const GroupedPrefix = {
  AGGREGATE: 'KSTREAM-AGGREGATE-',
  REDUCE: 'KSTREAM-REDUCE-',
} as const;

/** The stream being grouped, and how Grouped named it. */
export interface KGroupedStreamInternals<K, V> extends KStreamInternals<K, V> {
  /** Grouped.as(name): names the repartition topic (and lets aggregations share it). */
  readonly repartitionName: string | undefined;
}

export class KGroupedStream<K, V> {
  private sharedRepartitionSource: string | undefined;

  /** @internal */
  constructor(readonly internals: KGroupedStreamInternals<K, V>) {}

  private get b(): InternalStreamsBuilder {
    return this.internals.builder;
  }

  /** Number of records per key (null keys and values are skipped). */
  count(materialized: Materialized<K, number>): KTable<K, number>;
  count(named?: Named, materialized?: Materialized<K, number>): KTable<K, number>;
  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<K, number> {
    // Kafka Streams burns a store name here when given an unnamed Materialized (kept for compatibility)
    const { name, mat } = aggregationNameAndStore(this.b, a, b, GroupedPrefix.AGGREGATE, { keySerde: this.internals.keySerde, valueSerde: Serdes.Long() }, true);
    const supplier = new StreamAggregateSupplier<K, V, number>(mat.storeName, { initializer: () => 0, aggregator: (_k, _v, agg) => agg + 1 });
    return this.build(name, supplier, mat, 'count()');
  }

  /** Combine values of a key; the first value is the initial aggregate. */
  reduce(reducer: Reducer<V>, materialized: Materialized<K, V>): KTable<K, V>;
  reduce(reducer: Reducer<V>, named?: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  reduce(reducer: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    const { name, mat } = aggregationNameAndStore(this.b, a, b, GroupedPrefix.REDUCE, { keySerde: this.internals.keySerde, valueSerde: this.internals.valueSerde });
    if (typeof reducer !== 'function') this.b.problem(`reduce() needs a reducer function (node '${name}')`, name);
    const supplier = new StreamAggregateSupplier<K, V, V>(mat.storeName, { reducer: reducer as Reducer<V & V> });
    return this.build(name, supplier, mat, 'reduce()');
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized: Materialized<K, VA>): KTable<K, VA>;
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, named?: Named, materialized?: Materialized<K, VA>): KTable<K, VA>;
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, a?: Named | Materialized<K, VA>, b?: Materialized<K, VA>): KTable<K, VA> {
    const { name, mat } = aggregationNameAndStore<K, VA>(this.b, a, b, GroupedPrefix.AGGREGATE, { keySerde: this.internals.keySerde, valueSerde: undefined });
    if (typeof initializer !== 'function' || typeof aggregator !== 'function') this.b.problem(`aggregate() needs an initializer and an aggregator function (node '${name}')`, name);
    const supplier = new StreamAggregateSupplier<K, V, VA>(mat.storeName, { initializer, aggregator });
    return this.build(name, supplier, mat, 'aggregate()');
  }

  /**
   * Start a cogroup: this stream's values folded by `aggregator`, other grouped streams added with
   * CogroupedKStream.cogroup(), all aggregated into one table (Kafka Streams' cogroup).
   */
  cogroup<VOut>(aggregator: Aggregator<K, V, VOut>): CogroupedKStream<K, VOut> {
    return new CogroupedKStream<K, VOut>(this.b).cogroup(this, aggregator);
  }

  /** Aggregate per key and window: time (tumbling/hopping) or sliding windows, or sessions. */
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream(this, windows);
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows) return new TimeWindowedKStream(this, windows);
    throw new ConfigError(`windowedBy() needs TimeWindows, SlidingWindows or SessionWindows (for example TimeWindows.ofSizeWithNoGrace(60_000)), got ${String(windows)}`);
  }

  /**
   * @internal The parent node of the aggregation: this stream, or (after a key change) the source
   * of a new repartition topic. Window aggregations use it too.
   */
  sourceForAggregation(storeName: string): string {
    if (!this.internals.repartitionRequired) return this.internals.nodeName;
    if (this.sharedRepartitionSource !== undefined && this.internals.repartitionName !== undefined) return this.sharedRepartitionSource;
    const source = addRepartition(this.b, {
      parent: this.internals.nodeName,
      topicPrefix: this.internals.repartitionName ?? storeName,
      keySerde: this.internals.keySerde,
      valueSerde: this.internals.valueSerde,
      numberOfPartitions: undefined,
      partitioner: undefined,
    });
    this.sharedRepartitionSource = source;
    return source;
  }

  private build<VA>(name: string, supplier: StreamAggregateSupplier<K, V, VA>, mat: ResolvedMaterialized<K, VA>, op: string): KTable<K, VA> {
    return addAggregation(this.b, name, this.sourceForAggregation(mat.storeName), supplier, mat, op);
  }
}
