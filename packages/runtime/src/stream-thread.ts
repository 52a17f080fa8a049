// Owns one stream thread of a worker (Kafka's StreamThread): its producer and ProducerChannel (one
// idempotent producer under at-least-once, one transactional producer under exactly-once), its
// TaskManager, and the work the consumer's loop hands it — rebalances (commit, or drop the tasks when
// the membership was lost; then the new assignment), fetched batches (processed synchronously
// through their task, output sent per chunk), and a timer for wall-clock punctuation and commits
// while no data arrives. Everything runs under one mutex; restorations run beside it.
import { describeError, ErrorCodes, monotonicMs, SluiceError, type Logger, type ThreadMetrics, errorFields } from '@sluice/common';
import type { EngineConfig, RecordTracer, Topology } from '@sluice/core';
import type { CacheMemoryPool } from '@sluice/state';
import type { Serde } from '@sluice/serdes';
import type { TopologyTasks } from './assignment/topology-tasks.js';
import type { ResolvedConfig } from './config.js';
import { Mutex } from './mutex.js';
import type { BatchControl, FetchedBatch, GroupConsumer, GroupControl, GroupHandlers, KafkaClient, Producer, TopicPartition } from './ports.js';
import { ProducerChannel } from './record-collector.js';
import type { CheckpointIO, RestoreProgress } from './state/task-state-manager.js';
import { AtLeastOnceCommitter, type Committer } from './tasks/commit-at-least-once.js';
import { ExactlyOnceCommitter } from './tasks/commit-exactly-once.js';
import { TaskFactory } from './tasks/task-factory.js';
import { TaskManager } from './tasks/task-manager.js';

export interface StreamThreadHooks {
  onRebalanceStart(): void;
  /** Every assigned task restored and running. */
  onAllRunning(): void;
  onFatal(error: unknown): void;
}

export interface StreamThreadOptions {
  readonly config: ResolvedConfig;
  readonly engine: EngineConfig;
  readonly topology: Topology;
  readonly topologyTasks: TopologyTasks;
  readonly changelogTopics: ReadonlyMap<string, string>;
  readonly client: KafkaClient;
  readonly consumer: () => GroupConsumer;
  readonly processId: string;
  readonly threadIndex: number;
  readonly cache: CacheMemoryPool | undefined;
  readonly taskDir: (taskId: string) => string;
  readonly lockTask: (taskId: string) => void;
  readonly unlockTask: (taskId: string) => void;
  readonly checkpointFor: (taskId: string) => CheckpointIO;
  readonly sourceSerdes: ReadonlyMap<string, { key: Serde<unknown>; value: Serde<unknown> }>;
  readonly isRepartitionTopic: (topic: string) => boolean;
  /** Deletes records of internal repartition topics below these committed offsets (repartition.purge.interval.ms). */
  readonly purgeRepartition: (offsets: readonly { topic: string; partition: number; offset: number }[]) => Promise<void>;
  /** The standby tasks the last assignment gave this thread. */
  readonly standbyTasks: () => readonly string[];
  readonly onRestoreProgress: (taskId: string, p: RestoreProgress) => void;
  readonly hooks: StreamThreadHooks;
  readonly logger: Logger;
  /** This thread's metrics (thread, task, node, store, cache, consumer lag). */
  readonly metrics: ThreadMetrics;
  readonly tracer?: RecordTracer | undefined;
}

export class StreamThread {
  private readonly mutex = new Mutex();
  private lastCommit: number;
  private lastPurge: number;
  private timer: { cancel(): void } | undefined;
  private stopping = false;
  private failed = false;
  private joining = false;
  private producer: Producer | undefined;
  private committer: Committer | undefined;
  private tasksValue: TaskManager | undefined;

  constructor(private readonly o: StreamThreadOptions) {
    this.lastCommit = o.config.clock.now();
    this.lastPurge = this.lastCommit;
  }

  get tasks(): TaskManager {
    if (!this.tasksValue) throw new SluiceError(ErrorCodes.ILLEGAL_STATE, 'the stream thread has not started');
    return this.tasksValue;
  }

