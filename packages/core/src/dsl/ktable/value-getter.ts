// Owns KTable value getters (Kafka Streams' KTableValueGetter / KTableValueGetterSupplier): how a
// processor that is not the table's own (a join, a foreign-key join, another table's getter) reads
// the table's current value for a key. A stored table is read from its store, timestamped or
// versioned (TableStore); a table that is not stored (filter, mapValues, transformValues without
// Materialized) computes the value from its parent's getter, as Kafka Streams' views do. A
// versioned table can also be read as of a time.
import type { ValueAndTimestamp } from '@sluice/state';
import type { ProcessorContext } from '../../processor/api.js';
import type { InternalStreamsBuilder } from '../internal-builder.js';
import { TableStore } from './table-store.js';

export interface TableValueGetter<K, V> {
  /** Called from the init() of the processor that uses the getter (its stores are connected to it). */
  init(context: ProcessorContext<unknown, unknown>): void | Promise<void>;
  /** The table's current value and its timestamp, or undefined when the key is absent. */
  get(key: K): Promise<ValueAndTimestamp<V> | undefined>;
  /** The value as of a time (versioned tables; other tables answer the latest value). */
  getAsOf(key: K, asOfTimestamp: number): Promise<ValueAndTimestamp<V> | undefined>;
  /** Whether the table is kept in a versioned store. Valid after init. */
  isVersioned(): boolean;
  close?(): void | Promise<void>;
}

export interface TableValueGetterSupplier<K, V> {
  get(): TableValueGetter<K, V>;
  /** Stores the getter reads: they must be connected to the processor using it. */
  storeNames(): readonly string[];
}

/** Reads a table's own store (source tables, aggregations, stored filters, mapValues and joins, global tables). */
export function storeValueGetter<K, V>(storeName: string): TableValueGetterSupplier<K, V> {
  return {
    storeNames: () => [storeName],
    get() {
      let store: TableStore<K, V>;
      return {
        init(ctx) {
          store = TableStore.of<K, V>(ctx, storeName);
        },
        get: (key) => store.get(key),
        getAsOf: (key, asOf) => store.getAsOf(key, asOf),
        isVersioned: () => store.versioned,
      };
    },
  };
}

/**
 * Reads the parent table and applies `compute` (a filter's predicate or a mapValues mapper) to a
 * present value, keeping its timestamp; null from `compute` reads as absent (Kafka's
 * KTableMapValues / KTableFilter getters).
 */
export function derivedValueGetter<K, VIn, VOut>(parent: TableValueGetterSupplier<K, VIn>, compute: (key: K, value: VIn) => VOut | null): TableValueGetterSupplier<K, VOut> {
  return {
    storeNames: () => parent.storeNames(),
    get() {
      const inner = parent.get();
      const apply = (key: K, v: ValueAndTimestamp<VIn> | undefined): ValueAndTimestamp<VOut> | undefined => {
        if (v === undefined) return undefined;
        const value = compute(key, v.value);
        return value === null ? undefined : { value, timestamp: v.timestamp };
      };
      return {
        init: (ctx) => inner.init(ctx),
        get: async (key) => apply(key, await inner.get(key)),
        getAsOf: async (key, asOf) => apply(key, await inner.getAsOf(key, asOf)),
        isVersioned: () => inner.isVersioned(),
        close: () => inner.close?.(),
      };
    },
  };
}

/** Anything producing a KTable that can say how others read it (Kafka's KTableProcessorSupplier.view()). */
export interface ViewableTable {
  /**
   * How others read this table; may materialize a source table. Undefined: this kind of table
   * cannot be read outside its own processor (a windowed aggregation).
   */
  view?(): TableValueGetterSupplier<unknown, unknown> | undefined;
}

/**
 * The getter of the table whose producer is `supplier` (Kafka's KTableImpl.valueGetterSupplier); a
 * source table is materialized by asking. When the table cannot be read by others, reports a
 * problem naming `what` needs it (build() throws it with the others) and returns undefined.
 */
export function valueGetterOf<K, V>(b: InternalStreamsBuilder, supplier: ViewableTable, tableNode: string, what: string, node: string): TableValueGetterSupplier<K, V> | undefined {
  const view = supplier.view?.();
  if (view === undefined) {
    b.problem(
      `${what} cannot read table '${tableNode}': it comes from a windowed aggregation, whose values only its own processor reads (joining a windowed table is not supported yet); ` +
        `use the table it was derived from, or write it to a topic and read that with builder.table()`,
      node,
    );
  }
  return view as TableValueGetterSupplier<K, V> | undefined;
}
