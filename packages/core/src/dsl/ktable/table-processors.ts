// Owns the processors behind KTable operations: the table source (a stream read as a changelog),
// filter, mapValues, toStream, and groupBy's re-keying. Each forwards Change records; old values
// travel only when a downstream operation enabled them (Kafka Streams' sendOldValues).
import { ProcessingError } from '@sluice/common';
import type { CachedStateStore, TimestampedKeyValueStore, ValueAndTimestamp } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import { toKeyValue, type KeyValueLike } from '../key-value.js';
import { change, type Change } from './change.js';
import { TimestampedForwarder } from './forwarder.js';
import { derivedValueGetter, storeValueGetter, valueGetterOf, type TableValueGetterSupplier, type ViewableTable } from './value-getter.js';

type TableStore<K, V> = TimestampedKeyValueStore<K, V> & CachedStateStore<K, ValueAndTimestamp<V>>;

/** Anything that produces a KTable: it can be asked to send old values downstream (and to be read by others). */
export interface TableSupplier extends ViewableTable {
  /** Returns whether old values will be sent; `force` may materialize a source table to do so. */
  enableSendingOldValues(force: boolean): boolean;
}

// ---- source ----

export class TableSourceSupplier<K, V> implements ProcessorSupplierObject<K, V, K, Change<V>>, TableSupplier {
  sendOldValues = false;
  /** Set when the table is stored (queryable, or because old values are needed). */
  queryableName: string | undefined;

  constructor(
    readonly storeName: string,
    queryableName: string | undefined,
    /** Adds the store to the topology when the table gets materialized late. */
    private readonly onMaterialize: () => void,
  ) {
    this.queryableName = queryableName;
  }

  materialize(): void {
    if (this.queryableName !== undefined) return;
    this.queryableName = this.storeName;
    this.onMaterialize();
  }

  enableSendingOldValues(force: boolean): boolean {
    if (this.queryableName === undefined) {
      if (!force) return false;
      this.materialize();
    }
    this.sendOldValues = true;
    return true;
  }

  /** Others read a source table from its store, so asking materializes it (as Kafka Streams does). */
  view(): TableValueGetterSupplier<K, V> {
    this.materialize();
    return storeValueGetter<K, V>(this.storeName);
  }

  get(): Processor<K, V, K, Change<V>> {
    return new TableSourceProcessor(this);
  }
}

class TableSourceProcessor<K, V> implements Processor<K, V, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>;
  private store: TableStore<K, V> | undefined;
  private forwarder: TimestampedForwarder<K, V> | undefined;

  // the supplier's flags are read at init: downstream operations may change them until the topology runs
  constructor(private readonly supplier: TableSourceSupplier<K, V>) {}

  init(c: ProcessorContext<K, Change<V>>): void {
    this.ctx = c;
    if (this.supplier.queryableName !== undefined) {
      this.store = c.getStateStore<TableStore<K, V>>(this.supplier.queryableName);
      this.forwarder = new TimestampedForwarder(this.store, c, this.supplier.sendOldValues);
    }
  }

  async process(record: Record<K, V>): Promise<void> {
    if (record.key === null || record.key === undefined) {
      internalContext(this.ctx).droppedRecord('null key (a table record needs a key)');
      return;
    }
    if (!this.store) return this.ctx.forward(record.withValue(change(record.value, null)));
    const old = await this.store.get(record.key);
    await this.store.put(record.key, record.value === null || record.value === undefined ? null : { value: record.value, timestamp: record.timestamp });
    return this.forwarder!.maybeForward(record.withValue(change(record.value, this.supplier.sendOldValues ? old?.value : null)));
  }
}

// ---- filter / mapValues ----

abstract class TableTransformSupplier<K, VIn, VOut> implements ProcessorSupplierObject<K, Change<VIn>, K, Change<VOut>>, TableSupplier {
  sendOldValues = false;

  constructor(
    protected readonly parent: TableSupplier,
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

  /** A stored table is read from its store; otherwise the parent's value is computed on the fly. */
  view(): TableValueGetterSupplier<K, VOut> {
    if (this.queryableName !== undefined) return storeValueGetter<K, VOut>(this.queryableName);
    return derivedValueGetter(valueGetterOf<K, VIn>(this.parent, '(parent)', 'a table lookup'), (key, vt) => {
      const value = this.compute(key, vt?.value ?? null);
      return value === null || vt === undefined ? undefined : { value, timestamp: vt.timestamp };
    });
  }

  /** @internal */
  abstract compute(key: K, value: VIn | null): VOut | null;
  /** @internal Filters skip an update that is "absent" both before and after. */
  skipWhenBothNull(): boolean {
    return false;
  }

  get(): Processor<K, Change<VIn>, K, Change<VOut>> {
    return new TableTransformProcessor(this);
  }
}

class TableTransformProcessor<K, VIn, VOut> implements Processor<K, Change<VIn>, K, Change<VOut>> {
  private ctx!: ProcessorContext<K, Change<VOut>>;
  private store: TableStore<K, VOut> | undefined;
  private forwarder: TimestampedForwarder<K, VOut> | undefined;

