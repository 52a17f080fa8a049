// Owns what the windowed aggregation processors share: the contract by which suppress() finds the
// grace period of the windowed aggregation upstream, the fold and the supplier of every windowed
// aggregation, the set-up of the processors writing a timestamped window store, the session-store
// forwarder (results stamped with the session end, as Kafka Streams' SessionCacheFlushListener
// does), and the late-record drop.
import type { CachedStateStore, TimestampedWindowStore, ValueAndTimestamp } from '@sluice/state';
import type { Windowed } from '@sluice/serdes';
import { Record } from '../../processor/record.js';
import { Headers } from '../../processor/headers.js';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import { internalContext } from '../../engine/node-context.js';
import type { Change } from '../ktable/change.js';
import { TimestampedForwarder } from '../ktable/forwarder.js';
import type { TableSupplier } from '../ktable/table-processors.js';
import type { Aggregator, Initializer } from './aggregate.js';
import { WindowCloseEmitter } from './window-close-emitter.js';

export type WindowStoreOf<K, VA> = TimestampedWindowStore<K, VA> & CachedStateStore<Windowed<K>, ValueAndTimestamp<VA>>;

/**
 * The fold of a windowed aggregation. A null aggregate means "none yet": reduce() starts from null
 * and takes the first value as is, exactly as Kafka Streams' aggregatorForReducer does.
 */
export interface WindowFold<K, V, VA> {
  readonly initializer: Initializer<VA | null>;
  readonly aggregator: Aggregator<K, V, VA | null>;
}

/** A windowed aggregation: suppress(untilWindowCloses) waits this long past a window's end. */
export interface WindowedTableSupplier extends TableSupplier {
  /** Grace period (time windows) or inactivity gap + grace (sessions), as Kafka's GraphGraceSearchUtil. */
  windowCloseDelayMs(): number;
}

export function isWindowedTableSupplier(s: unknown): s is WindowedTableSupplier {
  return typeof (s as Partial<WindowedTableSupplier> | null)?.windowCloseDelayMs === 'function';
}

/**
 * The supplier of a windowed aggregation over windows `W` with fold `F`. Results wait for
 * suppress(untilWindowCloses) the grace period past a window's end unless a subclass says otherwise.
 */
export abstract class WindowAggregateSupplier<K, V, VA, W extends { gracePeriodMs(): number }, F> implements ProcessorSupplierObject<K, V, Windowed<K>, Change<VA>>, WindowedTableSupplier {
  sendOldValues = false;
  /** ON_WINDOW_CLOSE: one final result per window, when it closes (set by the DSL before running). */
  emitOnClose = false;

  constructor(
    readonly storeName: string,
    readonly windows: W,
    readonly fold: F,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  windowCloseDelayMs(): number {
    return this.windows.gracePeriodMs();
  }

  abstract get(): Processor<K, V, Windowed<K>, Change<VA>>;
}

/** A processor writing a timestamped window store (time and sliding windows): its state and set-up. */
export abstract class WindowStoreAggregateProcessor<K, V, VA, W extends { gracePeriodMs(): number }> implements Processor<K, V, Windowed<K>, Change<VA>> {
  protected ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
  protected store!: WindowStoreOf<K, VA>;
  protected forwarder!: TimestampedForwarder<Windowed<K>, VA>;
  protected sendOldValues = false;
  /** Highest timestamp this processor has seen (Kafka: observedStreamTime, -1 before any record). */
  protected observedStreamTime = -1;

  constructor(protected readonly s: WindowAggregateSupplier<K, V, VA, W, WindowFold<K, V, VA>>) {}

  /** Emit-on-close bookkeeping; undefined when every update is emitted. */
  protected emitter: WindowCloseEmitter | undefined;

