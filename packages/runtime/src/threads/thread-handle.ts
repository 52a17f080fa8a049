// Owns what KafkaStreams sees of one of its stream threads, wherever it runs: the main thread's own
// (LocalThread, a StreamThreadRunner here) or one on a worker thread (RemoteThread). Both report the
// same events, show their tasks to queries and metadata, and do the same on request.
import type { Logger, Metric } from '@sluice/common';
import type { AssignmentInfo } from '../assignment/streams-assignor.js';
import type { RuntimeTask } from '../query/interactive-queries.js';
import type { RestoreProgress } from '../state/task-state-manager.js';
import type { StreamThreadRunner } from './stream-thread-runner.js';

export interface ThreadEvents {
  onRebalanceStart(index: number): void;
  onAllRunning(index: number): void;
  onFatal(index: number, error: unknown): void;
  onRestoreProgress(taskId: string, p: RestoreProgress): void;
  onAssignment(index: number, info: AssignmentInfo): void;
}

export interface SourceTopicAdded {
  readonly subtopology: number;
  readonly topic: string;
  readonly partitions: number;
}

export interface StreamThreadHandle {
  /** 1-based; thread 1 runs in the worker's main thread. */
  readonly index: number;
  readonly name: string;
  /**
   * Everything the thread needs before it joins the group (a worker thread loads the application
   * module and builds it): the worker's threads prepare first and join together, so the group forms
   * in one rebalance instead of one per thread.
   */
  prepare(): Promise<void>;
  /** Resolves once the thread is a member of the group (its tasks come with the first assignment). */
  start(): Promise<void>;
  activeTasks(): RuntimeTask[];
  standbyTasks(): RuntimeTask[];
  /** Metrics a worker thread reported (the main thread's are in the worker's own registry). */
  reportedMetrics(): Metric[];
  totals(): { processed: number; commits: number; punctuations: number };
  consumerLags(): { topic: string; partition: number; lag: number }[];
  /** Source patterns matched new topics (already in the main thread's task list): read them too. */
  addSourceTopics(added: readonly SourceTopicAdded[], reason: string): Promise<void>;
  enforceRebalance(reason: string): void;
  /** REPLACE_THREAD: a fresh StreamThread takes this one's place as the same member. */
  replace(error: unknown): Promise<void>;
  /** SHUTDOWN_APPLICATION: stop processing now, without committing; the member stays until close. */
  stopThread(): Promise<void>;
  /** SHUTDOWN_APPLICATION: the reason goes with this thread's next subscription. */
  requestShutdown(reason: string): void;
  close(clean: boolean): Promise<void>;
}

/** The stream thread of the worker's main thread. */
export class LocalThread implements StreamThreadHandle {
  readonly index = 1;

  constructor(
    private readonly runner: StreamThreadRunner,
    private readonly logger: Logger,
  ) {}

  get name(): string {
    return this.runner.name;
  }

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  start(): Promise<void> {
    return this.runner.start();
  }

  activeTasks(): RuntimeTask[] {
    return this.runner.activeTasks();
  }

  standbyTasks(): RuntimeTask[] {
    return this.runner.standbyTasks();
  }

  reportedMetrics(): Metric[] {
    return [];
  }

  totals(): { processed: number; commits: number; punctuations: number } {
    return this.runner.metrics?.totals() ?? { processed: 0, commits: 0, punctuations: 0 };
  }

  consumerLags(): { topic: string; partition: number; lag: number }[] {
    return this.runner.metrics?.consumerLags() ?? [];
  }

  /** The main thread's task list and serdes are the ones KafkaStreams already updated. */
  async addSourceTopics(_added: readonly SourceTopicAdded[], reason: string): Promise<void> {
    await this.runner.resubscribe(reason);
  }

  enforceRebalance(reason: string): void {
    this.runner.enforceRebalance(reason);
  }

  replace(error: unknown): Promise<void> {
    return this.runner.replaceThread(error);
  }

  stopThread(): Promise<void> {
    return this.runner.stopThread(false);
  }

  /** The main thread's runner reads KafkaStreams' own shutdown request. */
  requestShutdown(_reason: string): void {}

  close(clean: boolean): Promise<void> {
    return this.runner.close(clean, this.logger);
  }
}
