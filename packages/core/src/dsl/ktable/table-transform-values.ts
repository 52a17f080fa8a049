// Owns KTable.transformValues (Kafka Streams' KTableTransformValues): a ValueTransformerWithKey,
// created per task, maps each update's new value (and, when downstream asks, its old value) and may
// use state stores. Deletes reach the transformer too (value null), as in Kafka Streams. Stored in
// its own store only when Materialized names one; otherwise others read it through its parent.
import { TopologyError } from '@sluice/common';
import type { ProcessorSupplier } from '../../processor/api.js';
import { KTable, TablePrefix } from '../ktable.js';
import { keyValueStoreFor, Materialized, resolveMaterialized } from '../materialized.js';
import { Named } from '../options.js';
import type { StateStore, StoreBuilder, ValueAndTimestamp } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { change, isLatest, type Change } from './change.js';
import type { TimestampedForwarder } from './forwarder.js';
import { PUT_IS_LATEST, PUT_NOT_PUT, TableStore } from './table-store.js';
import type { TableSupplier } from './table-processors.js';
import { storeValueGetter, type TableValueGetterSupplier } from './value-getter.js';

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

  /** Its own store when it has one, else the parent's value transformed on each read (Kafka's KTableTransformValuesGetter). */
  view(): TableValueGetterSupplier<K, VR> | undefined {
    if (this.queryableName !== undefined) return storeValueGetter<K, VR>(this.queryableName);
    const parent = this.parent.view?.() as TableValueGetterSupplier<K, V> | undefined;
    if (parent === undefined) return undefined;
    return {
      storeNames: () => parent.storeNames(),
      get: () => {
        const transformer = newTransformer(this.transformerSupplier);
        const parentGetter = parent.get();
        const transform = async (key: K, vt: ValueAndTimestamp<V> | undefined): Promise<ValueAndTimestamp<VR> | undefined> => {
          const value = await transformer.transform(key, vt?.value ?? null);
          return value === null || value === undefined ? undefined : { value, timestamp: vt?.timestamp ?? -1 };
        };
        return {
          async init(ctx) {
            await parentGetter.init(ctx);
            await transformer.init?.(forwardingDisabled(ctx, 'value getter'));
          },
          get: async (key) => transform(key, await parentGetter.get(key)),
          getAsOf: async (key, asOf) => transform(key, await parentGetter.getAsOf(key, asOf)),
          // the transformed table is not versioned itself, as in Kafka Streams
          isVersioned: () => false,
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
      this.store = TableStore.of(ctx, this.s.queryableName);
      this.forwarder = this.store.forwarder(ctx, this.s.sendOldValues);
    }
  }

  async process(record: Record<K, Change<V>>): Promise<void> {
    const newValue = (await this.transformer.transform(record.key, record.value.newValue)) ?? null;
    if (!this.store) {
      const oldValue = this.s.sendOldValues ? ((await this.transformer.transform(record.key, record.value.oldValue)) ?? null) : null;
      return this.ctx.forward(record.withValue(change(newValue, oldValue, isLatest(record.value))));
    }
    const oldValue = this.s.sendOldValues ? ((await this.store.get(record.key))?.value ?? null) : null;
    // a versioned store may drop an update older than its history retention: then nothing changed
    const code = await this.store.put(record.key, newValue, record.timestamp);
    if (code === PUT_NOT_PUT) return;
    return this.forwarder!.maybeForward(record.withValue(change(newValue, oldValue, code === PUT_IS_LATEST)));
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
  const name = b.nameOrGenerate(named?.name, TablePrefix.TRANSFORMVALUES);
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
