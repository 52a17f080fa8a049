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
  Printed,
  EmitStrategy,
  TableJoined,
  GlobalKTable,
  CogroupedKStream,
  TimeWindowedCogroupedKStream,
  SessionWindowedCogroupedKStream,
  JoinWindows,
  StreamJoined,
  Joined,
} from '@sluice/core';
export type { ValueTransformerWithKey, ValueTransformerWithKeySupplier, ForeignKeyExtractor, EmitStrategyType, ValueJoiner, ValueJoinerWithKey } from '@sluice/core';
export type { KeyValueLike, Initializer, Aggregator, Reducer, Merger, StrictBufferConfig, EagerBufferConfig, BufferFullStrategy } from '@sluice/core';

// ---- state stores ----
export { Stores, PUT_RETURN_CODE_VALID_TO_UNDEFINED, PUT_RETURN_CODE_NOT_PUT } from '@sluice/state';
export type {
  StateStore,
  StoreBuilder,
  EncryptableStoreBuilder,
  EncryptionKey,
  EncryptionOptions,
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
  QueryableStoreKind,
  KeyValueIterator,
  WindowStoreIterator,
  WindowedIterator,
  VersionedKeyValueStore,
  VersionedRecord,
  KeyValueBytesStoreSupplier,
  WindowBytesStoreSupplier,
  SessionBytesStoreSupplier,
  VersionedBytesStoreSupplier,
} from '@sluice/state';

// ---- Processor API ----
export { Topology, Record, Headers, TimestampExtractors, FixedKeyRecord, DEAD_LETTER_HEADERS, deadLetterRecord } from '@sluice/core';
export type {
  FixedKeyProcessor,
  FixedKeyProcessorContext,
  FixedKeyProcessorSupplier,
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
  GlobalStoreDescription,
  Header,
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  HandlerResponse,
  HandlerDecision,
  HandlerResult,
  DeadLetterRecord,
  SourceRecordContext,
  RetryPolicy,
  ProcessingRetryConfig,
  DeserializationErrorContext,
  ProcessingErrorContext,
} from '@sluice/core';

// ---- serdes ----
export { Serdes, serdeFrom, Windowed, TimeWindow, SessionWindow, WindowedSerdes, AvroSerdes } from '@sluice/serdes';
export type { Serde, Serializer, Deserializer, Window, AvroSerde, AvroSerdeOptions, AvroCompatibility, AvroSchemaText, SchemaRegistryClient, SubjectNameStrategy, SubjectNameContext } from '@sluice/serdes';

// ---- running ----
export { KafkaStreams, ProductionError, TopicMismatchError } from '@sluice/runtime';
export type { StreamThreadExceptionResponse, StreamsUncaughtExceptionHandler } from '@sluice/runtime';
export type { StreamsConfig, StreamsApplication, ProcessingGuarantee, ProductionExceptionHandler, StreamsState, StateListener, RestoreProgress, RestoreListener } from '@sluice/runtime';

// ---- operating an application: metrics, Prometheus, logs ----
export { StreamsMetrics, prometheusRegistry, prometheusText, prometheusName } from '@sluice/runtime';
export type { Metric, RecordingLevel, MetricsSource } from '@sluice/runtime';
export { createConsoleLogger, toLogger } from '@sluice/common';
export type { LogFormat, ConsoleLoggerOptions, FieldsFirstLogger } from '@sluice/common';

// ---- operating a cluster (what the `sluice` command uses) ----
export { createAdminTools } from '@sluice/runtime';
export type { AdminTools, AdminToolsOptions, ConsumerRecord, GroupDescription, GroupMember, IsolationLevel, OffsetSpec, OutgoingRecord, RecordHeader } from '@sluice/runtime';
// ---- security ----
export { requiredAcls, aclCommands } from '@sluice/runtime';
export type { SaslConfig, SslConfig, UsernamePasswordSasl, OAuthBearerSasl, OAuthBearerToken, OAuthBearerProvider, RequiredAcl, RequiredAcls, AclCommandOptions } from '@sluice/runtime';
// ---- interactive queries ----
export {
  StoreQueryParameters,
  QueryableStoreTypes,
  HostInfo,
  StreamsMetadata,
  KeyQueryMetadata,
  LagInfo,
  InvalidStateStoreError,
  InvalidStateStorePartitionError,
  StreamsRebalancingError,
  StateStoreMigratedError,
  StateStoreNotAvailableError,
  StreamsNotStartedError,
  UnknownStateStoreError,
} from '@sluice/runtime';
export type { QueryableStoreType, TopicPartition, TaskMetadata, ThreadMetadata, ThreadState, ReadOnlyStore, QueryableStoreInfo } from '@sluice/runtime';

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
  AuthenticationError,
  AuthorizationError,
  ErrorCodes,
} from '@sluice/common';
export type { ErrorCode, Logger, LogLevel } from '@sluice/common';
