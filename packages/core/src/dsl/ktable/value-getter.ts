// Owns KTable value getters (Kafka Streams' KTableValueGetter / KTableValueGetterSupplier): how a
// processor that is not the table's own reads the table's current value for a key. A stored table
// is read from its store; a table that is not stored (filter, mapValues, transformValues without
// Materialized) computes the value from its parent's getter, as Kafka Streams' views do.
import { TopologyError } from '@sluice/common';
import type { TimestampedKeyValueStore, ValueAndTimestamp } from '@sluice/state';
import type { ProcessorContext } from '../../processor/api.js';

export interface TableValueGetter<K, V> {
  /** Called from the init() of the processor that uses the getter (its stores are connected to it). */
  init(context: ProcessorContext<unknown, unknown>): void | Promise<void>;
  /** The table's current value and its timestamp, or undefined when the key is absent. */
  get(key: K): Promise<ValueAndTimestamp<V> | undefined>;
  close?(): void | Promise<void>;
}

export interface TableValueGetterSupplier<K, V> {
  get(): TableValueGetter<K, V>;
  /** Stores the getter reads: they must be connected to the processor using it. */
  storeNames(): readonly string[];
}

/** Reads a timestamped key-value store (a source table, an aggregation, a materialized table). */
export function storeValueGetter<K, V>(storeName: string): TableValueGetterSupplier<K, V> {
  return {
    storeNames: () => [storeName],
    get() {
      let store: TimestampedKeyValueStore<K, V>;
      return {
        init(ctx) {
          store = ctx.getStateStore<TimestampedKeyValueStore<K, V>>(storeName);
        },
        get: (key) => store.get(key),
      };
    },
  };
}

/** A getter computing this table's value from its parent's (filter, mapValues without a store). */
export function derivedValueGetter<K, VIn, VOut>(
  parent: TableValueGetterSupplier<K, VIn>,
  compute: (key: K, value: ValueAndTimestamp<VIn> | undefined) => ValueAndTimestamp<VOut> | undefined,
): TableValueGetterSupplier<K, VOut> {
  return {
    storeNames: () => parent.storeNames(),
    get() {
      const inner = parent.get();
      return {
        init: (ctx) => inner.init(ctx),
        get: async (key) => compute(key, await inner.get(key)),
        close: () => inner.close?.(),
      };
    },
  };
}

/** Anything producing a KTable that can say how others read it. */
export interface ViewableTable {
  view?(): TableValueGetterSupplier<unknown, unknown>;
}

/**
 * The getter of the table whose producer is `supplier` (Kafka's KTableImpl.valueGetterSupplier);
 * a source table is materialized by asking. Throws a TopologyError naming `what` needs it when the
 * table cannot be read by others.
 */
export function valueGetterOf<K, V>(supplier: ViewableTable, tableNode: string, what: string): TableValueGetterSupplier<K, V> {
  if (typeof supplier.view !== 'function') {
    throw new TopologyError(
      `${what} needs to look up values of table '${tableNode}', which cannot be read outside its own processor (it comes from suppress() or a windowed aggregation); ` +
        `use the table it was derived from, or write it to a topic and read that with builder.table()`,
    );
  }
  return supplier.view() as TableValueGetterSupplier<K, V>;
}
