// Owns KGroupedTable: count, reduce(adder, subtractor) and aggregate(initializer, adder, subtractor)
// of a re-keyed table. Updates travel through a repartition topic as Change records (old and new
// value), so a value moving to another key is subtracted there and added here.
import { Serdes, type Serde } from '@sluice/serdes';
import type { InternalStreamsBuilder, NodeInternals } from './internal-builder.js';
import { ChangeSerde } from './ktable/change.js';
import { addAggregation, TablePrefix, type KTable } from './ktable.js';
import { resolveMaterialized, type Materialized, type ResolvedMaterialized } from './materialized.js';
import type { Named } from './options.js';
import { splitArgs } from './args.js';
import { TableAggregateSupplier, type Aggregator, type Initializer, type Reducer } from './operators/aggregate.js';

/** The re-keyed table being grouped, and how Grouped named it. */
export interface KGroupedTableInternals<K, V> extends NodeInternals<K, V> {
  readonly repartitionName: string | undefined;
}

export class KGroupedTable<K, V> {
  private sharedSource: string | undefined;

  /** @internal */
  constructor(readonly internals: KGroupedTableInternals<K, V>) {}

  private get b(): InternalStreamsBuilder {
    return this.internals.builder;
  }

  count(materialized: Materialized<K, number>): KTable<K, number>;
  count(named?: Named, materialized?: Materialized<K, number>): KTable<K, number>;
  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<K, number> {
    const { named, materialized } = splitArgs(a, b);
    const mat = resolveMaterialized(this.b, materialized, TablePrefix.AGGREGATE, { keySerde: this.internals.keySerde, valueSerde: Serdes.Long() });
    const supplier = new TableAggregateSupplier<K, V, number>(mat.storeName, {
      initializer: () => 0,
      adder: (_k, _v, agg) => agg + 1,
      subtractor: (_k, _v, agg) => agg - 1,
    });
    return this.build(named, TablePrefix.AGGREGATE, supplier, mat, 'count()');
  }

  reduce(adder: Reducer<V>, subtractor: Reducer<V>, materialized: Materialized<K, V>): KTable<K, V>;
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, named?: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    const { named, materialized } = splitArgs(a, b);
    const mat = resolveMaterialized(this.b, materialized, TablePrefix.REDUCE, { keySerde: this.internals.keySerde, valueSerde: this.internals.valueSerde });
    if (typeof adder !== 'function' || typeof subtractor !== 'function') this.b.problem('reduce() of a grouped table needs an adder and a subtractor function');
    const supplier = new TableAggregateSupplier<K, V, V>(mat.storeName, { adder: adder as Reducer<V & V>, subtractor: subtractor as Reducer<V & V> });
    return this.build(named, TablePrefix.REDUCE, supplier, mat, 'reduce()');
  }

  aggregate<VA>(initializer: Initializer<VA>, adder: Aggregator<K, V, VA>, subtractor: Aggregator<K, V, VA>, materialized: Materialized<K, VA>): KTable<K, VA>;
  aggregate<VA>(initializer: Initializer<VA>, adder: Aggregator<K, V, VA>, subtractor: Aggregator<K, V, VA>, named?: Named, materialized?: Materialized<K, VA>): KTable<K, VA>;
  aggregate<VA>(initializer: Initializer<VA>, adder: Aggregator<K, V, VA>, subtractor: Aggregator<K, V, VA>, a?: Named | Materialized<K, VA>, b?: Materialized<K, VA>): KTable<K, VA> {
    const { named, materialized } = splitArgs(a, b);
    const mat = resolveMaterialized(this.b, materialized, TablePrefix.AGGREGATE, { keySerde: this.internals.keySerde, valueSerde: undefined });
    if ([initializer, adder, subtractor].some((f) => typeof f !== 'function')) this.b.problem('aggregate() of a grouped table needs an initializer, an adder and a subtractor function');
    const supplier = new TableAggregateSupplier<K, V, VA>(mat.storeName, { initializer, adder, subtractor });
    return this.build(named, TablePrefix.AGGREGATE, supplier, mat, 'aggregate()');
  }

  private build<VA>(named: Named | undefined, prefix: string, supplier: TableAggregateSupplier<K, V, VA>, mat: ResolvedMaterialized<K, VA>, op: string): KTable<K, VA> {
    const sinkName = this.b.suffixOrGenerate(named?.name, '-sink', 'KSTREAM-SINK-');
    const sourceName = this.b.suffixOrGenerate(named?.name, '-source', 'KSTREAM-SOURCE-');
    const name = this.b.nameOrGenerate(named?.name, prefix);
    const topic = `${this.internals.repartitionName ?? mat.storeName}-repartition`;
    let source = this.sharedSource;
    if (source === undefined || this.internals.repartitionName === undefined) {
      const serde = new ChangeSerde<V>(this.internals.valueSerde);
      const parent = this.internals.nodeName;
      this.b.add(sinkName, [parent], (t) => {
        t.addInternalTopic({ name: topic, numberOfPartitions: undefined, config: {} });
        t.addSink(sinkName, topic, { keySerde: this.internals.keySerde as Serde<unknown> | undefined, valueSerde: serde as Serde<unknown> }, parent);
        t.registerDefaultsAware(serde);
      });
      this.b.add(sourceName, [sinkName], (t) => t.addSource(sourceName, topic, { keySerde: this.internals.keySerde as Serde<unknown> | undefined, valueSerde: serde as Serde<unknown> }));
      source = sourceName;
      this.sharedSource = source;
    }
    return addAggregation(this.b, name, source, supplier, mat, op);
  }
}