  /** Creates the thread's producer (under exactly-once: InitProducerId with its transactional id) and its tasks' home. */
  async start(): Promise<void> {
    const { config, client } = this.o;
    const channel = new ProducerChannel(undefined, { handler: config.productionExceptionHandler, deadLetterQueueTopic: config.deadLetterQueueTopicName, logger: this.o.logger });
    this.o.metrics.deadLetterRecords(() => channel.deadLetterRecords);
    if (config.guarantee === 'exactly_once') {
      // Kafka Streams' exactly_once_v2: one transactional id per thread, kept across restarts of the worker
      const transactionalId = `${config.applicationId}-${this.o.processId}-${this.o.threadIndex}`;
      const newProducer = () => client.transactionalProducer(transactionalId, config.transactionTimeoutMs);
      this.committer = new ExactlyOnceCommitter(channel, await newProducer(), newProducer, this.o.consumer, config.applicationId);
    } else {
      this.producer = await client.producer();
      channel.setProducer(this.producer);
      this.committer = new AtLeastOnceCommitter(channel, this.o.consumer);
    }
    const factory = new TaskFactory({
      config,
      engine: this.o.engine,
      topology: this.o.topology,
      changelogTopics: this.o.changelogTopics,
      channel,
      cache: this.o.cache,
      taskDir: this.o.taskDir,
      lockTask: this.o.lockTask,
      unlockTask: this.o.unlockTask,
      checkpointFor: this.o.checkpointFor,
      logger: this.o.logger,
      onRestoreProgress: this.o.onRestoreProgress,
      metrics: this.o.metrics,
      tracer: this.o.tracer,
      lag: (tp) => this.o.consumer().lag(tp),
    });
    this.tasksValue = new TaskManager({
      config,
      topologyTasks: this.o.topologyTasks,
      factory,
      committer: this.committer,
      consumer: this.o.consumer,
      isRepartitionTopic: this.o.isRepartitionTopic,
      logger: this.o.logger,
      exclusive: (fn) => this.mutex.run(fn),
      onTaskRunning: () => {
        if (!this.joining && this.tasks.allRunning()) this.o.hooks.onAllRunning();
      },
      onFatal: (err) => this.fail(err),
    });
    this.channel = channel;
  }

  private channel: ProducerChannel | undefined;

  handlers(): GroupHandlers {
    return {
      onRevoking: (membership) => this.mutex.run(() => this.onRevoking(membership)),
      onAssigned: (assignment, control) => this.mutex.run(() => this.onAssigned(assignment, control)),
      onBatch: (batch, control) => this.mutex.run(() => this.onBatch(batch, control)),
      onPolled: (records, ms) => this.o.metrics.polled(records, ms),
      onFetched: (topic, partition, position, end) => this.o.metrics.fetched(topic, partition, position, end),
      onCrash: (error) => this.fail(error),
    };
  }

  startTimer(): void {
    const tick = () => {
      this.timer = undefined;
      if (this.stopping || this.failed) return;
      void this.mutex
        .run(() => this.maintenance())
        .catch((err: unknown) => this.fail(err))
        .finally(() => {
          if (!this.stopping && !this.failed) this.timer = this.o.config.clock.setTimeout(tick, this.nextTickIn());
        });
    };
    this.timer = this.o.config.clock.setTimeout(tick, this.nextTickIn());
  }

