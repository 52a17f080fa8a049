// Owns the application configuration of KafkaStreams: its options, Kafka Streams' defaults, and
// validation when the app is created (unknown keys and bad values are refused with the fix).
import { ConfigError, createConsoleLogger, RECORDING_LEVELS, systemClock, toLogger, type Clock, type FieldsFirstLogger, type Logger, type LogFormat, type LogLevel, type RecordingLevel } from '@sluice/common';
import type { TracerProvider } from '@opentelemetry/api';
import type { DeserializationExceptionHandler, ProcessingExceptionHandler, TimestampExtractor } from '@sluice/core';
import { failOnInvalidTimestamp } from '@sluice/core';
import type { Serde } from '@sluice/serdes';
import type { ConnectionOptions } from 'node:tls';
import os from 'node:os';
import path from 'node:path';

/** SASL/PLAIN or SCRAM credentials for the brokers. */
export interface SaslConfig {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once' | 'exactly_once_v2';

export interface ProductionErrorContext {
  readonly topic: string;
  readonly error: unknown;
  readonly records: number;
}
export type ProductionExceptionHandler = 'logAndFail' | 'logAndContinue' | ((ctx: ProductionErrorContext) => 'CONTINUE' | 'FAIL');

export interface StreamsConfig {
  /** Consumer group id and prefix of internal topics and of the state directory. */
  applicationId: string;
  bootstrapServers: string | readonly string[];
  processingGuarantee?: ProcessingGuarantee;
  /** Default 30 000 ms (at-least-once) or 100 ms (exactly-once), as in Kafka Streams. */
  commitIntervalMs?: number;
  /** Record cache for all stores of this worker; default 10 MiB. 0 disables caching. */
  cacheMaxBytes?: number;
  /** Default: <os tmpdir>/sluice-state. */
  stateDir?: string;
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
  defaultTimestampExtractor?: TimestampExtractor;
  deserializationExceptionHandler?: DeserializationExceptionHandler;
  processingExceptionHandler?: ProcessingExceptionHandler;
  productionExceptionHandler?: ProductionExceptionHandler;
  /** Replication factor of internal topics; default: the broker's default (-1). */
  replicationFactor?: number;
  /** Extra configs for internal topics (changelog and repartition), e.g. { 'min.insync.replicas': '2' }. */
  internalTopicConfig?: { [key: string]: string };
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** How long a fetch waits for data (fetch.max.wait.ms); default 500. */
  maxWaitTimeMs?: number;
  /**
   * Most bytes one fetch returns (fetch.max.bytes); default 2 MiB. Smaller than Java's 50 MiB on
   * purpose: kafkajs decodes a whole fetch into objects at once, so this bounds the heap (a 10 MiB
   * fetch of small records is ~100 MB of objects) at no cost in throughput (bench/README.md).
   */
  fetchMaxBytes?: number;
  /** Most bytes one fetch returns per partition (max.partition.fetch.bytes); default 512 KiB. */
  maxPartitionFetchBytes?: number;
  /** Exactly-once transaction timeout; default 10 000 ms as Kafka Streams. */
  transactionTimeoutMs?: number;
  /**
   * How long the worker keeps retrying what fails for a reason that may pass (a broker restart, a
   * moved leader or coordinator) before it gives up on it (task.timeout.ms); default 300 000 ms.
   */
  taskTimeoutMs?: number;
  /** Standby replicas per stateful task (num.standby.replicas); default 0. */
  numStandbyReplicas?: number;
  /** A copy of a task's state this many changelog records behind counts as caught up (acceptable.recovery.lag); default 10 000. */
  acceptableRecoveryLag?: number;
  /** Warm-up replicas placed at once to move stateful tasks without a full restore (max.warmup.replicas); default 2. */
  maxWarmupReplicas?: number;
  /** How soon the group rebalances again to move warmed-up tasks (probing.rebalance.interval.ms); default 600 000. */
  probingRebalanceIntervalMs?: number;
  /**
   * Static group membership (group.instance.id, KIP-345): a worker restarted with the same id takes
   * its old place in the group without a rebalance. Unique per worker, stable across its restarts.
   */
  groupInstanceId?: string;
  /** host:port of this worker for interactive queries. */
  applicationServer?: string;
  clientId?: string;
  /** Sluice's Logger, or a pino (or bunyan) logger; default: the console logger on stderr. */
  logger?: Logger | FieldsFirstLogger;
  logLevel?: LogLevel;
  /** The console logger's format: readable 'text' lines or 'json' objects; default 'text' on a terminal, else 'json'. */
  logFormat?: LogFormat;
  /** Which metrics are recorded (metrics.recording.level): 'info' (default), 'debug' (task, node, store, cache) or 'trace'. */
  metricsRecordingLevel?: RecordingLevel;
  /**
   * OpenTelemetry tracing (off by default): a span per record per sub-topology, W3C trace context
   * read from and written to record headers. `tracerProvider` defaults to the global one.
   */
  tracing?: { enabled: boolean; tracerProvider?: TracerProvider };
  /** kafkajs' own log lines; default 'warn'. */
  kafkaLogLevel?: LogLevel;
  ssl?: boolean | ConnectionOptions;
  sasl?: SaslConfig;
  rocksdb?: { blockCacheBytes?: number; writeBufferBytes?: number; maxOpenFiles?: number };
  /** For tests: a fake clock. */
  clock?: Clock;
  /** Anything else the application wants its processors to see (context.appConfigs). */
  appConfigs?: { [key: string]: unknown };
}

export interface ResolvedConfig {
  readonly applicationId: string;
  readonly brokers: readonly string[];
  readonly guarantee: 'at_least_once' | 'exactly_once';
  readonly commitIntervalMs: number;
  readonly cacheMaxBytes: number;
  readonly stateDir: string;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly defaultTimestampExtractor: TimestampExtractor;
  readonly deserializationExceptionHandler: DeserializationExceptionHandler;
  readonly processingExceptionHandler: ProcessingExceptionHandler;
  readonly productionExceptionHandler: ProductionExceptionHandler;
  readonly replicationFactor: number;
  readonly internalTopicConfig: { [key: string]: string };
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly maxWaitTimeMs: number;
  readonly fetchMaxBytes: number;
  readonly maxPartitionFetchBytes: number;
  readonly transactionTimeoutMs: number;
  readonly taskTimeoutMs: number;
  readonly groupInstanceId: string | null;
  readonly numStandbyReplicas: number;
  readonly acceptableRecoveryLag: number;
  readonly maxWarmupReplicas: number;
  readonly probingRebalanceIntervalMs: number;
  readonly applicationServer: string | undefined;
  readonly clientId: string;
  readonly logger: Logger;
  readonly kafkaLogLevel: LogLevel;
  readonly metricsRecordingLevel: RecordingLevel;
  readonly tracing: { readonly tracerProvider: TracerProvider | undefined } | undefined;
  readonly ssl: boolean | ConnectionOptions | undefined;
  readonly sasl: SaslConfig | undefined;
  readonly rocksdb: { blockCacheBytes: number; writeBufferBytes: number; maxOpenFiles: number };
  readonly clock: Clock;
  readonly appConfigs: { [key: string]: unknown };
}

const KNOWN: ReadonlySet<string> = new Set([
  'applicationId', 'bootstrapServers', 'processingGuarantee', 'commitIntervalMs', 'cacheMaxBytes', 'stateDir',
  'defaultKeySerde', 'defaultValueSerde', 'defaultTimestampExtractor', 'deserializationExceptionHandler',
  'processingExceptionHandler', 'productionExceptionHandler', 'replicationFactor', 'internalTopicConfig',
  'sessionTimeoutMs', 'heartbeatIntervalMs', 'rebalanceTimeoutMs', 'maxWaitTimeMs', 'fetchMaxBytes', 'maxPartitionFetchBytes', 'transactionTimeoutMs',
  'taskTimeoutMs', 'groupInstanceId', 'numStandbyReplicas', 'acceptableRecoveryLag', 'maxWarmupReplicas', 'probingRebalanceIntervalMs',
  'applicationServer', 'clientId', 'logger', 'logLevel', 'kafkaLogLevel', 'ssl', 'sasl', 'rocksdb', 'clock', 'appConfigs',
  'logFormat', 'metricsRecordingLevel', 'tracing',
]);

function closest(word: string): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of KNOWN) {
    const a = lower;
    const b = k.toLowerCase();
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    const score = d[a.length]![b.length]!;
    if (score < bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return bestScore <= 3 ? best : undefined;
}

function groupInstanceIdOf(v: unknown): string | null {
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(v)) {
    throw new ConfigError(`groupInstanceId must be a string of letters, digits, '.', '_' and '-' unique to this worker (e.g. the pod name), got ${JSON.stringify(v)}`);
  }
  return v;
}

