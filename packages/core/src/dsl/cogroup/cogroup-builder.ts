// Owns how a cogroup becomes nodes (Kafka Streams' CogroupedStreamAggregateBuilder): each grouped
// stream gets its own aggregation processor (COGROUPKSTREAM-AGGREGATE-n), all writing one store; a
// pass-through merge node (COGROUPKSTREAM-MERGE-n) is the resulting table. A grouped stream whose
// key changed upstream is repartitioned first, once per cogroup, into a topic named after Grouped's
// name or the store; the grouped streams are co-partitioned.
import type { Serde, Windowed } from '@sluice/serdes';
import type { StateStore, StoreBuilder } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplier, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import type { InternalStreamsBuilder } from '../internal-builder.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { Change } from '../ktable/change.js';
import type { TableSupplier } from '../ktable/table-processors.js';
import type { TableValueGetterSupplier } from '../ktable/value-getter.js';
import type { Named } from '../options.js';
import { addRepartition } from '../repartition.js';
import type { DefaultsAware } from '../../topology/defaults.js';

export const CogroupPrefix = {
  AGGREGATE: 'COGROUPKSTREAM-AGGREGATE-',
  MERGE: 'COGROUPKSTREAM-MERGE-',
} as const;

/** The aggregation suppliers a cogroup makes: one per grouped stream, all writing the same store. */
export type CogroupAggregateSupplier = TableSupplier & ProcessorSupplierObject<unknown, unknown, unknown, Change<unknown>> & { windowCloseDelayMs?(): number };

/** Kafka's KTablePassThrough: forwards what the aggregations forward; reads go to their store. */
export class CogroupMergeSupplier implements ProcessorSupplierObject<unknown, Change<unknown>, unknown, Change<unknown>>, TableSupplier {
  constructor(private readonly parents: readonly CogroupAggregateSupplier[]) {}

  enableSendingOldValues(): boolean {
    for (const p of this.parents) p.enableSendingOldValues(true);
    return true;
  }

  view(): TableValueGetterSupplier<unknown, unknown> {
    const view = this.parents[0]?.view?.();
    if (!view) throw new Error('a windowed cogroup table cannot be read by others');
    return view;
  }

  /** For suppress(untilWindowCloses) after a windowed cogroup. */
  windowCloseDelayMs?: () => number;

  get(): Processor<unknown, Change<unknown>, unknown, Change<unknown>> {
    let ctx: ProcessorContext<unknown, Change<unknown>>;
    return {
      init(c) {
        ctx = c;
      },
      process: (record: Record<unknown, Change<unknown>>) => ctx.forward(record),
    };
  }
}

/** A grouped stream of a cogroup and the aggregator that folds its values. */
export interface CogroupPattern<K, VOut> {
  readonly grouped: KGroupedStream<K, unknown>;
  readonly aggregator: (key: K, value: unknown, aggregate: VOut) => VOut;
}

export class CogroupBuilder<K, VOut> {
  /** Parent node of each grouped stream in this cogroup (its repartition source once made). */
  private readonly parentNodes = new Map<KGroupedStream<K, unknown>, string>();

  constructor(private readonly b: InternalStreamsBuilder) {}

  /**
   * Adds the aggregations of `patterns` (suppliers from `makeSupplier`), writing `store`, and the
   * merge node; returns the merge node's name and supplier.
   */
  build(o: {
    patterns: readonly CogroupPattern<K, VOut>[];
    named: Named | undefined;
    storeName: string;
    store: StoreBuilder<StateStore> & DefaultsAware;
    keySerde: DefaultsAware | undefined;
    makeSupplier: (pattern: CogroupPattern<K, VOut>) => CogroupAggregateSupplier;
  }): { name: string; supplier: CogroupMergeSupplier } {
    const b = this.b;
    this.processRepartitions(o.patterns, o.storeName);
    const suppliers: CogroupAggregateSupplier[] = [];
    const names: string[] = [];
    o.patterns.forEach((pattern, i) => {
      const name = o.named?.name !== undefined ? `${o.named.name}-cogroup-agg-${i}` : b.newProcessorName(CogroupPrefix.AGGREGATE);
      if (o.named?.name !== undefined) b.newProcessorName(CogroupPrefix.AGGREGATE);
      const supplier = o.makeSupplier(pattern);
      const parent = this.parentNodes.get(pattern.grouped)!;
      if (i === 0) b.addProcessorWithStore(name, parent, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, o.store, o.keySerde);
      else b.add(name, [parent, names[0]!], (t) => t.addProcessor(name, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, parent).connectProcessorAndStateStores(name, o.storeName));
      suppliers.push(supplier);
      names.push(name);
    });
    const mergeName = o.named?.name !== undefined ? `${o.named.name}-cogroup-merge` : b.newProcessorName(CogroupPrefix.MERGE);
    if (o.named?.name !== undefined) b.newProcessorName(CogroupPrefix.MERGE);
    const merge = new CogroupMergeSupplier(suppliers);
    const windowed = suppliers[0]?.windowCloseDelayMs;
    if (windowed) merge.windowCloseDelayMs = () => windowed.call(suppliers[0]);
    b.add(mergeName, names, (t) => t.addProcessor(mergeName, merge as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>, ...names));
    return { name: mergeName, supplier: merge };
  }

  private processRepartitions(patterns: readonly CogroupPattern<K, VOut>[], storeName: string): void {
    for (const { grouped } of patterns) {
      const g = grouped.internals;
      if (!g.repartitionRequired) {
        this.parentNodes.set(grouped, g.nodeName);
        continue;
      }
      if (this.parentNodes.has(grouped)) {
        // the repartition of this cogroup exists; Kafka Streams still uses up its names
        for (const prefix of ['KSTREAM-SINK-', 'KSTREAM-FILTER-', 'KSTREAM-SOURCE-']) this.b.newProcessorName(prefix);
        continue;
      }
      const source = addRepartition(this.b, {
        parent: g.nodeName,
        topicPrefix: g.repartitionName ?? storeName,
        keySerde: g.keySerde,
        valueSerde: g.valueSerde as Serde<unknown> | undefined,
        numberOfPartitions: undefined,
        partitioner: undefined,
      });
      this.parentNodes.set(grouped, source);
    }
    const parents = [...new Set(patterns.map((p) => this.parentNodes.get(p.grouped)!))];
    if (parents.length > 1) this.b.add(`${storeName}#copartition`, parents, (t) => t.copartitionSources(parents));
  }
}

export type WindowedCogroupKey<K> = Windowed<K>;
