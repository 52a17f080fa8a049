// sluice: Kafka Streams for TypeScript. The one package applications import; a curated list of
// what the @sluice/* packages offer. Everything here follows Kafka Streams' names.

// ---- DSL ----
export {
  StreamsBuilder,
  KStream,
  BranchedKStream,
  KTable,
  KGroupedStream,
  KGroupedTable,
  Consumed,
  Produced,
  Named,
  Repartitioned,
  Grouped,
  Branched,
  Materialized,
  KeyValue,
  TimeWindows,
  SlidingWindows,
  SessionWindows,
  TimeWindowedKStream,
  SessionWindowedKStream,
  Suppressed,
  BufferConfig,
} from '@sluice/core';
export type { KeyValueLike, Initializer, Aggregator, Reducer, Merger, StrictBufferConfig, EagerBufferConfig, BufferFullStrategy } from '@sluice/core';

// ---- state stores ----
export { Stores } from '@sluice/state';
export type {
  StateStore,
  StoreBuilder,
  StoreType,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  TimestampedKeyValueStore,
  WindowStore,
  ReadOnlyWindowStore,
  TimestampedWindowStore,
  SessionStore,
  ReadOnlySessionStore,
  ValueAndTimestamp,
  KeyValueIterator,
  WindowStoreIterator,
  WindowedIterator,
} from '@sluice/state';

// ---- Processor API ----
export { Topology, Record, Headers, TimestampExtractors } from '@sluice/core';
export type {
  Processor,
  ProcessorSupplier,
  ProcessorContext,
  Punctuator,
  PunctuationType,
  Cancellable,
  RecordMetadata,
  RecordContext,
  TopicNameExtractor,
  StreamPartitioner,
  TimestampExtractor,
  TopologyDescription,
  Header,
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  HandlerResponse,
} from '@sluice/core';

// ---- serdes ----
export { Serdes, serdeFrom, Windowed, TimeWindow, SessionWindow, WindowedSerdes } from '@sluice/serdes';
export type { Serde, Serializer, Deserializer, Window } from '@sluice/serdes';

// ---- running ----
export { KafkaStreams, ProductionError, TopicMismatchError } from '@sluice/runtime';
export type { StreamsConfig, ProcessingGuarantee, ProductionExceptionHandler, StreamsState, StateListener, RestoreProgress, RestoreListener } from '@sluice/runtime';

// ---- operating an application: metrics, Prometheus, logs ----
export { StreamsMetrics, prometheusRegistry, prometheusText, prometheusName } from '@sluice/runtime';
export type { Metric, RecordingLevel, MetricsSource } from '@sluice/runtime';
export { createConsoleLogger, toLogger } from '@sluice/common';
export type { LogFormat, ConsoleLoggerOptions, FieldsFirstLogger } from '@sluice/common';

// ---- operating a cluster (what the `sluice` command uses) ----
export { createAdminTools } from '@sluice/runtime';
export type { AdminTools, AdminToolsOptions, ConsumerRecord, GroupDescription, GroupMember, IsolationLevel, OffsetSpec, OutgoingRecord, RecordHeader } from '@sluice/runtime';

// ---- testing ----
export { TopologyTestDriver, TestInputTopic, TestOutputTopic, TestRecord } from '@sluice/test-utils';
export type { TopologyTestDriverConfig } from '@sluice/test-utils';

// ---- errors ----
export {
  SluiceError,
  ConfigError,
  TopologyError,
  SerdeError,
  ProcessingError,
  StateStoreError,
  StreamsError,
  ErrorCodes,
} from '@sluice/common';
export type { ErrorCode, Logger, LogLevel } from '@sluice/common';