function wholeNumber(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(`${name} must be a whole number >= 0, got ${String(v)}`);
  return v;
}

function positive(name: string, v: number | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new ConfigError(`${name} must be a number >= ${min}, got ${String(v)}`);
  return v;
}

export function resolveConfig(c: StreamsConfig): ResolvedConfig {
  if (c === null || typeof c !== 'object') throw new ConfigError('KafkaStreams needs a config object: { applicationId, bootstrapServers, ... }');
  const unknown = Object.keys(c).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown config ${unknown.map((k) => `'${k}'${closest(k) ? ` (did you mean '${closest(k)}'?)` : ''}`).join(', ')}; ` +
        `put application-specific settings under appConfigs`,
    );
  }
  if (typeof c.applicationId !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(c.applicationId)) {
    throw new ConfigError(`applicationId must be a non-empty string of letters, digits, '.', '_' and '-' (it prefixes topic names), got ${JSON.stringify(c.applicationId)}`);
  }
  const brokers = (typeof c.bootstrapServers === 'string' ? c.bootstrapServers.split(',') : [...(c.bootstrapServers ?? [])]).map((b) => b.trim()).filter((b) => b.length > 0);
  if (brokers.length === 0) throw new ConfigError("bootstrapServers must list at least one broker, e.g. ['127.0.0.1:9092']");
  const g = c.processingGuarantee ?? 'at_least_once';
  if (g !== 'at_least_once' && g !== 'exactly_once' && g !== 'exactly_once_v2') {
    throw new ConfigError(`processingGuarantee must be 'at_least_once' or 'exactly_once', got ${JSON.stringify(g)}`);
  }
  const guarantee = g === 'at_least_once' ? 'at_least_once' : 'exactly_once';
  const logger = (c.logger === undefined ? createConsoleLogger({ level: c.logLevel ?? 'info', name: c.applicationId, ...(c.logFormat !== undefined ? { format: logFormatOf(c.logFormat) } : {}) }) : toLogger(c.logger)).child({ applicationId: c.applicationId });
  const sessionTimeoutMs = positive('sessionTimeoutMs', c.sessionTimeoutMs, 45_000, 1_000);
  const heartbeatIntervalMs = positive('heartbeatIntervalMs', c.heartbeatIntervalMs, Math.min(3_000, Math.floor(sessionTimeoutMs / 3)));
  if (heartbeatIntervalMs >= sessionTimeoutMs) throw new ConfigError(`heartbeatIntervalMs (${heartbeatIntervalMs}) must be lower than sessionTimeoutMs (${sessionTimeoutMs})`);
  return {
    applicationId: c.applicationId,
    brokers,
    guarantee,
    commitIntervalMs: positive('commitIntervalMs', c.commitIntervalMs, guarantee === 'exactly_once' ? 100 : 30_000),
    cacheMaxBytes: positive('cacheMaxBytes', c.cacheMaxBytes, 10 * 1024 * 1024, 0),
    stateDir: c.stateDir ?? path.join(os.tmpdir(), 'sluice-state'),
    defaultKeySerde: c.defaultKeySerde,
    defaultValueSerde: c.defaultValueSerde,
    defaultTimestampExtractor: c.defaultTimestampExtractor ?? failOnInvalidTimestamp,
    deserializationExceptionHandler: c.deserializationExceptionHandler ?? 'logAndFail',
    processingExceptionHandler: c.processingExceptionHandler ?? 'logAndFail',
    productionExceptionHandler: c.productionExceptionHandler ?? 'logAndFail',
    replicationFactor: c.replicationFactor ?? -1,
    internalTopicConfig: { ...(c.internalTopicConfig ?? {}) },
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs: positive('rebalanceTimeoutMs', c.rebalanceTimeoutMs, 60_000, 1_000),
    maxWaitTimeMs: positive('maxWaitTimeMs', c.maxWaitTimeMs, 500, 0),
    fetchMaxBytes: positive('fetchMaxBytes', c.fetchMaxBytes, 2 * 1024 * 1024, 1024),
    maxPartitionFetchBytes: positive('maxPartitionFetchBytes', c.maxPartitionFetchBytes, 512 * 1024, 1024),
    transactionTimeoutMs: positive('transactionTimeoutMs', c.transactionTimeoutMs, 10_000, 1_000),
    taskTimeoutMs: positive('taskTimeoutMs', c.taskTimeoutMs, 300_000, 0),
    groupInstanceId: groupInstanceIdOf(c.groupInstanceId),
    numStandbyReplicas: wholeNumber('numStandbyReplicas', c.numStandbyReplicas, 0),
    acceptableRecoveryLag: wholeNumber('acceptableRecoveryLag', c.acceptableRecoveryLag, 10_000),
    maxWarmupReplicas: positive('maxWarmupReplicas', c.maxWarmupReplicas, 2),
    probingRebalanceIntervalMs: positive('probingRebalanceIntervalMs', c.probingRebalanceIntervalMs, 600_000, 1_000),
    applicationServer: c.applicationServer,
    clientId: c.clientId ?? `${c.applicationId}-${process.pid}`,
    logger,
    kafkaLogLevel: c.kafkaLogLevel ?? 'warn',
    metricsRecordingLevel: recordingLevelOf(c.metricsRecordingLevel),
    tracing: tracingOf(c.tracing),
    ssl: c.ssl,
    sasl: c.sasl,
    rocksdb: {
      blockCacheBytes: positive('rocksdb.blockCacheBytes', c.rocksdb?.blockCacheBytes, 64 * 1024 * 1024),
      writeBufferBytes: positive('rocksdb.writeBufferBytes', c.rocksdb?.writeBufferBytes, 8 * 1024 * 1024),
      maxOpenFiles: positive('rocksdb.maxOpenFiles', c.rocksdb?.maxOpenFiles, 64),
    },
    clock: c.clock ?? systemClock,
    appConfigs: { ...(c.appConfigs ?? {}) },
  };
}

function logFormatOf(v: unknown): LogFormat {
  if (v !== 'text' && v !== 'json') throw new ConfigError(`logFormat must be 'text' or 'json', got ${JSON.stringify(v)}`);
  return v;
}

function recordingLevelOf(v: unknown): RecordingLevel {
  if (v === undefined) return 'info';
  if (!RECORDING_LEVELS.includes(v as RecordingLevel)) throw new ConfigError(`metricsRecordingLevel must be one of ${RECORDING_LEVELS.map((l) => `'${l}'`).join(', ')} (Kafka's metrics.recording.level), got ${JSON.stringify(v)}`);
  return v as RecordingLevel;
}

function tracingOf(v: StreamsConfig['tracing']): ResolvedConfig['tracing'] {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || typeof v.enabled !== 'boolean') {
    throw new ConfigError(`tracing must be { enabled: true } (optionally with a tracerProvider), got ${JSON.stringify(v)}`);
  }
  if (v.tracerProvider !== undefined && typeof (v.tracerProvider as { getTracer?: unknown }).getTracer !== 'function') {
    throw new ConfigError('tracing.tracerProvider must be an OpenTelemetry TracerProvider (with getTracer()), e.g. the provider of @opentelemetry/sdk-trace-node');
  }
  return v.enabled ? { tracerProvider: v.tracerProvider } : undefined;
}
