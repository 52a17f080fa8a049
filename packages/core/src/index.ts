// @sluice/core: the topology builder DSL, the Processor API, and the task engine that runs a
// topology's processors (used by the runtime and by TopologyTestDriver).

// ---- DSL ----
export { StreamsBuilder } from './dsl/streams-builder.js';
export { DEAD_LETTER_HEADERS, deadLetterRecord } from './engine/dead-letter.js';
export { KStream } from './dsl/kstream.js';
export { BranchedKStream } from './dsl/branched-kstream.js';
export { Consumed, Produced, Named, Repartitioned, Grouped, Branched } from './dsl/options.js';
export { KeyValue } from './dsl/key-value.js';
export { KTable } from './dsl/ktable.js';
export { KGroupedStream } from './dsl/kgrouped-stream.js';
export { KGroupedTable } from './dsl/kgrouped-table.js';
export { Materialized } from './dsl/materialized.js';
export type { Initializer, Aggregator, Reducer } from './dsl/operators/aggregate.js';
export { TimeWindows } from './dsl/windows/time-windows.js';
export { SlidingWindows } from './dsl/windows/sliding-windows.js';
export { SessionWindows } from './dsl/windows/session-windows.js';
export { TimeWindowedKStream } from './dsl/windowed/time-windowed-kstream.js';
export { SessionWindowedKStream } from './dsl/windowed/session-windowed-kstream.js';
export type { Merger } from './dsl/operators/window-session-aggregate.js';
export { Suppressed, BufferConfig } from './dsl/suppress/suppressed.js';
export type { StrictBufferConfig, EagerBufferConfig, BufferFullStrategy } from './dsl/suppress/suppressed.js';
export type { KeyValueLike } from './dsl/key-value.js';
export { Printed } from './dsl/printed.js';
export { EmitStrategy } from './dsl/emit-strategy.js';
export type { EmitStrategyType } from './dsl/emit-strategy.js';
export { TableJoined } from './dsl/foreign-key-join/table-joined.js';
export { GlobalKTable } from './dsl/global/global-ktable.js';
export { CogroupedKStream } from './dsl/cogroup/cogrouped-kstream.js';
export { TimeWindowedCogroupedKStream, SessionWindowedCogroupedKStream } from './dsl/cogroup/windowed-cogrouped-kstream.js';
export type { ForeignKeyExtractor } from './dsl/foreign-key-join/subscription-send.js';
export type { ValueTransformerWithKey, ValueTransformerWithKeySupplier } from './dsl/ktable/table-transform-values.js';
export { JoinWindows } from './dsl/joins/join-windows.js';
export { StreamJoined } from './dsl/joins/stream-joined.js';
export { Joined } from './dsl/joins/joined.js';
export type { ValueJoiner, ValueJoinerWithKey } from './dsl/joins/value-joiner.js';

// ---- Processor API ----
export { Record } from './processor/record.js';
export { Headers } from './processor/headers.js';
export type { Header } from './processor/headers.js';
export type {
  Processor,
  ProcessorSupplier,
  ProcessorSupplierObject,
  ProcessorContext,
  Punctuator,
  PunctuationType,
  Cancellable,
  RecordMetadata,
  RecordContext,
  TopicNameExtractor,
  StreamPartitioner,
  TimestampExtractor,
  ConsumedRecordView,
} from './processor/api.js';
export { TimestampExtractors, failOnInvalidTimestamp } from './processor/timestamp-extractors.js';
export { FixedKeyRecord } from './processor/fixed-key.js';
export type { FixedKeyProcessor, FixedKeyProcessorContext, FixedKeyProcessorSupplier, FixedKeyProcessorSupplierObject } from './processor/fixed-key.js';

// ---- Topology ----
export { Topology } from './topology/topology.js';
export { enforceCopartitioning } from './topology/copartition.js';
export type { CopartitionInput } from './topology/copartition.js';
export type { SubtopologyDef, StoreDef } from './topology/topology.js';
export type { GlobalStoreDef } from './topology/global-stores.js';
export type { TopologyDescription, SubtopologyDescription, NodeDescription, GlobalStoreDescription } from './topology/topology-description.js';
export type { SourceOptions, SinkOptions, OffsetReset, InternalTopicSpec, NodeDef } from './topology/node-factories.js';
export type { SerdeDefaults, DefaultsAware } from './topology/defaults.js';

// ---- task engine (for @sluice/runtime and @sluice/test-utils; not part of the `sluice` facade) ----
export { StreamTask } from './engine/stream-task.js';
export type { StreamTaskOptions, TaskState } from './engine/stream-task.js';
export type { RawRecord } from './engine/record-queue.js';
export type { RecordTracer, TracedRecord } from './engine/record-tracer.js';
export type { RecordCollector, OutgoingRecord } from './engine/record-collector.js';
export { assertSerdes, missingSerdes } from './engine/task-nodes.js';
export type {
  EngineConfig,
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  DeserializationErrorContext,
  ProcessingErrorContext,
  HandlerResponse,
  HandlerDecision,
  HandlerResult,
  DeadLetterRecord,
  SourceRecordContext,
  RetryPolicy,
  ProcessingRetryConfig,
} from './engine/config.js';
export { checkExceptionHandler, decide, EXCEPTION_HANDLER_NAMES } from './engine/config.js';
