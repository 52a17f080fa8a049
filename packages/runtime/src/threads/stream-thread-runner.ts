// Owns one stream thread with its member of the consumer group (Kafka's StreamThread with its
// consumer), wherever it runs: in the worker's main thread, or in a worker thread of its own. It
// joins the group with the streams assignor, hands the consumer's loop to the StreamThread, and
// replaces the StreamThread (same member) when the uncaught exception handler says REPLACE_THREAD.
import { describeError, ThreadMetrics, type Logger, type MetricsRegistry } from '@sluice/common';
import type { Topology } from '@sluice/core';
import { OffsetCheckpoint, type StateDirectory } from '@sluice/state';
import { changelogsOf, diskOffsetSums } from '../assignment/local-state.js';
import { StreamsAssignor, topologyFingerprint, type AssignmentInfo } from '../assignment/streams-assignor.js';
import type { ResolvedConfig } from '../config.js';
import type { Admin, GroupConsumer, KafkaClient } from '../ports.js';
import type { RuntimeTask } from '../query/interactive-queries.js';
import type { RestoreProgress } from '../state/task-state-manager.js';
import { StreamThread } from '../stream-thread.js';
import { OtelRecordTracer } from '../tracing/otel-record-tracer.js';
import type { ThreadContext } from './thread-context.js';

export interface RunnerEvents {
  onRebalanceStart(): void;
  /** Every task of the thread restored and running. */
  onAllRunning(): void;
  onFatal(error: unknown): void;
  onRestoreProgress(taskId: string, p: RestoreProgress): void;
  /** The group leader's decision for this member (its tasks, and the whole fleet). */
  onAssignment(info: AssignmentInfo): void;
}

export interface StreamThreadRunnerOptions {
  readonly config: ResolvedConfig;
  readonly topology: Topology;
  readonly client: KafkaClient;
  readonly admin: () => Admin | undefined;
  readonly ctx: ThreadContext;
  readonly processId: string;
  /** 1-based, as Kafka numbers stream threads (the name's suffix and the transactional id's). */
  readonly threadIndex: number;
  readonly stateDirectory: StateDirectory;
  readonly registry: MetricsRegistry;
  /** Why this worker asks the application to shut down (sent with the subscription), if it does. */
  readonly shutdownRequested: () => string | undefined;
  readonly events: RunnerEvents;
}

export class StreamThreadRunner {
  private threadValue: StreamThread | undefined;
  private consumerValue: GroupConsumer | undefined;
  private metricsValue: ThreadMetrics | undefined;
  assignment: AssignmentInfo = { active: [], standby: [], clients: [] };

  constructor(private readonly o: StreamThreadRunnerOptions) {}

  /** Kafka's thread name, `<clientId>-StreamThread-<n>` (a replaced thread's successor takes its free number). */
  get name(): string {
    return `${this.o.config.clientId}-StreamThread-${this.o.threadIndex}`;
  }

  get thread(): StreamThread | undefined {
    return this.threadValue;
  }

  get metrics(): ThreadMetrics | undefined {
    return this.metricsValue;
  }

  /** Starts the thread (its producer), joins the group and runs the consumer's loop. */
  async start(): Promise<void> {
    const { config, ctx } = this.o;
    this.threadValue = this.newThread();
    await this.threadValue.start();
    const log = config.logger;
    this.consumerValue = this.o.client.groupConsumer({
      groupId: config.applicationId,
      readCommitted: config.guarantee === 'exactly_once',
      sessionTimeoutMs: config.sessionTimeoutMs,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      rebalanceTimeoutMs: config.rebalanceTimeoutMs,
      maxWaitTimeMs: config.maxWaitTimeMs,
      fetchMaxBytes: config.fetchMaxBytes,
      maxPartitionFetchBytes: config.maxPartitionFetchBytes,
      // Kafka Streams gives each thread's consumer `<group.instance.id>-<thread>` (one static member per thread)
      groupInstanceId: config.groupInstanceId === null ? null : `${config.groupInstanceId}-${this.o.threadIndex}`,
      resetPolicy: ctx.resetPolicy,
      assignor: new StreamsAssignor({
        processId: this.o.processId,
        endpoint: config.applicationServer,
        topologyTasks: ctx.topologyTasks,
        topology: topologyFingerprint(this.o.topology.describe().toString()),
        changelogsOf: (taskId) => changelogsOf(this.o.topology, taskId, ctx.topics.changelogTopics),
        local: () => ({ active: this.threadValue?.tasks.ids() ?? [], standby: this.threadValue?.tasks.standbyIds() ?? [], offsetSums: this.threadValue?.tasks.offsetSums() ?? new Map() }),
        // task directories on disk belong to the worker: only its first thread reports them
        diskOffsetSums: async () => (this.o.threadIndex === 1 ? diskOffsetSums(this.o.stateDirectory, [...(this.threadValue?.tasks.ids() ?? []), ...(this.threadValue?.tasks.standbyIds() ?? [])]) : new Map()),
        shutdownRequested: this.o.shutdownRequested,
        numStandbyReplicas: config.numStandbyReplicas,
        acceptableRecoveryLag: config.acceptableRecoveryLag,
        maxWarmupReplicas: config.maxWarmupReplicas,
        probingRebalanceIntervalMs: config.probingRebalanceIntervalMs,
        clock: config.clock,
        logger: log,
        onAssignment: (info) => {
          this.assignment = info;
          this.o.events.onAssignment(info);
        },
      }),
    });
    await this.consumerValue.subscribe(ctx.topologyTasks.allSourceTopics());
    this.threadValue.startTimer();
    // the handlers go to whichever thread runs now (a replaced thread's successor)
    await this.consumerValue.run({
      onRevoking: (m) => this.threadValue!.handlers().onRevoking(m),
      onAssigned: (a, c) => this.threadValue!.handlers().onAssigned(a, c),
      onBatch: (b, c) => this.threadValue!.handlers().onBatch(b, c),
      onPolled: (records, ms) => this.metricsValue?.polled(records, ms),
      onFetched: (topic, partition, position, end) => this.metricsValue?.fetched(topic, partition, position, end),
      onCrash: (err) => this.o.events.onFatal(err),
    });
  }

