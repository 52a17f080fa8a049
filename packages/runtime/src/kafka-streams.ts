// Owns KafkaStreams, the application a user starts: it checks the topology and configuration,
// prepares topics and serdes, joins the consumer group (one per applicationId, shared by all
// workers), runs the stream thread, and closes everything in order. Its lifecycle is the
// StreamsStateMachine; listeners hear every state change and restore progress.
import { describeError, IllegalStateError, StreamsError, ErrorCodes, ConfigError, MetricsRegistry, ThreadMetrics, errorFields } from '@sluice/common';
import { assertSerdes, type EngineConfig, type Topology } from '@sluice/core';
import type { Serde } from '@sluice/serdes';
import { OffsetCheckpoint, StateDirectory, createCacheMemoryPool, type StateStore } from '@sluice/state';
import { randomUUID } from 'node:crypto';
import { StreamsAssignor, topologyFingerprint, type AssignmentInfo } from './assignment/streams-assignor.js';
import { TopologyTasks } from './assignment/topology-tasks.js';
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './config.js';
import { createKafkaClient } from './kafka/client.js';
import type { Admin, GroupConsumer, KafkaClient } from './ports.js';
import { StreamsStateMachine, type StateListener, type StreamsState } from './state-machine.js';
import type { RestoreProgress } from './state/task-state-manager.js';
import { StreamThread } from './stream-thread.js';
import { prepareTopics } from './topic-manager.js';
import { StreamsMetrics } from './metrics/streams-metrics.js';
import { registerClientMetrics } from './metrics/client-metrics.js';
import { OtelRecordTracer } from './tracing/otel-record-tracer.js';

export type RestoreListener = (event: RestoreProgress & { taskId: string }) => void;
export type ErrorListener = (error: unknown) => void;

export class KafkaStreams {
  private readonly config: ResolvedConfig;
  private readonly machine: StreamsStateMachine;
  private processId = '';
  private readonly stateDirectory: StateDirectory;
  private readonly restoreListeners = new Set<RestoreListener>();
  private readonly errorListeners = new Set<ErrorListener>();
  private client: KafkaClient | undefined;
  private admin: Admin | undefined;
  private consumer: GroupConsumer | undefined;
  private thread: StreamThread | undefined;
  private closing: Promise<void> | undefined;
  private fatalError: unknown;
  private assignment: AssignmentInfo = { active: [], standby: [], clients: [] };
  private probe: { cancel(): void } | undefined;
  private readonly registry: MetricsRegistry;
  private threadMetrics: ThreadMetrics | undefined;

  constructor(
    private readonly topology: Topology,
    config: StreamsConfig,
  ) {
    this.config = resolveConfig(config);
    this.machine = new StreamsStateMachine(this.config.logger);
    this.registry = new MetricsRegistry(this.config.metricsRecordingLevel, () => this.config.clock.now());
    registerClientMetrics(this.registry, { clientId: this.config.clientId, state: () => this.machine.state, aliveThreads: () => (this.thread && this.machine.is('REBALANCING', 'RUNNING') ? 1 : 0), failedThreads: () => (this.machine.is('PENDING_ERROR', 'ERROR') ? 1 : 0) });
    topology.validate();
    assertSerdes(topology, this.config);
    this.stateDirectory = new StateDirectory({ stateDir: this.config.stateDir, applicationId: this.config.applicationId, logger: this.config.logger });
  }

  get state(): StreamsState {
    return this.machine.state;
  }

  /** Listen to state changes (CREATED → REBALANCING → RUNNING → PENDING_SHUTDOWN → NOT_RUNNING | ERROR). */
  onStateChange(listener: StateListener): () => void {
    return this.machine.onChange(listener);
  }

  /** Listen to restoration progress of state stores (also logged). */
  onRestoreProgress(listener: RestoreListener): () => void {
    this.restoreListeners.add(listener);
    return () => this.restoreListeners.delete(listener);
  }

