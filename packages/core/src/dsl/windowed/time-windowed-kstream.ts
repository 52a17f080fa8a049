// Owns TimeWindowedKStream, the DSL handle of a grouped stream windowed by TimeWindows or
// SlidingWindows: count, reduce and aggregate per key and window into a KTable keyed by Windowed<K>,
// kept in a timestamped window store (cached and change-logged by default) whose retention is
// Materialized.withRetention or, as in Kafka Streams, just long enough for the grace period.
import type { Windowed } from '@sluice/serdes';
import { aggregationNameAndStore } from '../args.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KTable } from '../ktable.js';
import { windowStoreFor, type Materialized, type ResolvedMaterialized } from '../materialized.js';
import type { Named } from '../options.js';
import type { Aggregator, Initializer, Reducer } from '../operators/aggregate.js';
import { TimeWindowAggregateSupplier } from '../operators/window-aggregate.js';
import type { WindowFold } from '../operators/window-common.js';
import { SlidingWindowAggregateSupplier } from '../operators/window-sliding-aggregate.js';
import { SlidingWindows } from '../windows/sliding-windows.js';
import { TimeWindows } from '../windows/time-windows.js';
import { addWindowedAggregation, LONG, supplierKindProblem, windowedRetention, WindowedPrefix } from './windowed-args.js';
import { ConfigError } from '@sluice/common';
import { EmitStrategy } from '../emit-strategy.js';
import { emitOnCloseRetention } from '../operators/window-close-emitter.js';

export class TimeWindowedKStream<K, V> {
  private emit = EmitStrategy.onWindowUpdate();

  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    readonly windows: TimeWindows | SlidingWindows,
  ) {}

  /**
   * When results are sent: EmitStrategy.onWindowUpdate() (every update, the default) or
   * EmitStrategy.onWindowClose() (one final result per window once stream time passes its end plus
   * grace, without suppress()).
   */
  emitStrategy(emitStrategy: EmitStrategy): TimeWindowedKStream<K, V> {
    if (!(emitStrategy instanceof EmitStrategy)) throw new ConfigError(`emitStrategy() needs EmitStrategy.onWindowClose() or EmitStrategy.onWindowUpdate(), got ${String(emitStrategy)}`);
    this.emit = emitStrategy;
    return this;
  }

  private get b() {
    return this.grouped.internals.builder;
  }

  /** Number of records per key and window. */
  count(materialized: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(named?: Named, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<Windowed<K>, number> {
    // Kafka Streams burns a store name here for time windows (topology compatibility), not for sliding ones
    const burnsStoreName = this.windows instanceof TimeWindows;
    const { name, mat } = aggregationNameAndStore(this.b, a, b, WindowedPrefix.AGGREGATE, { keySerde: this.grouped.internals.keySerde, valueSerde: LONG }, burnsStoreName);
    return this.build(name, mat, { initializer: () => 0, aggregator: (_k, _v, agg) => (agg ?? 0) + 1 }, 'count()');
  }

  /** Combine the values of a key in each window; the first value is the window's initial aggregate. */
  reduce(reducer: Reducer<V>, materialized: Materialized<K, V>): KTable<Windowed<K>, V>;
  reduce(reducer: Reducer<V>, named?: Named, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>;
  reduce(reducer: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const { name, mat } = aggregationNameAndStore(this.b, a, b, WindowedPrefix.REDUCE, { keySerde: this.grouped.internals.keySerde, valueSerde: this.grouped.internals.valueSerde });
    if (typeof reducer !== 'function') this.b.problem(`reduce() needs a reducer function (node '${name}')`, name);
    return this.build(name, mat, { initializer: () => null, aggregator: (_k, v, agg) => (agg === null ? v : reducer(agg, v)) }, 'reduce()');
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized: Materialized<K, VA>): KTable<Windowed<K>, VA>;
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, named?: Named, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA>;
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, a?: Named | Materialized<K, VA>, b?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    const { name, mat } = aggregationNameAndStore<K, VA>(this.b, a, b, WindowedPrefix.AGGREGATE, { keySerde: this.grouped.internals.keySerde, valueSerde: undefined });
    if (typeof initializer !== 'function' || typeof aggregator !== 'function') this.b.problem(`aggregate() needs an initializer and an aggregator function (node '${name}')`, name);
    return this.build(name, mat, { initializer, aggregator: aggregator as Aggregator<K, V, VA | null> }, 'aggregate()');
  }

  private build<VA>(name: string, mat: ResolvedMaterialized<K, VA>, fold: WindowFold<K, V, VA>, op: string): KTable<Windowed<K>, VA> {
    const owner = `${op} '${name}'`;
    const kindProblem = supplierKindProblem(mat, 'window', name);
    if (kindProblem) this.b.problem(kindProblem, name);
    const w = this.windows;
    if (w instanceof SlidingWindows) {
      const diff = w.timeDifferenceMs();
      // the earliest window a record may need is its predecessor's, up to 2 * timeDifference back
      const retentionMs = windowedRetention(this.b, name, mat, 'window', { ms: 2 * diff, what: '2 * time difference', got: `time difference=[${diff}]` }, w.gracePeriodMs());
      return addWindowedAggregation(this.grouped, {
        name,
        mat,
        supplier: new SlidingWindowAggregateSupplier<K, V, VA>(mat.storeName, w, fold),
        store: windowStoreFor(mat, owner, { retentionMs: this.storeRetention(Math.max(retentionMs, diff)), windowSizeMs: diff }),
        kind: { kind: 'time', windowSizeMs: diff },
        emitStrategy: this.emit,
      });
    }
    const retentionMs = windowedRetention(this.b, name, mat, 'window', { ms: w.size(), what: 'its window size', got: `size=[${w.size()}]` }, w.gracePeriodMs());
    return addWindowedAggregation(this.grouped, {
      name,
      mat,
      supplier: new TimeWindowAggregateSupplier<K, V, VA>(mat.storeName, w, fold),
      store: windowStoreFor(mat, owner, { retentionMs: this.storeRetention(Math.max(retentionMs, w.size())), windowSizeMs: w.size() }),
      kind: { kind: 'time', windowSizeMs: w.size() },
      emitStrategy: this.emit,
    });
  }

  /** Emitting on close keeps closed windows a little longer, until a scan emits them (see emitOnCloseRetention). */
  private storeRetention(retentionMs: number): number {
    return this.emit.type() === 'ON_WINDOW_CLOSE' ? emitOnCloseRetention(retentionMs) : retentionMs;
  }
}
