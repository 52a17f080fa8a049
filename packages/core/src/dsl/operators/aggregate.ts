// Owns the processors behind count/reduce/aggregate: on grouped streams (each record folds into the
// key's aggregate) and on grouped tables (the old value is subtracted, the new one added). The
// result timestamp is the highest timestamp that contributed, as in Kafka Streams. A key found in
// the store's record cache is folded without a promise; a miss reads the store first.
import { CACHE_MISS, type ValueAndTimestamp } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import { change, type Change } from '../ktable/change.js';
import type { TimestampedForwarder } from '../ktable/forwarder.js';
import type { TableSupplier } from '../ktable/table-processors.js';
import { PUT_IS_LATEST, PUT_NOT_PUT, TableStore } from '../ktable/table-store.js';
import { storeValueGetter, type TableValueGetterSupplier } from '../ktable/value-getter.js';

export type Initializer<VA> = () => VA;
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;
export type Reducer<V> = (aggregate: V, value: V) => V;

/** KGroupedStream.aggregate / count (reduce has no initializer: the first value is the aggregate). */
export class StreamAggregateSupplier<K, V, VA> implements ProcessorSupplierObject<K, V, K, Change<VA>>, TableSupplier {
  sendOldValues = false;

  constructor(
    readonly storeName: string,
    private readonly fold: { initializer: Initializer<VA>; aggregator: Aggregator<K, V, VA> } | { reducer: Reducer<V & VA> },
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  view(): TableValueGetterSupplier<K, VA> {
    return storeValueGetter<K, VA>(this.storeName);
  }

  get(): Processor<K, V, K, Change<VA>> {
    return new StreamAggregateProcessor(this, this.fold);
  }
}

class StreamAggregateProcessor<K, V, VA> implements Processor<K, V, K, Change<VA>> {
  private ctx!: ProcessorContext<K, Change<VA>>;
  private store!: TableStore<K, VA>;
  private forwarder!: TimestampedForwarder<K, VA>;

  constructor(
    private readonly s: StreamAggregateSupplier<K, V, VA>,
    private readonly fold: { initializer: Initializer<VA>; aggregator: Aggregator<K, V, VA> } | { reducer: Reducer<V & VA> },
  ) {}

  init(c: ProcessorContext<K, Change<VA>>): void {
    this.ctx = c;
    this.store = TableStore.of(c, this.s.storeName);
    this.forwarder = this.store.forwarder(c, this.s.sendOldValues);
  }

  process(record: Record<K, V>): void | Promise<void> {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      internalContext(this.ctx).droppedRecord(`null ${record.key === null || record.key === undefined ? 'key' : 'value'} (aggregations skip such records)`);
      return;
    }
    const hit = this.store.cachedGet(record.key);
    if (hit === CACHE_MISS) return this.store.get(record.key).then((old) => this.update(record, old));
    return this.update(record, hit);
  }

  private update(record: Record<K, V>, old: ValueAndTimestamp<VA> | undefined): void | Promise<void> {
    const fold = this.fold;
    let newAgg: VA;
    let oldAgg: VA | null;
    const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    if ('reducer' in fold) {
      oldAgg = old?.value ?? null;
      newAgg = old === undefined ? (record.value as unknown as VA) : (fold.reducer(old.value as V & VA, record.value as V & VA) as VA);
    } else {
      // as Kafka Streams: with no aggregate yet, the initializer's value is the "old" one
      oldAgg = old === undefined ? fold.initializer() : old.value;
      newAgg = fold.aggregator(record.key, record.value, oldAgg);
    }
    return writeAndForward(this.store, this.forwarder, record.withValue(change(newAgg, this.s.sendOldValues ? oldAgg : null)).withTimestamp(timestamp));
  }
}

/** Writes the result's new value (into the cache without a promise when it can) and forwards it. */
function writeAndForward<K, VA>(store: TableStore<K, VA>, forwarder: TimestampedForwarder<K, VA>, result: Record<K, Change<VA>>): void | Promise<void> {
  const emit = (code: number): void | Promise<void> => {
    if (code === PUT_NOT_PUT) return;
    const isLatest = code === PUT_IS_LATEST;
    return forwarder.maybeForward(isLatest ? result : result.withValue(change(result.value.newValue, result.value.oldValue, false)));
  };
  const code = store.write(result.key, result.value.newValue, result.timestamp);
  return typeof code === 'number' ? emit(code) : code.then(emit);
}

/** KGroupedTable.aggregate / count / reduce: subtract the old value, add the new one. */
export class TableAggregateSupplier<K, V, VA> implements ProcessorSupplierObject<K, Change<V>, K, Change<VA>>, TableSupplier {
  sendOldValues = false;

  constructor(
    readonly storeName: string,
    private readonly fold:
      | { initializer: Initializer<VA>; adder: Aggregator<K, V, VA>; subtractor: Aggregator<K, V, VA> }
      | { adder: Reducer<V & VA>; subtractor: Reducer<V & VA> },
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  view(): TableValueGetterSupplier<K, VA> {
    return storeValueGetter<K, VA>(this.storeName);
  }

  get(): Processor<K, Change<V>, K, Change<VA>> {
    return new TableAggregateProcessor(this, this.fold);
  }
}

class TableAggregateProcessor<K, V, VA> implements Processor<K, Change<V>, K, Change<VA>> {
  private store!: TableStore<K, VA>;
  private forwarder!: TimestampedForwarder<K, VA>;

  constructor(
    private readonly s: TableAggregateSupplier<K, V, VA>,
    private readonly fold:
      | { initializer: Initializer<VA>; adder: Aggregator<K, V, VA>; subtractor: Aggregator<K, V, VA> }
      | { adder: Reducer<V & VA>; subtractor: Reducer<V & VA> },
  ) {}

  init(c: ProcessorContext<K, Change<VA>>): void {
    this.store = TableStore.of(c, this.s.storeName);
    this.forwarder = this.store.forwarder(c, this.s.sendOldValues);
  }

  process(record: Record<K, Change<V>>): void | Promise<void> {
    const hit = this.store.cachedGet(record.key);
    if (hit === CACHE_MISS) return this.store.get(record.key).then((old) => this.update(record, old));
    return this.update(record, hit);
  }

  private update(record: Record<K, Change<V>>, old: ValueAndTimestamp<VA> | undefined): void | Promise<void> {
    const fold = this.fold;
    const oldAgg = old?.value ?? null;
    let timestamp = record.timestamp;
    let agg: VA | null = oldAgg;
    if (record.value.oldValue !== null && oldAgg !== null) {
      agg = 'initializer' in fold ? fold.subtractor(record.key, record.value.oldValue, oldAgg) : (fold.subtractor(oldAgg as V & VA, record.value.oldValue as V & VA) as VA);
      timestamp = Math.max(record.timestamp, old!.timestamp);
    }
    if (record.value.newValue !== null) {
      if ('initializer' in fold) agg = fold.adder(record.key, record.value.newValue, agg ?? fold.initializer());
      else agg = agg === null ? (record.value.newValue as unknown as VA) : (fold.adder(agg as V & VA, record.value.newValue as V & VA) as VA);
      if (old !== undefined) timestamp = Math.max(record.timestamp, old.timestamp);
    }
    return writeAndForward(this.store, this.forwarder, record.withValue(change(agg, this.s.sendOldValues ? oldAgg : null)).withTimestamp(timestamp));
  }
}
