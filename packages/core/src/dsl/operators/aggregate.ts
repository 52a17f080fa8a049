// Owns the processors behind count/reduce/aggregate: on grouped streams (each record folds into the
// key's aggregate) and on grouped tables (the old value is subtracted, the new one added). The
// result timestamp is the highest timestamp that contributed, as in Kafka Streams.
import type { CachedStateStore, TimestampedKeyValueStore, ValueAndTimestamp } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import { change, type Change } from '../ktable/change.js';
import { TimestampedForwarder } from '../ktable/forwarder.js';
import type { TableSupplier } from '../ktable/table-processors.js';
import { storeValueGetter, type TableValueGetterSupplier } from '../ktable/value-getter.js';

type TableStore<K, V> = TimestampedKeyValueStore<K, V> & CachedStateStore<K, ValueAndTimestamp<V>>;

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
    this.store = c.getStateStore<TableStore<K, VA>>(this.s.storeName);
    this.forwarder = new TimestampedForwarder(this.store, c, this.s.sendOldValues);
  }

  async process(record: Record<K, V>): Promise<void> {
    const { ctx, store, forwarder } = this;
    const self = { fold: this.fold, sendOldValues: this.s.sendOldValues };
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      internalContext(ctx).droppedRecord(`null ${record.key === null || record.key === undefined ? 'key' : 'value'} (aggregations skip such records)`);
      return;
    }
    const old = await store.get(record.key);
    let newAgg: VA;
    let oldAgg: VA | null;
    let timestamp: number;
    if ('reducer' in self.fold) {
      oldAgg = old?.value ?? null;
      newAgg = old === undefined ? (record.value as unknown as VA) : (self.fold.reducer(old.value as V & VA, record.value as V & VA) as VA);
      timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    } else {
      // as Kafka Streams: with no aggregate yet, the initializer's value is the "old" one
      oldAgg = old === undefined ? self.fold.initializer() : old.value;
      timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
      newAgg = self.fold.aggregator(record.key, record.value, oldAgg);
    }
    await store.put(record.key, { value: newAgg, timestamp });
    return forwarder.maybeForward(record.withValue(change(newAgg, self.sendOldValues ? oldAgg : null)).withTimestamp(timestamp));
  }
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
    this.store = c.getStateStore<TableStore<K, VA>>(this.s.storeName);
    this.forwarder = new TimestampedForwarder(this.store, c, this.s.sendOldValues);
  }

  async process(record: Record<K, Change<V>>): Promise<void> {
    const { store, forwarder, fold } = this;
    const self = { sendOldValues: this.s.sendOldValues };
    const old = await store.get(record.key);
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
    await store.put(record.key, agg === null ? null : { value: agg, timestamp });
    return forwarder.maybeForward(record.withValue(change(agg, self.sendOldValues ? oldAgg : null)).withTimestamp(timestamp));
  }
}