  /** Called with the error that moved the app to ERROR. */
  onError(listener: ErrorListener): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /**
   * Join the group and start processing. Resolves once this worker has its first assignment and
   * has restored its state; rejects (and the app goes to ERROR) when it cannot start.
   */
  async start(): Promise<void> {
    if (!this.machine.is('CREATED')) throw new IllegalStateError(`start() can only be called once, on a CREATED app (it is ${this.machine.state})`);
    this.machine.to('REBALANCING');
    const log = this.config.logger;
    try {
      this.client = createKafkaClient({
        clientId: this.config.clientId,
        brokers: this.config.brokers,
        logger: log,
        kafkaLogLevel: this.config.kafkaLogLevel,
        taskTimeoutMs: this.config.taskTimeoutMs,
        clock: this.config.clock,
        ...(this.config.ssl !== undefined ? { ssl: this.config.ssl } : {}),
        ...(this.config.sasl !== undefined ? { sasl: this.config.sasl } : {}),
      });
      this.admin = await this.client.admin();
      if (this.config.guarantee === 'exactly_once') await this.checkTransactionsPossible(this.admin);
      const plan = await prepareTopics({
        admin: this.admin,
        topology: this.topology,
        applicationId: this.config.applicationId,
        replicationFactor: this.config.replicationFactor,
        internalTopicConfig: this.config.internalTopicConfig,
        logger: log,
      });
      const sourceSerdes = await this.prepareSerdes(plan.sourceTopics);
      const topologyTasks = new TopologyTasks(this.topology.subtopologies(), plan.sourceTopics);
      const threadId = `${this.config.clientId}-StreamThread-1`;
      const engine: EngineConfig = {
        applicationId: this.config.applicationId,
        defaultKeySerde: this.config.defaultKeySerde,
        defaultValueSerde: this.config.defaultValueSerde,
        defaultTimestampExtractor: this.config.defaultTimestampExtractor,
        deserializationExceptionHandler: this.config.deserializationExceptionHandler,
        processingExceptionHandler: this.config.processingExceptionHandler,
        appConfigs: this.config.appConfigs,
        clock: this.config.clock,
        logger: log.child({ thread: threadId }),
      };
      this.processId = this.stateDirectory.processId(() => randomUUID());
      this.threadMetrics = new ThreadMetrics(this.registry, threadId);
      this.thread = new StreamThread({
        metrics: this.threadMetrics,
        tracer: this.config.tracing && new OtelRecordTracer({ applicationId: this.config.applicationId, tracerProvider: this.config.tracing.tracerProvider }),
        config: this.config,
        engine,
        topology: this.topology,
        topologyTasks,
        changelogTopics: plan.changelogTopics,
        client: this.client,
        consumer: () => this.consumer!,
        processId: this.processId,
        threadIndex: 1,
        cache: this.config.cacheMaxBytes > 0 ? createCacheMemoryPool(this.config.cacheMaxBytes) : undefined,
        taskDir: (id) => this.stateDirectory.taskDir(id),
        lockTask: (id) => {
          this.stateDirectory.lock(id);
        },
        unlockTask: (id) => this.stateDirectory.unlock(id),
        checkpointFor: (id) => OffsetCheckpoint.forTaskDir(this.stateDirectory.taskDir(id)),
        sourceSerdes,
        standbyTasks: () => this.assignment.standby,
        onRestoreProgress: (taskId, p) => this.reportRestore(taskId, p),
        hooks: {
          onRebalanceStart: () => {
            this.machine.tryTo('REBALANCING');
          },
          onAllRunning: () => {
            this.machine.tryTo('RUNNING');
          },
          onFatal: (err) => this.handleFatal(err),
        },
        logger: log.child({ thread: threadId }),
      });
      await this.thread.start();
      this.consumer = this.client.groupConsumer({
        groupId: this.config.applicationId,
        readCommitted: this.config.guarantee === 'exactly_once',
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
        maxWaitTimeMs: this.config.maxWaitTimeMs,
        fetchMaxBytes: this.config.fetchMaxBytes,
        maxPartitionFetchBytes: this.config.maxPartitionFetchBytes,
        groupInstanceId: this.config.groupInstanceId,
        resetPolicy: this.resetPolicies(plan.sourceTopics),
        assignor: new StreamsAssignor({
          processId: this.processId,
          endpoint: this.config.applicationServer,
          topologyTasks,
          topology: topologyFingerprint(this.topology.describe().toString()),
          changelogsOf: (taskId) => this.changelogsOf(taskId, plan.changelogTopics),
          local: () => ({ active: this.thread?.tasks.ids() ?? [], standby: this.thread?.tasks.standbyIds() ?? [], offsetSums: this.thread?.tasks.offsetSums() ?? new Map() }),
          diskOffsetSums: () => this.diskOffsetSums(),
          numStandbyReplicas: this.config.numStandbyReplicas,
          acceptableRecoveryLag: this.config.acceptableRecoveryLag,
          maxWarmupReplicas: this.config.maxWarmupReplicas,
          probingRebalanceIntervalMs: this.config.probingRebalanceIntervalMs,
          clock: this.config.clock,
          logger: log,
          onAssignment: (info) => this.onAssignmentInfo(info),
        }),
      });
      await this.consumer.subscribe(topologyTasks.allSourceTopics());
      this.thread.startTimer();
      await this.consumer.run(this.thread.handlers());
      await this.firstRunning();
      if (this.fatalError !== undefined) throw this.fatalError;
      log.info(`started: ${this.thread.tasks.size} tasks on this worker (${this.thread.tasks.ids().join(', ') || 'none yet'})`);
    } catch (err) {
      this.fatalError ??= err;
      await this.shutdown(false);
      this.machine.tryTo('PENDING_ERROR');
      this.machine.tryTo('ERROR');
      throw err instanceof StreamsError || (err as { code?: string })?.code ? err : new StreamsError(ErrorCodes.KAFKA_CLIENT, `could not start: ${describeError(err)}`, { cause: err });
    }
  }

