// Owns the application configuration of KafkaStreams: its options, Kafka Streams' defaults, and
// validation when the app is created (unknown keys and bad values are refused with the fix).
import { ConfigError, createConsoleLogger, RECORDING_LEVELS, systemClock, toLogger, type Clock, type FieldsFirstLogger, type Logger, type LogFormat, type LogLevel, type RecordingLevel } from '@sluice/common';
import type { TracerProvider } from '@opentelemetry/api';
import type { DeserializationExceptionHandler, HandlerResult, ProcessingExceptionHandler, ProcessingRetryConfig, RetryPolicy, SourceRecordContext, TimestampExtractor } from '@sluice/core';
import { checkExceptionHandler, failOnInvalidTimestamp } from '@sluice/core';
import type { Serde } from '@sluice/serdes';
import os from 'node:os';
import path from 'node:path';
import {
  choiceSetting,
  closest,
  describeValue,
  functionSetting,
  numberSetting,
  objectWithMethods,
  plainObject,
  rejectUnknownKeys,
  stringMap,
  stringSetting,
} from './config-checks.js';
import { HostInfo } from './query/metadata.js';
import { resolveSasl, resolveSsl, type ResolvedSasl, type SaslConfig, type SslConfig } from './security-config.js';

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once' | 'exactly_once_v2';

/** One record that could not be written, as the production exception handler sees it (Kafka's ProductionExceptionHandler). */
export interface ProductionErrorContext {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: { readonly [key: string]: Buffer | Buffer[] };
  readonly error: unknown;
  /** The source record the failed one came from (undefined for records of a punctuation). */
  readonly source: SourceRecordContext | undefined;
  /** The configured dead letter queue topic (deadLetterQueueTopicName), if any. */
  readonly deadLetterQueueTopic: string | undefined;
}
/** 'logAndFail' (default), 'logAndContinue', or a function deciding per record (may be async, may return dead-letter records). */
export type ProductionExceptionHandler = 'logAndFail' | 'logAndContinue' | ((ctx: ProductionErrorContext) => HandlerResult);

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
   * Most bytes one fetch returns (fetch.max.bytes); default 512 KiB. Far smaller than Java's 50 MiB on
   * purpose: a fetch is decoded into one object per record at once, and those objects outlive the
   * young generation while the next fetch is in flight, so this bounds the heap (decision 0004: 2 MiB
   * → 512 KiB took word count from ~570 to ~340 MiB peak RSS and made it faster).
   */
  fetchMaxBytes?: number;
  /** Most bytes one fetch returns per partition (max.partition.fetch.bytes); default 128 KiB. */
  maxPartitionFetchBytes?: number;
  /** Exactly-once transaction timeout; default 10 000 ms as Kafka Streams. */
  transactionTimeoutMs?: number;
  /**
   * How long the worker keeps retrying what fails for a reason that may pass (a broker restart, a
   * moved leader or coordinator) before it gives up on it (task.timeout.ms); default 300 000 ms.
   */
  taskTimeoutMs?: number;
  /**
   * Static group membership (group.instance.id, KIP-345): a worker restarted with the same id takes
   * its old place in the group without a rebalance. Unique per worker, stable across its restarts.
   */
  groupInstanceId?: string;
  /**
   * Stream threads of this worker (num.stream.threads); default 1. More than one runs the others on
   * worker threads, each its own member of the group, so one worker uses several cores; each thread
   * builds the application itself, so start the worker with KafkaStreams.fromModule.
   */
  numStreamThreads?: number;
  /** Standby replicas per stateful task (num.standby.replicas); default 0. */
  numStandbyReplicas?: number;
  /** A copy of a task's state this many changelog records behind counts as caught up (acceptable.recovery.lag); default 10 000. */
  acceptableRecoveryLag?: number;
  /** Warm-up replicas placed at once to move stateful tasks without a full restore (max.warmup.replicas); default 2. */
  maxWarmupReplicas?: number;
  /** How soon the group rebalances again to move warmed-up tasks (probing.rebalance.interval.ms); default 600 000, at least 1 000. */
  probingRebalanceIntervalMs?: number;
  /**
   * Dead letter queue topic (errors.dead.letter.queue.topic.name, KIP-1034): records the built-in
   * handlers skip are written there with __streams.errors.* headers. It must exist.
   */
  deadLetterQueueTopicName?: string;
  /** Retries with exponential backoff of a failing processor before the processing exception handler decides. */
  processingRetry?: ProcessingRetryConfig;
  /** How often topics are looked up for source patterns (metadata.max.age.ms): a new matching topic is read from then on; default 300 000. */
  metadataMaxAgeMs?: number;
  /** How often records of repartition topics below the committed offsets are deleted (repartition.purge.interval.ms); default 30 000. */
  repartitionPurgeIntervalMs?: number;
  /** Waiting for the other inputs of a task (max.task.idle.ms): 0 (default) waits for inputs with unfetched records, -1 never waits. */
  maxTaskIdleMs?: number;
  /**
   * Most records buffered per input partition of a task before its fetching pauses
   * (buffered.records.per.partition); default 1000 as Kafka Streams. Records pile up only while a
   * task waits for another input (max.task.idle.ms) or a retry: this bounds the memory they take.
   */
  bufferedRecordsPerPartition?: number;
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
  /** TLS to the brokers: true, or Node's TLS options ({ ca, cert, key, ... } as PEM text). */
  ssl?: SslConfig;
  /** SASL to the brokers: PLAIN, SCRAM-SHA-256/512 (username, password) or OAUTHBEARER (a token provider). */
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
  readonly numStreamThreads: number;
  readonly numStandbyReplicas: number;
  readonly acceptableRecoveryLag: number;
  readonly maxWarmupReplicas: number;
  readonly probingRebalanceIntervalMs: number;
  readonly deadLetterQueueTopicName: string | undefined;
  readonly processingRetry: ProcessingRetryConfig | undefined;
  readonly maxTaskIdleMs: number;
  readonly bufferedRecordsPerPartition: number;
  readonly repartitionPurgeIntervalMs: number;
  readonly metadataMaxAgeMs: number;
  readonly applicationServer: string | undefined;
  readonly clientId: string;
  readonly logger: Logger;
  readonly kafkaLogLevel: LogLevel;
  readonly metricsRecordingLevel: RecordingLevel;
  readonly tracing: { readonly tracerProvider: TracerProvider | undefined } | undefined;
  readonly ssl: SslConfig | undefined;
  readonly sasl: ResolvedSasl | undefined;
  readonly rocksdb: { blockCacheBytes: number; writeBufferBytes: number; maxOpenFiles: number };
  readonly clock: Clock;
  readonly appConfigs: { [key: string]: unknown };
}

