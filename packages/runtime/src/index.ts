// @sluice/runtime: KafkaStreams, the runner that executes a topology against a Kafka cluster.

export { KafkaStreams } from './kafka-streams.js';
export type { RestoreListener, ErrorListener } from './kafka-streams.js';
export type { StreamsConfig, ProcessingGuarantee, ProductionExceptionHandler, ProductionErrorContext, SaslConfig } from './config.js';
export type { StreamsState, StateListener } from './state-machine.js';
export type { RestoreProgress } from './state/task-state-manager.js';
export { ProductionError } from './record-collector.js';
export { TopicMismatchError } from './topic-manager.js';

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
export type { QueryableStoreType, TopicPartition, TaskMetadata, ThreadMetadata, ThreadState, ReadOnlyStore, QueryableStoreInfo } from './query/index.js';