  constructor(private readonly s: TableTransformSupplier<K, VIn, VOut>) {}

  init(c: ProcessorContext<K, Change<VOut>>): void {
    this.ctx = c;
    if (this.s.queryableName !== undefined) {
      this.store = c.getStateStore<TableStore<K, VOut>>(this.s.queryableName);
      this.forwarder = new TimestampedForwarder(this.store, c, this.s.sendOldValues);
    }
  }

  async process(record: Record<K, Change<VIn>>): Promise<void> {
    const s = this.s;
    const newValue = s.compute(record.key, record.value.newValue);
    let oldValue: VOut | null = null;
    if (s.sendOldValues) oldValue = this.store ? ((await this.store.get(record.key))?.value ?? null) : s.compute(record.key, record.value.oldValue);
    if (s.skipWhenBothNull() && s.sendOldValues && oldValue === null && newValue === null) return;
    if (!this.store) return this.ctx.forward(record.withValue(change(newValue, oldValue)));
    await this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
    return this.forwarder!.maybeForward(record.withValue(change(newValue, oldValue)));
  }
}

export class TableFilterSupplier<K, V> extends TableTransformSupplier<K, V, V> {
  constructor(
    parent: TableSupplier,
    queryableName: string | undefined,
    private readonly predicate: (key: K, value: V) => boolean,
    private readonly not: boolean,
  ) {
    super(parent, queryableName);
    // an already materialized parent sends old values for free: no needless tombstones then
    this.sendOldValues = parent.enableSendingOldValues(false);
  }
  compute(key: K, value: V | null): V | null {
    return value !== null && Boolean(this.predicate(key, value)) !== this.not ? value : null;
  }
  override skipWhenBothNull(): boolean {
    return true;
  }
}

export class TableMapValuesSupplier<K, V, VR> extends TableTransformSupplier<K, V, VR> {
  constructor(
    parent: TableSupplier,
    queryableName: string | undefined,
    private readonly mapper: (value: V, key: K) => VR,
  ) {
    super(parent, queryableName);
  }
  compute(key: K, value: V | null): VR | null {
    return value === null ? null : this.mapper(value, key);
  }
}

// ---- toStream ----

export class TableToStreamProcessor<K, V> implements Processor<K, Change<V>, K, V | null> {
  private ctx!: ProcessorContext<K, V | null>;
  init(ctx: ProcessorContext<K, V | null>): void {
    this.ctx = ctx;
  }
  process(record: Record<K, Change<V>>): void | Promise<void> {
    return this.ctx.forward(record.withValue(record.value.newValue));
  }
}

// ---- groupBy: re-key old and new values ----

export class TableRepartitionMapSupplier<K, V, KR, VR> implements ProcessorSupplierObject<K, Change<V>, KR, Change<VR>> {
  constructor(private readonly selector: (key: K, value: V) => KeyValueLike<KR, VR>) {}

  get(): Processor<K, Change<V>, KR, Change<VR>> {
    const selector = this.selector;
    let ctx: ProcessorContext<KR, Change<VR>>;
    return {
      init(c) {
        ctx = c;
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          throw new ProcessingError('the key of a record of the table being grouped is null; table records always have keys');
        }
        const newPair = record.value.newValue === null ? null : toKeyValue(selector(record.key, record.value.newValue), 'groupBy()');
        const oldPair = record.value.oldValue === null ? null : toKeyValue(selector(record.key, record.value.oldValue), 'groupBy()');
        const oldOk = oldPair !== null && oldPair.key !== null && oldPair.key !== undefined && oldPair.value !== null && oldPair.value !== undefined;
        const newOk = newPair !== null && newPair.key !== null && newPair.key !== undefined && newPair.value !== null && newPair.value !== undefined;
        // same new key: one record carries both, so the aggregate sees one update
        if (oldOk && newOk && sameKey(oldPair.key, newPair.key)) return ctx.forward(record.withKey(oldPair.key).withValue(change(newPair.value, oldPair.value)));
        let last: void | Promise<void> = undefined;
        if (oldOk) last = ctx.forward(record.withKey(oldPair.key).withValue(change<VR>(null, oldPair.value))) ?? last;
        if (newOk) last = ctx.forward(record.withKey(newPair.key).withValue(change<VR>(newPair.value, null))) ?? last;
        return last;
      },
    };
  }
}

function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}
