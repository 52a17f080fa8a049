// Owns KafkaStreams, the application a user starts: it checks the topology and configuration,
// prepares topics and serdes, runs its stream threads (numStreamThreads: the first in this thread,
// the others on worker threads — threads/), each a member of the consumer group shared by all
// workers, and closes everything in order. Its lifecycle is the StreamsStateMachine: RUNNING once
// every thread runs its tasks, REBALANCING while any rebalances; listeners hear every state change
// and restore progress. Failures go to the uncaught exception handler (failure-policy.ts).
import { describeError, errorFields, IllegalStateError, StreamsError, ErrorCodes, ConfigError, MetricsRegistry } from '@sluice/common';
import { assertSerdes, type StreamPartitioner, type Topology, type TopologyDescription } from '@sluice/core';
import type { Serializer } from '@sluice/serdes';
import { StateDirectory } from '@sluice/state';
import { randomUUID } from 'node:crypto';
import type { AssignmentInfo } from './assignment/streams-assignor.js';
import { checkTransactionsPossible, connectAdmin } from './cluster-checks.js';
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './config.js';
import { createKafkaClient } from './kafka/client.js';
import type { Admin, KafkaClient } from './ports.js';
import { StreamsStateMachine, type StateListener, type StreamsState } from './state-machine.js';
import type { RestoreProgress } from './state/task-state-manager.js';
import { decideUncaught, type StreamThreadExceptionResponse, type StreamsUncaughtExceptionHandler } from './failure-policy.js';
import { watchPatternTopics } from './pattern-topics-watch.js';
import { prepareTopics } from './topic-manager.js';
import { InteractiveQueries, type QueryableStoreInfo, type RuntimeTask } from './query/interactive-queries.js';
import type { HostInfo, KeyQueryMetadata, LagInfo, StreamsMetadata, ThreadMetadata } from './query/metadata.js';
import type { ReadOnlyStore } from './query/read-only-stores.js';
import type { StoreQueryParameters } from './query/store-query-parameters.js';
import type { TaskOwner } from './query/streams-metadata-state.js';
import type { GlobalStreamThread } from './global/global-stream-thread.js';
import { registerClientMetrics } from './metrics/client-metrics.js';
import { StreamsMetrics } from './metrics/streams-metrics.js';
import { loadApplication, moduleUrl } from './threads/application-module.js';
import { StreamThreads } from './threads/stream-threads.js';
import { prepareSerdes, prepareThreadContext, startGlobalThread } from './threads/thread-context.js';

export type RestoreListener = (event: RestoreProgress & { taskId: string }) => void;
export type ErrorListener = (error: unknown) => void;

/** Where a KafkaStreams built by fromModule came from: its other stream threads build the application from it. */
interface ApplicationModuleRef {
  readonly url: string;
  readonly exportName: string;
}

const fromModuleRefs = new WeakMap<StreamsConfig, ApplicationModuleRef>();

export class KafkaStreams {
  private readonly config: ResolvedConfig;
  private readonly machine: StreamsStateMachine;
  private processId = '';
  private readonly stateDirectory: StateDirectory;
  private readonly restoreListeners = new Set<RestoreListener>();
  private readonly errorListeners = new Set<ErrorListener>();
  private client: KafkaClient | undefined;
  private admin: Admin | undefined;
  private threads: StreamThreads | undefined;
  private globalThread: GlobalStreamThread | undefined;
  private closing: Promise<void> | undefined;
  private fatalError: unknown;
  private patternWatch: { cancel(): void } | undefined;
  private readonly queries: InteractiveQueries;
  private uncaughtExceptionHandler: StreamsUncaughtExceptionHandler | undefined;
  /** Why this worker asked the whole application to shut down (SHUTDOWN_APPLICATION), sent with its subscription. */
  private shutdownRequest: string | undefined;
  private readonly registry: MetricsRegistry;
  private readonly module: ApplicationModuleRef | undefined;

  /**
   * Builds the application in every stream thread from a module whose export (default: 'default')
   * is a function returning { topology, config } — what numStreamThreads > 1 needs, since a
   * topology's functions cannot be sent to another thread:
   * `const app = await KafkaStreams.fromModule(new URL('./app.js', import.meta.url))`.
   */
  static async fromModule(module: string | URL, exportName = 'default'): Promise<KafkaStreams> {
    const url = moduleUrl(module);
    const app = await loadApplication(url, exportName);
    fromModuleRefs.set(app.config, { url, exportName });
    return new KafkaStreams(app.topology, app.config);
  }

