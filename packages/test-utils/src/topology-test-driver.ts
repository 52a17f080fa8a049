// Owns TopologyTestDriver: runs a topology's real tasks (the same StreamTask, processors, stores and
// punctuation as the runtime) in memory with a fake wall clock and no broker. Every sub-topology is
// one task on partition 0; what a sink writes to a topic the topology also reads (repartition
// topics included) is fed back, and the driver commits (flushes caches) after every record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, IllegalStateError, ManualClock, MetricsRegistry, ThreadMetrics, createConsoleLogger, type Logger, type Metric, type RecordingLevel } from '@sluice/common';
import {
  Headers,
  StreamTask,
  assertSerdes,
  checkExceptionHandler,
  failOnInvalidTimestamp,
  type DeserializationExceptionHandler,
  type EngineConfig,
  type OutgoingRecord,
  type ProcessingExceptionHandler,
  type ProcessingRetryConfig,
  type TimestampExtractor,
  type Topology,
} from '@sluice/core';
import type { Serde } from '@sluice/serdes';
import { createCacheMemoryPool, type CacheMemoryPool, type StateStore, type StateStoreContext } from '@sluice/state';
import { TestInputTopic } from './test-input-topic.js';
import { TestOutputTopic, type CapturedRecord } from './test-output-topic.js';

export interface TopologyTestDriverConfig {
  applicationId?: string;
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
  defaultTimestampExtractor?: TimestampExtractor;
  deserializationExceptionHandler?: DeserializationExceptionHandler;
  processingExceptionHandler?: ProcessingExceptionHandler;
  /** Dead letter queue topic (deadLetterQueueTopicName): records the built-in handlers skip are written there. */
  deadLetterQueueTopicName?: string;
  /** Retries of failing processors, driven by the fake wall clock (advanceWallClockTime). */
  processingRetry?: ProcessingRetryConfig;
  /** Start of the fake wall clock (default: Date.now() when the driver is created). */
  initialWallClockTimeMs?: number;
  /** Where persistent stores live (default: a new temp dir, deleted by close()). */
  stateDir?: string;
  /** Record cache for all stores (default 10 MiB, 0 = off). The driver commits after every record. */
  cacheMaxBytes?: number;
  logger?: Logger;
  /** Which metrics the tasks record (metrics.recording.level); default 'info'. Read them with metrics(). */
  metricsRecordingLevel?: RecordingLevel;
  /** Anything else is passed to processors as context.appConfigs. */
  [key: string]: unknown;
}

export class TopologyTestDriver {
  private readonly clock: ManualClock;
  private readonly appId: string;
  private readonly tasks: StreamTask[] = [];
  private readonly topicReaders = new Map<string, StreamTask>();
  private readonly patternSources: { pattern: RegExp; sourceName: string; task: StreamTask }[] = [];
  private readonly outputs = new Map<string, CapturedRecord[]>();
  /** Topics a record was written to (reading a topic creates its queue, but does not make it produced). */
  private readonly produced = new Set<string>();
  private readonly offsets = new Map<string, number>();
  private readonly stateDir: string;
  private readonly ownsStateDir: boolean;
  private readonly ready: Promise<void>;
  private chain: Promise<void> = Promise.resolve();
  private readonly cache: CacheMemoryPool | undefined;
  private readonly globalTasks = new Map<string, StreamTask>();
  private closed = false;
  private readonly registry: MetricsRegistry;
  private readonly threadMetrics: ThreadMetrics;

