// @sluice/runtime: KafkaStreams, the runner that executes a topology against a Kafka cluster.

export { KafkaStreams } from './kafka-streams.js';
export type { RestoreListener, ErrorListener } from './kafka-streams.js';
export type { StreamsApplication } from './threads/application-module.js';
export type { StreamsConfig, ProcessingGuarantee, ProductionExceptionHandler, ProductionErrorContext } from './config.js';
export type { SaslConfig, SslConfig, UsernamePasswordSasl, OAuthBearerSasl, OAuthBearerToken, OAuthBearerProvider } from './security-config.js';
export type { StreamsState, StateListener } from './state-machine.js';
export type { RestoreProgress } from './state/task-state-manager.js';
export { ProductionError } from './record-collector.js';
export { TopicMismatchError } from './topic-manager.js';

// ---- operating an application: metrics (Prometheus) and tracing ----
export { StreamsMetrics } from './metrics/streams-metrics.js';
export type { Metric, RecordingLevel } from './metrics/streams-metrics.js';
export { prometheusRegistry, prometheusText, prometheusName } from './metrics/prometheus.js';
export type { MetricsSource } from './metrics/prometheus.js';

// ---- operating a cluster (the `sluice` CLI builds on these) ----
export { createAdminTools } from './admin-tools.js';
export type {
  AdminTools,
  AdminToolsOptions,
  IsolationLevel,
  OffsetSpec,
  ConsumerRecord,
  RecordHeader,
  ReadResult,
  OutgoingRecord,
  GroupMember,
  GroupDescription,
  TopicPartition,
  TopicPartitionOffset,
  ProduceAck,
} from './admin-tools.js';
export { requiredAcls, aclCommands, aclCommand } from './acls.js';
export type { RequiredAcl, RequiredAcls, AclCommandOptions, AclResourceType, AclPatternType, AclOperation } from './acls.js';
// interactive queries (also at @sluice/runtime/query, without the Kafka client)
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
} from './query/index.js';
export type { QueryableStoreType, TaskMetadata, ThreadMetadata, ThreadState, ReadOnlyStore, QueryableStoreInfo } from './query/index.js';
export type { StreamThreadExceptionResponse, StreamsUncaughtExceptionHandler } from './failure-policy.js';
