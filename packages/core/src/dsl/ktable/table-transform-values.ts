// Owns KTable.transformValues (Kafka Streams' KTableTransformValues): a ValueTransformerWithKey,
// created per task, maps each update's new value (and, when downstream asks, its old value) and may
// use state stores. Deletes reach the transformer too (value null), as in Kafka Streams. Stored in
// its own store only when Materialized names one; otherwise others read it through its parent.
import { TopologyError } from '@sluice/common';
import type { ProcessorSupplier } from '../../processor/api.js';
import { KTable, TablePrefix } from '../ktable.js';
import { keyValueStoreFor, Materialized, resolveMaterialized } from '../materialized.js';
import { Named } from '../options.js';
import type { CachedStateStore, StateStore, StoreBuilder, TimestampedKeyValueStore, ValueAndTimestamp } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { change, type Change } from './change.js';
import { TimestampedForwarder } from './forwarder.js';
import type { TableSupplier } from './table-processors.js';
import { storeValueGetter, valueGetterOf, type TableValueGetterSupplier } from './value-getter.js';

/**
 * Maps a table's values with access to the key, state stores and punctuation. `transform` may return
 * a promise. Its context cannot forward: the returned value is the result.
 */
export interface ValueTransformerWithKey<K, V, VR> {
  init?(context: ProcessorContext<never, never>): void | Promise<void>;
  /** The new value for `readOnlyKey`; `value` is null for a delete. Return null to delete. */
  transform(readOnlyKey: K, value: V | null): VR | null | Promise<VR | null>;
  close?(): void | Promise<void>;
}

export type ValueTransformerWithKeySupplier<K, V, VR> =
  | (() => ValueTransformerWithKey<K, V, VR>)
  | { get(): ValueTransformerWithKey<K, V, VR>; stores?(): readonly StoreBuilder<StateStore>[] };

type TableStore<K, V> = TimestampedKeyValueStore<K, V> & CachedStateStore<K, ValueAndTimestamp<V>>;

function newTransformer<K, V, VR>(supplier: ValueTransformerWithKeySupplier<K, V, VR>): ValueTransformerWithKey<K, V, VR> {
  return typeof supplier === 'function' ? supplier() : supplier.get();
}

