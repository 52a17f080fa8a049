// @sluice/common: errors, time and logging shared by every Sluice package.

// errors
export {
  ErrorCodes,
  SluiceError,
  ConfigError,
  TopologyError,
  SerdeError,
  ProcessingError,
  StateStoreError,
  TaskMigratedError,
  TaskCorruptedError,
  StreamsError,
  KafkaClientError,
  AuthenticationError,
  AuthorizationError,
  IllegalStateError,
  describeError,
} from './errors.js';
export type { ErrorCode, SluiceErrorOptions } from './errors.js';

// time
export { systemClock, ManualClock } from './clock.js';
export type { Clock, Cancellable } from './clock.js';

// Kafka's key hashing (default partitioner)
export { murmur2, toPositive, partitionForKey } from './murmur2.js';

// logging
export { createConsoleLogger, defaultLogFormat, errorFields, noopLogger, toLogger, isFieldsFirstLogger } from './logger.js';
export type { Logger, LogLevel, LogFormat, ConsoleLoggerOptions, FieldsFirstLogger } from './logger.js';

// metrics
export { MetricsRegistry, RECORDING_LEVELS } from './metrics/metrics-registry.js';
export type { Metric, MetricTags, RecordingLevel, SampledOptions } from './metrics/metrics-registry.js';
export { Meter, Sampled, TimeRatio, monotonicMs } from './metrics/stats.js';
export { ThreadMetrics, THREAD_GROUP, FETCH_GROUP } from './metrics/thread-metrics.js';
export { TaskMetrics, TASK_GROUP, NODE_GROUP, STATE_GROUP, CACHE_GROUP } from './metrics/task-metrics.js';
export type { NodeMetrics, StoreMetrics } from './metrics/task-metrics.js';