const KNOWN: readonly string[] = [
  'applicationId', 'bootstrapServers', 'processingGuarantee', 'commitIntervalMs', 'cacheMaxBytes', 'stateDir',
  'defaultKeySerde', 'defaultValueSerde', 'defaultTimestampExtractor', 'deserializationExceptionHandler',
  'processingExceptionHandler', 'productionExceptionHandler', 'replicationFactor', 'internalTopicConfig',
  'sessionTimeoutMs', 'heartbeatIntervalMs', 'rebalanceTimeoutMs', 'maxWaitTimeMs', 'fetchMaxBytes', 'maxPartitionFetchBytes', 'transactionTimeoutMs',
  'taskTimeoutMs', 'groupInstanceId', 'numStreamThreads', 'numStandbyReplicas', 'acceptableRecoveryLag', 'maxWarmupReplicas', 'probingRebalanceIntervalMs',
  'deadLetterQueueTopicName', 'processingRetry', 'maxTaskIdleMs', 'bufferedRecordsPerPartition', 'repartitionPurgeIntervalMs', 'metadataMaxAgeMs',
  'applicationServer', 'clientId', 'logger', 'logLevel', 'kafkaLogLevel', 'ssl', 'sasl', 'rocksdb', 'clock', 'appConfigs',
  'logFormat', 'metricsRecordingLevel', 'tracing',
];

/** Every setting's name, for tools and tests that must cover them all. */
export const STREAMS_CONFIG_KEYS: readonly string[] = KNOWN;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const GUARANTEES: readonly ProcessingGuarantee[] = ['at_least_once', 'exactly_once', 'exactly_once_v2'];
const SERDE_METHODS = ['serialize', 'deserialize'];
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/;

function brokersSetting(v: unknown): string[] {
  const list = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : undefined;
  if (list === undefined || list.some((b) => typeof b !== 'string')) {
    throw new ConfigError(`bootstrapServers must be 'host:port[,host:port...]' or an array of 'host:port' strings, got ${describeValue(v)}`, { context: { setting: 'bootstrapServers' } });
  }
  const brokers = (list as string[]).map((b) => b.trim()).filter((b) => b.length > 0);
  if (brokers.length === 0) throw new ConfigError("bootstrapServers must list at least one broker, e.g. ['127.0.0.1:9092']", { context: { setting: 'bootstrapServers' } });
  const bad = brokers.filter((b) => !HOST_PORT.test(b));
  if (bad.length > 0) {
    throw new ConfigError(`bootstrapServers entries must be host:port, got ${bad.map((b) => JSON.stringify(b)).join(', ')}${bad[0]!.includes('://') ? ' (leave out the scheme: TLS and SASL are set with ssl and sasl)' : ''}`, {
      context: { setting: 'bootstrapServers' },
    });
  }
  return brokers;
}