/** The context a transformer gets: everything but forward(), as Kafka's ForwardingDisabledProcessorContext. */
function forwardingDisabled(ctx: ProcessorContext<unknown, unknown>, node: string): ProcessorContext<never, never> {
  return new Proxy(ctx, {
    get(target, prop, receiver) {
      if (prop === 'forward') {
        return () => {
          throw new TopologyError(`transformValues '${node}': a ValueTransformerWithKey cannot forward records; return the new value from transform() instead`);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as unknown as ProcessorContext<never, never>;
}

export class TableTransformValuesSupplier<K, V, VR> implements ProcessorSupplierObject<K, Change<V>, K, Change<VR>>, TableSupplier {
  sendOldValues = false;

  constructor(
    private readonly parent: TableSupplier,
    readonly nodeName: string,
    readonly transformerSupplier: ValueTransformerWithKeySupplier<K, V, VR>,
    readonly queryableName: string | undefined,
  ) {}

  enableSendingOldValues(force: boolean): boolean {
    if (this.queryableName !== undefined) {
      this.sendOldValues = true;
      return true;
    }
    if (this.parent.enableSendingOldValues(force)) this.sendOldValues = true;
    return this.sendOldValues;
  }

  view(): TableValueGetterSupplier<K, VR> {
    if (this.queryableName !== undefined) return storeValueGetter<K, VR>(this.queryableName);
    const parent = valueGetterOf<K, V>(this.parent, this.nodeName, `transformValues '${this.nodeName}'`);
    return {
      storeNames: () => parent.storeNames(),
      get: () => {
        const transformer = newTransformer(this.transformerSupplier);
        const parentGetter = parent.get();
        return {
          async init(ctx) {
            await parentGetter.init(ctx);
            await transformer.init?.(forwardingDisabled(ctx, 'value getter'));
          },
          async get(key) {
            const vt = await parentGetter.get(key);
            const value = await transformer.transform(key, vt?.value ?? null);
            return value === null || value === undefined ? undefined : { value, timestamp: vt?.timestamp ?? -1 };
          },
          async close() {
            await transformer.close?.();
            await parentGetter.close?.();
          },
        };
      },
    };
  }

  stores(): readonly StoreBuilder<StateStore>[] {
    const s = this.transformerSupplier;
    return typeof s === 'object' && s !== null ? (s.stores?.() ?? []) : [];
  }

  get(): Processor<K, Change<V>, K, Change<VR>> {
    return new TableTransformValuesProcessor(this);
  }
}

class TableTransformValuesProcessor<K, V, VR> implements Processor<K, Change<V>, K, Change<VR>> {
  private ctx!: ProcessorContext<K, Change<VR>>;
  private readonly transformer: ValueTransformerWithKey<K, V, VR>;
  private store: TableStore<K, VR> | undefined;
  private forwarder: TimestampedForwarder<K, VR> | undefined;

  constructor(private readonly s: TableTransformValuesSupplier<K, V, VR>) {
    this.transformer = newTransformer(s.transformerSupplier);
  }

  async init(ctx: ProcessorContext<K, Change<VR>>): Promise<void> {
    this.ctx = ctx;
    await this.transformer.init?.(forwardingDisabled(ctx as ProcessorContext<unknown, unknown>, this.s.nodeName));
    if (this.s.queryableName !== undefined) {
      this.store = ctx.getStateStore<TableStore<K, VR>>(this.s.queryableName);
      this.forwarder = new TimestampedForwarder(this.store, ctx, this.s.sendOldValues);
    }
  }

  async process(record: Record<K, Change<V>>): Promise<void> {
    const newValue = (await this.transformer.transform(record.key, record.value.newValue)) ?? null;
    if (!this.store) {
      const oldValue = this.s.sendOldValues ? ((await this.transformer.transform(record.key, record.value.oldValue)) ?? null) : null;
      return this.ctx.forward(record.withValue(change(newValue, oldValue)));
    }
    const oldValue = this.s.sendOldValues ? ((await this.store.get(record.key))?.value ?? null) : null;
    await this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
    return this.forwarder!.maybeForward(record.withValue(change(newValue, oldValue)));
  }

  close(): void | Promise<void> {
    return this.transformer.close?.();
  }
}

/** KTable.transformValues(supplier, [materialized], [named], ...storeNames): adds the node and returns its table. */
export function transformTableValues<K, V, VR>(
  table: KTable<K, V>,
  supplier: ValueTransformerWithKeySupplier<K, V, VR>,
  args: readonly (string | Named | Materialized<K, VR>)[],
): KTable<K, VR> {
  const b = table.internals.builder;
  const named = args.find((a): a is Named => a instanceof Named);
  const materialized = args.find((a): a is Materialized<K, VR> => a instanceof Materialized);
  const storeNames = args.filter((a): a is string => typeof a === 'string');
  // as Kafka Streams: only a Materialized with a store name gets a store (and none is generated otherwise)
  const mat = materialized?.storeName !== undefined ? resolveMaterialized(b, materialized, TablePrefix.TRANSFORMVALUES, { keySerde: table.internals.keySerde, valueSerde: undefined }) : undefined;
  const name = named?.name ?? b.newProcessorName(TablePrefix.TRANSFORMVALUES);
  if (named?.name !== undefined) b.newProcessorName(TablePrefix.TRANSFORMVALUES);
  if (supplier === undefined || supplier === null || (typeof supplier !== 'function' && typeof supplier.get !== 'function')) {
    b.problem(`transformValues() of table '${table.internals.nodeName}' needs a ValueTransformerWithKey supplier: a function returning a new transformer, or an object with get() (node '${name}')`, name);
  }
  const s = new TableTransformValuesSupplier<K, V, VR>(table.internals.supplier, name, supplier, mat?.storeName);
  const parent = table.internals.nodeName;
  b.add(name, [parent], (t) => {
    t.addProcessor(name, s as ProcessorSupplier<unknown, unknown, unknown, unknown>, parent);
    if (mat) {
      const store = keyValueStoreFor(mat, `transformValues '${name}'`);
      t.addStateStore(store, name);
      t.registerDefaultsAware(store);
    }
    if (storeNames.length > 0) t.connectProcessorAndStateStores(name, ...storeNames);
  });
  return new KTable<K, VR>({
    builder: b,
    nodeName: name,
    keySerde: materialized?.keySerde ?? table.internals.keySerde,
    valueSerde: materialized?.valueSerde,
    supplier: s,
    queryableStoreName: mat?.storeName,
  });
}