  /** Commit what was processed, close tasks (writing checkpoints), leave the group. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      if (this.machine.is('NOT_RUNNING')) return;
      const wasError = this.machine.is('ERROR', 'PENDING_ERROR');
      if (this.machine.is('PENDING_ERROR')) this.machine.to('ERROR');
      this.machine.to('PENDING_SHUTDOWN');
      await this.shutdown(!wasError);
      this.machine.to('NOT_RUNNING');
    })();
    return this.closing;
  }

  /** Delete this application's local state directory. Only while the app is not running. */
  async cleanUp(): Promise<void> {
    if (this.machine.is('REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN')) {
      throw new IllegalStateError(`cleanUp() deletes local state and can only run before start() or after close(); the app is ${this.machine.state}`);
    }
    await this.stateDirectory.cleanUp();
  }

  /** A local store by name, for each task of this worker that has it. */
  localStores<S extends StateStore = StateStore>(storeName: string): Map<string, S> {
    const out = new Map<string, S>();
    for (const t of this.thread?.tasks.running() ?? []) {
      const s = t.task.stores.get(storeName);
      if (s) out.set(t.id, s as S);
    }
    if (out.size === 0 && !this.topology.stores.has(storeName)) {
      throw new ConfigError(`the topology has no store named '${storeName}'; its stores are: ${[...this.topology.stores.keys()].join(', ') || '(none)'}`);
    }
    return out;
  }

  /** Which worker (processId, endpoint) runs each task, as the group leader assigned them. */
  taskMetadata(): Map<string, { processId: string; endpoint: string | undefined }> {
    const out = new Map<string, { processId: string; endpoint: string | undefined }>();
    for (const c of this.assignment.clients) for (const t of c.active) out.set(t, { processId: c.processId, endpoint: c.endpoint });
    return out;
  }

  /** What the group leader decided at the last rebalance: this worker's tasks and the whole fleet. */
  private onAssignmentInfo(info: AssignmentInfo): void {
    this.assignment = info;
    if (info.error) {
      this.handleFatal(new StreamsError(ErrorCodes.ILLEGAL_STATE, info.error.message));
      return;
    }
    this.probe?.cancel();
    this.probe = undefined;
    if (info.probeAt !== undefined) {
      this.probe = this.config.clock.setTimeout(() => this.consumer?.enforceRebalance('probing rebalance: warm-up replicas may have caught up'), Math.max(0, info.probeAt - this.config.clock.now()));
    }
  }

