// Owns KafkaStreams, the application a user starts: it checks the topology and configuration,
// prepares topics and serdes, joins the consumer group (one per applicationId, shared by all
// workers), runs the stream thread, and closes everything in order. Its lifecycle is the
// StreamsStateMachine; listeners hear every state change and restore progress.
import { describeError, errorFields, IllegalStateError, StreamsError, ErrorCodes, ConfigError, SluiceError, MetricsRegistry, ThreadMetrics } from '@sluice/common';
import { assertSerdes, type EngineConfig, type StreamPartitioner, type Topology } from '@sluice/core';
import type { Serde, Serializer } from '@sluice/serdes';
import { OffsetCheckpoint, StateDirectory, createCacheMemoryPool } from '@sluice/state';
import { randomUUID } from 'node:crypto';
import { StreamsAssignor, topologyFingerprint, type AssignmentInfo } from './assignment/streams-assignor.js';
import { TopologyTasks } from './assignment/topology-tasks.js';
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './config.js';
import { createKafkaClient } from './kafka/client.js';
import type { Admin, GroupConsumer, KafkaClient } from './ports.js';
import { StreamsStateMachine, type StateListener, type StreamsState } from './state-machine.js';
import type { RestoreProgress } from './state/task-state-manager.js';
import { StreamThread } from './stream-thread.js';
import { changelogsOf, diskOffsetSums } from './assignment/local-state.js';
import { decideUncaught, type StreamThreadExceptionResponse, type StreamsUncaughtExceptionHandler } from './failure-policy.js';
import { patternTopics, prepareTopics, type TopicPlan } from './topic-manager.js';
import { InteractiveQueries, type QueryableStoreInfo, type RuntimeTask } from './query/interactive-queries.js';
import type { HostInfo, KeyQueryMetadata, LagInfo, StreamsMetadata, ThreadMetadata } from './query/metadata.js';
import type { ReadOnlyStore } from './query/read-only-stores.js';
import type { StoreQueryParameters } from './query/store-query-parameters.js';
import type { TaskOwner } from './query/streams-metadata-state.js';
import { GlobalStreamThread } from './global/global-stream-thread.js';
import { registerClientMetrics } from './metrics/client-metrics.js';
import { StreamsMetrics } from './metrics/streams-metrics.js';
import { OtelRecordTracer } from './tracing/otel-record-tracer.js';