  /** Stop processing, commit what was processed (when `clean`) and close all tasks and the producer. */
  async shutdown(clean: boolean): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    await this.mutex.run(async () => {
      if (!this.tasksValue) return;
      if (clean && !this.failed) {
        try {
          await this.tasks.commit(true);
        } catch (err) {
          this.o.logger.error(`final commit failed: ${describeError(err)}; the next owner reprocesses from the last commit`, errorFields(err));
          clean = false;
        }
      }
      await this.tasks.closeAll(clean && !this.failed);
      await this.tasks.closeStandbys();
    });
    if (this.committer instanceof ExactlyOnceCommitter) await this.committer.close().catch((err: unknown) => this.o.logger.warn(`closing the producer failed: ${describeError(err)}`, errorFields(err)));
    await this.producer?.close().catch((err: unknown) => this.o.logger.warn(`closing the producer failed: ${describeError(err)}`, errorFields(err)));
  }

  private nextTickIn(): number {
    const now = this.o.config.clock.now();
    const due = Math.min(this.lastCommit + this.o.config.commitIntervalMs, this.tasksValue?.nextWallClockPunctuation() ?? Infinity, this.tasksValue?.nextRetry() ?? Infinity);
    return Math.max(5, Math.min(200, due - now));
  }

  private async onRevoking(membership: { lost(): boolean }): Promise<void> {
    this.joining = true;
    this.o.hooks.onRebalanceStart();
    if (this.stopping || this.failed || this.tasks.size === 0) return;
    if (!membership.lost()) {
      try {
        await this.tasks.commit();
        this.lastCommit = this.o.config.clock.now();
      } catch (err) {
        if (this.isFatal(err)) return this.fail(err);
        this.o.logger.warn(`commit before rebalancing failed: ${describeError(err)}; records since the last commit will be processed again`, errorFields(err));
      }
    }
    // the coordinator no longer knows our generation: the tasks may run elsewhere already, so they
    // are closed without committing (exactly-once: the open transaction aborts) and restored again
    // if they come back (Kafka's onPartitionsLost)
    if (membership.lost() && this.tasks.size > 0) {
      this.o.logger.warn(`this worker dropped out of the group; closing its ${this.tasks.size} tasks without committing`);
      if (this.committer instanceof ExactlyOnceCommitter) {
        await this.committer
          .abortOrReinitialize((err) => this.o.logger.warn(`aborting the transaction of the dropped tasks failed (${describeError(err)}); starting the producer anew, which aborts it at the coordinator`, errorFields(err)))
          .catch((err: unknown) => this.o.logger.warn(`starting the transactional producer anew failed (${describeError(err)}); the next commit tries again`, errorFields(err)));
      }
      await this.tasks.closeAll(false);
    }
  }

  private async onAssigned(assignment: readonly TopicPartition[], control: GroupControl): Promise<void> {
    if (this.stopping || this.failed) return;
    try {
      this.o.metrics.retainLags(assignment);
      await this.tasks.handleAssignment(assignment, this.o.standbyTasks(), control);
      this.joining = false;
      if (this.tasks.allRunning()) this.o.hooks.onAllRunning();
    } catch (err) {
      this.fail(err);
    }
  }

  private async onBatch(batch: FetchedBatch, control: BatchControl): Promise<void> {
    if (this.stopping || this.failed) return;
    try {
      await this.prepareDeserialization(batch);
      const started = monotonicMs();
      // the lag counts from this batch in the same step as its records reach the task (no await between)
      control.delivered(batch);
      const processed = await this.tasks.process(
        batch,
        () => control.heartbeat(),
        async () => {
          this.channel!.sendPending();
          await this.channel!.waitForCapacity();
        },
      );
      this.o.metrics.processed(processed, monotonicMs() - started);
      await this.maybeCommit();
    } catch (err) {
      this.fail(err);
    }
  }

  private async maintenance(): Promise<void> {
    if (this.stopping || this.failed || this.joining || !this.tasksValue) return;
    const waiting = monotonicMs();
    const processed = await this.tasks.processWaiting(
      async () => !this.stopping && !this.failed,
      async () => {
        this.channel!.sendPending();
        await this.channel!.waitForCapacity();
      },
    );
    if (processed > 0) this.o.metrics.processed(processed, monotonicMs() - waiting);
    const started = monotonicMs();
    const punctuated = await this.tasks.punctuate();
    if (punctuated > 0) this.o.metrics.punctuated(punctuated, monotonicMs() - started);
    this.channel!.sendPending();
    await this.maybeCommit();
  }

  private async maybeCommit(): Promise<void> {
    const now = this.o.config.clock.now();
    if (!this.tasks.commitRequested() && now - this.lastCommit < this.o.config.commitIntervalMs) return;
    try {
      const started = monotonicMs();
      if (await this.tasks.commit()) this.o.metrics.committed(monotonicMs() - started);
      this.lastCommit = now;
    } catch (err) {
      if (this.isFatal(err)) throw err;
      this.o.logger.warn(`commit failed: ${describeError(err)}; retrying at the next commit`, errorFields(err));
      return;
    }
    if (now - this.lastPurge >= this.o.config.repartitionPurgeIntervalMs) {
      this.lastPurge = now;
      // what was committed is never read again: repartition topics need not keep it
      const offsets = this.tasks.committedRepartitionOffsets();
      if (offsets.length > 0) void this.o.purgeRepartition(offsets).catch((e: unknown) => this.o.logger.warn(`deleting committed records of repartition topics failed: ${describeError(e)}; trying again later`));
    }
  }

  /** Runs the serdes' asynchronous preparation (e.g. fetching schemas) for a fetched batch. */
  private async prepareDeserialization(batch: FetchedBatch): Promise<void> {
    const s = this.o.sourceSerdes.get(batch.topic);
    if (!s || (!s.key.prepare && !s.value.prepare)) return;
    const waits: Promise<void>[] = [];
    for (const r of batch.records) {
      if (r.key && s.key.prepare) {
        const p = s.key.prepare(batch.topic, r.key);
        if (p) waits.push(p);
      }
      if (r.value && s.value.prepare) {
        const p = s.value.prepare(batch.topic, r.value);
        if (p) waits.push(p);
      }
    }
    // a failed preparation surfaces as the record's deserialization error, handled by the task
    if (waits.length > 0) await Promise.allSettled(waits);
  }

  /** Commit errors that a rebalance explains are expected; anything else stops the app. */
  private isFatal(err: unknown): boolean {
    if (err instanceof SluiceError && err.code === ErrorCodes.KAFKA_CLIENT) {
      const type = err.context['kafkaErrorType'];
      if (err.retriable) return false;
      return !(type === 'REBALANCE_IN_PROGRESS' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID' || type === 'NOT_COORDINATOR' || type === 'COORDINATOR_NOT_AVAILABLE');
    }
    return true;
  }

  private fail(err: unknown): void {
    if (this.failed || this.stopping) {
      if (!this.failed) this.o.logger.error(`error while stopping: ${describeError(err)}`, errorFields(err));
      return;
    }
    this.failed = true;
    this.timer?.cancel();
    this.o.hooks.onFatal(err);
  }
}
