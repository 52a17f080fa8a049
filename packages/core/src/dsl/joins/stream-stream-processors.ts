// Owns the processors of a stream-stream join (Kafka Streams' KStreamJoinWindow and
// KStreamKStreamJoin, 3.1+): each side's records go into that side's window store after they were
// joined with the other side's store; a left/outer join keeps records without a partner in the
// shared outer-join store and emits them only once their window has closed (stream time past the
// window's end + grace), so no result is ever emitted and later contradicted.
import { windowFetchSync, type WindowFetchSync, type WindowStore } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import type { JoinWindows } from './join-windows.js';
import type { LeftOrRightValue, OuterJoinStore, TimestampedKeyAndJoinSide } from './outer-join-store.js';
import type { ValueJoinerWithKey } from './value-joiner.js';

/** Kafka's internal setting that throttles how often unmatched records are looked for (wall-clock ms). */
export const EMIT_INTERVAL_CONFIG = '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__';

/** Java's Long.MAX_VALUE: the "no unmatched record yet" minimum time. */
const LONG_MAX = Number.MAX_SAFE_INTEGER;

/**
 * Stream time as both sides of one join see it in one task (the largest timestamp either side
 * processed), the earliest time of a record in the outer-join store, and the emit throttle.
 */
export class TimeTracker {
  emitIntervalMs = 1000;
  streamTime = -1;
  minTime = LONG_MAX;
  nextTimeToEmit = 0;

  advanceStreamTime(timestamp: number): void {
    this.streamTime = Math.max(this.streamTime, timestamp);
  }

  updatedMinTime(timestamp: number): void {
    this.minTime = Math.min(this.minTime, timestamp);
  }
}

/** One TimeTracker per task, shared by the two sides of a join. */
export class TimeTrackers {
  private readonly byTask = new Map<string, TimeTracker>();

  get(taskId: string): TimeTracker {
    let t = this.byTask.get(taskId);
    if (!t) this.byTask.set(taskId, (t = new TimeTracker()));
    return t;
  }

  remove(taskId: string): void {
    this.byTask.delete(taskId);
  }
}

/** Forwards each record, then keeps it (when it has a key) in its side's window store. */
export class JoinWindowSupplier<K, V> implements ProcessorSupplierObject<K, V, K, V> {
  constructor(private readonly storeName: string) {}

  get(): Processor<K, V, K, V> {
    const storeName = this.storeName;
    let ctx: ProcessorContext<K, V>;
    let store: WindowStore<K, V>;
    return {
      init(c) {
        ctx = c;
        store = c.getStateStore<WindowStore<K, V>>(storeName);
      },
      async process(record) {
        await ctx.forward(record);
        // every record starts a window of its own; the store is there mostly for its retention
        if (record.key !== null && record.key !== undefined) await store.put(record.key, record.value, record.timestamp);
      },
    };
  }
}

export interface StreamStreamJoinSpec<K, VThis, VOther, VOut> {
  readonly otherStoreName: string;
  readonly outerStoreName: string | undefined;
  readonly windows: JoinWindows;
  /** Called with (this side's value, the other side's value, key); the right side's is reversed. */
  readonly joiner: ValueJoinerWithKey<K, VThis | null, VOther | null, VOut>;
  /** Whether this side's unmatched records are emitted (left side of left/outer, right side of outer). */
  readonly outer: boolean;
  readonly leftSide: boolean;
  readonly trackers: TimeTrackers;
}

export class StreamStreamJoinSupplier<K, VThis, VOther, VOut> implements ProcessorSupplierObject<K, VThis, K, VOut> {
  constructor(private readonly spec: StreamStreamJoinSpec<K, VThis, VOther, VOut>) {}

  get(): Processor<K, VThis, K, VOut> {
    return new StreamStreamJoinProcessor(this.spec);
  }
}

