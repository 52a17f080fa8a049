// Owns the processor behind count/reduce/aggregate of a stream windowed by TimeWindows (Kafka
// Streams' KStreamWindowAggregate). Each record updates every window it falls in, unless the window
// has closed: stream time, as observed by this processor, is past the window's end + grace. A record
// too late for a window is dropped for that window (and counted once per window). A window's result
// carries the highest timestamp of the records in it.
import { Windowed } from '@sluice/serdes';
import type { CachedStateStore, TimestampedWindowStore, ValueAndTimestamp } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import { change, type Change } from '../ktable/change.js';
import { TimestampedForwarder } from '../ktable/forwarder.js';
import type { TimeWindows } from '../windows/time-windows.js';
import type { Aggregator, Initializer } from './aggregate.js';
import { dropLateRecord, type WindowedTableSupplier } from './window-common.js';

export type WindowStoreOf<K, VA> = TimestampedWindowStore<K, VA> & CachedStateStore<Windowed<K>, ValueAndTimestamp<VA>>;

/**
 * The fold of a windowed aggregation. A null aggregate means "none yet": reduce() starts from null
 * and takes the first value as is, exactly as Kafka Streams' aggregatorForReducer does.
 */
export interface WindowFold<K, V, VA> {
  readonly initializer: Initializer<VA | null>;
  readonly aggregator: Aggregator<K, V, VA | null>;
}

export class TimeWindowAggregateSupplier<K, V, VA> implements ProcessorSupplierObject<K, V, Windowed<K>, Change<VA>>, WindowedTableSupplier {
  sendOldValues = false;

  constructor(
    readonly storeName: string,
    readonly windows: TimeWindows,
    readonly fold: WindowFold<K, V, VA>,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  windowCloseDelayMs(): number {
    return this.windows.gracePeriodMs();
  }

  get(): Processor<K, V, Windowed<K>, Change<VA>> {
    return new TimeWindowAggregateProcessor(this);
  }
}

class TimeWindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: WindowStoreOf<K, VA>;
  private forwarder!: TimestampedForwarder<Windowed<K>, VA>;
  private sendOldValues = false;
  /** Highest timestamp this processor has seen (Kafka: observedStreamTime, -1 before any record). */
  private observedStreamTime = -1;

  constructor(private readonly s: TimeWindowAggregateSupplier<K, V, VA>) {}

  init(ctx: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.ctx = ctx;
    this.sendOldValues = this.s.sendOldValues;
    this.store = ctx.getStateStore<WindowStoreOf<K, VA>>(this.s.storeName);
    this.forwarder = new TimestampedForwarder(this.store, ctx, this.sendOldValues);
  }

  async process(record: Record<K, V>): Promise<void> {
    if (record.key === null || record.key === undefined) {
      internalContext(this.ctx).droppedRecord('null key (windowed aggregations skip such records)');
      return;
    }
    const { windows, fold } = this.s;
    const timestamp = record.timestamp;
    this.observedStreamTime = Math.max(this.observedStreamTime, timestamp);
    const windowCloseTime = this.observedStreamTime - windows.gracePeriodMs();
    for (const [windowStart, window] of windows.windowsFor(timestamp)) {
      if (window.end <= windowCloseTime) {
        dropLateRecord(this.ctx, { timestamp, window: `[${windowStart},${window.end})`, expiration: windowCloseTime, streamTime: this.observedStreamTime });
        continue;
      }
      const old = await this.store.fetch(record.key, windowStart);
      let oldAgg: VA | null;
      let newTimestamp: number;
      if (old === undefined) {
        oldAgg = fold.initializer();
        newTimestamp = timestamp;
      } else {
        oldAgg = old.value;
        newTimestamp = Math.max(timestamp, old.timestamp);
      }
      const newAgg = fold.aggregator(record.key, record.value, oldAgg);
      await this.store.put(record.key, newAgg === null ? null : { value: newAgg, timestamp: newTimestamp }, windowStart);
      await this.forwarder.maybeForward(
        record
          .withKey(new Windowed(record.key, window))
          .withValue(change(newAgg, this.sendOldValues ? oldAgg : null))
          .withTimestamp(newTimestamp),
      );
    }
  }
}
