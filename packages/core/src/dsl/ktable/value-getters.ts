// Owns how a join reads a KTable it does not own (Kafka Streams' KTableValueGetterSupplier): from the
// table's own store when it has one, else from the nearest stored table upstream with the table's
// filter or mapValues applied on the way. A versioned table can also be read as of a time.
import type { ValueAndTimestamp } from '@sluice/state';
import type { ProcessorContext } from '../../processor/api.js';
import { TableStore } from './table-store.js';

export interface TableValueGetter<K, V> {
  init(ctx: ProcessorContext<unknown, unknown>): void;
  /** The latest value and its timestamp. */
  get(key: K): Promise<ValueAndTimestamp<V> | undefined>;
  /** The value as of a time (versioned tables; other tables answer the latest value). */
  getAsOf(key: K, asOfTimestamp: number): Promise<ValueAndTimestamp<V> | undefined>;
  /** Whether the table is kept in a versioned store. Valid after init. */
  isVersioned(): boolean;
}

export interface TableValueGetterSupplier<K, V> {
  get(): TableValueGetter<K, V>;
  /** The stores a processor reading this table must be connected to. */
  storeNames(): readonly string[];
}

/** Reads the table's own store (source tables, aggregations, stored filters, mapValues and joins). */
export class StoreValueGetterSupplier<K, V> implements TableValueGetterSupplier<K, V> {
  constructor(private readonly storeName: string) {}

  storeNames(): readonly string[] {
    return [this.storeName];
  }

  get(): TableValueGetter<K, V> {
    const storeName = this.storeName;
    let store: TableStore<K, V>;
    return {
      init(ctx) {
        store = TableStore.of(ctx, storeName);
      },
      get: (key) => store.get(key),
      getAsOf: (key, asOf) => store.getAsOf(key, asOf),
      isVersioned: () => store.versioned,
    };
  }
}

/** Reads the parent table and applies `compute` (a filter's predicate or a mapValues mapper), keeping the timestamp. */
export class ComputedValueGetterSupplier<K, VIn, VOut> implements TableValueGetterSupplier<K, VOut> {
  constructor(
    private readonly parent: TableValueGetterSupplier<K, VIn>,
    private readonly compute: (key: K, value: VIn | null) => VOut | null,
  ) {}

  storeNames(): readonly string[] {
    return this.parent.storeNames();
  }

  get(): TableValueGetter<K, VOut> {
    const parent = this.parent.get();
    const compute = this.compute;
    const apply = (key: K, v: ValueAndTimestamp<VIn> | undefined): ValueAndTimestamp<VOut> | undefined => {
      if (v === undefined) return undefined;
      const value = compute(key, v.value);
      return value === null ? undefined : { value, timestamp: v.timestamp };
    };
    return {
      init: (ctx) => parent.init(ctx),
      get: async (key) => apply(key, await parent.get(key)),
      getAsOf: async (key, asOf) => apply(key, await parent.getAsOf(key, asOf)),
      isVersioned: () => parent.isVersioned(),
    };
  }
}