  /** The source topics changed (a pattern matched a new topic): subscribe to them and rebalance. */
  async resubscribe(reason: string): Promise<void> {
    await this.consumerValue?.subscribe(this.o.ctx.topologyTasks.allSourceTopics());
    this.consumerValue?.enforceRebalance(reason);
  }

  enforceRebalance(reason: string): void {
    this.consumerValue?.enforceRebalance(reason);
  }

  /** The thread's tasks are closed without committing; a new thread takes over after a rebalance (same member). */
  async replaceThread(err: unknown): Promise<void> {
    this.o.config.logger.warn(`replacing stream thread ${this.name} after: ${describeError(err)} (the uncaught exception handler said REPLACE_THREAD)`);
    await this.threadValue?.shutdown(false);
    const fresh = this.newThread();
    await fresh.start();
    this.threadValue = fresh;
    fresh.startTimer();
    this.consumerValue?.enforceRebalance('the stream thread was replaced');
  }

  /** Stops processing and closes the tasks (committing first when `clean`); the member stays in the group. */
  async stopThread(clean: boolean): Promise<void> {
    await this.threadValue?.shutdown(clean);
  }

  /** Closes the thread's tasks and leaves the group. */
  async close(clean: boolean, logger: Logger): Promise<void> {
    try {
      await this.threadValue?.shutdown(clean);
    } catch (err) {
      logger.error(`closing the tasks of ${this.name} failed: ${describeError(err)}`);
    }
    await this.consumerValue?.close().catch((err: unknown) => logger.warn(`leaving the group failed: ${describeError(err)}`));
    this.metricsValue?.close();
  }

  activeTasks(): RuntimeTask[] {
    const t = this.threadValue;
    return t ? t.tasks.all().map((a) => ({ id: a.id, restored: a.running, inputs: a.inputs, task: a.task, state: a.state })) : [];
  }

  /** A standby's stores hold committed data up to its lag: readable when stale stores are allowed. */
  standbyTasks(): RuntimeTask[] {
    const t = this.threadValue;
    return t ? t.tasks.standbyTasks().map((s) => ({ id: s.id, restored: true, inputs: [], task: s.task, state: s.state })) : [];
  }

  private newThread(): StreamThread {
    const { config, ctx } = this.o;
    this.metricsValue?.close(); // a replaced thread's metrics go with it
    const name = this.name;
    this.metricsValue = new ThreadMetrics(this.o.registry, name);
    const log = config.logger.child({ thread: name });
    return new StreamThread({
      config,
      metrics: this.metricsValue,
      tracer: config.tracing && new OtelRecordTracer({ applicationId: config.applicationId, tracerProvider: config.tracing.tracerProvider }),
      engine: { ...ctx.engine, logger: log },
      topology: this.o.topology,
      topologyTasks: ctx.topologyTasks,
      changelogTopics: ctx.topics.changelogTopics,
      client: this.o.client,
      consumer: () => this.consumerValue!,
      processId: this.o.processId,
      threadIndex: this.o.threadIndex,
      cache: ctx.cache,
      taskDir: (id) => this.o.stateDirectory.taskDir(id),
      lockTask: (id) => {
        this.o.stateDirectory.lock(id);
      },
      unlockTask: (id) => this.o.stateDirectory.unlock(id),
      checkpointFor: (id) => OffsetCheckpoint.forTaskDir(this.o.stateDirectory.taskDir(id)),
      sourceSerdes: ctx.sourceSerdes,
      standbyTasks: () => this.assignment.standby,
      isRepartitionTopic: (t) => ctx.repartitionTopics.has(t),
      purgeRepartition: async (offsets) => {
        const byTopic = new Map<string, { partition: number; offset: number }[]>();
        for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
        for (const [topic, parts] of byTopic) await this.o.admin()?.deleteRecords(topic, parts);
      },
      onRestoreProgress: (taskId, p) => this.o.events.onRestoreProgress(taskId, p),
      hooks: {
        onRebalanceStart: () => this.o.events.onRebalanceStart(),
        onAllRunning: () => this.o.events.onAllRunning(),
        onFatal: (err) => this.o.events.onFatal(err),
      },
      logger: log,
    });
  }
}
