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
export { createConsoleLogger, noopLogger } from './logger.js';
export type { Logger, LogLevel, ConsoleLoggerOptions } from './logger.js';