  /** The changelog partitions of a task: one per logged store of its sub-topology. */
  private changelogsOf(taskId: string, changelogTopics: ReadonlyMap<string, string>): { topic: string; partition: number }[] {
    const [sub, partition] = taskId.split('_').map(Number) as [number, number];
    const def = this.topology.subtopologies().find((s) => s.id === sub);
    return (def?.stores ?? []).flatMap((store) => {
      const topic = changelogTopics.get(store);
      return topic === undefined ? [] : [{ topic, partition }];
    });
  }

  /** Offset sums of the task directories on disk that this worker does not use now (their checkpoints). */
  private async diskOffsetSums(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const inUse = new Set([...(this.thread?.tasks.ids() ?? []), ...(this.thread?.tasks.standbyIds() ?? [])]);
    for (const { taskId, path: dir } of this.stateDirectory.listTaskDirs()) {
      if (inUse.has(taskId)) continue;
      const offsets = await OffsetCheckpoint.forTaskDir(dir)
        .read()
        .catch(() => new Map<string, number>());
      if (offsets.size === 0) continue;
      let sum = 0;
      for (const v of offsets.values()) sum += v;
      out.set(taskId, sum);
    }
    return out;
  }

  /**
   * This worker's metrics, named as Kafka Streams names them (`all()`, `find()`, `value()`; for
   * Prometheus: prometheusRegistry(app)), and its counts of records processed, commits,
   * punctuations and tasks.
   */
  metrics(): StreamsMetrics {
    return new StreamsMetrics(this.registry, () => (this.threadMetrics ? [this.threadMetrics] : []), () => this.thread?.tasks.size ?? 0);
  }

  /**
   * Consumer lag of each input partition this worker fetched (Kafka's records-lag: the partition's
   * end — last stable offset under exactly-once — minus the consumer's position), as of its last fetch.
   * Changelog lags of local stores are in storeLags().
   */
  consumerLags(): { topic: string; partition: number; lag: number }[] {
    return this.threadMetrics?.consumerLags() ?? [];
  }

  /** Changelog positions of this worker's local stores (active and standby): restore and standby lag. */
  storeLags(): { taskId: string; standby: boolean; store: string; partition: number; current: number; end: number; lag: number }[] {
    return (this.thread?.tasks.storeLags() ?? []).map((l) => ({ ...l, lag: Math.max(0, l.end - l.current) }));
  }

  private async prepareSerdes(sourceTopics: Map<number, string[]>): Promise<Map<string, { key: Serde<unknown>; value: Serde<unknown> }>> {
    const bySource = new Map<string, { key: Serde<unknown>; value: Serde<unknown> }>();
    const configured = new Set<Serde<unknown>>();
    const prep = async (serde: Serde<unknown>, topic: string) => {
      if (!configured.has(serde)) {
        configured.add(serde);
        await serde.configure?.();
      }
      await serde.prepareTopic?.(topic);
    };
    const resolve = (t: string) => (this.topology.isInternalTopic(t) ? `${this.config.applicationId}-${t}` : t);
    for (const sub of this.topology.subtopologies()) {
      for (const name of sub.nodes) {
        const def = this.topology.nodes.get(name)!;
        if (def.kind === 'processor') continue;
        const key = (def.keySerde ?? this.config.defaultKeySerde)!;
        const value = (def.valueSerde ?? this.config.defaultValueSerde)!;
        const topics = def.kind === 'source' ? (def.topics ? def.topics.map(resolve) : (sourceTopics.get(sub.id) ?? []).filter((t) => def.pattern!.test(t))) : def.topic !== undefined ? [resolve(def.topic)] : [];
        for (const t of topics) {
          await prep(key, t);
          await prep(value, t);
          if (def.kind === 'source') bySource.set(t, { key, value });
        }
      }
    }
    return bySource;
  }

