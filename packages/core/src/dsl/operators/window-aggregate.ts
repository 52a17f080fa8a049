// Owns the processor behind count/reduce/aggregate of a stream windowed by TimeWindows (Kafka
// Streams' KStreamWindowAggregate). Each record updates every window it falls in, unless the window
// has closed: stream time, as observed by this processor, is past the window's end + grace. A record
// too late for a window is dropped for that window (and counted once per window). A window's result
// carries the highest timestamp of the records in it.
import { Windowed } from '@sluice/serdes';
import type { Processor } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import { change, type Change } from '../ktable/change.js';
import type { TimeWindows } from '../windows/time-windows.js';
import { dropLateRecord, WindowAggregateSupplier, WindowStoreAggregateProcessor, type WindowFold } from './window-common.js';

export class TimeWindowAggregateSupplier<K, V, VA> extends WindowAggregateSupplier<K, V, VA, TimeWindows, WindowFold<K, V, VA>> {
  override get(): Processor<K, V, Windowed<K>, Change<VA>> {
    return new TimeWindowAggregateProcessor(this);
  }
}

class TimeWindowAggregateProcessor<K, V, VA> extends WindowStoreAggregateProcessor<K, V, VA, TimeWindows> {
  override async process(record: Record<K, V>): Promise<void> {
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
      await this.maybeForwardUpdate(
        record
          .withKey(new Windowed(record.key, window))
          .withValue(change(newAgg, this.sendOldValues ? oldAgg : null))
          .withTimestamp(newTimestamp),
      );
    }
    await this.maybeForwardFinalResult(record, windowCloseTime);
  }

  /** Kafka's bounds: windows end exclusively, so the first start not yet emitted is one past the last emitted. */
  protected override emitRange(windowCloseTime: number, lastEmit: number): { lower: number; upper: number; fetch: boolean } {
    const { windows } = this.s;
    const size = windows.size();
    const upper = windowCloseTime - size;
    const lower = lastEmit === -1 ? 0 : Math.max(0, lastEmit - size) + 1;
    // nothing new to emit while the close time has not reached another window's end
    const fetch = lastEmit === -1 || !sameWindows(windows.windowsFor(upper), windows.windowsFor(lower - 1));
    return { lower, upper, fetch };
  }
}

function sameWindows(a: Map<number, unknown>, b: Map<number, unknown>): boolean {
  return a.size === b.size && [...a.keys()].every((start) => b.has(start));
}
