// Owns KTable, the DSL handle of a changelog stream (the latest value per key): filter, mapValues,
// toStream, groupBy. Operations that need the previous value ask upstream to send old values.
import type { InternalStreamsBuilder, NodeInternals } from './internal-builder.js';
import { splitArgs } from './args.js';
import type { KeyValueLike } from './key-value.js';
import { KGroupedTable } from './kgrouped-table.js';
import { KStream } from './kstream.js';
import { keyValueStoreFor, resolveMaterialized, type Materialized, type ResolvedMaterialized } from './materialized.js';
import type { Grouped, Named } from './options.js';
import { TableFilterSupplier, TableMapValuesSupplier, TableRepartitionMapSupplier, TableToStreamProcessor, type TableSupplier } from './ktable/table-processors.js';
import type { ProcessorSupplier, ProcessorSupplierObject } from '../processor/api.js';
import type { Change } from './ktable/change.js';
import type { Suppressed } from './suppress/suppressed.js';
import { suppressTable } from './suppress/suppress-table.js';
import { transformTableValues, type ValueTransformerWithKeySupplier } from './ktable/table-transform-values.js';
import { foreignKeyJoin } from './foreign-key-join/fk-join.js';
import type { ForeignKeyExtractor } from './foreign-key-join/subscription-send.js';
import type { TableJoined } from './foreign-key-join/table-joined.js';

export const TablePrefix = {
  SOURCE: 'KTABLE-SOURCE-',
  FILTER: 'KTABLE-FILTER-',
  MAPVALUES: 'KTABLE-MAPVALUES-',
  TOSTREAM: 'KTABLE-TOSTREAM-',
  SELECT: 'KTABLE-SELECT-',
  AGGREGATE: 'KTABLE-AGGREGATE-',
  REDUCE: 'KTABLE-REDUCE-',
  SUPPRESS: 'KTABLE-SUPPRESS-',
  TRANSFORMVALUES: 'KTABLE-TRANSFORMVALUES-',
} as const;

export interface KTableInternals<K, V> extends NodeInternals<K, V> {
  /** The processor supplier that produces this table's updates. */
  readonly supplier: TableSupplier;
  /** The store holding this table, when it is materialized under a name users may query. */
  readonly queryableStoreName: string | undefined;
}

export class KTable<K, V> {
  /** @internal */
  constructor(readonly internals: KTableInternals<K, V>) {}

  private get b(): InternalStreamsBuilder {
    return this.internals.builder;
  }

  /** The name of the store users can query, or undefined when the table is not materialized. */
  queryableStoreName(): string | undefined {
    return this.internals.queryableStoreName;
  }

  /** @internal Ask this table's producer to send old values; see Kafka Streams' enableSendingOldValues. */
  enableSendingOldValues(force: boolean): boolean {
    return this.internals.supplier.enableSendingOldValues(force);
  }

  filter(predicate: (key: K, value: V) => boolean, materialized: Materialized<K, V>): KTable<K, V>;
  filter(predicate: (key: K, value: V) => boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  filter(predicate: (key: K, value: V) => boolean, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    const { named, materialized } = splitArgs(a, b);
    return this.doFilter(predicate, false, named, materialized);
  }

  filterNot(predicate: (key: K, value: V) => boolean, materialized: Materialized<K, V>): KTable<K, V>;
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  filterNot(predicate: (key: K, value: V) => boolean, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    const { named, materialized } = splitArgs(a, b);
    return this.doFilter(predicate, true, named, materialized);
  }

  private doFilter(predicate: (key: K, value: V) => boolean, not: boolean, named: Named | undefined, materialized: Materialized<K, V> | undefined): KTable<K, V> {
    const mat = materialized ? resolveMaterialized(this.b, materialized, TablePrefix.FILTER, { keySerde: this.internals.keySerde, valueSerde: this.internals.valueSerde }) : undefined;
    const name = named?.name ?? this.b.newProcessorName(TablePrefix.FILTER);
    if (typeof predicate !== 'function') this.b.problem(`${not ? 'filterNot' : 'filter'}() of table '${this.internals.nodeName}' needs a predicate function`, name);
    const stored = mat && (mat.queryable || mat.m.supplier) ? mat : undefined;
    const supplier = new TableFilterSupplier<K, V>(this.internals.supplier, stored?.storeName, predicate, not);
    this.b.addProcessorWithStore(name, this.internals.nodeName, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, stored ? keyValueStoreFor(stored, `filter '${name}'`) : undefined);
    return new KTable<K, V>({
      builder: this.b,
      nodeName: name,
      keySerde: mat?.keySerde ?? this.internals.keySerde,
      valueSerde: mat?.valueSerde ?? this.internals.valueSerde,
      supplier,
      queryableStoreName: stored?.storeName,
    });
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, materialized: Materialized<K, VR>): KTable<K, VR>;
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  mapValues<VR>(mapper: (value: V, key: K) => VR, a?: Named | Materialized<K, VR>, b?: Materialized<K, VR>): KTable<K, VR> {
    const { named, materialized } = splitArgs(a, b);
    const mat = materialized ? resolveMaterialized(this.b, materialized, TablePrefix.MAPVALUES, { keySerde: this.internals.keySerde, valueSerde: undefined }) : undefined;
    const name = named?.name ?? this.b.newProcessorName(TablePrefix.MAPVALUES);
    if (typeof mapper !== 'function') this.b.problem(`mapValues() of table '${this.internals.nodeName}' needs a mapper function`, name);
    const stored = mat && (mat.queryable || mat.m.supplier) ? mat : undefined;
    const supplier = new TableMapValuesSupplier<K, V, VR>(this.internals.supplier, stored?.storeName, mapper);
    this.b.addProcessorWithStore(name, this.internals.nodeName, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, stored ? keyValueStoreFor(stored, `mapValues '${name}'`) : undefined);
    return new KTable<K, VR>({
      builder: this.b,
      nodeName: name,
      keySerde: mat?.keySerde ?? this.internals.keySerde,
      valueSerde: mat?.valueSerde,
      supplier,
      queryableStoreName: stored?.storeName,
    });
  }

  /**
   * Foreign-key join: each row of this table joins the row of `other` whose key `foreignKeyExtractor`
   * picks from it (a null foreign key joins nothing). Updates of either table update the result;
   * results computed for an older value of a row are dropped (Kafka Streams' subscription/response
   * design, with its internal topics and subscription store). Options after the joiner: TableJoined
   * (name, partitioners) and Materialized (the result table's store).
   */
  join<VR, KO, VO>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: ForeignKeyExtractor<K, V, KO>,
    joiner: (value: V, foreignValue: VO) => VR,
    ...options: (TableJoined<K, KO> | Materialized<K, VR>)[]
  ): KTable<K, VR> {
    return foreignKeyJoin(this, other, foreignKeyExtractor, joiner as (value: V, foreignValue: VO | null) => VR, options, false);
  }

