// Owns the processor behind count/reduce/aggregate of a stream windowed by SlidingWindows (Kafka
// Streams' KStreamSlidingWindowAggregate, its reverse-iteration path). Windows are [start, start +
// timeDifference], both ends inclusive, and exist only where records make them distinct: each record
// has a left window ending at it and, when a later record is within reach, a right window starting
// 1 ms after it. A record updates every existing window containing it and creates its own windows
// (and its predecessor's right window) from neighbouring aggregates. Records earlier than the time
// difference all go into the window [0, timeDifference], as in Kafka Streams.
import { TimeWindow, Windowed } from '@sluice/serdes';
import type { ValueAndTimestamp, WindowStoreIterator } from '@sluice/state';
import { IllegalStateError } from '@sluice/common';
import type { Processor } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import { change, type Change } from '../ktable/change.js';
import type { SlidingWindows } from '../windows/sliding-windows.js';
import { dropLateRecord, WindowAggregateSupplier, WindowStoreAggregateProcessor, type WindowFold } from './window-common.js';

/** A window's aggregate; `value` null stands for Kafka's "ValueAndTimestamp.make(null, t) == null". */
type Agg<VA> = ValueAndTimestamp<VA | null> | null;

export class SlidingWindowAggregateSupplier<K, V, VA> extends WindowAggregateSupplier<K, V, VA, SlidingWindows, WindowFold<K, V, VA>> {
  override get(): Processor<K, V, Windowed<K>, Change<VA>> {
    return new SlidingWindowAggregateProcessor(this);
  }
}

interface Found<VA> {
  readonly start: number;
  readonly value: ValueAndTimestamp<VA>;
}

class SlidingWindowAggregateProcessor<K, V, VA> extends WindowStoreAggregateProcessor<K, V, VA, SlidingWindows> {
  private readonly diff: number;

  constructor(s: SlidingWindowAggregateSupplier<K, V, VA>) {
    super(s);
    this.diff = s.windows.timeDifferenceMs();
  }

