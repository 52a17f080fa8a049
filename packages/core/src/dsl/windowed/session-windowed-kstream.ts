// Owns SessionWindowedKStream, the DSL handle of a grouped stream windowed by SessionWindows: count,
// reduce and aggregate (with a merger for when a record bridges two sessions) into a KTable keyed by
// Windowed<K>, kept in a session store (cached and change-logged by default) whose retention is
// Materialized.withRetention or, as in Kafka Streams, inactivity gap + grace.
import type { Windowed } from '@sluice/serdes';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KTable } from '../ktable.js';
import { resolveMaterialized, sessionStoreFor, type Materialized, type ResolvedMaterialized } from '../materialized.js';
import type { Named } from '../options.js';
import type { Aggregator, Initializer, Reducer } from '../operators/aggregate.js';
import type { WindowFold } from '../operators/window-aggregate.js';
import { SessionWindowAggregateSupplier, type Merger } from '../operators/window-session-aggregate.js';
import type { SessionWindows } from '../windows/session-windows.js';
import { addWindowedAggregation, LONG, splitArgs, supplierKindProblem, WindowedPrefix } from './windowed-args.js';

export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    readonly windows: SessionWindows,
  ) {}

  private get b() {
    return this.grouped.internals.builder;
  }

  /** Number of records per key and session. */
  count(materialized: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(named?: Named, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const { named, materialized } = splitArgs(a, b);
    // Kafka Streams burns a store name here (topology compatibility)
    if (materialized !== undefined && materialized.storeName === undefined) this.b.newStoreName(WindowedPrefix.AGGREGATE);
    const mat = resolveMaterialized(this.b, materialized, WindowedPrefix.AGGREGATE, { keySerde: this.grouped.internals.keySerde, valueSerde: LONG });
    const name = named?.name ?? this.b.newProcessorName(WindowedPrefix.AGGREGATE);
    return this.build(name, mat, { initializer: () => 0, aggregator: (_k, _v, agg) => (agg ?? 0) + 1, merger: (_k, a1, a2) => (a1 ?? 0) + (a2 ?? 0) }, 'count()');
  }

  /** Combine the values of a key in each session; merged sessions are combined with the reducer too. */
  reduce(reducer: Reducer<V>, materialized: Materialized<K, V>): KTable<Windowed<K>, V>;
  reduce(reducer: Reducer<V>, named?: Named, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>;
  reduce(reducer: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const { named, materialized } = splitArgs(a, b);
    const mat = resolveMaterialized(this.b, materialized, WindowedPrefix.REDUCE, { keySerde: this.grouped.internals.keySerde, valueSerde: this.grouped.internals.valueSerde });
    const name = named?.name ?? this.b.newProcessorName(WindowedPrefix.REDUCE);
    if (typeof reducer !== 'function') this.b.problem(`reduce() needs a reducer function (node '${name}')`, name);
    const aggregator: Aggregator<K, V, V | null> = (_k, v, agg) => (agg === null ? v : reducer(agg, v));
    // as Kafka's mergerForAggregator: the earlier aggregate folds in the later one
    return this.build(name, mat, { initializer: () => null, aggregator, merger: (k, aggOne, aggTwo) => aggregator(k, aggTwo as V, aggOne) }, 'reduce()');
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, merger: Merger<K, VA>, materialized: Materialized<K, VA>): KTable<Windowed<K>, VA>;
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, merger: Merger<K, VA>, named?: Named, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    a?: Named | Materialized<K, VA>,
    b?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    const { named, materialized } = splitArgs(a, b);
    const mat = resolveMaterialized(this.b, materialized, WindowedPrefix.AGGREGATE, { keySerde: this.grouped.internals.keySerde, valueSerde: undefined });
    const name = named?.name ?? this.b.newProcessorName(WindowedPrefix.AGGREGATE);
    if (typeof initializer !== 'function' || typeof aggregator !== 'function' || typeof merger !== 'function') {
      this.b.problem(`session aggregate() needs an initializer, an aggregator and a merger function (node '${name}')`, name);
    }
    return this.build(name, mat, { initializer, aggregator: aggregator as Aggregator<K, V, VA | null>, merger: merger as Merger<K, VA | null> }, 'aggregate()');
  }

  private build<VA>(name: string, mat: ResolvedMaterialized<K, VA>, fold: WindowFold<K, V, VA> & { merger: Merger<K, VA | null> }, op: string): KTable<Windowed<K>, VA> {
    const kindProblem = supplierKindProblem(mat, 'session', name);
    if (kindProblem) this.b.problem(kindProblem, name);
    const w = this.windows;
    const needed = w.inactivityGap() + w.gracePeriodMs();
    const retentionMs = mat.m.retentionMs ?? needed;
    if (needed > retentionMs) {
      this.b.problem(
        `the retention period of session store '${mat.storeName}' must be no smaller than the session inactivity gap plus the grace period. ` +
          `Got gap=[${w.inactivityGap()}], grace=[${w.gracePeriodMs()}], retention=[${retentionMs}]; use Materialized.withRetention(${needed}) or more`,
        name,
      );
    }
    return addWindowedAggregation(this.grouped, {
      name,
      mat,
      supplier: new SessionWindowAggregateSupplier<K, V, VA>(mat.storeName, w, fold),
      store: sessionStoreFor(mat, `${op} '${name}'`, { retentionMs }),
      kind: { kind: 'session' },
    });
  }
}
