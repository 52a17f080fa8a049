// Owns the errors of interactive queries, named and arranged as Kafka Streams' (an
// InvalidStateStoreError family): each says why a store cannot be read right now and whether asking
// again later (retriable) or asking another worker can help.
import { ErrorCodes, SluiceError, type SluiceErrorOptions } from '@sluice/common';

type InvalidStateStoreCode =
  | typeof ErrorCodes.INVALID_STATE_STORE
  | typeof ErrorCodes.INVALID_STATE_STORE_PARTITION
  | typeof ErrorCodes.STATE_STORE_MIGRATED
  | typeof ErrorCodes.STATE_STORE_NOT_AVAILABLE
  | typeof ErrorCodes.STATE_STORE_NOT_FOUND
  | typeof ErrorCodes.STREAMS_REBALANCING
  | typeof ErrorCodes.STREAMS_NOT_STARTED;

/** The store cannot be queried right now (Kafka's InvalidStateStoreException); retry, or rediscover its host. */
export class InvalidStateStoreError extends SluiceError {
  constructor(message: string, options: SluiceErrorOptions & { code?: InvalidStateStoreCode } = {}) {
    super(options.code ?? ErrorCodes.INVALID_STATE_STORE, message, { retriable: true, ...options });
  }
}

/** The partition asked for is not on this worker, or does not exist (InvalidStateStorePartitionException). */
export class InvalidStateStorePartitionError extends InvalidStateStoreError {
  constructor(message: string, options: SluiceErrorOptions = {}) {
    super(message, { ...options, code: ErrorCodes.INVALID_STATE_STORE_PARTITION });
  }
}

/** The worker is rebalancing; retry once it is RUNNING, or allow stale stores (StreamsRebalancingException). */
export class StreamsRebalancingError extends InvalidStateStoreError {
  constructor(message: string, options: SluiceErrorOptions = {}) {
    super(message, { ...options, code: ErrorCodes.STREAMS_REBALANCING });
  }
}

/** The store was closed while the app runs: its task moved away; rediscover where it is (StateStoreMigratedException). */
export class StateStoreMigratedError extends InvalidStateStoreError {
  constructor(message: string, options: SluiceErrorOptions = {}) {
    super(message, { ...options, code: ErrorCodes.STATE_STORE_MIGRATED });
  }
}

/** The app is shutting down or stopped; this worker will not answer again (StateStoreNotAvailableException). */
export class StateStoreNotAvailableError extends InvalidStateStoreError {
  constructor(message: string, options: SluiceErrorOptions = {}) {
    super(message, { retriable: false, ...options, code: ErrorCodes.STATE_STORE_NOT_AVAILABLE });
  }
}

/** start() has not been called yet (StreamsNotStartedException). */
export class StreamsNotStartedError extends InvalidStateStoreError {
  constructor(message: string, options: SluiceErrorOptions = {}) {
    super(message, { ...options, code: ErrorCodes.STREAMS_NOT_STARTED });
  }
}

/** The topology has no store of that name (UnknownStateStoreException); never retriable. */
export class UnknownStateStoreError extends InvalidStateStoreError {
  constructor(message: string, options: SluiceErrorOptions = {}) {
    super(message, { retriable: false, ...options, code: ErrorCodes.STATE_STORE_NOT_FOUND });
  }
}