function logLevelSetting(name: string, v: unknown, env: string | undefined, fallback: LogLevel): LogLevel {
  if (v !== undefined) return choiceSetting(name, v, LOG_LEVELS)!;
  if (env !== undefined && env !== '') {
    if ((LOG_LEVELS as readonly string[]).includes(env)) return env as LogLevel;
    throw new ConfigError(`the environment variable SLUICE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env)}`, { context: { setting: name } });
  }
  return fallback;
}

function rocksdbSetting(v: unknown): ResolvedConfig['rocksdb'] {
  const o = plainObject('rocksdb', v, 'an object { blockCacheBytes?, writeBufferBytes?, maxOpenFiles? }') ?? {};
  rejectUnknownKeys('rocksdb setting', o, ['blockCacheBytes', 'writeBufferBytes', 'maxOpenFiles']);
  return {
    blockCacheBytes: numberSetting('rocksdb.blockCacheBytes', o['blockCacheBytes'], 64 * 1024 * 1024, 1, ' (bytes)'),
    writeBufferBytes: numberSetting('rocksdb.writeBufferBytes', o['writeBufferBytes'], 8 * 1024 * 1024, 1, ' (bytes)'),
    maxOpenFiles: numberSetting('rocksdb.maxOpenFiles', o['maxOpenFiles'], 64, 1),
  };
}

function replicationFactorSetting(v: unknown): number {
  if (v === undefined || v === -1) return -1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ConfigError(`replicationFactor must be an integer >= 1, or -1 for the brokers' default.replication.factor, got ${describeValue(v)}`, { context: { setting: 'replicationFactor' } });
  }
  return v;
}

function groupInstanceIdSetting(v: unknown): string | null {
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(v)) {
    throw new ConfigError(`groupInstanceId must be a string of letters, digits, '.', '_' and '-' unique to this worker (e.g. the pod name), got ${describeValue(v)}`, { context: { setting: 'groupInstanceId' } });
  }
  return v;
}

function topicSetting(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(v)) {
    throw new ConfigError(`${name} must be a topic name (letters, digits, '.', '_', '-'), got ${describeValue(v)}`, { context: { setting: name } });
  }
  return v;
}

const RETRY_KEYS = ['maxAttempts', 'initialBackoffMs', 'maxBackoffMs', 'multiplier', 'maxElapsedMs', 'retryOn'];

function retryPolicySetting(name: string, v: unknown): RetryPolicy {
  const o = plainObject(name, v, `an object { ${RETRY_KEYS.join('?, ')}? }`) ?? {};
  rejectUnknownKeys(`${name} setting`, o, [...RETRY_KEYS, ...(name === 'processingRetry' ? ['processors'] : [])]);
  numberSetting(`${name}.maxAttempts`, o['maxAttempts'], 3, 1);
  numberSetting(`${name}.initialBackoffMs`, o['initialBackoffMs'], 100, 0, ' (ms)');
  numberSetting(`${name}.maxBackoffMs`, o['maxBackoffMs'], 10_000, 0, ' (ms)');
  numberSetting(`${name}.maxElapsedMs`, o['maxElapsedMs'], 60_000, 0, ' (ms)');
  const m = o['multiplier'];
  if (m !== undefined && (typeof m !== 'number' || !Number.isFinite(m) || m < 1)) throw new ConfigError(`${name}.multiplier must be a number >= 1, got ${describeValue(m)}`, { context: { setting: name } });
  if (o['retryOn'] !== undefined && typeof o['retryOn'] !== 'function') throw new ConfigError(`${name}.retryOn must be a function (error) => boolean, got ${describeValue(o['retryOn'])}`, { context: { setting: name } });
  return o as RetryPolicy;
}

function retrySetting(v: unknown): ProcessingRetryConfig | undefined {
  if (v === undefined) return undefined;
  const policy = retryPolicySetting('processingRetry', v) as ProcessingRetryConfig;
  const processors = (v as { processors?: unknown }).processors;
  if (processors !== undefined) {
    const per = plainObject('processingRetry.processors', processors, "an object { '<processor name>': policy | false }") ?? {};
    for (const [name, p] of Object.entries(per)) if (p !== false) retryPolicySetting(`processingRetry.processors['${name}']`, p);
  }
  return policy;
}