  constructor(
    private readonly topology: Topology,
    config: TopologyTestDriverConfig = {},
  ) {
    topology.validate();
    checkExceptionHandler('deserializationExceptionHandler', config.deserializationExceptionHandler);
    checkExceptionHandler('processingExceptionHandler', config.processingExceptionHandler);
    this.appId = config.applicationId ?? 'topology-test-driver';
    this.clock = new ManualClock(config.initialWallClockTimeMs ?? Date.now());
    const logger = config.logger ?? createConsoleLogger({ level: 'warn', name: 'TopologyTestDriver' });
    const engine: EngineConfig = {
      applicationId: this.appId,
      defaultKeySerde: config.defaultKeySerde,
      defaultValueSerde: config.defaultValueSerde,
      defaultTimestampExtractor: config.defaultTimestampExtractor ?? failOnInvalidTimestamp,
      deserializationExceptionHandler: config.deserializationExceptionHandler ?? 'logAndFail',
      processingExceptionHandler: config.processingExceptionHandler ?? 'logAndFail',
      deadLetterQueueTopic: config.deadLetterQueueTopicName,
      processingRetry: config.processingRetry,
      appConfigs: { ...config },
      clock: this.clock,
      logger,
      globalStore: (name) => this.globalStores.get(name),
    };
    assertSerdes(topology, engine);
    this.registry = new MetricsRegistry(config.metricsRecordingLevel ?? 'info', () => this.clock.now());
    this.threadMetrics = new ThreadMetrics(this.registry, `${this.appId}-StreamThread-1`);
    // global stores first: their topics update them as they are piped in, as in Kafka Streams' driver
    for (const g of topology.globalStores()) {
      const task = new StreamTask({
        taskId: 'global',
        subtopology: topology.globalSubtopology(g.storeName),
        partition: 0,
        topology,
        config: engine,
        collector: { send: (r) => this.capture(r) },
        resolveTopic: (t) => this.resolveTopic(t),
      });
      this.tasks.push(task);
      this.globalTasks.set(g.storeName, task);
      for (const t of task.inputTopics) this.topicReaders.set(t, task);
    }
    for (const sub of topology.subtopologies()) {
      const metrics = this.threadMetrics.task(`${sub.id}_0`);
      const task = new StreamTask({
        metrics,
        taskId: `${sub.id}_0`,
        subtopology: sub,
        partition: 0,
        topology,
        config: engine,
        collector: { send: (r) => this.capture(r) },
        resolveTopic: (t) => this.resolveTopic(t),
      });
      this.tasks.push(task);
      this.taskMetrics.set(task, metrics);
      for (const t of task.inputTopics) this.topicReaders.set(t, task);
      for (const name of sub.nodes) {
        const def = topology.nodes.get(name)!;
        if (def.kind === 'source' && def.pattern) this.patternSources.push({ pattern: def.pattern, sourceName: name, task });
      }
    }
    const cacheBytes = config.cacheMaxBytes ?? 10 * 1024 * 1024;
    this.cache = cacheBytes > 0 ? createCacheMemoryPool(cacheBytes) : undefined;
    this.ownsStateDir = config.stateDir === undefined;
    this.stateDir = config.stateDir ?? mkdtempSync(path.join(tmpdir(), 'sluice-ttd-'));
    this.ready = this.initialize(logger);
    // surfaced by the first call that awaits `ready`; avoid an unhandled rejection meanwhile
    this.ready.catch(() => undefined);
  }

  /** Resolves once stores are open and processors initialised (pipeInput waits for it too). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, options: { startTimestampMs?: number; autoAdvanceMs?: number } = {}): TestInputTopic<K, V> {
    const real = this.resolveTopic(topic);
    this.subscribeIfPattern(real);
    if (!this.topicReaders.has(real)) {
      throw new ConfigError(`'${topic}' is not an input topic of this topology; its input topics are: ${[...this.topicReaders.keys()].join(', ') || '(none)'}`);
    }
    return new TestInputTopic(real, { pipe: (t, k, v, ts, h) => this.pipe(t, k, v, ts, h) }, keySerde, valueSerde, options.startTimestampMs ?? this.clock.now(), options.autoAdvanceMs ?? 0);
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(topic, { queue: (t) => this.queue(t) }, keySerde, valueSerde);
  }

  /** Moves the fake wall clock and runs due WALL_CLOCK_TIME punctuations. */
  advanceWallClockTime(ms: number): Promise<void> {
    return this.enqueue(async () => {
      this.clock.advance(ms);
      for (const task of this.tasks) {
        if (await task.maybePunctuateSystemTime()) await this.commit(task);
      }
      await this.drain();
    });
  }

  /** The driver's fake wall-clock time. */
  wallClockTime(): number {
    return this.clock.now();
  }

  /** A store of the topology by name (any kind); undefined if there is none. */
  getStateStore<S extends StateStore = StateStore>(name: string): S | undefined {
    for (const task of this.tasks) {
      const s = task.stores.get(name);
      if (s) return s as S;
    }
    return undefined;
  }

  /** Every metric the tasks, processor nodes, stores and caches recorded (Kafka's TopologyTestDriver#metrics()). */
  metrics(): Metric[] {
    return this.registry.metrics();
  }

  /** Topic names the driver has captured output for (sinks and changelogs). */
  producedTopicNames(): string[] {
    return [...this.produced];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    await this.ready.catch(() => undefined);
    for (const task of this.tasks) await task.close(false);
    if (this.ownsStateDir) rmSync(this.stateDir, { recursive: true, force: true });
  }