  constructor(
    private readonly topology: Topology,
    config: StreamsConfig,
  ) {
    this.config = resolveConfig(config);
    this.module = fromModuleRefs.get(config);
    if (this.config.numStreamThreads > 1 && this.module === undefined) {
      throw new ConfigError(
        `numStreamThreads ${this.config.numStreamThreads} runs stream threads on worker threads, and each must build the application itself: ` +
          `export a function returning { topology, config } from a module and start with await KafkaStreams.fromModule(new URL('./app.js', import.meta.url))`,
        { context: { setting: 'numStreamThreads' } },
      );
    }
    this.machine = new StreamsStateMachine(this.config.logger);
    this.registry = new MetricsRegistry(this.config.metricsRecordingLevel, () => this.config.clock.now());
    registerClientMetrics(this.registry, {
      clientId: this.config.clientId,
      state: () => this.machine.state,
      aliveThreads: () => (this.machine.is('REBALANCING', 'RUNNING') ? (this.threads?.size ?? 0) : 0),
      failedThreads: () => (this.threads?.replaced ?? 0) + (this.machine.is('PENDING_ERROR', 'ERROR') ? 1 : 0),
    });
    topology.validate();
    assertSerdes(topology, this.config);
    this.stateDirectory = new StateDirectory({ stateDir: this.config.stateDir, applicationId: this.config.applicationId, logger: this.config.logger });
    this.queries = new InteractiveQueries({
      topology,
      applicationId: this.config.applicationId,
      applicationServer: this.config.applicationServer,
      clientId: this.config.clientId,
      state: () => this.machine.state,
      activeTasks: () => [...(this.threads?.activeTasks() ?? []), ...this.globalQueryTask()],
      standbyTasks: () => this.threads?.standbyTasks() ?? [],
      threads: () => (this.threads?.all() ?? []).map((t) => ({ name: t.name, active: t.activeTasks(), standby: t.standbyTasks() })),
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
   * Join the group and start processing. Resolves once every stream thread of this worker has its
   * first assignment and has restored its state; rejects (and the app goes to ERROR) when it cannot start.
   */
  async start(): Promise<void> {
    if (!this.machine.is('CREATED')) throw new IllegalStateError(`start() can only be called once, on a CREATED app (it is ${this.machine.state})`);
    this.machine.to('REBALANCING');
    const { config } = this;
    const log = config.logger;
    try {
      this.client = createKafkaClient({
        clientId: config.clientId,
        brokers: config.brokers,
        logger: log,
        kafkaLogLevel: config.kafkaLogLevel,
        taskTimeoutMs: config.taskTimeoutMs,
        clock: config.clock,
        ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
        ...(config.sasl !== undefined ? { sasl: config.sasl } : {}),
      });
      this.admin = await connectAdmin(this.client, config, () => this.closing !== undefined);
      if (config.guarantee === 'exactly_once') await checkTransactionsPossible(this.admin);
      const plan = await prepareTopics({
        admin: this.admin,
        topology: this.topology,
        applicationId: config.applicationId,
        bootstrapServers: config.brokers,
        replicationFactor: config.replicationFactor,
        internalTopicConfig: config.internalTopicConfig,
        deadLetterQueueTopic: config.deadLetterQueueTopicName,
        logger: log,
      });
      this.queries.onTopics(plan);
      // Kafka divides the record cache evenly between a worker's stream threads
      const cacheBytes = Math.floor(config.cacheMaxBytes / config.numStreamThreads);
      const ctx = await prepareThreadContext({ topology: this.topology, config, topics: plan, cacheBytes, globalStore: (name) => this.globalThread?.store(name) });
      // global stores are complete before this worker joins the group (Kafka's GlobalStreamThread)
      if (this.topology.globalStores().length > 0) {
        this.globalThread = await startGlobalThread({ topology: this.topology, config, engine: ctx.engine, client: this.client, admin: this.admin, stateDirectory: this.stateDirectory, dirName: 'global', cache: ctx.cache, logger: log.child({ thread: 'global' }), onFatal: (err) => this.handleFatal(err) });
      }
      this.processId = this.stateDirectory.processId(() => randomUUID());
      this.threads = new StreamThreads({
        config,
        topology: this.topology,
        client: this.client,
        admin: () => this.admin,
        ctx,
        topics: plan,
        processId: this.processId,
        stateDirectory: this.stateDirectory,
        registry: this.registry,
        module: this.module,
        cacheBytes,
        shutdownRequested: () => this.shutdownRequest,
        events: {
          onRebalancing: () => this.machine.tryTo('REBALANCING'),
          onAllRunning: () => this.machine.tryTo('RUNNING'),
          onFatal: (index, err) => this.handleFatal(err, index),
          onRestoreProgress: (taskId, p) => this.reportRestore(taskId, p),
          onAssignment: (info) => this.onAssignmentInfo(info),
        },
      });
      const threads = this.threads;
      await threads.start();
      this.patternWatch = watchPatternTopics({
        topology: this.topology,
        applicationId: config.applicationId,
        topologyTasks: ctx.topologyTasks,
        admin: () => this.admin,
        intervalMs: config.metadataMaxAgeMs,
        clock: config.clock,
        logger: log,
        stopped: () => this.closing !== undefined || this.fatalError !== undefined,
        onAdded: async (added) => {
          for (const a of added) plan.partitionCounts.set(a.topic, a.partitions);
          for (const [t, s] of await prepareSerdes(this.topology, config, plan.sourceTopics)) ctx.sourceSerdes.set(t, s);
          this.queries.onTopics(plan);
          await threads.addSourceTopics(added, 'new topics match a source pattern');
        },
      });
      await this.firstRunning();
      if (this.fatalError !== undefined) throw this.fatalError;
      const tasks = threads.activeTasks().map((a) => a.id);
      log.info(`started: ${tasks.length} tasks on this worker's ${threads.size} stream thread(s) (${tasks.join(', ') || 'none yet'})`);
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
  /** The topology this app runs, as Topology#describe() gives it: sub-topologies, their topics and stores. */
  describe(): TopologyDescription {
    return this.topology.describe();
  }

  /** Which worker (processId, endpoint) runs each task, as the group leader assigned them. */
  taskMetadata(): Map<string, { processId: string; endpoint: string | undefined }> {
    const out = new Map<string, { processId: string; endpoint: string | undefined }>();
    for (const c of this.threads?.assignment.clients ?? []) for (const t of c.active) out.set(t, { processId: c.processId, endpoint: c.endpoint });
    return out;
  }


  /** Global stores, as one always-local task for interactive queries (a full copy on every worker). */
  private globalQueryTask(): RuntimeTask[] {
    const names = this.topology.globalStores().map((g) => g.storeName);
    const stores = new Map(
      names.flatMap((n) => {
        const s = this.globalThread?.store(n);
        return s ? [[n, s] as const] : [];
      }),
    );
    if (stores.size === 0) return [];
    return [{ id: 'global', restored: true, inputs: [], task: { partition: 0, stores }, state: { changelogPartitions: () => [], changelogOffsets: () => new Map() } }];
  }

  /**
   * This worker's metrics, named as Kafka Streams names them (`all()`, `find()`, `value()`; for
   * Prometheus: prometheusRegistry(app)) — a worker thread's as of its last report, at most a second
   * old — and its counts of records processed, commits, punctuations and tasks.
   */
  metrics(): StreamsMetrics {
    return new StreamsMetrics(
      this.registry,
      () => this.threads?.all() ?? [],
      () => this.threads?.activeTasks().length ?? 0,
      () => this.threads?.reportedMetrics() ?? [],
    );
  }

  /**
   * Consumer lag of each input partition this worker fetched (Kafka's records-lag: the partition's
   * end — last stable offset under exactly-once — minus the consumer's position), as of its last
   * fetch. Store lags: allLocalStorePartitionLags().
   */
  consumerLags(): { topic: string; partition: number; lag: number }[] {
    return this.threads?.consumerLags() ?? [];
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

  /** What the group leader decided at the last rebalance: the whole fleet (every thread hears the same). */
  private onAssignmentInfo(info: AssignmentInfo): void {
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

  private reportRestore(taskId: string, p: RestoreProgress): void {
    if (p.total > 0) {
      this.config.logger.info(`restore ${p.done ? 'done' : 'progress'}: store ${p.store} partition ${p.partition} ${p.restored}/${p.total} records (${p.recordsPerSecond}/s)`, { task: taskId, store: p.store, topic: p.topic, partition: p.partition, restored: p.restored, total: p.total });
    }
    for (const l of this.restoreListeners) l({ ...p, taskId });
  }

  /** A stream thread (or the client) failed: the uncaught exception handler decides what happens next. */
  private handleFatal(err: unknown, threadIndex?: number): void {
    if (this.fatalError !== undefined || this.closing) return;
    let response: StreamThreadExceptionResponse = 'SHUTDOWN_CLIENT';
    if (threadIndex !== undefined && this.uncaughtExceptionHandler && this.machine.is('RUNNING', 'REBALANCING')) {
      response = decideUncaught(this.uncaughtExceptionHandler, err, this.config.logger);
    }
    if (response === 'REPLACE_THREAD' && threadIndex !== undefined) {
      const replacing = this.threads?.replace(threadIndex, err);
      if (replacing) {
        void replacing.catch((e: unknown) => this.stopAfter(e));
        return;
      }
    }
    if (response === 'SHUTDOWN_APPLICATION') {
      void this.requestApplicationShutdown(err).catch((e: unknown) => this.stopAfter(e));
      return;
    }
    this.stopAfter(err);
  }

  /** This worker stops its tasks and asks the group's leader to stop every worker (through the assignment). */
  private async requestApplicationShutdown(err: unknown): Promise<void> {
    this.shutdownRequest = `worker ${this.processId} (${this.config.clientId}) failed: ${describeError(err)}`;
    this.config.logger.error(`asking every worker of application '${this.config.applicationId}' to shut down: ${describeError(err)} (the uncaught exception handler said SHUTDOWN_APPLICATION)`);
    await this.threads?.requestApplicationShutdown(this.shutdownRequest);
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
      this.patternWatch?.cancel();
      await this.threads?.close(clean);
      if (this.globalThread) {
        await this.globalThread.close(clean);
        this.stateDirectory.unlock('global');
      }
      await this.admin?.close().catch((err: unknown) => this.config.logger.warn(`closing the admin client failed: ${describeError(err)}`));
      this.stateDirectory.close();
    })();
    return this.shutdownDone;
  }
}
