// Owns the windowed forms of a cogroup (Kafka Streams' TimeWindowedCogroupedKStream, its sliding
// variant and SessionWindowedCogroupedKStream): the cogroup's aggregations per window, all writing
// one window (or session) store, with retention as for windowed aggregations of one stream.
import type { Windowed } from '@sluice/serdes';
import { splitArgs } from '../args.js';
import { KTable } from '../ktable.js';
import { sessionStoreFor, windowStoreFor, resolveMaterialized, type Materialized, type ResolvedMaterialized } from '../materialized.js';
import type { Named } from '../options.js';
import type { Initializer } from '../operators/aggregate.js';
import { TimeWindowAggregateSupplier } from '../operators/window-aggregate.js';
import { SlidingWindowAggregateSupplier } from '../operators/window-sliding-aggregate.js';
import { SessionWindowAggregateSupplier, type Merger } from '../operators/window-session-aggregate.js';
import { SlidingWindows } from '../windows/sliding-windows.js';
import type { SessionWindows } from '../windows/session-windows.js';
import type { TimeWindows } from '../windows/time-windows.js';
import { supplierKindProblem, windowedRetention } from '../windowed/windowed-args.js';
import { windowedKeySerde } from '../windowed/windowed-key-serde.js';
import { CogroupPrefix, type CogroupAggregateSupplier } from './cogroup-builder.js';
import type { CogroupedKStream } from './cogrouped-kstream.js';

function table<K, VOut>(cogrouped: CogroupedKStream<K, VOut>, built: { name: string; supplier: KTable<Windowed<K>, VOut>['internals']['supplier'] }, mat: ResolvedMaterialized<K, VOut>, keySerde: KTable<Windowed<K>, VOut>['internals']['keySerde']): KTable<Windowed<K>, VOut> {
  return new KTable<Windowed<K>, VOut>({ builder: cogrouped.b, nodeName: built.name, keySerde, valueSerde: mat.valueSerde, supplier: built.supplier, queryableStoreName: mat.queryable ? mat.storeName : undefined });
}

export class TimeWindowedCogroupedKStream<K, VOut> {
  /** @internal */
  constructor(
    private readonly cogrouped: CogroupedKStream<K, VOut>,
    readonly windows: TimeWindows | SlidingWindows,
  ) {}

  aggregate(initializer: Initializer<VOut>, materialized: Materialized<K, VOut>): KTable<Windowed<K>, VOut>;
  aggregate(initializer: Initializer<VOut>, named?: Named, materialized?: Materialized<K, VOut>): KTable<Windowed<K>, VOut>;
  aggregate(initializer: Initializer<VOut>, a?: Named | Materialized<K, VOut>, c?: Materialized<K, VOut>): KTable<Windowed<K>, VOut> {
    const b = this.cogrouped.b;
    const { named, materialized } = splitArgs(a, c);
    const mat = resolveMaterialized(b, materialized, CogroupPrefix.AGGREGATE, { keySerde: this.cogrouped.keySerde(), valueSerde: undefined });
    if (typeof initializer !== 'function') b.problem(`windowed cogroup aggregate() needs an initializer function () => aggregate (store '${mat.storeName}')`);
    const kindProblem = supplierKindProblem(mat, 'window', mat.storeName);
    if (kindProblem) b.problem(kindProblem);
    const w = this.windows;
    const owner = `windowed cogroup aggregate() '${mat.storeName}'`;
    const sliding = w instanceof SlidingWindows;
    const sizeMs = sliding ? w.timeDifferenceMs() : w.size();
    const retentionMs = sliding
      ? windowedRetention(b, mat.storeName, mat, 'window', { ms: 2 * sizeMs, what: '2 * time difference', got: `time difference=[${sizeMs}]` }, w.gracePeriodMs())
      : windowedRetention(b, mat.storeName, mat, 'window', { ms: sizeMs, what: 'its window size', got: `size=[${sizeMs}]` }, w.gracePeriodMs());
    const key = windowedKeySerde(mat.keySerde, { kind: 'time', windowSizeMs: sizeMs }, owner);
    const built = this.cogrouped.builder.build({
      patterns: this.cogrouped.patterns,
      named,
      storeName: mat.storeName,
      store: windowStoreFor(mat, owner, { retentionMs: Math.max(retentionMs, sizeMs), windowSizeMs: sizeMs }),
      keySerde: key.defaultsAware,
      makeSupplier: (p) => {
        const fold = { initializer: initializer as Initializer<VOut | null>, aggregator: p.aggregator as (k: K, v: unknown, agg: VOut | null) => VOut | null };
        return (sliding ? new SlidingWindowAggregateSupplier<K, unknown, VOut>(mat.storeName, w, fold) : new TimeWindowAggregateSupplier<K, unknown, VOut>(mat.storeName, w, fold)) as unknown as CogroupAggregateSupplier;
      },
    });
    return table(this.cogrouped, built, mat, key.serde);
  }
}

export class SessionWindowedCogroupedKStream<K, VOut> {
  /** @internal */
  constructor(
    private readonly cogrouped: CogroupedKStream<K, VOut>,
    readonly windows: SessionWindows,
  ) {}

  aggregate(initializer: Initializer<VOut>, sessionMerger: Merger<K, VOut>, materialized: Materialized<K, VOut>): KTable<Windowed<K>, VOut>;
  aggregate(initializer: Initializer<VOut>, sessionMerger: Merger<K, VOut>, named?: Named, materialized?: Materialized<K, VOut>): KTable<Windowed<K>, VOut>;
  aggregate(initializer: Initializer<VOut>, sessionMerger: Merger<K, VOut>, a?: Named | Materialized<K, VOut>, c?: Materialized<K, VOut>): KTable<Windowed<K>, VOut> {
    const b = this.cogrouped.b;
    const { named, materialized } = splitArgs(a, c);
    const mat = resolveMaterialized(b, materialized, CogroupPrefix.AGGREGATE, { keySerde: this.cogrouped.keySerde(), valueSerde: undefined });
    if (typeof initializer !== 'function' || typeof sessionMerger !== 'function') {
      b.problem(`session-windowed cogroup aggregate() needs an initializer and a session merger function (store '${mat.storeName}')`);
    }
    const kindProblem = supplierKindProblem(mat, 'session', mat.storeName);
    if (kindProblem) b.problem(kindProblem);
    const w = this.windows;
    const gap = w.inactivityGap();
    const owner = `session-windowed cogroup aggregate() '${mat.storeName}'`;
    const retentionMs = windowedRetention(b, mat.storeName, mat, 'session', { ms: gap, what: 'the session inactivity gap', got: `gap=[${gap}]` }, w.gracePeriodMs());
    const key = windowedKeySerde(mat.keySerde, { kind: 'session' }, owner);
    const built = this.cogrouped.builder.build({
      patterns: this.cogrouped.patterns,
      named,
      storeName: mat.storeName,
      store: sessionStoreFor(mat, owner, { retentionMs }),
      keySerde: key.defaultsAware,
      makeSupplier: (p) =>
        new SessionWindowAggregateSupplier<K, unknown, VOut>(mat.storeName, w, {
          initializer: initializer as Initializer<VOut | null>,
          aggregator: p.aggregator as (k: K, v: unknown, agg: VOut | null) => VOut | null,
          merger: sessionMerger as Merger<K, VOut | null>,
        }) as unknown as CogroupAggregateSupplier,
    });
    return table(this.cogrouped, built, mat, key.serde);
  }
}