  // ---- internals ----

  private get globalStores(): ReadonlyMap<string, StateStore> {
    const out = new Map<string, StateStore>();
    for (const [name, task] of this.globalTasks) {
      const store = task.stores.get(name);
      if (store) out.set(name, store);
    }
    return out;
  }

  private async initialize(logger: Logger): Promise<void> {
    for (const task of this.tasks) {
      const ctx: StateStoreContext = {
        applicationId: this.appId,
        taskId: task.id,
        partition: 0,
        taskDir: path.join(this.stateDir, this.appId, task.id),
        clock: this.clock,
        logger,
        cache: this.cache,
        rocksdb: { blockCacheBytes: 8 * 1024 * 1024, writeBufferBytes: 1024 * 1024, maxOpenFiles: 64 },
        register: () => undefined,
        logChange: (storeName, key, value, timestamp) =>
          this.capture({ topic: `${this.appId}-${storeName}-changelog`, key, value, timestamp, headers: new Headers(), partition: 0, partitioner: undefined }),
        streamTime: () => task.streamTime(),
        recordTimestamp: () => task.currentRecordTimestamp(),
        recordContext: () => task.currentHeaders(),
        metrics: this.metricsOf(task),
      };
      await task.initializeStores(ctx);
      await task.initializeProcessors();
    }
  }

  private readonly taskMetrics = new Map<StreamTask, ReturnType<ThreadMetrics['task']>>();

  private metricsOf(task: StreamTask): ReturnType<ThreadMetrics['task']> {
    return this.taskMetrics.get(task)!;
  }

  /** A topic that a pattern source matches becomes one of that source's inputs when first used. */
  private subscribeIfPattern(topic: string): void {
    if (this.topicReaders.has(topic)) return;
    if (topic.startsWith(`${this.appId}-`) && /-(changelog|repartition)$/.test(topic)) return; // internal topics never match patterns
    const match = this.patternSources.find((p) => p.pattern.test(topic));
    if (!match) return;
    match.task.addInputTopic(topic, match.sourceName);
    this.topicReaders.set(topic, match.task);
  }

  private resolveTopic(topic: string): string {
    return this.topology.isInternalTopic(topic) ? `${this.appId}-${topic}` : topic;
  }

  private queue(topic: string): CapturedRecord[] {
    let q = this.outputs.get(topic);
    if (!q) this.outputs.set(topic, (q = []));
    return q;
  }

  private nextOffset(topic: string): number {
    const o = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, o + 1);
    return o;
  }

  private capture(r: OutgoingRecord): void {
    const record: CapturedRecord = { topic: r.topic, partition: 0, offset: this.nextOffset(r.topic), key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers };
    this.produced.add(r.topic);
    // as in Kafka Streams' driver: every output is captured, and fed back when the topology reads it
    this.queue(r.topic).push(record);
    this.subscribeIfPattern(r.topic);
    this.topicReaders.get(r.topic)?.addRecords(r.topic, [record]);
  }

  private pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers | undefined): Promise<void> {
    return this.enqueue(async () => {
      const task = this.topicReaders.get(topic)!;
      task.addRecords(topic, [{ topic, partition: 0, offset: this.nextOffset(topic), timestamp, key, value, headers: headers ?? new Headers() }]);
      await this.drain();
    });
  }

  /** Process everything buffered, one record at a time, lowest timestamp first across tasks. */
  private async drain(): Promise<void> {
    for (;;) {
      let next: StreamTask | undefined;
      let nextTs = Infinity;
      for (const t of this.tasks) {
        // a record waiting for another try at a failed processor waits for the (fake) wall clock
        const retryAt = t.retryDueAt();
        if (retryAt !== undefined && retryAt > this.clock.now()) continue;
        const ts = t.nextRecordTimestamp();
        if (ts !== undefined && ts < nextTs) {
          nextTs = ts;
          next = t;
        }
      }
      if (!next) return;
      if ((await next.process(1)) === 0 && next.retryDueAt() === undefined) return;
      await this.commit(next);
    }
  }

  private async commit(task: StreamTask): Promise<void> {
    await task.flushState();
    task.markCommitted();
  }

  /** Operations run one after another, in call order, even when the caller does not await. */
  private enqueue(op: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new IllegalStateError('TopologyTestDriver is closed'));
    const run = this.chain.then(() => this.ready).then(op);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
