// Owns the Processor API that users implement: Processor, ProcessorSupplier, ProcessorContext and
// punctuation. Mirrors Kafka Streams' org.apache.kafka.streams.processor.api, with one TypeScript
// difference: process/init/close/punctuators may return a promise (docs/decisions/0001).
import type { StateStore, StoreBuilder } from '@sluice/state';
import type { Headers } from './headers.js';
import type { Record } from './record.js';

export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

/** Called with the stream time (STREAM_TIME) or the wall-clock time (WALL_CLOCK_TIME) it fired at. */
export type Punctuator = (timestamp: number) => void | Promise<void>;

export interface Cancellable {
  cancel(): void;
}

/** Where the record being processed came from; undefined inside punctuation. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface ProcessorContext<KForward = never, VForward = never> {
  readonly applicationId: string;
  /** "<subtopology>_<partition>", e.g. "0_3". */
  readonly taskId: string;
  readonly partition: number;
  /** The application's configuration, as given to KafkaStreams / TopologyTestDriver. */
  readonly appConfigs: Readonly<{ [key: string]: unknown }>;
  recordMetadata(): RecordMetadata | undefined;
  /**
   * Send a record to all children, or to the one named. Returns a promise when a downstream
   * processor works asynchronously; forwards from one processor always run in call order.
   */
  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void | Promise<void>;
  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable;
  /** A store connected to this processor (Topology.addStateStore / connectProcessorAndStateStores). */
  getStateStore<S extends StateStore = StateStore>(name: string): S;
  /** Highest record timestamp the task has processed (-1 before the first record). */
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** Ask for a commit as soon as possible. */
  commit(): void;
}

export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void | Promise<void>;
  process(record: Record<KIn, VIn>): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface ProcessorSupplierObject<KIn, VIn, KOut = never, VOut = never> {
  /** A new processor instance; called once per task. */
  get(): Processor<KIn, VIn, KOut, VOut>;
  /** Stores this processor needs; they are added to the topology and connected automatically. */
  stores?(): readonly StoreBuilder<StateStore>[];
}

/** A factory of processors: a function, or an object with `get()` (and optionally `stores()`). */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> =
  | (() => Processor<KIn, VIn, KOut, VOut>)
  | ProcessorSupplierObject<KIn, VIn, KOut, VOut>;

export function supplierGet<KIn, VIn, KOut, VOut>(supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>): Processor<KIn, VIn, KOut, VOut> {
  return typeof supplier === 'function' ? supplier() : supplier.get();
}

export function supplierStores(supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>): readonly StoreBuilder<StateStore>[] {
  return typeof supplier === 'function' ? [] : (supplier.stores?.() ?? []);
}

/** Chooses the output topic of a sink per record (KStream.to with a function). */
export type TopicNameExtractor<K, V> = (key: K, value: V, context: RecordContext) => string;

/** What a TopicNameExtractor sees of the record's origin. */
export interface RecordContext {
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: number | undefined;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Chooses the partition of a sink record; undefined = the default (murmur2 of the key bytes). */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

/** Extracts the event time of a consumed record. `partitionTime` = highest timestamp seen on that partition (-1 before). */
export type TimestampExtractor = (record: ConsumedRecordView, partitionTime: number) => number;

export interface ConsumedRecordView {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The Kafka record timestamp. */
  readonly timestamp: number;
  readonly key: unknown;
  readonly value: unknown;
  readonly headers: Headers;
}
