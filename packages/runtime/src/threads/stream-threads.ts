// Owns a worker's stream threads as one (Kafka's KafkaStreams#threads): it starts thread 1 here and
// threads 2..N on worker threads, knows which of them run all their tasks (the worker is RUNNING
// when every one does), keeps the fleet the group leader last described and schedules the probing
// rebalance it asks for, and hands the threads' tasks, metrics and lags to queries and metrics.
import { describeError, errorFields, type Metric, type MetricsRegistry } from '@sluice/common';
import type { Topology } from '@sluice/core';
import type { StateDirectory } from '@sluice/state';
import type { AssignmentInfo } from '../assignment/streams-assignor.js';
import type { ResolvedConfig } from '../config.js';
import type { Admin, KafkaClient } from '../ports.js';
import type { RuntimeTask } from '../query/interactive-queries.js';
import type { RestoreProgress } from '../state/task-state-manager.js';
import { RemoteThread } from './remote-thread.js';
import { StreamThreadRunner } from './stream-thread-runner.js';
import type { ThreadContext, ThreadTopics } from './thread-context.js';
import { LocalThread, type SourceTopicAdded, type StreamThreadHandle } from './thread-handle.js';

export interface StreamThreadsEvents {
  /** A thread began rebalancing: the worker is REBALANCING. */
  onRebalancing(): void;
  /** Every thread runs all its tasks: the worker is RUNNING. */
  onAllRunning(): void;
  onFatal(threadIndex: number, error: unknown): void;
  onRestoreProgress(taskId: string, p: RestoreProgress): void;
  /** The group leader's decision, as every thread hears it (the fleet). */
  onAssignment(info: AssignmentInfo): void;
}

export interface StreamThreadsOptions {
  readonly config: ResolvedConfig;
  readonly topology: Topology;
  readonly client: KafkaClient;
  readonly admin: () => Admin | undefined;
  readonly ctx: ThreadContext;
  readonly topics: ThreadTopics;
  readonly processId: string;
  readonly stateDirectory: StateDirectory;
  readonly registry: MetricsRegistry;
  /** The application module threads 2..N build the application from (KafkaStreams.fromModule). */
  readonly module: { readonly url: string; readonly exportName: string } | undefined;
  readonly cacheBytes: number;
  readonly shutdownRequested: () => string | undefined;
  readonly events: StreamThreadsEvents;
}

export class StreamThreads {
  private readonly threads: StreamThreadHandle[] = [];
  private readonly running = new Map<number, boolean>();
  private fleet: AssignmentInfo = { active: [], standby: [], clients: [] };
  private probe: { cancel(): void } | undefined;
  replaced = 0;

  constructor(private readonly o: StreamThreadsOptions) {
    const runner = new StreamThreadRunner({
      config: o.config,
      topology: o.topology,
      client: o.client,
      admin: o.admin,
      ctx: o.ctx,
      processId: o.processId,
      threadIndex: 1,
      stateDirectory: o.stateDirectory,
      registry: o.registry,
      shutdownRequested: o.shutdownRequested,
      events: {
        onRebalanceStart: () => this.rebalancing(1),
        onAllRunning: () => this.allRunning(1),
        onFatal: (err) => o.events.onFatal(1, err),
        onRestoreProgress: (taskId, p) => o.events.onRestoreProgress(taskId, p),
        onAssignment: (info) => this.assigned(1, info),
      },
    });
    this.threads.push(new LocalThread(runner, o.config.logger));
    for (let n = 2; n <= o.config.numStreamThreads; n++) this.threads.push(this.remoteThread(n));
  }