  override async process(record: Record<K, V>): Promise<void> {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      internalContext(this.ctx).droppedRecord('null key or value (sliding-window aggregations skip such records)');
      return;
    }
    const ts = record.timestamp;
    this.observedStreamTime = Math.max(this.observedStreamTime, ts);
    const closeTime = this.observedStreamTime - this.s.windows.gracePeriodMs();
    if (ts + this.diff < closeTime) {
      dropLateRecord(this.ctx, { timestamp: ts, window: `[${ts},${ts + this.diff}]`, expiration: closeTime, streamTime: this.observedStreamTime });
      return;
    }
    // as Kafka Streams: records before the time difference never trigger final results
    if (ts < this.diff) return this.processEarly(record, closeTime);
    await this.processReverse(record, closeTime);
    await this.maybeForwardFinalResult(record, closeTime);
  }

  /** Sliding windows include their end: a window is closed once its end is before the close time. */
  protected override emitRange(windowCloseTime: number, lastEmit: number): { lower: number; upper: number; fetch: boolean } {
    return { lower: lastEmit === -1 ? 0 : Math.max(0, lastEmit - this.diff), upper: windowCloseTime - this.diff - 1, fetch: true };
  }

  /** Kafka's processReverse: walk the key's windows from the latest start backwards. */
  private async processReverse(record: Record<K, V>, closeTime: number): Promise<void> {
    const ts = record.timestamp;
    const startTimes = new Set<number>();
    const toUpdate: Found<VA>[] = [];
    let leftWinAgg: ValueAndTimestamp<VA> | undefined;
    let rightWinAgg: ValueAndTimestamp<VA> | undefined;
    let leftWinAlreadyCreated = false;
    let rightWinAlreadyCreated = false;
    let previousRecordTimestamp: number | undefined;
    let done = false;
    // updates are applied after the iterator is closed; they only touch windows already visited
    await this.scanBackward(record.key, Math.max(0, ts - 2 * this.diff), ts + 1, (start, value) => {
      startTimes.add(start);
      const end = start + this.diff;
      if (start === ts + 1) {
        rightWinAlreadyCreated = true;
      } else if (end > ts) {
        rightWinAgg ??= value;
        toUpdate.push({ start, value });
      } else if (end === ts) {
        leftWinAlreadyCreated = true;
        toUpdate.push({ start, value });
        if (value.timestamp < ts) previousRecordTimestamp = value.timestamp;
        else done = true;
        return !done;
      } else if (end < ts) {
        leftWinAgg = value;
        previousRecordTimestamp = value.timestamp;
        return false;
      } else {
        throw new IllegalStateError(`unexpected window with start ${start} found when processing a sliding-window record at ${ts}`);
      }
      return true;
    });
    for (const u of toUpdate) await this.updateWindowAndForward(u.start, u.value, record, closeTime);
    if (done) return;
    await this.createWindows(record, closeTime, { startTimes, rightWinAgg, leftWinAgg, leftWinAlreadyCreated, rightWinAlreadyCreated, previousRecordTimestamp });
  }

  /**
   * Kafka's processEarly: a record before the time difference would open a window with a negative
   * start, so all such records share [0, timeDifference]; their right windows are created as usual.
   */
  private async processEarly(record: Record<K, V>, closeTime: number): Promise<void> {
    const ts = record.timestamp;
    const startTimes = new Set<number>();
    const toUpdate: Found<VA>[] = [];
    let combined: Found<VA> | undefined;
    let rightWinAgg: ValueAndTimestamp<VA> | undefined;
    let rightWinAlreadyCreated = false;
    let previousRecordTimestamp: number | undefined;
    await this.scan(this.store.fetch(record.key, 0, ts + 1), (start, value) => {
      startTimes.add(start);
      if (start === 0) {
        combined = { start, value };
        // with a later record in it, the previous record's right window exists already
        if (value.timestamp < ts) previousRecordTimestamp = value.timestamp;
      } else if (start <= ts) {
        rightWinAgg = value;
        toUpdate.push({ start, value });
      } else if (start === ts + 1) {
        rightWinAlreadyCreated = true;
      } else {
        throw new IllegalStateError(`unexpected window with start ${start} found when processing an early sliding-window record at ${ts}`);
      }
      return true;
    });
    for (const u of toUpdate) await this.updateWindowAndForward(u.start, u.value, record, closeTime);
    // Without a right window found, the combined window can only hold records after this one.
    if (rightWinAgg === undefined && combined !== undefined && combined.value.timestamp > ts) rightWinAgg = combined.value;
    if (!rightWinAlreadyCreated && rightWinAgg !== undefined && rightWinAgg.timestamp > ts) await this.createCurrentRecordRightWindow(ts, rightWinAgg, record);
    if (previousRecordTimestamp !== undefined && !startTimes.has(previousRecordTimestamp + 1)) {
      await this.createPreviousRecordRightWindow(previousRecordTimestamp + 1, record, closeTime);
    }
    if (combined === undefined) await this.updateWindowAndForward(0, this.initial(ts), record, closeTime);
    else await this.updateWindowAndForward(combined.start, combined.value, record, closeTime);
  }

  private async createWindows(
    record: Record<K, V>,
    closeTime: number,
    f: {
      startTimes: Set<number>;
      rightWinAgg: ValueAndTimestamp<VA> | undefined;
      leftWinAgg: ValueAndTimestamp<VA> | undefined;
      leftWinAlreadyCreated: boolean;
      rightWinAlreadyCreated: boolean;
      previousRecordTimestamp: number | undefined;
    },
  ): Promise<void> {
    const ts = record.timestamp;
    // the previous record's right window, if missing and this record falls in it
    if (f.previousRecordTimestamp !== undefined) {
      const previousRightWinStart = f.previousRecordTimestamp + 1;
      if (!f.startTimes.has(previousRightWinStart) && previousRightWinStart + this.diff >= ts) {
        await this.createPreviousRecordRightWindow(previousRightWinStart, record, closeTime);
      }
    }
    // this record's left window: the previous record's aggregate if it falls in it, else empty
    if (!f.leftWinAlreadyCreated) {
      const leftNotEmpty = f.previousRecordTimestamp !== undefined && ts - this.diff <= f.previousRecordTimestamp;
      const agg: Agg<VA> = leftNotEmpty && f.leftWinAgg !== undefined ? { value: f.leftWinAgg.value, timestamp: ts } : this.initial(ts);
      await this.updateWindowAndForward(ts - this.diff, agg, record, closeTime);
    }
    // this record's right window, when later records fall in it
    if (!f.rightWinAlreadyCreated && f.rightWinAgg !== undefined && f.rightWinAgg.timestamp > ts) {
      await this.createCurrentRecordRightWindow(ts, f.rightWinAgg, record);
    }
  }

  private async createCurrentRecordRightWindow(ts: number, rightWinAgg: ValueAndTimestamp<VA>, record: Record<K, V>): Promise<void> {
    const start = ts + 1;
    await this.store.put(record.key, rightWinAgg, start);
    await this.maybeForwardUpdate(this.update(record, start, rightWinAgg.value, null, rightWinAgg.timestamp));
  }

  private createPreviousRecordRightWindow(start: number, record: Record<K, V>, closeTime: number): Promise<void> {
    return this.updateWindowAndForward(start, this.initial(record.timestamp), record, closeTime);
  }

  private async updateWindowAndForward(start: number, agg: Agg<VA>, record: Record<K, V>, closeTime: number): Promise<void> {
    const end = start + this.diff;
    if (end < closeTime) {
      dropLateRecord(this.ctx, { timestamp: record.timestamp, window: `[${start},${end}]`, expiration: closeTime, streamTime: this.observedStreamTime });
      return;
    }
    const oldAgg = agg === null ? null : agg.value;
    const newAgg = this.s.fold.aggregator(record.key, record.value, oldAgg);
    const newTimestamp = oldAgg === null ? record.timestamp : Math.max(record.timestamp, agg!.timestamp);
    await this.store.put(record.key, newAgg === null ? null : { value: newAgg, timestamp: newTimestamp }, start);
    await this.maybeForwardUpdate(this.update(record, start, newAgg, oldAgg, newTimestamp));
  }

  /** An empty aggregate stamped `timestamp` (null when the initializer gives null, as for reduce). */
  private initial(timestamp: number): Agg<VA> {
    const value = this.s.fold.initializer();
    return value === null ? null : { value, timestamp };
  }

  private update(record: Record<K, V>, start: number, newAgg: VA | null, oldAgg: VA | null, timestamp: number): Record<Windowed<K>, Change<VA>> {
    return record
      .withKey(new Windowed(record.key, new TimeWindow(start, start + this.diff)))
      .withValue(change(newAgg, this.sendOldValues ? oldAgg : null))
      .withTimestamp(timestamp);
  }

  /**
   * Kafka's reverse walk (latest window start first). The windows are read forward and walked
   * backwards: a backward fetch through the caching layer loses or breaks on entries held on only one
   * side of the cache (state package, merged-iterator.ts). Reading the whole range costs what Kafka's
   * in-order path costs; the results are those of its reverse path.
   */
  private async scanBackward(key: K, from: number, to: number, visit: (start: number, value: ValueAndTimestamp<VA>) => boolean): Promise<void> {
    const found: Found<VA>[] = [];
    await this.scan(this.store.fetch(key, from, to), (start, value) => found.push({ start, value }) > 0);
    for (let i = found.length - 1; i >= 0; i--) if (!visit(found[i]!.start, found[i]!.value)) return;
  }

  /** Visit windows until `visit` returns false; always closes the iterator. */
  private async scan(it: WindowStoreIterator<ValueAndTimestamp<VA>>, visit: (start: number, value: ValueAndTimestamp<VA>) => boolean): Promise<void> {
    try {
      for await (const kv of it) if (!visit(kv.key, kv.value)) break;
    } finally {
      await it.close();
    }
  }
}
