// @sluice/runtime/query: the vocabulary of interactive queries (Kafka Streams' names), without the
// Kafka client: what @sluice/http and query clients need, loadable where no KafkaStreams runs — and
// the Prometheus exposition of an app's metrics, which @sluice/http serves at GET /metrics. The
// runtime's main entry exports the same names.
export { StoreQueryParameters } from './store-query-parameters.js';
export { QueryableStoreTypes } from './queryable-store-types.js';
export type { QueryableStoreType, StateStoreProvider, LocalStorePartition } from './queryable-store-types.js';
export { HostInfo, StreamsMetadata, KeyQueryMetadata, LagInfo } from './metadata.js';
export type { TopicPartition, TaskMetadata, ThreadMetadata, ThreadState } from './metadata.js';
export type { ReadOnlyStore } from './read-only-stores.js';
export type { QueryableStoreInfo } from './interactive-queries.js';
export {
  InvalidStateStoreError,
  InvalidStateStorePartitionError,
  StreamsRebalancingError,
  StateStoreMigratedError,
  StateStoreNotAvailableError,
  StreamsNotStartedError,
  UnknownStateStoreError,
} from './errors.js';
export { prometheusRegistry } from '../metrics/prometheus.js';
export type { MetricsSource } from '../metrics/prometheus.js';
