// Owns the fixed-key half of the Processor API (Kafka Streams' FixedKeyRecord, FixedKeyProcessor,
// FixedKeyProcessorContext, FixedKeyProcessorSupplier) that KStream.processValues runs: a record
// whose key cannot be changed, so no repartition is ever needed after it. Records are only derived
// from the one a processor receives (there is no withKey), exactly as in Kafka Streams.
import type { StateStore, StoreBuilder } from '@sluice/state';
import type { Cancellable, Processor, ProcessorContext, ProcessorSupplierObject, PunctuationType, Punctuator, RecordMetadata } from './api.js';
import type { Headers } from './headers.js';
import { Record } from './record.js';

const CREATE = Symbol('FixedKeyRecord.create');

export class FixedKeyRecord<K, V> {
  /** @internal Only the runtime creates fixed-key records; processors derive them with `with*`. */
  constructor(
    token: typeof CREATE,
    readonly key: K,
    readonly value: V,
    readonly timestamp: number,
    readonly headers: Headers,
  ) {
    if (token !== CREATE) throw new TypeError('a FixedKeyRecord is derived from the record a FixedKeyProcessor receives (withValue, withTimestamp, withHeaders)');
  }

  /** @internal */
  static from<K, V>(record: Record<K, V>): FixedKeyRecord<K, V> {
    return new FixedKeyRecord(CREATE, record.key, record.value, record.timestamp, record.headers);
  }

  withValue<NV>(value: NV): FixedKeyRecord<K, NV> {
    return new FixedKeyRecord(CREATE, this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): FixedKeyRecord<K, V> {
    // the same check as Record's constructor
    return FixedKeyRecord.from(new Record(this.key, this.value, timestamp, this.headers));
  }

  withHeaders(headers: Headers): FixedKeyRecord<K, V> {
    return new FixedKeyRecord(CREATE, this.key, this.value, this.timestamp, headers);
  }

  toString(): string {
    return `FixedKeyRecord(key=${String(this.key)}, value=${String(this.value)}, timestamp=${this.timestamp})`;
  }
}

/** What a FixedKeyProcessor sees: the ProcessorContext, with forward() taking only fixed-key records. */
export interface FixedKeyProcessorContext<KForward, VForward> extends Omit<ProcessorContext<KForward, VForward>, 'forward'> {
  /** Send a record (derived from the one received) to all children, or to the one named. */
  forward<V extends VForward>(record: FixedKeyRecord<KForward, V>, childName?: string): void | Promise<void>;
}

export interface FixedKeyProcessor<KIn, VIn, VOut = never> {
  init?(context: FixedKeyProcessorContext<KIn, VOut>): void | Promise<void>;
  process(record: FixedKeyRecord<KIn, VIn>): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface FixedKeyProcessorSupplierObject<KIn, VIn, VOut = never> {
  /** A new processor instance; called once per task. */
  get(): FixedKeyProcessor<KIn, VIn, VOut>;
  /** Stores this processor needs; they are added to the topology and connected automatically. */
  stores?(): readonly StoreBuilder<StateStore>[];
}

/** A factory of fixed-key processors: a function, or an object with `get()` (and optionally `stores()`). */
export type FixedKeyProcessorSupplier<KIn, VIn, VOut = never> = (() => FixedKeyProcessor<KIn, VIn, VOut>) | FixedKeyProcessorSupplierObject<KIn, VIn, VOut>;

class FixedKeyContext<K, V> implements FixedKeyProcessorContext<K, V> {
  constructor(private readonly ctx: ProcessorContext<K, V>) {}
  get applicationId(): string {
    return this.ctx.applicationId;
  }
  get taskId(): string {
    return this.ctx.taskId;
  }
  get partition(): number {
    return this.ctx.partition;
  }
  get appConfigs(): Readonly<{ [key: string]: unknown }> {
    return this.ctx.appConfigs;
  }
  recordMetadata(): RecordMetadata | undefined {
    return this.ctx.recordMetadata();
  }
  forward<VF extends V>(record: FixedKeyRecord<K, VF>, childName?: string): void | Promise<void> {
    if (!(record instanceof FixedKeyRecord)) {
      throw new TypeError('a FixedKeyProcessor forwards FixedKeyRecords: derive them from the record it received (record.withValue(...))');
    }
    return this.ctx.forward(new Record(record.key, record.value, record.timestamp, record.headers), childName);
  }
  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    return this.ctx.schedule(intervalMs, type, callback);
  }
  getStateStore<S extends StateStore = StateStore>(name: string): S {
    return this.ctx.getStateStore<S>(name);
  }
  currentStreamTimeMs(): number {
    return this.ctx.currentStreamTimeMs();
  }
  currentSystemTimeMs(): number {
    return this.ctx.currentSystemTimeMs();
  }
  commit(): void {
    this.ctx.commit();
  }
}

/** @internal Runs a FixedKeyProcessor as a plain processor node. */
export class FixedKeyProcessorAdapter<K, VIn, VOut> implements Processor<K, VIn, K, VOut> {
  constructor(private readonly inner: FixedKeyProcessor<K, VIn, VOut>) {}

  init(context: ProcessorContext<K, VOut>): void | Promise<void> {
    return this.inner.init?.(new FixedKeyContext(context));
  }

  process(record: Record<K, VIn>): void | Promise<void> {
    return this.inner.process(FixedKeyRecord.from(record));
  }

  close(): void | Promise<void> {
    return this.inner.close?.();
  }
}

/** @internal The plain processor supplier that runs a fixed-key supplier (its stores() kept). */
export function fixedKeySupplier<K, VIn, VOut>(supplier: FixedKeyProcessorSupplier<K, VIn, VOut>): ProcessorSupplierObject<unknown, unknown, unknown, unknown> {
  const get = () => new FixedKeyProcessorAdapter(typeof supplier === 'function' ? supplier() : supplier.get());
  const stores = typeof supplier === 'object' && supplier !== null && supplier.stores ? () => supplier.stores!() : undefined;
  return (stores ? { get, stores } : { get }) as ProcessorSupplierObject<unknown, unknown, unknown, unknown>;
}
