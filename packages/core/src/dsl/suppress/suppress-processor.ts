// Owns the suppress processor (Kafka Streams' KTableSuppressProcessor): every table update goes
// into the buffer (under its key's first buffer time: the record time, or for final results the
// window end); then, by this processor's own stream time, every entry whose time is past the
// suppression delay is emitted, and the buffer's bounds are enforced (emit early, or fail). Final
// results drop tombstones: nothing was emitted for the window before, so none is needed.
import { ErrorCodes, StreamsError } from '@sluice/common';
import type { Windowed } from '@sluice/serdes';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import { Headers } from '../../processor/headers.js';
import { Record } from '../../processor/record.js';
import type { Change } from '../ktable/change.js';
import type { TableSupplier } from '../ktable/table-processors.js';
import type { TableValueGetter, TableValueGetterSupplier } from '../ktable/value-getter.js';
import type { BufferRecordContext } from './buffer-format.js';
import type { BufferFullStrategy } from './suppressed.js';
import type { TimeOrderedKeyValueBuffer } from './suppression-buffer.js';

export interface SuppressSpec {
  /** 'window-end' for final results (keys are Windowed), else the record time. */
  readonly bufferTime: 'record' | 'window-end';
  /** How far (stream time) an entry's buffer time must be behind before it is emitted. */
  readonly suppressDurationMs: number;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly bufferFullStrategy: BufferFullStrategy;
  readonly safeToDropTombstones: boolean;
}

export class SuppressProcessorSupplier<K, V> implements ProcessorSupplierObject<K, Change<V>, K, Change<V>>, TableSupplier {
  constructor(
    /** The suppressed table's producer (old values are forced on: the buffer keeps the prior value). */
    readonly parent: TableSupplier,
    readonly nodeName: string,
    readonly storeName: string,
    readonly spec: SuppressSpec,
  ) {
    parent.enableSendingOldValues(true);
  }

  enableSendingOldValues(force: boolean): boolean {
    return this.parent.enableSendingOldValues(force);
  }

  /** A join sees a buffered key's value from before it was buffered, else the parent's (Kafka's suppress view). */
  view(): TableValueGetterSupplier<unknown, unknown> | undefined {
    const parent = this.parent.view?.() as TableValueGetterSupplier<K, V> | undefined;
    if (parent === undefined) return undefined;
    const storeName = this.storeName;
    const getter = (): TableValueGetter<K, V> => {
      const parentGetter = parent.get();
      let buffer: TimeOrderedKeyValueBuffer<K, V>;
      const get = async (key: K) => {
        const prior = buffer.priorValueForBuffered(key);
        if (prior === undefined) return parentGetter.get(key);
        return prior.value === null ? undefined : { value: prior.value, timestamp: prior.timestamp };
      };
      return {
        init(ctx) {
          buffer = ctx.getStateStore<TimeOrderedKeyValueBuffer<K, V>>(storeName);
          return parentGetter.init(ctx);
        },
        get,
        getAsOf: get,
        isVersioned: () => false,
        close: () => parentGetter.close?.(),
      };
    };
    return { get: getter, storeNames: () => [storeName, ...parent.storeNames()] } as TableValueGetterSupplier<unknown, unknown>;
  }

  get(): Processor<K, Change<V>, K, Change<V>> {
    return new SuppressProcessor<K, V>(this);
  }
}

class SuppressProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>;
  private buffer!: TimeOrderedKeyValueBuffer<K, V>;
  private observedStreamTime = -1;

  constructor(private readonly s: SuppressProcessorSupplier<K, V>) {}

  init(ctx: ProcessorContext<K, Change<V>>): void {
    this.ctx = ctx;
    this.buffer = ctx.getStateStore<TimeOrderedKeyValueBuffer<K, V>>(this.s.storeName);
  }

  async process(record: Record<K, Change<V>>): Promise<void> {
    this.observedStreamTime = Math.max(this.observedStreamTime, record.timestamp);
    const time = this.s.spec.bufferTime === 'window-end' ? (record.key as Windowed<unknown>).window.end : record.timestamp;
    const meta = this.ctx.recordMetadata();
    this.buffer.put(time, record.key, record.value, {
      timestamp: record.timestamp,
      offset: meta?.offset ?? -1,
      partition: meta?.partition ?? this.ctx.partition,
      topic: meta?.topic ?? '',
      headers: record.headers.toArray(),
    });
    await this.enforceConstraints();
  }

  private async enforceConstraints(): Promise<void> {
    const { spec } = this.s;
    const expiryTime = this.observedStreamTime - spec.suppressDurationMs;
    const emit = (key: K, value: Change<V>, context: BufferRecordContext) => this.emit(key, value, context);
    await this.buffer.evictWhile(() => this.buffer.minTimestamp() <= expiryTime, emit);
    if (!this.overCapacity()) return;
    if (spec.bufferFullStrategy === 'EMIT') {
      await this.buffer.evictWhile(() => this.overCapacity(), emit);
      return;
    }
    throw new StreamsError(
      ErrorCodes.PROCESSING_FAILED,
      `${this.s.nodeName} buffer exceeded its max capacity. Currently [${this.buffer.numRecords()}/${limit(spec.maxRecords)}] records and ` +
        `[${this.buffer.bufferSize()}/${limit(spec.maxBytes)}] bytes (buffer store '${this.s.storeName}'). The buffer is strict (shutDownWhenFull / ` +
        `untilWindowCloses): raise BufferConfig.maxRecords/maxBytes, use BufferConfig.unbounded(), or let it emit early with emitEarlyWhenFull()`,
      { context: { node: this.s.nodeName, store: this.s.storeName } },
    );
  }

  private overCapacity(): boolean {
    return this.buffer.numRecords() > this.s.spec.maxRecords || this.buffer.bufferSize() > this.s.spec.maxBytes;
  }

  private emit(key: K, value: Change<V>, context: BufferRecordContext): void | Promise<void> {
    if (value.newValue === null && this.s.spec.safeToDropTombstones) return undefined;
    return this.ctx.forward(new Record(key, value, context.timestamp, new Headers(context.headers)));
  }
}

function limit(n: number): string {
  return Number.isFinite(n) ? String(n) : 'unbounded';
}
