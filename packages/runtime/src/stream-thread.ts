// Owns the processing loop of a worker: each fetched batch is processed synchronously through its
// task (awaiting only asynchronous processors), output is sent per batch, commits happen every
// commitIntervalMs (and before every rebalance), and a timer drives wall-clock punctuation and
// commits while no data arrives. Everything runs under one mutex.
import { describeError, ErrorCodes, SluiceError, type Logger } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { ResolvedConfig } from './config.js';
import { Mutex } from './mutex.js';
import type { BatchControl, FetchedBatch, GroupControl, GroupHandlers, TopicPartition } from './ports.js';
import type { TaskManager } from './task-manager.js';

export interface StreamThreadHooks {
  onRebalanceStart(): void;
  onAssignmentDone(allRestored: boolean): void;
  onFatal(error: unknown): void;
}

const PROCESS_CHUNK = 1_000;

export class StreamThread {
  private readonly mutex = new Mutex();
  private lastCommit: number;
  private timer: { cancel(): void } | undefined;
  private stopping = false;
  private failed = false;
  private joining = false;
  readonly counters = { processed: 0, commits: 0, punctuations: 0 };

  constructor(
    private readonly config: ResolvedConfig,
    private readonly tasks: TaskManager,
    private readonly sourceSerdes: ReadonlyMap<string, { key: Serde<unknown>; value: Serde<unknown> }>,
    private readonly hooks: StreamThreadHooks,
    private readonly logger: Logger,
  ) {
    this.lastCommit = config.clock.now();
  }

  handlers(): GroupHandlers {
    return {
      onRevoking: (membership) => this.mutex.run(() => this.onRevoking(membership)),
      onAssigned: (assignment, control) => this.mutex.run(() => this.onAssigned(assignment, control)),
      onBatch: (batch, control) => this.mutex.run(() => this.onBatch(batch, control)),
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
          if (!this.stopping && !this.failed) this.timer = this.config.clock.setTimeout(tick, this.nextTickIn());
        });
    };
    this.timer = this.config.clock.setTimeout(tick, this.nextTickIn());
  }

  /** Stop processing, commit what was processed and close all tasks. */
  async shutdown(clean: boolean): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    await this.mutex.run(async () => {
      if (clean && !this.failed) {
        try {
          await this.tasks.commitAll(this.config.applicationId, true);
        } catch (err) {
          this.logger.error(`final commit failed: ${describeError(err)}; the next owner reprocesses from the last commit`);
          clean = false;
        }
      }
      await this.tasks.closeAll(clean && !this.failed);
    });
  }

  private nextTickIn(): number {
    const now = this.config.clock.now();
    let due = this.lastCommit + this.config.commitIntervalMs;
    for (const t of this.tasks.tasks.values()) if (t.restored) due = Math.min(due, t.task.nextWallClockPunctuation());
    return Math.max(5, Math.min(200, due - now));
  }

  private async onRevoking(membership: { lost(): boolean }): Promise<void> {
    this.joining = true;
    this.hooks.onRebalanceStart();
    if (this.stopping || this.failed || this.tasks.tasks.size === 0) return;
    if (!membership.lost()) {
      try {
        await this.tasks.commitAll(this.config.applicationId);
        this.lastCommit = this.config.clock.now();
      } catch (err) {
        if (this.isFatal(err)) return this.fail(err);
        this.logger.warn(`commit before rebalancing failed: ${describeError(err)}; records since the last commit will be processed again`);
      }
    }
    // the coordinator no longer knows our generation: the tasks may run elsewhere already, so they
    // are closed without committing (exactly-once: their open transactions abort) and rebuilt if
    // they come back (Kafka's onPartitionsLost)
    if (membership.lost()) {
      this.logger.warn(`this worker dropped out of the group; closing its ${this.tasks.tasks.size} tasks without committing`);
      await this.tasks.closeAll(false);
    }
  }

  private async onAssigned(assignment: readonly TopicPartition[], control: GroupControl): Promise<void> {
    if (this.stopping || this.failed) return;
    try {
      for (const t of this.tasks.tasks.values()) t.task.clearBuffers();
      const result = await this.tasks.onAssignment(assignment, control);
      this.joining = false;
      this.hooks.onAssignmentDone(result === 'done' && this.tasks.allRestored());
    } catch (err) {
      this.fail(err);
    }
  }

  private async onBatch(batch: FetchedBatch, control: BatchControl): Promise<void> {
    if (this.stopping || this.failed) return;
    const t = this.tasks.taskFor(batch.topic, batch.partition);
    if (!t || !t.restored || batch.records.length === 0) return;
    try {
      await this.prepareDeserialization(batch);
      t.task.addRecords(batch.topic, batch.records);
      let lastBeat = this.config.clock.now();
      while (t.task.bufferedRecords() > 0) {
        this.counters.processed += await t.task.process(PROCESS_CHUNK);
        t.channel.sendPending();
        await t.channel.waitForCapacity();
        if (this.config.clock.now() - lastBeat >= this.config.heartbeatIntervalMs) {
          lastBeat = this.config.clock.now();
          if (!(await control.heartbeat())) break;
        }
      }
      await this.maybeCommit();
    } catch (err) {
      this.fail(err);
    }
  }

  private async maintenance(): Promise<void> {
    if (this.stopping || this.failed || this.joining) return;
    for (const t of this.tasks.tasks.values()) {
      if (!t.restored) continue;
      if (await t.task.maybePunctuateSystemTime()) this.counters.punctuations++;
      t.channel.sendPending();
    }
    await this.maybeCommit();
  }

  private async maybeCommit(): Promise<void> {
    const now = this.config.clock.now();
    const requested = [...this.tasks.tasks.values()].some((t) => t.task.commitRequested);
    if (!requested && now - this.lastCommit < this.config.commitIntervalMs) return;
    try {
      if (await this.tasks.commitAll(this.config.applicationId)) this.counters.commits++;
      this.lastCommit = now;
    } catch (err) {
      if (this.isFatal(err)) throw err;
      this.logger.warn(`commit failed: ${describeError(err)}; retrying at the next commit`);
    }
  }

  /** Runs the serdes' asynchronous preparation (e.g. fetching schemas) for a fetched batch. */
  private async prepareDeserialization(batch: FetchedBatch): Promise<void> {
    const s = this.sourceSerdes.get(batch.topic);
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

  /** Errors from committing offsets during a rebalance are expected; anything else stops the app. */
  private isFatal(err: unknown): boolean {
    if (err instanceof SluiceError && err.code === ErrorCodes.KAFKA_CLIENT) {
      const type = err.context['kafkaErrorType'];
      return !(type === 'REBALANCE_IN_PROGRESS' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID' || type === 'NOT_COORDINATOR' || type === 'COORDINATOR_NOT_AVAILABLE');
    }
    return true;
  }

  private fail(err: unknown): void {
    if (this.failed || this.stopping) {
      if (!this.failed) this.logger.error(`error while stopping: ${describeError(err)}`);
      return;
    }
    this.failed = true;
    this.timer?.cancel();
    this.hooks.onFatal(err);
  }
}
