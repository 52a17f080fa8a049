// Owns CogroupedKStream (Kafka Streams' KGroupedStream.cogroup): several grouped streams with the
// same key type aggregated into one table, each with its own aggregator and one initializer, without
// joining intermediate tables. windowedBy() makes the windowed forms.
import { ConfigError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { ProcessorSupplierObject } from '../../processor/api.js';
import { splitArgs } from '../args.js';
import type { InternalStreamsBuilder } from '../internal-builder.js';
import { KGroupedStream } from '../kgrouped-stream.js';
import { KTable } from '../ktable.js';
import { keyValueStoreFor, resolveMaterialized, type Materialized } from '../materialized.js';
import type { Named } from '../options.js';
import { StreamAggregateSupplier, type Aggregator, type Initializer } from '../operators/aggregate.js';
import { SessionWindows } from '../windows/session-windows.js';
import { SlidingWindows } from '../windows/sliding-windows.js';
import { TimeWindows } from '../windows/time-windows.js';
import { CogroupBuilder, CogroupPrefix, type CogroupAggregateSupplier, type CogroupPattern } from './cogroup-builder.js';
import { SessionWindowedCogroupedKStream, TimeWindowedCogroupedKStream } from './windowed-cogrouped-kstream.js';

export class CogroupedKStream<K, VOut> {
  /** @internal */
  readonly patterns: CogroupPattern<K, VOut>[] = [];
  /** @internal */
  readonly builder: CogroupBuilder<K, VOut>;

  /** @internal */
  constructor(readonly b: InternalStreamsBuilder) {
    this.builder = new CogroupBuilder<K, VOut>(b);
  }

  /** Adds a grouped stream with its aggregator (the same grouped stream again replaces its aggregator). */
  cogroup<VIn>(groupedStream: KGroupedStream<K, VIn>, aggregator: Aggregator<K, VIn, VOut>): CogroupedKStream<K, VOut> {
    if (!(groupedStream instanceof KGroupedStream) || groupedStream.internals.builder !== this.b) {
      this.b.problem(`cogroup() needs a KGroupedStream built by the same StreamsBuilder, got ${String(groupedStream)}`);
      return this;
    }
    if (typeof aggregator !== 'function') {
      this.b.problem(`cogroup() of '${groupedStream.internals.nodeName}' needs an aggregator function (key, value, aggregate) => aggregate`);
      return this;
    }
    const existing = this.patterns.findIndex((p) => p.grouped === (groupedStream as KGroupedStream<K, unknown>));
    const pattern = { grouped: groupedStream as KGroupedStream<K, unknown>, aggregator: aggregator as CogroupPattern<K, VOut>['aggregator'] };
    if (existing >= 0) this.patterns[existing] = pattern;
    else this.patterns.push(pattern);
    return this;
  }

  /** The key serde of the result when Materialized gives none: the first grouped stream's. */
  /** @internal */
  keySerde(): Serde<K> | undefined {
    return this.patterns[0]?.grouped.internals.keySerde;
  }

  /** Aggregate all cogrouped streams into one table: `initializer` once per key, each stream's aggregator per record. */
  aggregate(initializer: Initializer<VOut>, materialized: Materialized<K, VOut>): KTable<K, VOut>;
  aggregate(initializer: Initializer<VOut>, named?: Named, materialized?: Materialized<K, VOut>): KTable<K, VOut>;
  aggregate(initializer: Initializer<VOut>, a?: Named | Materialized<K, VOut>, c?: Materialized<K, VOut>): KTable<K, VOut> {
    const { named, materialized } = splitArgs(a, c);
    const mat = resolveMaterialized(this.b, materialized, CogroupPrefix.AGGREGATE, { keySerde: this.keySerde(), valueSerde: undefined });
    if (typeof initializer !== 'function') this.b.problem(`cogroup aggregate() needs an initializer function () => aggregate (store '${mat.storeName}')`);
    const { name, supplier } = this.builder.build({
      patterns: this.patterns,
      named,
      storeName: mat.storeName,
      store: keyValueStoreFor(mat, `cogroup aggregate() '${mat.storeName}'`),
      keySerde: undefined,
      makeSupplier: (p) =>
        new StreamAggregateSupplier<K, unknown, VOut>(mat.storeName, { initializer, aggregator: p.aggregator }) as unknown as CogroupAggregateSupplier &
          ProcessorSupplierObject<unknown, unknown, unknown, never>,
    });
    return new KTable<K, VOut>({ builder: this.b, nodeName: name, keySerde: mat.keySerde, valueSerde: mat.valueSerde, supplier, queryableStoreName: mat.queryable ? mat.storeName : undefined });
  }

  /** Aggregate per key and window: time (tumbling/hopping) or sliding windows, or sessions. */
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, VOut>;
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedCogroupedKStream<K, VOut>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedCogroupedKStream<K, VOut> | SessionWindowedCogroupedKStream<K, VOut> {
    if (windows instanceof SessionWindows) return new SessionWindowedCogroupedKStream(this, windows);
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows) return new TimeWindowedCogroupedKStream(this, windows);
    throw new ConfigError(`windowedBy() needs TimeWindows, SlidingWindows or SessionWindows (for example TimeWindows.ofSizeWithNoGrace(60_000)), got ${String(windows)}`);
  }
}