export function resolveConfig(c: StreamsConfig): ResolvedConfig {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new ConfigError(`KafkaStreams needs a config object: { applicationId, bootstrapServers, ... }, got ${describeValue(c)}`);
  const unknown = Object.keys(c).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown config ${unknown.map((k) => `'${k}'${closest(k, KNOWN) ? ` (did you mean '${closest(k, KNOWN)}'?)` : ''}`).join(', ')}; ` +
        `put application-specific settings under appConfigs`,
    );
  }
  if (typeof c.applicationId !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(c.applicationId)) {
    throw new ConfigError(`applicationId must be a non-empty string of letters, digits, '.', '_' and '-' (it prefixes topic names), got ${describeValue(c.applicationId)}`);
  }
  const brokers = brokersSetting(c.bootstrapServers);
  const g = choiceSetting('processingGuarantee', c.processingGuarantee, GUARANTEES) ?? 'at_least_once';
  const guarantee = g === 'at_least_once' ? 'at_least_once' : 'exactly_once';
  checkExceptionHandler('deserializationExceptionHandler', c.deserializationExceptionHandler);
  checkExceptionHandler('processingExceptionHandler', c.processingExceptionHandler);
  checkExceptionHandler('productionExceptionHandler', c.productionExceptionHandler);
  const logLevel = logLevelSetting('logLevel', c.logLevel, process.env['SLUICE_LOG_LEVEL'], 'info');
  const kafkaLogLevel = logLevelSetting('kafkaLogLevel', c.kafkaLogLevel, undefined, 'warn');
  const logFormat = choiceSetting<LogFormat>('logFormat', c.logFormat, ['text', 'json']);
  const userLogger = objectWithMethods<Logger | FieldsFirstLogger>('logger', c.logger, ['debug', 'info', 'warn', 'error', 'child'], 'pino() or console-like { debug, info, warn, error, child }');
  // pino is called fields first (toLogger); every line carries the application id
  const logger = (userLogger === undefined ? createConsoleLogger({ level: logLevel, name: c.applicationId, ...(logFormat !== undefined ? { format: logFormat } : {}) }) : toLogger(userLogger)).child({ applicationId: c.applicationId });
  const sessionTimeoutMs = numberSetting('sessionTimeoutMs', c.sessionTimeoutMs, 45_000, 1_000, ' (ms)');
  const heartbeatIntervalMs = numberSetting('heartbeatIntervalMs', c.heartbeatIntervalMs, Math.min(3_000, Math.floor(sessionTimeoutMs / 3)), 1, ' (ms)');
  if (heartbeatIntervalMs >= sessionTimeoutMs) throw new ConfigError(`heartbeatIntervalMs (${heartbeatIntervalMs}) must be lower than sessionTimeoutMs (${sessionTimeoutMs})`);
  const serverText = stringSetting('applicationServer', c.applicationServer, "'host:port' (where this worker serves interactive queries)");
  const applicationServer = HostInfo.buildFromEndpoint(serverText)?.toString();

  const sasl = resolveSasl(c.sasl);
  const ssl = resolveSsl(c.ssl);
  if (sasl?.mechanism === 'plain' && !ssl) logger.warn('sasl mechanism PLAIN without ssl sends the password in clear text; set ssl too unless the network is trusted');
  return {
    applicationId: c.applicationId,
    brokers,
    guarantee,
    commitIntervalMs: numberSetting('commitIntervalMs', c.commitIntervalMs, guarantee === 'exactly_once' ? 100 : 30_000, 1, ' (ms)'),
    cacheMaxBytes: numberSetting('cacheMaxBytes', c.cacheMaxBytes, 10 * 1024 * 1024, 0, ' (bytes)'),
    stateDir: stringSetting('stateDir', c.stateDir, 'a directory path') ?? path.join(os.tmpdir(), 'sluice-state'),
    defaultKeySerde: objectWithMethods<Serde<unknown>>('defaultKeySerde', c.defaultKeySerde, SERDE_METHODS, 'Serdes.String()'),
    defaultValueSerde: objectWithMethods<Serde<unknown>>('defaultValueSerde', c.defaultValueSerde, SERDE_METHODS, 'Serdes.String()'),
    defaultTimestampExtractor: functionSetting<TimestampExtractor>('defaultTimestampExtractor', c.defaultTimestampExtractor, '(record, partitionTime) => timestamp') ?? failOnInvalidTimestamp,
    deserializationExceptionHandler: c.deserializationExceptionHandler ?? 'logAndFail',
    processingExceptionHandler: c.processingExceptionHandler ?? 'logAndFail',
    productionExceptionHandler: c.productionExceptionHandler ?? 'logAndFail',
    replicationFactor: replicationFactorSetting(c.replicationFactor),
    internalTopicConfig: stringMap('internalTopicConfig', c.internalTopicConfig, "{ 'min.insync.replicas': '2' }"),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs: numberSetting('rebalanceTimeoutMs', c.rebalanceTimeoutMs, 60_000, 1_000, ' (ms)'),
    maxWaitTimeMs: numberSetting('maxWaitTimeMs', c.maxWaitTimeMs, 500, 0, ' (ms)'),
    fetchMaxBytes: numberSetting('fetchMaxBytes', c.fetchMaxBytes, 512 * 1024, 1024, ' (bytes)'),
    maxPartitionFetchBytes: numberSetting('maxPartitionFetchBytes', c.maxPartitionFetchBytes, 128 * 1024, 1024, ' (bytes)'),
    transactionTimeoutMs: numberSetting('transactionTimeoutMs', c.transactionTimeoutMs, 10_000, 1_000, ' (ms)'),
    taskTimeoutMs: numberSetting('taskTimeoutMs', c.taskTimeoutMs, 300_000, 0, ' (ms)'),
    groupInstanceId: groupInstanceIdSetting(c.groupInstanceId),
    numStreamThreads: numberSetting('numStreamThreads', c.numStreamThreads, 1, 1),
    numStandbyReplicas: numberSetting('numStandbyReplicas', c.numStandbyReplicas, 0, 0),
    acceptableRecoveryLag: numberSetting('acceptableRecoveryLag', c.acceptableRecoveryLag, 10_000, 0, ' (records)'),
    maxWarmupReplicas: numberSetting('maxWarmupReplicas', c.maxWarmupReplicas, 2, 1),
    probingRebalanceIntervalMs: numberSetting('probingRebalanceIntervalMs', c.probingRebalanceIntervalMs, 600_000, 1_000, ' (ms)'),
    deadLetterQueueTopicName: topicSetting('deadLetterQueueTopicName', c.deadLetterQueueTopicName),
    processingRetry: retrySetting(c.processingRetry),
    maxTaskIdleMs: numberSetting('maxTaskIdleMs', c.maxTaskIdleMs, 0, -1, ' (ms)'),
    bufferedRecordsPerPartition: numberSetting('bufferedRecordsPerPartition', c.bufferedRecordsPerPartition, 1000, 1, ' (records)'),
    repartitionPurgeIntervalMs: numberSetting('repartitionPurgeIntervalMs', c.repartitionPurgeIntervalMs, 30_000, 0, ' (ms)'),
    metadataMaxAgeMs: numberSetting('metadataMaxAgeMs', c.metadataMaxAgeMs, 300_000, 100, ' (ms)'),
    applicationServer,
    clientId: stringSetting('clientId', c.clientId) ?? `${c.applicationId}-${process.pid}`,
    logger,
    kafkaLogLevel,
    metricsRecordingLevel: choiceSetting('metricsRecordingLevel', c.metricsRecordingLevel, RECORDING_LEVELS) ?? 'info',
    tracing: tracingSetting(c.tracing),
    ssl,
    sasl,
    rocksdb: rocksdbSetting(c.rocksdb),
    clock: objectWithMethods<Clock>('clock', c.clock, ['now', 'setTimeout', 'setInterval'], 'a ManualClock in tests') ?? systemClock,
    appConfigs: { ...(plainObject('appConfigs', c.appConfigs, 'an object of application settings') ?? {}) },
  };
}

function tracingSetting(v: StreamsConfig['tracing']): ResolvedConfig['tracing'] {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || typeof v.enabled !== 'boolean') {
    throw new ConfigError(`tracing must be { enabled: true } (optionally with a tracerProvider), got ${describeValue(v)}`, { context: { setting: 'tracing' } });
  }
  if (v.tracerProvider !== undefined && typeof (v.tracerProvider as { getTracer?: unknown }).getTracer !== 'function') {
    throw new ConfigError('tracing.tracerProvider must be an OpenTelemetry TracerProvider (with getTracer()), e.g. the provider of @opentelemetry/sdk-trace-node', { context: { setting: 'tracing' } });
  }
  return v.enabled ? { tracerProvider: v.tracerProvider } : undefined;
}