  /** Resolves when the app is RUNNING for the first time (its first tasks restored), or failed. */
  private firstRunning(): Promise<void> {
    if (this.machine.is('RUNNING') || this.fatalError !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.machine.onChange((next) => {
        if (next === 'RUNNING' || next === 'PENDING_ERROR' || next === 'ERROR' || next === 'PENDING_SHUTDOWN' || next === 'NOT_RUNNING') {
          off();
          resolve();
        }
      });
    });
  }

  /** Where each source topic starts without a committed offset: its source's offset reset policy, else earliest. */
  private resetPolicies(sourceTopics: Map<number, string[]>): (topic: string) => 'earliest' | 'latest' | 'none' {
    const byTopic = new Map<string, 'earliest' | 'latest'>();
    const resolve = (t: string) => (this.topology.isInternalTopic(t) ? `${this.config.applicationId}-${t}` : t);
    const all = [...sourceTopics.values()].flat();
    for (const def of this.topology.nodes.values()) {
      if (def.kind !== 'source' || def.offsetReset === undefined) continue;
      const topics = def.topics ? def.topics.map(resolve) : all.filter((t) => def.pattern!.test(t));
      for (const t of topics) byTopic.set(t, def.offsetReset);
    }
    const patterns = [...this.topology.nodes.values()].flatMap((d) => (d.kind === 'source' && d.pattern && d.offsetReset ? [{ pattern: d.pattern, reset: d.offsetReset }] : []));
    return (topic) => byTopic.get(topic) ?? patterns.find((p) => p.pattern.test(topic))?.reset ?? 'earliest';
  }

  /** Exactly-once needs a transaction state log the cluster can keep in sync; say how to fix it if not. */
  private async checkTransactionsPossible(admin: Admin): Promise<void> {
    const info = await admin.clusterInfo();
    const rf = info.transactionStateLogReplicationFactor;
    const minIsr = info.transactionStateLogMinIsr;
    if (rf !== undefined && rf > info.brokers) {
      throw new ConfigError(
        `processingGuarantee 'exactly_once' needs transactions, but this cluster has ${info.brokers} broker(s) and transaction.state.log.replication.factor=${rf}: ` +
          `the transaction log cannot be created. Set transaction.state.log.replication.factor (and transaction.state.log.min.isr) to at most ${info.brokers} on the brokers, or add brokers`,
      );
    }
    if (minIsr !== undefined && minIsr > info.brokers) {
      throw new ConfigError(
        `processingGuarantee 'exactly_once' needs transactions, but transaction.state.log.min.isr=${minIsr} is more than the ${info.brokers} broker(s) of this cluster; lower it on the brokers or add brokers`,
      );
    }
  }

  private reportRestore(taskId: string, p: RestoreProgress): void {
    if (p.total > 0) {
      this.config.logger.info(`restore ${p.done ? 'done' : 'progress'}: store ${p.store} partition ${p.partition} ${p.restored}/${p.total} records (${p.recordsPerSecond}/s)`, { task: taskId, store: p.store, topic: p.topic, partition: p.partition, restored: p.restored, total: p.total });
    }
    for (const l of this.restoreListeners) l({ ...p, taskId });
  }

  private handleFatal(err: unknown): void {
    if (this.fatalError !== undefined) return;
    this.fatalError = err;
    this.config.logger.error(`stopping after a fatal error: ${describeError(err)}`, errorFields(err));
    this.machine.tryTo('PENDING_ERROR');
    void this.shutdown(false).then(() => {
      this.machine.tryTo('ERROR');
      for (const l of this.errorListeners) l(err);
    });
  }

  private shutdownDone: Promise<void> | undefined;

  private shutdown(clean: boolean): Promise<void> {
    this.shutdownDone ??= (async () => {
      try {
        await this.thread?.shutdown(clean);
      } catch (err) {
        this.config.logger.error(`closing tasks failed: ${describeError(err)}`, errorFields(err));
      }
      this.probe?.cancel();
      await this.consumer?.close().catch((err: unknown) => this.config.logger.warn(`leaving the group failed: ${describeError(err)}`, errorFields(err)));
      await this.admin?.close().catch(() => undefined);
      this.stateDirectory.close();
    })();
    return this.shutdownDone;
  }
}
