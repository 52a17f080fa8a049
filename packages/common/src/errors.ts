// Owns Sluice's error vocabulary: one base class with a machine-readable code, whether retrying can
// help, and the cause; one subclass per domain. Messages say what was wrong and what to do.

export const ErrorCodes = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  TOPOLOGY_INVALID: 'TOPOLOGY_INVALID',
  SERDE_FAILED: 'SERDE_FAILED',
  DESERIALIZATION_FAILED: 'DESERIALIZATION_FAILED',
  SERIALIZATION_FAILED: 'SERIALIZATION_FAILED',
  PROCESSING_FAILED: 'PROCESSING_FAILED',
  PRODUCTION_FAILED: 'PRODUCTION_FAILED',
  STATE_STORE_FAILED: 'STATE_STORE_FAILED',
  STATE_STORE_LOCKED: 'STATE_STORE_LOCKED',
  STATE_STORE_CLOSED: 'STATE_STORE_CLOSED',
  STATE_STORE_NOT_FOUND: 'STATE_STORE_NOT_FOUND',
  INVALID_STATE_STORE: 'INVALID_STATE_STORE',
  INVALID_STATE_STORE_PARTITION: 'INVALID_STATE_STORE_PARTITION',
  STATE_STORE_MIGRATED: 'STATE_STORE_MIGRATED',
  STATE_STORE_NOT_AVAILABLE: 'STATE_STORE_NOT_AVAILABLE',
  STREAMS_REBALANCING: 'STREAMS_REBALANCING',
  STREAMS_NOT_STARTED: 'STREAMS_NOT_STARTED',
  TASK_MIGRATED: 'TASK_MIGRATED',
  TASK_CORRUPTED: 'TASK_CORRUPTED',
  PRODUCER_FENCED: 'PRODUCER_FENCED',
  KAFKA_CLIENT: 'KAFKA_CLIENT',
  AUTHENTICATION_FAILED: 'AUTHENTICATION_FAILED',
  AUTHORIZATION_FAILED: 'AUTHORIZATION_FAILED',
  TOPIC_MISMATCH: 'TOPIC_MISMATCH',
  MISSING_SOURCE_TOPIC: 'MISSING_SOURCE_TOPIC',
  MISSING_SINK_TOPIC: 'MISSING_SINK_TOPIC',
  ILLEGAL_STATE: 'ILLEGAL_STATE',
  SCHEMA_REGISTRY: 'SCHEMA_REGISTRY',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface SluiceErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  /** Structured context (topic, partition, offset, store, task …) for logs and handlers. */
  context?: Record<string, unknown>;
}

export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

export class ConfigError extends SluiceError {
  constructor(message: string, options?: SluiceErrorOptions) {
    super(ErrorCodes.CONFIG_INVALID, message, options);
  }
}

export class TopologyError extends SluiceError {
  constructor(message: string, options?: SluiceErrorOptions) {
    super(ErrorCodes.TOPOLOGY_INVALID, message, options);
  }
}

export class SerdeError extends SluiceError {
  constructor(
    code: typeof ErrorCodes.SERDE_FAILED | typeof ErrorCodes.DESERIALIZATION_FAILED | typeof ErrorCodes.SERIALIZATION_FAILED,
    message: string,
    options?: SluiceErrorOptions,
  ) {
    super(code, message, options);
  }
}

export class ProcessingError extends SluiceError {
  constructor(message: string, options?: SluiceErrorOptions) {
    super(ErrorCodes.PROCESSING_FAILED, message, options);
  }
}

export class StateStoreError extends SluiceError {
  constructor(
    message: string,
    options?: SluiceErrorOptions & { code?: typeof ErrorCodes.STATE_STORE_FAILED | typeof ErrorCodes.STATE_STORE_LOCKED | typeof ErrorCodes.STATE_STORE_CLOSED | typeof ErrorCodes.STATE_STORE_NOT_FOUND },
  ) {
    super(options?.code ?? ErrorCodes.STATE_STORE_FAILED, message, options);
  }
}

/** The task now belongs to another worker: drop it without committing and rejoin. */
export class TaskMigratedError extends SluiceError {
  constructor(message: string, options?: SluiceErrorOptions) {
    super(ErrorCodes.TASK_MIGRATED, message, { retriable: true, ...options });
  }
}

/** The task's local state can no longer be trusted: wipe it and restore from the changelog. */
export class TaskCorruptedError extends SluiceError {
  constructor(message: string, options?: SluiceErrorOptions) {
    super(ErrorCodes.TASK_CORRUPTED, message, { retriable: true, ...options });
  }
}

export class StreamsError extends SluiceError {}

export class KafkaClientError extends SluiceError {
  constructor(message: string, options?: SluiceErrorOptions) {
    super(ErrorCodes.KAFKA_CLIENT, message, options);
  }
}

/** The brokers refused the credentials (or the TLS handshake failed): retrying cannot help. */
export class AuthenticationError extends SluiceError {
  constructor(message: string, options?: SluiceErrorOptions) {
    super(ErrorCodes.AUTHENTICATION_FAILED, message, { ...options, retriable: false });
  }
}

/**
 * The principal lacks an ACL. `context` names the resource (resourceType, resourceName, patternType),
 * the operation and the kafka-acls command that grants it.
 */
export class AuthorizationError extends SluiceError {
  constructor(message: string, options?: SluiceErrorOptions) {
    super(ErrorCodes.AUTHORIZATION_FAILED, message, { ...options, retriable: false });
  }
}

export class IllegalStateError extends SluiceError {
  constructor(message: string, options?: SluiceErrorOptions) {
    super(ErrorCodes.ILLEGAL_STATE, message, options);
  }
}

/** A short, single-line description of any thrown value, for error messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