  async init(ctx: ProcessorContext<Windowed<K>, Change<VA>>): Promise<void> {
    this.ctx = ctx;
    this.sendOldValues = this.s.sendOldValues;
    this.store = ctx.getStateStore<WindowStoreOf<K, VA>>(this.s.storeName);
    if (this.s.emitOnClose) {
      // final results are forwarded by the scan of closed windows, never by the cache
      this.emitter = new WindowCloseEmitter(this.s.storeName);
      await this.emitter.init(ctx as ProcessorContext<unknown, unknown>);
    } else {
      this.forwarder = new TimestampedForwarder(this.store, ctx, this.sendOldValues);
    }
  }

  abstract process(record: Record<K, V>): Promise<void>;

  /** An update of one window: forwarded unless results wait for the window to close (Kafka's maybeForwardUpdate). */
  protected maybeForwardUpdate(record: Record<Windowed<K>, Change<VA>>): void | Promise<void> {
    if (this.emitter) return undefined;
    return this.forwarder.maybeForward(record);
  }

  /** Window starts [lower, upper] whose windows are closed at `windowCloseTime`; none when lower > upper. */
  protected abstract emitRange(windowCloseTime: number, lastEmitWindowCloseTime: number): { lower: number; upper: number; fetch: boolean };

  /**
   * Kafka's maybeForwardFinalResult: when allowed, forward every window closed since the last emit,
   * as time-ordered as Kafka's time-ordered store returns them (start, then key bytes).
   */
  protected async maybeForwardFinalResult(record: Record<K, V>, windowCloseTime: number): Promise<void> {
    const emitter = this.emitter;
    if (!emitter || !emitter.shouldEmit(windowCloseTime, this.ctx.currentSystemTimeMs())) return;
    const { lower, upper, fetch } = this.emitRange(windowCloseTime, emitter.lastEmitWindowCloseTime);
    if (upper < 0 || !fetch) return;
    const closed: { key: Windowed<K>; value: ValueAndTimestamp<VA> }[] = [];
    const it = this.store.fetchAll(lower, upper);
    try {
      for await (const kv of it) closed.push(kv);
    } finally {
      await it.close();
    }
    closed.sort((a, b) => a.key.window.start - b.key.window.start);
    for (const kv of closed) {
      await this.ctx.forward(record.withKey(kv.key).withValue({ newValue: kv.value.value, oldValue: null }).withTimestamp(kv.value.timestamp).withHeaders(record.headers));
    }
    await emitter.emitted(windowCloseTime);
  }
}

/** Forwards session aggregates: through the cache's flush when caching, else each update. */
export class SessionForwarder<K, V> {
  private readonly caching: boolean;

  constructor(
    store: CachedStateStore<Windowed<K>, V>,
    private readonly ctx: ProcessorContext<Windowed<K>, Change<V>>,
    private readonly sendOldValues: boolean,
  ) {
    this.caching = store.setFlushListener(
      (r) =>
        ctx.forward(
          new Record(r.key, { newValue: r.newValue ?? null, oldValue: sendOldValues ? (r.oldValue ?? null) : null }, r.key.window.end, r.recordContext instanceof Headers ? r.recordContext : undefined),
        ),
      sendOldValues,
    );
  }

  /** The update of one session; the record is stamped with the session's end. */
  maybeForward(key: Windowed<K>, newValue: V | null, oldValue: V | null, headers?: Headers): void | Promise<void> {
    if (this.caching) return undefined;
    return this.ctx.forward(new Record(key, { newValue, oldValue: this.sendOldValues ? oldValue : null }, key.window.end, headers));
  }
}

/** Count and log (at debug, as the issue asks; Kafka logs at warn) a record too late for a window. */
export function dropLateRecord(ctx: unknown, detail: { timestamp: number; window: string; expiration: number; streamTime: number }): void {
  internalContext(ctx).droppedRecord(
    `record for expired window: timestamp=[${detail.timestamp}] window=${detail.window} expiration=[${detail.expiration}] streamTime=[${detail.streamTime}]`,
    'debug',
  );
}