class StreamStreamJoinProcessor<K, VThis, VOther, VOut> implements Processor<K, VThis, K, VOut> {
  private ctx!: ProcessorContext<K, VOut>;
  private otherStore!: WindowStore<K, VOther>;
  /** The other store's synchronous fetch, when it has one (its segments in memory). */
  private otherSync: WindowFetchSync<K, VOther> | undefined;
  private outerStore: OuterJoinStore<K, unknown, unknown> | undefined;
  private tracker!: TimeTracker;
  /** How far back and ahead the other side's records join; the right side sees the window mirrored. */
  private readonly joinBeforeMs: number;
  private readonly joinAfterMs: number;

  constructor(private readonly s: StreamStreamJoinSpec<K, VThis, VOther, VOut>) {
    this.joinBeforeMs = s.leftSide ? s.windows.beforeMs : s.windows.afterMs;
    this.joinAfterMs = s.leftSide ? s.windows.afterMs : s.windows.beforeMs;
  }

  init(ctx: ProcessorContext<K, VOut>): void {
    this.ctx = ctx;
    this.otherStore = ctx.getStateStore(this.s.otherStoreName);
    this.otherSync = windowFetchSync<K, VOther>(this.otherStore);
    this.tracker = this.s.trackers.get(ctx.taskId);
    if (this.s.outerStoreName !== undefined) {
      this.outerStore = ctx.getStateStore(this.s.outerStoreName);
      const interval = Number(ctx.appConfigs[EMIT_INTERVAL_CONFIG] ?? 1000);
      this.tracker.emitIntervalMs = Number.isFinite(interval) ? interval : 1000;
    }
  }

  close(): void {
    this.s.trackers.remove(this.ctx.taskId);
  }

  async process(record: Record<K, VThis>): Promise<void> {
    const { tracker, s } = this;
    const timestamp = record.timestamp;
    tracker.advanceStreamTime(timestamp);
    const key = record.key;
    if (s.outer && (key === null || key === undefined) && record.value !== null && record.value !== undefined) {
      return this.ctx.forward(record.withValue(s.joiner(record.value, null, key)));
    }
    if (key === null || key === undefined || record.value === null || record.value === undefined) {
      internalContext(this.ctx).droppedRecord('null key or value (a stream-stream join skips such records)');
      return;
    }
    if (this.outerStore && timestamp === tracker.streamTime) await this.emitNonJoinedOuterRecords(this.outerStore, record);

    const timeFrom = Math.max(0, timestamp - this.joinBeforeMs);
    const timeTo = Math.max(0, timestamp + this.joinAfterMs);
    let matched = false;
    const found = this.otherSync?.fetchSync(key, timeFrom, timeTo);
    if (found !== undefined) {
      // the other side's segments are in memory: no iterator, and no promise unless a step needs one
      for (const other of found) {
        matched = true;
        const joined = this.joinWith(record, key, other.key, other.value);
        if (joined !== undefined) await joined;
      }
    } else {
      const it = this.otherStore.fetch(key, timeFrom, timeTo);
      try {
        for await (const other of it) {
          matched = true;
          const joined = this.joinWith(record, key, other.key, other.value);
          if (joined !== undefined) await joined;
        }
      } finally {
        await it.close();
      }
    }
    if (!s.outer || matched) return;
    // a record too late to still find a partner is emitted at once; the others wait in the outer store
    if (!this.outerStore || timeTo < tracker.streamTime) {
      await this.ctx.forward(record.withValue(s.joiner(record.value, null, key)));
    } else {
      tracker.updatedMinTime(timestamp);
      const thisKey: TimestampedKeyAndJoinSide<K> = { key, timestamp, leftSide: s.leftSide };
      const value: LeftOrRightValue<unknown, unknown> = s.leftSide ? { left: record.value, right: null } : { left: null, right: record.value };
      const list = (await this.outerStore.get(thisKey)) ?? [];
      await this.outerStore.put(thisKey, [...list, value]);
    }
  }

