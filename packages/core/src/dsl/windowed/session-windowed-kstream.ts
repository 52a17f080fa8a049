// Owns SessionWindowedKStream, the DSL handle of a grouped stream windowed by SessionWindows: count,
// reduce and aggregate (with a merger for when a record bridges two sessions) into a KTable keyed by
// Windowed<K>, kept in a session store (cached and change-logged by default) whose retention is
// Materialized.withRetention or, as in Kafka Streams, inactivity gap + grace.
import type { Windowed } from '@sluice/serdes';
import { aggregationNameAndStore } from '../args.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KTable } from '../ktable.js';
import { sessionStoreFor, type Materialized, type ResolvedMaterialized } from '../materialized.js';
import type { Named } from '../options.js';
import type { Aggregator, Initializer, Reducer } from '../operators/aggregate.js';
import type { WindowFold } from '../operators/window-common.js';
import { SessionWindowAggregateSupplier, type Merger } from '../operators/window-session-aggregate.js';
import type { SessionWindows } from '../windows/session-windows.js';
import { addWindowedAggregation, LONG, supplierKindProblem, windowedRetention, WindowedPrefix } from './windowed-args.js';
import { ConfigError } from '@sluice/common';
import { EmitStrategy } from '../emit-strategy.js';
import { emitOnCloseRetention } from '../operators/window-close-emitter.js';

export class SessionWindowedKStream<K, V> {
  private emit = EmitStrategy.onWindowUpdate();

  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    readonly windows: SessionWindows,
  ) {}

  /**
   * When results are sent: EmitStrategy.onWindowUpdate() (every update and merge, the default) or
   * EmitStrategy.onWindowClose() (one final result per session once stream time passes its end plus
   * the inactivity gap and grace).
   */
  emitStrategy(emitStrategy: EmitStrategy): SessionWindowedKStream<K, V> {
    if (!(emitStrategy instanceof EmitStrategy)) throw new ConfigError(`emitStrategy() needs EmitStrategy.onWindowClose() or EmitStrategy.onWindowUpdate(), got ${String(emitStrategy)}`);
    this.emit = emitStrategy;
    return this;
  }

  private get b() {
    return this.grouped.internals.builder;
  }

  /** Number of records per key and session. */
  count(materialized: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(named?: Named, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<Windowed<K>, number> {
    // Kafka Streams burns a store name here (topology compatibility)
    const { name, mat } = aggregationNameAndStore(this.b, a, b, WindowedPrefix.AGGREGATE, { keySerde: this.grouped.internals.keySerde, valueSerde: LONG }, true);
    return this.build(name, mat, { initializer: () => 0, aggregator: (_k, _v, agg) => (agg ?? 0) + 1, merger: (_k, a1, a2) => (a1 ?? 0) + (a2 ?? 0) }, 'count()');
  }

  /** Combine the values of a key in each session; merged sessions are combined with the reducer too. */
  reduce(reducer: Reducer<V>, materialized: Materialized<K, V>): KTable<Windowed<K>, V>;
  reduce(reducer: Reducer<V>, named?: Named, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>;
  reduce(reducer: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const { name, mat } = aggregationNameAndStore(this.b, a, b, WindowedPrefix.REDUCE, { keySerde: this.grouped.internals.keySerde, valueSerde: this.grouped.internals.valueSerde });
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
    const { name, mat } = aggregationNameAndStore<K, VA>(this.b, a, b, WindowedPrefix.AGGREGATE, { keySerde: this.grouped.internals.keySerde, valueSerde: undefined });
    if (typeof initializer !== 'function' || typeof aggregator !== 'function' || typeof merger !== 'function') {
      this.b.problem(`session aggregate() needs an initializer, an aggregator and a merger function (node '${name}')`, name);
    }
    return this.build(name, mat, { initializer, aggregator: aggregator as Aggregator<K, V, VA | null>, merger: merger as Merger<K, VA | null> }, 'aggregate()');
  }

  private build<VA>(name: string, mat: ResolvedMaterialized<K, VA>, fold: WindowFold<K, V, VA> & { merger: Merger<K, VA | null> }, op: string): KTable<Windowed<K>, VA> {
    const kindProblem = supplierKindProblem(mat, 'session', name);
    if (kindProblem) this.b.problem(kindProblem, name);
    const w = this.windows;
    const gap = w.inactivityGap();
    const retentionMs = windowedRetention(this.b, name, mat, 'session', { ms: gap, what: 'the session inactivity gap', got: `gap=[${gap}]` }, w.gracePeriodMs());
    return addWindowedAggregation(this.grouped, {
      name,
      mat,
      supplier: new SessionWindowAggregateSupplier<K, V, VA>(mat.storeName, w, fold),
      // emitting on close keeps closed sessions a little longer, until a scan emits them
      store: sessionStoreFor(mat, `${op} '${name}'`, { retentionMs: this.emit.type() === 'ON_WINDOW_CLOSE' ? emitOnCloseRetention(retentionMs) : retentionMs }),
      kind: { kind: 'session' },
      emitStrategy: this.emit,
    });
  }
}
