// Owns TimeWindowedKStream, the DSL handle of a grouped stream windowed by TimeWindows or
// SlidingWindows: count, reduce and aggregate per key and window into a KTable keyed by Windowed<K>,
// kept in a timestamped window store (cached and change-logged by default) whose retention is
// Materialized.withRetention or, as in Kafka Streams, just long enough for the grace period.
import type { Windowed } from '@sluice/serdes';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KTable } from '../ktable.js';
import { resolveMaterialized, windowStoreFor, type Materialized, type ResolvedMaterialized } from '../materialized.js';
import type { Named } from '../options.js';
import type { Aggregator, Initializer, Reducer } from '../operators/aggregate.js';
import { TimeWindowAggregateSupplier, type WindowFold } from '../operators/window-aggregate.js';
import { SlidingWindowAggregateSupplier } from '../operators/window-sliding-aggregate.js';
import { SlidingWindows } from '../windows/sliding-windows.js';
import { TimeWindows } from '../windows/time-windows.js';
import { addWindowedAggregation, LONG, splitArgs, supplierKindProblem, WindowedPrefix } from './windowed-args.js';

export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    readonly windows: TimeWindows | SlidingWindows,
  ) {}

  private get b() {
    return this.grouped.internals.builder;
  }

  /** Number of records per key and window. */
  count(materialized: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(named?: Named, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const { named, materialized } = splitArgs(a, b);
    // Kafka Streams burns a store name here for time windows (topology compatibility), not for sliding ones
    if (materialized !== undefined && materialized.storeName === undefined && this.windows instanceof TimeWindows) this.b.newStoreName(WindowedPrefix.AGGREGATE);
    const mat = resolveMaterialized(this.b, materialized, WindowedPrefix.AGGREGATE, { keySerde: this.grouped.internals.keySerde, valueSerde: LONG });
    const name = named?.name ?? this.b.newProcessorName(WindowedPrefix.AGGREGATE);
    return this.build(name, mat, { initializer: () => 0, aggregator: (_k, _v, agg) => (agg ?? 0) + 1 }, 'count()');
  }

  /** Combine the values of a key in each window; the first value is the window's initial aggregate. */
  reduce(reducer: Reducer<V>, materialized: Materialized<K, V>): KTable<Windowed<K>, V>;
  reduce(reducer: Reducer<V>, named?: Named, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>;
  reduce(reducer: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const { named, materialized } = splitArgs(a, b);
    const mat = resolveMaterialized(this.b, materialized, WindowedPrefix.REDUCE, { keySerde: this.grouped.internals.keySerde, valueSerde: this.grouped.internals.valueSerde });
    const name = named?.name ?? this.b.newProcessorName(WindowedPrefix.REDUCE);
    if (typeof reducer !== 'function') this.b.problem(`reduce() needs a reducer function (node '${name}')`, name);
    return this.build(name, mat, { initializer: () => null, aggregator: (_k, v, agg) => (agg === null ? v : reducer(agg, v)) }, 'reduce()');
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized: Materialized<K, VA>): KTable<Windowed<K>, VA>;
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, named?: Named, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA>;
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, a?: Named | Materialized<K, VA>, b?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    const { named, materialized } = splitArgs(a, b);
    const mat = resolveMaterialized(this.b, materialized, WindowedPrefix.AGGREGATE, { keySerde: this.grouped.internals.keySerde, valueSerde: undefined });
    const name = named?.name ?? this.b.newProcessorName(WindowedPrefix.AGGREGATE);
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
      const needed = 2 * diff + w.gracePeriodMs();
      const retentionMs = mat.m.retentionMs ?? needed;
      if (needed > retentionMs) {
        this.b.problem(
          `the retention period of window store '${mat.storeName}' must be no smaller than 2 * time difference plus the grace period. ` +
            `Got time difference=[${diff}], grace=[${w.gracePeriodMs()}], retention=[${retentionMs}]; use Materialized.withRetention(${needed}) or more`,
          name,
        );
      }
      return addWindowedAggregation(this.grouped, {
        name,
        mat,
        supplier: new SlidingWindowAggregateSupplier<K, V, VA>(mat.storeName, w, fold),
        store: windowStoreFor(mat, owner, { retentionMs: Math.max(retentionMs, diff), windowSizeMs: diff }),
        kind: { kind: 'time', windowSizeMs: diff },
      });
    }
    const needed = w.size() + w.gracePeriodMs();
    const retentionMs = mat.m.retentionMs ?? needed;
    if (needed > retentionMs) {
      this.b.problem(
        `the retention period of window store '${mat.storeName}' must be no smaller than its window size plus the grace period. ` +
          `Got size=[${w.size()}], grace=[${w.gracePeriodMs()}], retention=[${retentionMs}]; use Materialized.withRetention(${needed}) or more`,
        name,
      );
    }
    return addWindowedAggregation(this.grouped, {
      name,
      mat,
      supplier: new TimeWindowAggregateSupplier<K, V, VA>(mat.storeName, w, fold),
      store: windowStoreFor(mat, owner, { retentionMs: Math.max(retentionMs, w.size()), windowSizeMs: w.size() }),
      kind: { kind: 'time', windowSizeMs: w.size() },
    });
  }
}