  /** Forwards this record joined with one of the other side's (at `otherTime`); a partner waiting unmatched is taken out first. */
  private joinWith(record: Record<K, VThis>, key: K, otherTime: number, otherValue: VOther): Promise<void> | void {
    const value = this.s.joiner(record.value as VThis, otherValue, key);
    const out = record.withValue(value).withTimestamp(Math.max(record.timestamp, otherTime));
    if (this.outerStore === undefined) return this.ctx.forward(out);
    return this.forwardAfterUnmarking(this.outerStore, key, otherTime, out);
  }

  private async forwardAfterUnmarking(outerStore: OuterJoinStore<K, unknown, unknown>, key: K, otherTime: number, out: Record<K, VOut>): Promise<void> {
    // the partner waiting in the outer-join store has a result now: it must not be emitted unmatched
    const otherKey: TimestampedKeyAndJoinSide<K> = { key, timestamp: otherTime, leftSide: !this.s.leftSide };
    if ((await outerStore.get(otherKey)) !== undefined) await outerStore.put(otherKey, null);
    await this.ctx.forward(out);
  }

  /**
   * Emits the unmatched records whose window has closed, oldest first, and deletes them. Kafka scans
   * at most once per emit interval (wall clock) and only when some record might be due.
   */
  private async emitNonJoinedOuterRecords(store: OuterJoinStore<K, unknown, unknown>, record: Record<K, VThis>): Promise<void> {
    const { tracker, s } = this;
    const graceMs = s.windows.gracePeriodMs();
    // Java adds to Long.MAX_VALUE and overflows (negative) when nothing was stored since the task
    // started; the scan then happens. Reproduced, so a restarted task emits what its store holds.
    const noneYet = tracker.minTime === LONG_MAX;
    const mightBeDue = noneYet ? this.joinAfterMs + graceMs > 0 : tracker.minTime + this.joinAfterMs + graceMs < tracker.streamTime;
    if (!mightBeDue) return;
    const now = this.ctx.currentSystemTimeMs();
    if (now < tracker.nextTimeToEmit) return;
    tracker.nextTimeToEmit = now + tracker.emitIntervalMs;
    tracker.minTime = LONG_MAX;

    let prevKey: TimestampedKeyAndJoinSide<K> | undefined;
    let leftWindowOpen = false;
    let rightWindowOpen = false;
    const it = store.all();
    try {
      for await (const { key: storeKey, value: list } of it) {
        tracker.minTime = storeKey.timestamp;
        if (leftWindowOpen && rightWindowOpen) break;
        // entries come by time, then side: a side whose window is still open has nothing due after it
        const lookBackMs = storeKey.leftSide ? s.windows.afterMs : s.windows.beforeMs;
        if (tracker.minTime + lookBackMs + graceMs >= tracker.streamTime) {
          if (storeKey.leftSide) leftWindowOpen = true;
          else rightWindowOpen = true;
          continue;
        }
        for (const value of list) {
          const thisValue = s.leftSide ? value.left : value.right;
          const otherValue = s.leftSide ? value.right : value.left;
          const joined = s.joiner(thisValue as VThis | null, otherValue as VOther | null, storeKey.key);
          await this.ctx.forward(record.withKey(storeKey.key).withValue(joined).withTimestamp(storeKey.timestamp));
        }
        // deleted once the next key shows up, so a failure in between re-emits rather than loses them
        if (prevKey !== undefined && !sameStoreKey(prevKey, storeKey)) await store.put(prevKey, null);
        prevKey = storeKey;
      }
    } finally {
      await it.close();
    }
    if (prevKey !== undefined) await store.put(prevKey, null);
  }
}

function sameStoreKey<K>(a: TimestampedKeyAndJoinSide<K>, b: TimestampedKeyAndJoinSide<K>): boolean {
  return a.timestamp === b.timestamp && a.leftSide === b.leftSide && (a.key === b.key || JSON.stringify(a.key) === JSON.stringify(b.key));
}