/** What start() prepared for stream threads (a replaced thread's successor gets the same). */
interface ThreadContext {
  readonly engine: EngineConfig;
  readonly topologyTasks: TopologyTasks;
  readonly changelogTopics: ReadonlyMap<string, string>;
  readonly cache: ReturnType<typeof createCacheMemoryPool> | undefined;
  readonly sourceSerdes: Map<string, { key: Serde<unknown>; value: Serde<unknown> }>;
  /** Internal topics the application reads back (repartition, foreign-key subscription and response). */
  readonly repartitionTopics: ReadonlySet<string>;
}

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
  private globalThread: GlobalStreamThread | undefined;
  private closing: Promise<void> | undefined;
  private fatalError: unknown;
  private assignment: AssignmentInfo = { active: [], standby: [], clients: [] };
  private probe: { cancel(): void } | undefined;
  private patternWatch: { cancel(): void } | undefined;
  private readonly queries: InteractiveQueries;
  private threadContext: ThreadContext | undefined;
  private uncaughtExceptionHandler: StreamsUncaughtExceptionHandler | undefined;
  /** Why this worker asked the whole application to shut down (SHUTDOWN_APPLICATION), sent with its subscription. */
  private shutdownRequest: string | undefined;
  private readonly registry: MetricsRegistry;
  private threadMetrics: ThreadMetrics | undefined;
  private threadsStarted = 0;
  private threadsReplaced = 0;

  constructor(
    private readonly topology: Topology,
    config: StreamsConfig,
  ) {
    this.config = resolveConfig(config);
    this.machine = new StreamsStateMachine(this.config.logger);
    this.registry = new MetricsRegistry(this.config.metricsRecordingLevel, () => this.config.clock.now());
    registerClientMetrics(this.registry, { clientId: this.config.clientId, state: () => this.machine.state, aliveThreads: () => (this.thread && this.machine.is('REBALANCING', 'RUNNING') ? 1 : 0), failedThreads: () => this.threadsReplaced + (this.machine.is('PENDING_ERROR', 'ERROR') ? 1 : 0) });
    topology.validate();
    assertSerdes(topology, this.config);
    this.stateDirectory = new StateDirectory({ stateDir: this.config.stateDir, applicationId: this.config.applicationId, logger: this.config.logger });
    const asRuntimeTask = (t: { id: string; task: RuntimeTask['task']; state: RuntimeTask['state'] }, inputs: RuntimeTask['inputs'], restored: boolean): RuntimeTask => ({ id: t.id, restored, inputs, task: t.task, state: t.state });
    this.queries = new InteractiveQueries({
      topology,
      applicationId: this.config.applicationId,
      applicationServer: this.config.applicationServer,
      clientId: this.config.clientId,
      state: () => this.machine.state,
      activeTasks: () => [...(this.thread ? this.thread.tasks.all().map((t) => asRuntimeTask(t, t.inputs, t.running)) : []), ...this.globalQueryTask()],
      // a standby's stores hold committed data up to its lag: readable when stale stores are allowed
      standbyTasks: () => (this.thread ? this.thread.tasks.standbyTasks().map((s) => asRuntimeTask(s, [], true)) : []),
      admin: () => this.admin,
    });
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
      this.admin = await this.connectAdmin(this.client);
      if (this.config.guarantee === 'exactly_once') await this.checkTransactionsPossible(this.admin);
      const plan = await prepareTopics({
        admin: this.admin,
        topology: this.topology,
        applicationId: this.config.applicationId,
        bootstrapServers: this.config.brokers,
        replicationFactor: this.config.replicationFactor,
        internalTopicConfig: this.config.internalTopicConfig,
        deadLetterQueueTopic: this.config.deadLetterQueueTopicName,
        logger: log,
      });
      this.queries.onTopics(plan);
      const sourceSerdes = await this.prepareSerdes(plan.sourceTopics);
      const topologyTasks = new TopologyTasks(this.topology.subtopologies(), plan.sourceTopics);
      const engine: EngineConfig = {
        applicationId: this.config.applicationId,
        defaultKeySerde: this.config.defaultKeySerde,
        defaultValueSerde: this.config.defaultValueSerde,
        defaultTimestampExtractor: this.config.defaultTimestampExtractor,
        deserializationExceptionHandler: this.config.deserializationExceptionHandler,
        processingExceptionHandler: this.config.processingExceptionHandler,
        deadLetterQueueTopic: this.config.deadLetterQueueTopicName,
        processingRetry: this.config.processingRetry,
        appConfigs: this.config.appConfigs,
        clock: this.config.clock,
        logger: log,
        globalStore: (name) => this.globalThread?.store(name),
      };
      const cache = this.config.cacheMaxBytes > 0 ? createCacheMemoryPool(this.config.cacheMaxBytes) : undefined;
      // global stores are complete before this worker joins the group (Kafka's GlobalStreamThread)
      if (this.topology.globalStores().length > 0) await this.startGlobalThread(engine, cache);
      this.processId = this.stateDirectory.processId(() => randomUUID());
      const repartitionTopics = new Set(this.topology.subtopologies().flatMap((sub) => sub.sourceTopics.filter((t) => this.topology.isInternalTopic(t)).map((t) => `${this.config.applicationId}-${t}`)));
      this.threadContext = { engine, topologyTasks, changelogTopics: plan.changelogTopics, cache, sourceSerdes, repartitionTopics };
      this.thread = this.newThread();
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
          changelogsOf: (taskId) => changelogsOf(this.topology, taskId, plan.changelogTopics),
          local: () => ({ active: this.thread?.tasks.ids() ?? [], standby: this.thread?.tasks.standbyIds() ?? [], offsetSums: this.thread?.tasks.offsetSums() ?? new Map() }),
          diskOffsetSums: () => diskOffsetSums(this.stateDirectory, [...(this.thread?.tasks.ids() ?? []), ...(this.thread?.tasks.standbyIds() ?? [])]),
          shutdownRequested: () => this.shutdownRequest,
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
      this.watchPatternTopics(topologyTasks, plan);
      this.thread.startTimer();
      // the handlers go to whichever thread runs now (a replaced thread's successor)
      await this.consumer.run({
        onRevoking: (m) => this.thread!.handlers().onRevoking(m),
        onAssigned: (a, c) => this.thread!.handlers().onAssigned(a, c),
        onBatch: (b, c) => this.thread!.handlers().onBatch(b, c),
        onPolled: (records, ms) => this.threadMetrics?.polled(records, ms),
        onFetched: (topic, partition, position, end) => this.threadMetrics?.fetched(topic, partition, position, end),
        onCrash: (err) => this.handleFatal(err, 'client'),
      });
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

  /**
   * A read-only view over this worker's partitions of a store (Kafka's KafkaStreams#store):
   * `app.store(StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore()))`.
   */
  store<T>(params: StoreQueryParameters<T>): T {
    return this.queries.store(params);
  }

  /** Read-only views of a store on this worker, one per restored task (values as stored). */
  localStores<S extends ReadOnlyStore = ReadOnlyStore>(storeName: string): Map<string, S> {
    return this.queries.localStores<S>(storeName);
  }

  /** The partition of a store a key belongs to, and the workers hosting it (active and standby). */
  queryMetadataForKey<K>(storeName: string, key: K, keySerdeOrPartitioner: Serializer<K> | StreamPartitioner<K, unknown>): KeyQueryMetadata {
    return this.queries.queryMetadataForKey(storeName, key, keySerdeOrPartitioner);
  }

  /** The workers (with an applicationServer) that host some partition of a store. */
  streamsMetadataForStore(storeName: string): StreamsMetadata[] {
    return this.queries.streamsMetadataForStore(storeName);
  }

  /** Every worker of the application that has an applicationServer, and what it hosts. */
  metadataForAllStreamsClients(): StreamsMetadata[] {
    return this.queries.metadataForAllStreamsClients();
  }

  /** This worker's processing loop and its tasks. */
  metadataForLocalThreads(): ThreadMetadata[] {
    return this.queries.metadataForLocalThreads();
  }

  /** Changelog lag of every local store partition, by store name and partition (asks the brokers). */
  allLocalStorePartitionLags(): Promise<Map<string, Map<number, LagInfo>>> {
    return this.queries.allLocalStorePartitionLags();
  }

  /** The stores queries can read: kind, key serde and partition count (for query servers and clients). */
  queryableStores(): QueryableStoreInfo[] {
    return this.queries.queryableStores();
  }

  /** This worker's applicationServer endpoint, if it has one. */
  get applicationServer(): HostInfo | undefined {
    return this.queries.applicationServer;
  }
  /** Which worker (processId, endpoint) runs each task, as the group leader assigned them. */
  taskMetadata(): Map<string, { processId: string; endpoint: string | undefined }> {
    const out = new Map<string, { processId: string; endpoint: string | undefined }>();
    for (const c of this.assignment.clients) for (const t of c.active) out.set(t, { processId: c.processId, endpoint: c.endpoint });
    return out;
  }

  /** Global stores, as one always-local task for interactive queries (a full copy on every worker). */
  private globalQueryTask(): RuntimeTask[] {
    const names = this.topology.globalStores().map((g) => g.storeName);
    const stores = new Map(names.flatMap((n) => {
      const s = this.globalThread?.store(n);
      return s ? [[n, s] as const] : [];
    }));
    if (stores.size === 0) return [];
    return [{ id: 'global', restored: true, inputs: [], task: { partition: 0, stores }, state: { changelogPartitions: () => [], changelogOffsets: () => new Map() } }];
  }

  /** What the group leader decided at the last rebalance: this worker's tasks and the whole fleet. */
  private onAssignmentInfo(info: AssignmentInfo): void {
    this.assignment = info;
    const activeOwners = new Map<string, TaskOwner>();
    const standbyOwners = new Map<string, TaskOwner[]>();
    const clients: TaskOwner[] = [];
    for (const c of info.clients) {
      const owner: TaskOwner = { processId: c.processId, endpoint: c.endpoint };
      clients.push(owner);
      for (const t of c.active) activeOwners.set(t, owner);
      for (const t of c.standby) standbyOwners.set(t, [...(standbyOwners.get(t) ?? []), owner]);
    }
    this.queries.onAssignment({ activeOwners, standbyOwners, clients });
    if (info.error) {
      this.stopAfter(new StreamsError(ErrorCodes.ILLEGAL_STATE, info.error.message));
      return;
    }
    this.probe?.cancel();
    this.probe = undefined;
    if (info.probeAt !== undefined) {
      this.probe = this.config.clock.setTimeout(() => this.consumer?.enforceRebalance('probing rebalance: warm-up replicas may have caught up'), Math.max(0, info.probeAt - this.config.clock.now()));
    }
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
   * end — last stable offset under exactly-once — minus the consumer's position), as of its last
   * fetch. Store lags: allLocalStorePartitionLags().
   */
  consumerLags(): { topic: string; partition: number; lag: number }[] {
    return this.threadMetrics?.consumerLags() ?? [];
  }

  private async startGlobalThread(engine: EngineConfig, cache: ReturnType<typeof createCacheMemoryPool> | undefined): Promise<void> {
    this.stateDirectory.lock('global');
    this.globalThread = new GlobalStreamThread({
      topology: this.topology,
      engine,
      client: this.client!,
      admin: this.admin!,
      readCommitted: this.config.guarantee === 'exactly_once',
      globalDir: this.stateDirectory.taskDir('global'),
      commitIntervalMs: this.config.commitIntervalMs,
      maxPartitionFetchBytes: this.config.maxPartitionFetchBytes,
      cache,
      rocksdb: this.config.rocksdb,
      logger: this.config.logger.child({ thread: 'global' }),
      onFatal: (err) => this.handleFatal(err),
    });
    await this.globalThread.start();
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

  /**
   * Source patterns are looked up again every metadataMaxAgeMs (Kafka's pattern subscription): a topic
   * created later that matches joins its sub-topology's tasks at a rebalance.
   */
  private watchPatternTopics(topologyTasks: TopologyTasks, plan: TopicPlan): void {
    const sourceTopics = plan.sourceTopics;
    const subs = this.topology.subtopologies().filter((s) => s.sourcePatterns.length > 0);
    if (subs.length === 0) return;
    const tick = async () => {
      const existing = await this.admin!.listTopics();
      const added: string[] = [];
      for (const sub of subs) {
        for (const pattern of sub.sourcePatterns) {
          for (const t of patternTopics(pattern, existing, this.config.applicationId)) {
            // (the plan's map is the one the tasks are computed from: it now lists the topic too)
            if (topologyTasks.addSourceTopic(sub.id, t)) added.push(t);
          }
        }
      }
      if (added.length === 0) return;
      this.config.logger.info(`new topics match source patterns: ${added.join(', ')}; rebalancing so their partitions are read`);
      const serdes = await this.prepareSerdes(sourceTopics);
      for (const [t, s] of serdes) this.threadContext!.sourceSerdes.set(t, s);
      for (const d of await this.admin!.describeTopics(added, [])) plan.partitionCounts.set(d.name, d.partitions);
      this.queries.onTopics(plan);
      await this.consumer!.subscribe(topologyTasks.allSourceTopics());
      this.consumer!.enforceRebalance('new topics match a source pattern');
    };
    const schedule = () => {
      this.patternWatch = this.config.clock.setTimeout(() => {
        if (this.closing || this.fatalError !== undefined) return;
        void tick()
          .catch((err: unknown) => this.config.logger.warn(`looking up topics for source patterns failed: ${describeError(err)}; trying again later`))
          .finally(schedule);
      }, this.config.metadataMaxAgeMs);
    };
    schedule();
  }

  /**
   * The first connection: a broker that is away (restarting, not up yet) is waited for, with a warning
   * per attempt, up to taskTimeoutMs — as a supervisor restarting workers during an outage needs;
   * refused credentials, missing rights and bad settings fail at once.
   */
  private async connectAdmin(client: KafkaClient): Promise<Admin> {
    const deadline = this.config.clock.now() + this.config.taskTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.admin();
      } catch (err) {
        // a listener that closes the connection at once wants SASL/TLS: that is no outage
        const retriable = err instanceof SluiceError && err.code === ErrorCodes.KAFKA_CLIENT && err.retriable && err.context['kafkaErrorType'] !== 'CONNECTION_CLOSED';
        if (!retriable || this.config.clock.now() > deadline || this.closing) throw err;
        this.config.logger.warn(`cannot reach the brokers at ${this.config.brokers.join(',')} yet (attempt ${attempt}): ${describeError(err)}; retrying until taskTimeoutMs (${this.config.taskTimeoutMs} ms) has passed`);
        await new Promise<void>((r) => this.config.clock.setTimeout(r, Math.min(5_000, 500 * attempt)));
      }
    }
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

  /**
   * What to do when a stream thread dies of an exception (Kafka's setUncaughtExceptionHandler):
   * 'REPLACE_THREAD' starts a fresh thread in its place (its tasks restored again), 'SHUTDOWN_CLIENT'
   * (the default) stops this worker, 'SHUTDOWN_APPLICATION' stops every worker of the application.
   */
  setUncaughtExceptionHandler(handler: StreamsUncaughtExceptionHandler): void {
    if (typeof handler !== 'function') throw new ConfigError(`setUncaughtExceptionHandler takes a function (error) => 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION', got ${typeof handler}`);
    this.uncaughtExceptionHandler = handler;
  }

  private newThread(): StreamThread {
    const ctx = this.threadContext!;
    const threadId = `${this.config.clientId}-StreamThread-${++this.threadsStarted}`;
    this.threadMetrics?.close(); // a replaced thread's metrics go with it (Kafka names the new one StreamThread-<n+1>)
    this.threadMetrics = new ThreadMetrics(this.registry, threadId);
    const log = this.config.logger.child({ thread: threadId });
    return new StreamThread({
      config: this.config,
      metrics: this.threadMetrics,
      tracer: this.config.tracing && new OtelRecordTracer({ applicationId: this.config.applicationId, tracerProvider: this.config.tracing.tracerProvider }),
      engine: { ...ctx.engine, logger: log },
      topology: this.topology,
      topologyTasks: ctx.topologyTasks,
      changelogTopics: ctx.changelogTopics,
      client: this.client!,
      consumer: () => this.consumer!,
      processId: this.processId,
      threadIndex: 1,
      cache: ctx.cache,
      taskDir: (id) => this.stateDirectory.taskDir(id),
      lockTask: (id) => {
        this.stateDirectory.lock(id);
      },
      unlockTask: (id) => this.stateDirectory.unlock(id),
      checkpointFor: (id) => OffsetCheckpoint.forTaskDir(this.stateDirectory.taskDir(id)),
      sourceSerdes: ctx.sourceSerdes,
      standbyTasks: () => this.assignment.standby,
      isRepartitionTopic: (t) => ctx.repartitionTopics.has(t),
      purgeRepartition: async (offsets) => {
        const byTopic = new Map<string, { partition: number; offset: number }[]>();
        for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
        for (const [topic, parts] of byTopic) await this.admin?.deleteRecords(topic, parts);
      },
      onRestoreProgress: (taskId, p) => this.reportRestore(taskId, p),
      hooks: {
        onRebalanceStart: () => {
          this.machine.tryTo('REBALANCING');
        },
        onAllRunning: () => {
          this.machine.tryTo('RUNNING');
        },
        onFatal: (err) => this.handleFatal(err, 'thread'),
      },
      logger: log,
    });
  }

  /** A stream thread (or the client) failed: the uncaught exception handler decides what happens next. */
  private handleFatal(err: unknown, source: 'thread' | 'client' = 'client'): void {
    if (this.fatalError !== undefined || this.closing) return;
    let response: StreamThreadExceptionResponse = 'SHUTDOWN_CLIENT';
    if (source === 'thread' && this.uncaughtExceptionHandler && this.machine.is('RUNNING', 'REBALANCING')) {
      response = decideUncaught(this.uncaughtExceptionHandler, err, this.config.logger);
    }
    if (response === 'REPLACE_THREAD') {
      void this.replaceThread(err).catch((e: unknown) => this.stopAfter(e));
      return;
    }
    if (response === 'SHUTDOWN_APPLICATION') {
      void this.requestApplicationShutdown(err).catch((e: unknown) => this.stopAfter(e));
      return;
    }
    this.stopAfter(err);
  }

  /** The thread's tasks are closed without committing; a new thread takes over after a rebalance. */
  private async replaceThread(err: unknown): Promise<void> {
    this.config.logger.warn(`replacing the stream thread after: ${describeError(err)} (the uncaught exception handler said REPLACE_THREAD)`);
    const old = this.thread!;
    await old.shutdown(false);
    this.threadsReplaced++;
    const fresh = this.newThread();
    await fresh.start();
    this.thread = fresh;
    fresh.startTimer();
    this.consumer?.enforceRebalance('the stream thread was replaced');
  }

  /** This worker stops its tasks and asks the group's leader to stop every worker (through the assignment). */
  private async requestApplicationShutdown(err: unknown): Promise<void> {
    this.shutdownRequest = `worker ${this.processId} (${this.config.clientId}) failed: ${describeError(err)}`;
    this.config.logger.error(`asking every worker of application '${this.config.applicationId}' to shut down: ${describeError(err)} (the uncaught exception handler said SHUTDOWN_APPLICATION)`);
    await this.thread?.shutdown(false);
    this.consumer?.enforceRebalance('shutting the application down');
    // the answer comes with the next assignment; if the group cannot rebalance, stop this worker anyway
    this.config.clock.setTimeout(() => this.stopAfter(err), this.config.rebalanceTimeoutMs + 10_000);
  }

  private stopAfter(err: unknown): void {
    if (this.fatalError !== undefined) return;
    this.fatalError = err;
    this.config.logger.error(`stopping after a fatal error: ${describeError(err)}`, errorFields(err));
    this.machine.tryTo('PENDING_ERROR');
    void this.shutdown(false).then(() => {
      this.machine.tryTo('ERROR');
      for (const l of this.errorListeners) l(err);
      if (this.errorListeners.size === 0 && process.exitCode === undefined) {
        // nobody handles the failure: make the process end non-zero (a supervisor restarts it)
        this.config.logger.error('no onError listener is registered: the process will exit with code 1 when it ends');
        process.exitCode = 1;
      }
    });
  }


  private shutdownDone: Promise<void> | undefined;

  private shutdown(clean: boolean): Promise<void> {
    this.shutdownDone ??= (async () => {
      try {
        await this.thread?.shutdown(clean);
      } catch (err) {
        this.config.logger.error(`closing tasks failed: ${describeError(err)}`);
      }
      if (this.globalThread) {
        await this.globalThread.close(clean);
        this.stateDirectory.unlock('global');
      }
      this.probe?.cancel();
      this.patternWatch?.cancel();
      await this.consumer?.close().catch((err: unknown) => this.config.logger.warn(`leaving the group failed: ${describeError(err)}`));
      await this.admin?.close().catch(() => undefined);
      this.stateDirectory.close();
    })();
    return this.shutdownDone;
  }
}