  /** Foreign-key left join: as join(), and rows without a match (or with a null foreign key) join with null. */
  leftJoin<VR, KO, VO>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: ForeignKeyExtractor<K, V, KO>,
    joiner: (value: V, foreignValue: VO | null) => VR,
    ...options: (TableJoined<K, KO> | Materialized<K, VR>)[]
  ): KTable<K, VR> {
    return foreignKeyJoin(this, other, foreignKeyExtractor, joiner, options, true);
  }

  /**
   * Map each value with a ValueTransformerWithKey (created per task; it may use the named stores).
   * Arguments after the supplier, in any order: a Materialized (stored and queryable when it names a
   * store), a Named, and store names. Kafka Streams' KTable#transformValues.
   */
  transformValues<VR>(supplier: ValueTransformerWithKeySupplier<K, V, VR>, ...args: (string | Named | Materialized<K, VR>)[]): KTable<K, VR> {
    return transformTableValues(this, supplier, args);
  }

  /** The stream of updates: each new value (null for deletes). */
  toStream(named?: Named): KStream<K, V> {
    const name = named?.name ?? this.b.newProcessorName(TablePrefix.TOSTREAM);
    const parent = this.internals.nodeName;
    this.b.add(name, [parent], (t) => t.addProcessor(name, () => new TableToStreamProcessor<K, V>(), parent));
    return new KStream<K, V>({ builder: this.b, nodeName: name, keySerde: this.internals.keySerde, valueSerde: this.internals.valueSerde, repartitionRequired: false });
  }

  /** Re-key the table for an aggregation; old values are subtracted from the old key's aggregate. */
  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValueLike<KR, VR>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR> {
    const name = grouped?.name ?? this.b.newProcessorName(TablePrefix.SELECT);
    if (typeof selector !== 'function') this.b.problem(`groupBy() of table '${this.internals.nodeName}' needs a selector function`, name);
    const parent = this.internals.nodeName;
    this.b.add(name, [parent], (t) => t.addProcessor(name, new TableRepartitionMapSupplier(selector) as ProcessorSupplier<unknown, unknown, unknown, unknown>, parent));
    this.enableSendingOldValues(true);
    return new KGroupedTable<KR, VR>({ builder: this.b, nodeName: name, keySerde: grouped?.keySerde, valueSerde: grouped?.valueSerde, repartitionName: grouped?.name });
  }

  /**
   * Hold updates back: Suppressed.untilWindowCloses for one final result per window, or
   * Suppressed.untilTimeLimit for the latest update per key after a delay. The buffer is
   * change-logged, so buffered updates survive a restart.
   */
  suppress(suppressed: Suppressed<K>): KTable<K, V> {
    return suppressTable(this, suppressed);
  }
}

/** @internal The table of node `name`, kept in the store `mat` was resolved to (queryable when the user named it). */
export function materializedTable<K, V>(builder: InternalStreamsBuilder, name: string, supplier: TableSupplier, mat: ResolvedMaterialized<K, V>): KTable<K, V> {
  return new KTable<K, V>({ builder, nodeName: name, keySerde: mat.keySerde, valueSerde: mat.valueSerde, supplier, queryableStoreName: mat.queryable ? mat.storeName : undefined });
}

/** @internal Adds the aggregation `name` below `parent`, kept in the key-value store `mat` was resolved to; returns its table. */
export function addAggregation<K, V, VA>(
  builder: InternalStreamsBuilder,
  name: string,
  parent: string,
  supplier: TableSupplier & ProcessorSupplierObject<K, V, K, Change<VA>>,
  mat: ResolvedMaterialized<K, VA>,
  op: string,
): KTable<K, VA> {
  builder.addProcessorWithStore(name, parent, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, keyValueStoreFor(mat, `${op} '${name}'`));
  return materializedTable(builder, name, supplier, mat);
}
