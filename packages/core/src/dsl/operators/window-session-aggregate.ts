// Owns the processor behind count/reduce/aggregate of a stream windowed by SessionWindows (Kafka
// Streams' KStreamSessionWindowAggregate). A record starts the session [t, t], or joins every session
// of its key within the inactivity gap: those are merged (merger called, old sessions removed and a
// tombstone sent for each) into one session spanning them all. A record whose (merged) session ended
// before stream time - gap - grace is dropped. Results are stamped with the session's end.
import { SessionWindow, Windowed } from '@sluice/serdes';
import type { CachedStateStore, SessionStore } from '@sluice/state';
import type { Processor, ProcessorContext } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import type { Change } from '../ktable/change.js';
import type { SessionWindows } from '../windows/session-windows.js';
import { dropLateRecord, SessionForwarder, WindowAggregateSupplier, type WindowFold } from './window-common.js';
import { WindowCloseEmitter } from './window-close-emitter.js';

export type Merger<K, VA> = (key: K, aggOne: VA, aggTwo: VA) => VA;

type SessionStoreOf<K, VA> = SessionStore<K, VA> & CachedStateStore<Windowed<K>, VA>;

export class SessionWindowAggregateSupplier<K, V, VA> extends WindowAggregateSupplier<K, V, VA, SessionWindows, WindowFold<K, V, VA> & { readonly merger: Merger<K, VA | null> }> {
  /** A session can still grow by a record up to the inactivity gap after its end, then the grace period. */
  override windowCloseDelayMs(): number {
    return this.windows.gracePeriodMs() + this.windows.inactivityGap();
  }

  override get(): Processor<K, V, Windowed<K>, Change<VA>> {
    return new SessionWindowAggregateProcessor(this);
  }
}

class SessionWindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: SessionStoreOf<K, VA>;
  private forwarder: SessionForwarder<K, VA> | undefined;
  /** Emit-on-close bookkeeping; undefined when every update is emitted. */
  private emitter: WindowCloseEmitter | undefined;
  private observedStreamTime = -1;

  constructor(private readonly s: SessionWindowAggregateSupplier<K, V, VA>) {}

  async init(ctx: ProcessorContext<Windowed<K>, Change<VA>>): Promise<void> {
    this.ctx = ctx;
    this.store = ctx.getStateStore<SessionStoreOf<K, VA>>(this.s.storeName);
    if (this.s.emitOnClose) {
      this.emitter = new WindowCloseEmitter(this.s.storeName);
      await this.emitter.init(ctx as ProcessorContext<unknown, unknown>);
    } else {
      this.forwarder = new SessionForwarder(this.store, ctx, this.s.sendOldValues);
    }
  }

  async process(record: Record<K, V>): Promise<void> {
    const key = record.key;
    if (key === null || key === undefined) {
      internalContext(this.ctx).droppedRecord('null key (session aggregations skip such records)');
      return;
    }
    const { windows, fold } = this.s;
    const ts = record.timestamp;
    this.observedStreamTime = Math.max(this.observedStreamTime, ts);
    const closeTime = this.observedStreamTime - windows.gracePeriodMs() - windows.inactivityGap();

    const merged: { key: Windowed<K>; value: VA }[] = [];
    let start = ts;
    let end = ts;
    let agg = fold.initializer();
    const it = this.store.findSessions(key, ts - windows.inactivityGap(), ts + windows.inactivityGap());
    try {
      for await (const next of it) {
        merged.push(next);
        agg = fold.merger(key, agg, next.value);
        start = Math.min(start, next.key.window.start);
        end = Math.max(end, next.key.window.end);
      }
    } finally {
      await it.close();
    }

    if (end < closeTime) {
      dropLateRecord(this.ctx, { timestamp: ts, window: `[${start},${end}]`, expiration: closeTime, streamTime: this.observedStreamTime });
    } else {
      if (start !== ts || end !== ts) {
        for (const session of merged) {
          await this.store.remove(session.key);
          await this.forwarder?.maybeForward(session.key, null, session.value, record.headers);
        }
      }
      agg = fold.aggregator(key, record.value, agg);
      const sessionKey = new Windowed(key, new SessionWindow(start, end));
      await this.store.put(sessionKey, agg as VA);
      await this.forwarder?.maybeForward(sessionKey, agg, null, record.headers);
    }
    await this.maybeForwardFinalResult(record, closeTime);
  }

  /**
   * Kafka's emit on close for sessions: every session (of any key) that ended after the last emitted
   * close time and before this one, stamped with its end, as Kafka's time-ordered store returns them.
   */
  private async maybeForwardFinalResult(record: Record<K, V>, windowCloseTime: number): Promise<void> {
    const emitter = this.emitter;
    if (!emitter || !emitter.shouldEmit(windowCloseTime, this.ctx.currentSystemTimeMs())) return;
    const upper = windowCloseTime - 1;
    const lower = Math.max(0, emitter.lastEmitWindowCloseTime);
    if (upper < 0 || upper < lower) return;
    const closed: { key: Windowed<K>; value: VA }[] = [];
    const it = this.store.findSessions(undefined, undefined, lower, upper);
    try {
      for await (const kv of it) if (kv.key.window.end <= upper) closed.push(kv);
    } finally {
      await it.close();
    }
    closed.sort((a, b) => a.key.window.end - b.key.window.end);
    for (const kv of closed) {
      await this.ctx.forward(record.withKey(kv.key).withValue({ newValue: kv.value, oldValue: null }).withTimestamp(kv.key.window.end).withHeaders(record.headers));
    }
    await emitter.emitted(windowCloseTime);
  }
}