  /** Every thread joins the group (thread 1 here, the others on their worker threads), once all are ready. */
  async start(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.prepare()));
    await Promise.all(this.threads.map((t) => t.start()));
  }

  get size(): number {
    return this.threads.length;
  }

  /** The last fleet the group leader described. */
  get assignment(): AssignmentInfo {
    return this.fleet;
  }

  all(): readonly StreamThreadHandle[] {
    return this.threads;
  }

  activeTasks(): RuntimeTask[] {
    return this.threads.flatMap((t) => t.activeTasks());
  }

  standbyTasks(): RuntimeTask[] {
    return this.threads.flatMap((t) => t.standbyTasks());
  }

  reportedMetrics(): Metric[] {
    return this.threads.flatMap((t) => t.reportedMetrics());
  }

  consumerLags(): { topic: string; partition: number; lag: number }[] {
    return this.threads.flatMap((t) => t.consumerLags());
  }

  async addSourceTopics(added: readonly SourceTopicAdded[], reason: string): Promise<void> {
    for (const t of this.threads) await t.addSourceTopics(added, reason);
  }

  /** REPLACE_THREAD for thread `index`; false when there is no such thread. */
  replace(index: number, error: unknown): Promise<void> | false {
    const thread = this.threads.find((t) => t.index === index);
    if (thread === undefined) return false;
    this.replaced++;
    this.running.set(index, false);
    return thread.replace(error);
  }

  /** SHUTDOWN_APPLICATION: every thread stops processing and says why with its next subscription. */
  async requestApplicationShutdown(reason: string): Promise<void> {
    for (const t of this.threads) t.requestShutdown(reason);
    await Promise.all(this.threads.map((t) => t.stopThread()));
    this.threads[0]?.enforceRebalance('shutting the application down');
  }

  async close(clean: boolean): Promise<void> {
    this.probe?.cancel();
    await Promise.all(
      this.threads.map((t) => t.close(clean).catch((err: unknown) => this.o.config.logger.error(`closing stream thread ${t.name} failed: ${describeError(err)}`, errorFields(err)))),
    );
  }

  private rebalancing(index: number): void {
    this.running.set(index, false);
    this.o.events.onRebalancing();
  }

  private allRunning(index: number): void {
    this.running.set(index, true);
    if (this.threads.every((t) => this.running.get(t.index) === true)) this.o.events.onAllRunning();
  }

  private assigned(index: number, info: AssignmentInfo): void {
    this.fleet = info;
    this.o.events.onAssignment(info);
    if (index !== 1 || info.error) return;
    // the leader asks for a probing rebalance once warm-up copies may have caught up (any member may start it)
    this.probe?.cancel();
    this.probe = undefined;
    if (info.probeAt !== undefined) {
      const clock = this.o.config.clock;
      this.probe = clock.setTimeout(() => this.threads[0]?.enforceRebalance('probing rebalance: warm-up replicas may have caught up'), Math.max(0, info.probeAt - clock.now()));
    }
  }

  private remoteThread(n: number): RemoteThread {
    const { config, topics } = this.o;
    return new RemoteThread({
      data: {
        module: this.o.module!.url,
        exportName: this.o.module!.exportName,
        threadIndex: n,
        processId: this.o.processId,
        processToken: this.o.stateDirectory.processToken,
        cacheBytes: this.o.cacheBytes,
        topics: { sourceTopics: [...topics.sourceTopics], changelogTopics: [...topics.changelogTopics], partitionCounts: [...topics.partitionCounts] },
        describe: this.o.topology.describe().toString(),
        settings: { applicationId: config.applicationId, bootstrapServers: config.brokers.join(','), processingGuarantee: config.guarantee, stateDir: config.stateDir },
      },
      name: `${config.clientId}-StreamThread-${n}`,
      topology: this.o.topology,
      applicationId: config.applicationId,
      events: {
        onRebalanceStart: (i) => this.rebalancing(i),
        onAllRunning: (i) => this.allRunning(i),
        onFatal: (i, err) => this.o.events.onFatal(i, err),
        onRestoreProgress: (taskId, p) => this.o.events.onRestoreProgress(taskId, p),
        onAssignment: (i, info) => this.assigned(i, info),
      },
      logger: config.logger,
    });
  }
}
