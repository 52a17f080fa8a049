// Owns a stream thread's tasks, and is the only way into them: it turns an assignment into running
// tasks (created through the TaskFactory, restored in the background while the other tasks
// process), routes fetched records to their task, punctuates, commits through the Committer of the
// processing guarantee, and closes, rolls back (exactly-once) or drops (membership lost) tasks.
import { describeError, ErrorCodes, SluiceError, TaskCorruptedError, type Logger, errorFields } from '@sluice/common';
import type { TopologyTasks } from '../assignment/topology-tasks.js';
import type { ResolvedConfig } from '../config.js';
import type { FetchedBatch, GroupConsumer, GroupControl, TopicPartition } from '../ports.js';
import { RestoreOutOfRange } from '../state/task-state-manager.js';
import type { ActiveTask } from './active-task.js';
import type { Committer } from './commit-at-least-once.js';
import { ExactlyOnceCommitter } from './commit-exactly-once.js';
import type { StandbyTask } from './standby-task.js';
import type { TaskFactory } from './task-factory.js';

export interface TaskManagerOptions {
  readonly config: ResolvedConfig;
  readonly topologyTasks: TopologyTasks;
  readonly factory: TaskFactory;
  readonly committer: Committer;
  readonly consumer: () => GroupConsumer;
  /** Internal topics written and read by the application itself (repartition, foreign-key subscription). */
  readonly isRepartitionTopic: (topic: string) => boolean;
  readonly logger: Logger;
  /** Runs `fn` exclusively with the thread's other work (batches, commits, rebalances). */
  readonly exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** A task finished restoring and runs now. */
  readonly onTaskRunning: () => void;
  /** Something failed that the thread cannot go on after. */
  readonly onFatal: (err: unknown) => void;
}

const PROCESS_CHUNK = 1_000;

export class TaskManager {
  private readonly tasks = new Map<string, ActiveTask>();
  private readonly byPartition = new Map<string, ActiveTask>();
  private readonly restoring = new Map<string, Promise<void>>();
  private readonly standbys = new Map<string, StandbyTask>();
  private control: GroupControl | undefined;

  constructor(private readonly o: TaskManagerOptions) {}

  // ---- what the thread may ask ----

  get size(): number {
    return this.tasks.size;
  }

  ids(): string[] {
    return [...this.tasks.keys()];
  }

  allRunning(): boolean {
    for (const t of this.tasks.values()) if (!t.running) return false;
    return true;
  }

  /** Every active task, running or restoring (read-only use: interactive queries, metadata). */
  all(): ActiveTask[] {
    return [...this.tasks.values()];
  }

  /** Running tasks (read-only use: interactive queries, metadata). */
  running(): ActiveTask[] {
    return [...this.tasks.values()].filter((t) => t.running);
  }

  get(id: string): ActiveTask | undefined {
    return this.tasks.get(id);
  }

  /** Earliest wall-clock time a running task's punctuation is due (Infinity when none). */
  nextWallClockPunctuation(): number {
    let due = Infinity;
    for (const t of this.tasks.values()) if (t.running) due = Math.min(due, t.task.nextWallClockPunctuation());
    return due;
  }

  commitRequested(): boolean {
    for (const t of this.tasks.values()) if (t.task.commitRequested) return true;
    return false;
  }

  // ---- assignment ----

  /**
   * Close tasks that left; create the new ones and start restoring them (their inputs stay paused
   * until then); keep standby replicas of `standbyIds` current. A standby that becomes active is
   * closed first (checkpoint written), so the active task restores only the tail; an active task
   * that becomes a standby is closed cleanly and followed from its checkpoint.
   */
  async handleAssignment(assignment: readonly TopicPartition[], standbyIds: readonly string[], control: GroupControl): Promise<void> {
    this.control = control;
    const wanted = new Map<string, TopicPartition[]>();
    for (const tp of assignment) {
      const id = this.o.topologyTasks.taskIdOf(tp);
      if (id === undefined) continue;
      wanted.set(id, [...(wanted.get(id) ?? []), tp]);
    }
    const standbyWanted = new Set(standbyIds.filter((id) => !wanted.has(id)));
    for (const t of this.tasks.values()) t.task.clearBuffers();
    for (const id of [...this.tasks.keys()]) if (!wanted.has(id)) await this.closeTask(id, true);
    for (const [id, s] of [...this.standbys]) {
      if (standbyWanted.has(id)) continue;
      this.standbys.delete(id);
      await this.o.factory.closeStandby(s).catch((err: unknown) => this.o.logger.warn(`closing standby task ${id} failed: ${describeError(err)}`, { task: id, ...errorFields(err) }));
    }
    for (const [id, inputs] of wanted) {
      const kept = this.tasks.get(id);
      if (kept) {
        // topics that matched a source pattern after start join the task
        for (const tp of inputs) {
          if (kept.inputs.some((i) => i.topic === tp.topic && i.partition === tp.partition)) continue;
          if (this.o.factory.addInput(kept, tp)) this.byPartition.set(`${tp.topic}:${tp.partition}`, kept);
        }
        continue;
      }
      const t = await this.o.factory.create(id, inputs, () => control.heartbeat());
      this.add(t);
    }
    for (const id of standbyWanted) {
      if (this.standbys.has(id)) continue;
      const s = await this.o.factory.createStandby(id, () => control.heartbeat());
      this.standbys.set(id, s);
      s.follow(
        { reader: control.reader, clock: this.o.config.clock, logger: this.o.logger, pollMs: 500, checkpointMs: Math.max(5_000, this.o.config.commitIntervalMs) },
        (err) => this.o.onFatal(err),
      );
    }
    for (const t of this.tasks.values()) if (!t.running) this.startRestoring(t);
  }

  standbyIds(): string[] {
    return [...this.standbys.keys()];
  }

  standbyTasks(): StandbyTask[] {
    return [...this.standbys.values()];
  }

  /**
   * How much changelog each local copy holds, for the group leader (KIP-441): a running active task
   * is caught up (-2, Kafka's LATEST_OFFSET), a restoring one or a standby reports its offset sum.
   */
  offsetSums(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.standbys.values()) out.set(s.id, s.state.offsetSum());
    for (const t of this.tasks.values()) out.set(t.id, t.running ? -2 : t.state.offsetSum());
    return out;
  }

  /** Changelog positions of every local store partition, active and standby. */
  storeLags(): { taskId: string; standby: boolean; store: string; partition: number; current: number; end: number }[] {
    const out: { taskId: string; standby: boolean; store: string; partition: number; current: number; end: number }[] = [];
    for (const t of this.tasks.values()) for (const l of t.state.lags()) out.push({ taskId: t.id, standby: false, store: l.store, partition: l.partition, current: l.current, end: l.end });
    for (const s of this.standbys.values()) for (const l of s.state.lags()) out.push({ taskId: s.id, standby: true, store: l.store, partition: l.partition, current: l.current, end: l.end });
    return out;
  }

  private add(t: ActiveTask): void {
    this.tasks.set(t.id, t);
    for (const tp of t.inputs) this.byPartition.set(`${tp.topic}:${tp.partition}`, t);
  }

  private remove(t: ActiveTask): void {
    if (this.tasks.get(t.id) === t) this.tasks.delete(t.id);
    for (const tp of t.inputs) if (this.byPartition.get(`${tp.topic}:${tp.partition}`) === t) this.byPartition.delete(`${tp.topic}:${tp.partition}`);
  }

  /** Restores `t` in the background; when done, its processors start and its inputs are fetched. */
  private startRestoring(t: ActiveTask): void {
    if (this.restoring.has(t.id)) return;
    const control = this.control!;
    control.pause(t.inputs);
    const current = () => this.tasks.get(t.id) === t && t.phase === 'RESTORING';
    const job = (async () => {
      let task = t;
      for (let attempt = 0; ; attempt++) {
        let result: 'done' | 'interrupted';
        try {
          result = await task.state.restore({ reader: control.reader, heartbeat: async () => current() && (await control.heartbeat()) });
        } catch (err) {
          if (!(err instanceof TaskCorruptedError || err instanceof RestoreOutOfRange) || attempt > 0 || !current()) throw err;
          this.o.logger.warn(`restoring task ${task.id} from its checkpoint failed (${describeError(err)}); wiping and restoring from the beginning`, { task: task.id, ...errorFields(err) });
          task = await this.o.exclusive(async () => {
            const fresh = await this.o.factory.rebuild(task);
            this.remove(task);
            this.add(fresh);
            return fresh;
          });
          t = task;
          continue;
        }
        if (result === 'interrupted' || !current()) return;
        await this.o.exclusive(async () => {
          if (!current()) return;
          await task.task.initializeProcessors();
          task.phase = 'RUNNING';
          control.resume(task.inputs);
        });
        this.o.onTaskRunning();
        return;
      }
    })();
    this.restoring.set(t.id, job);
    job.catch((err: unknown) => this.o.onFatal(err)).finally(() => this.restoring.delete(t.id));
  }

  /** Waits for a restoration of `id` to stop (it checks whether its task is still current between batches). */
  private async stopRestoring(id: string): Promise<void> {
    await this.restoring.get(id)?.catch(() => undefined);
  }

  // ---- processing ----

  /** Processes a fetched batch in its task; false when the task is gone or not running (the batch is dropped). */
  async process(batch: FetchedBatch, keepGoing: () => Promise<boolean>, afterChunk: () => Promise<void>): Promise<number> {
    const t = this.byPartition.get(`${batch.topic}:${batch.partition}`);
    // not ours any more: the next owner reads it from the committed offsets
    if (!t) return 0;
    if (!t.running) {
      // fetched just before its task began restoring (its inputs paused since): fetch it again once the task runs
      const first = batch.records[0];
      if (first !== undefined) this.o.consumer().seek({ topic: batch.topic, partition: batch.partition }, first.offset);
      return 0;
    }
    if (batch.records.length > 0) t.task.addRecords(batch.topic, batch.records);
    const processed = await this.drain(t, keepGoing, afterChunk);
    t.task.advanceInput(batch.topic, batch.nextOffset);
    return processed;
  }

  /**
   * Processes what tasks have buffered but could not process when it arrived: a record whose retry
   * is due, or records that waited for another input (max.task.idle.ms).
   */
  async processWaiting(keepGoing: () => Promise<boolean>, afterChunk: () => Promise<void>): Promise<number> {
    let n = 0;
    const now = this.o.config.clock.now();
    for (const t of this.tasks.values()) {
      if (!t.running || t.task.bufferedRecords() === 0) continue;
      const due = t.task.retryDueAt();
      if (due !== undefined && due > now) continue;
      n += await this.drain(t, keepGoing, afterChunk);
    }
    return n;
  }

  /** Earliest time a task's record waits to be tried again (Infinity when none). */
  nextRetry(): number {
    let due = Infinity;
    for (const t of this.tasks.values()) {
      const at = t.running ? t.task.retryDueAt() : undefined;
      if (at !== undefined) due = Math.min(due, at);
    }
    return due;
  }

  private async drain(t: ActiveTask, keepGoing: () => Promise<boolean>, afterChunk: () => Promise<void>): Promise<number> {
    let processed = 0;
    while (t.task.bufferedRecords() > 0) {
      const n = await t.task.process(PROCESS_CHUNK);
      processed += n;
      await afterChunk();
      // nothing more can go now (a retry not yet due, waiting for another input): the rest waits
      if (n === 0 || !(await keepGoing())) break;
    }
    this.pauseOrResumeInputs(t);
    return processed;
  }

  /**
   * A record waiting for a retry holds its partitions: fetch no more of them until the retry is done.
   * An input with more than bufferedRecordsPerPartition records waiting (its task waits for another
   * input) is not fetched until they are processed, as Kafka's buffered.records.per.partition.
   */
  private pauseOrResumeInputs(t: ActiveTask): void {
    t.waitingForRetry = t.task.retryDueAt() !== undefined;
    const max = this.o.config.bufferedRecordsPerPartition;
    const pause: TopicPartition[] = [];
    const resume: TopicPartition[] = [];
    for (const tp of t.inputs) {
      const k = `${tp.topic}:${tp.partition}`;
      const hold = t.waitingForRetry || t.task.bufferedRecordsOf(tp.topic) > max;
      if (hold) {
        // again each time: a rebalance in between starts the consumer's partitions unpaused
        t.pausedInputs.add(k);
        pause.push(tp);
      } else if (t.pausedInputs.delete(k)) {
        resume.push(tp);
      }
    }
    if (pause.length > 0) this.control?.pause(pause);
    if (resume.length > 0) this.control?.resume(resume);
  }

  /** Runs due wall-clock punctuations; resolves to how many tasks punctuated. */
  async punctuate(): Promise<number> {
    let n = 0;
    for (const t of this.tasks.values()) if (t.running && (await t.task.maybePunctuateSystemTime())) n++;
    return n;
  }

  // ---- commits ----

  /** Committed input offsets of running tasks on internal repartition topics (for purging them). */
  committedRepartitionOffsets(): { topic: string; partition: number; offset: number }[] {
    const out: { topic: string; partition: number; offset: number }[] = [];
    for (const t of this.tasks.values()) {
      if (!t.running || t.task.commitNeeded) continue;
      for (const o of t.committableOffsets()) if (this.o.isRepartitionTopic(o.topic)) out.push(o);
    }
    return out;
  }

  /** Commits every running task with work since its last commit (all of them when `force`). */
  async commit(force = false): Promise<boolean> {
    const dirty = [...this.tasks.values()].filter((t) => t.running && (force || t.task.commitNeeded));
    if (dirty.length === 0) return false;
    try {
      await this.o.committer.commit(dirty);
    } catch (err) {
      await this.handleCommitFailure(dirty, err);
    }
    return true;
  }

  /**
   * A commit failed. Under exactly-once nothing of it is visible: a task that moved (fenced, or the
   * group moved on without us) is dropped and the worker rejoins; otherwise the transaction is
   * aborted and every task in it rolls back to its last commit. Under at-least-once the error goes
   * to the thread (retried at the next commit, or fatal).
   */
  private async handleCommitFailure(tasks: readonly ActiveTask[], err: unknown): Promise<void> {
    const eos = this.o.committer instanceof ExactlyOnceCommitter ? this.o.committer : undefined;
    if (!eos) throw err;
    await eos.abortOrReinitialize((abortErr) => {
      if (!isMigrated(abortErr)) this.o.logger.warn(`aborting the transaction failed (${describeError(abortErr)}); starting the producer anew, which aborts it at the coordinator`, errorFields(abortErr));
    });
    if (!isMigrated(err) && !isTransient(err)) {
      // a record the handler failed on, a missing ACL, a processor failing in a cache flush: rolling
      // back would only meet it again — stop with it
      this.o.logger.error(`the transaction of tasks ${tasks.map((t) => t.id).join(', ')} was aborted: ${describeError(err)}`);
      throw err;
    }
    if (isMigrated(err)) {
      this.o.logger.warn(`the commit found this worker's tasks moved (${describeError(err)}); closing them without committing and rejoining the group`, errorFields(err));
      await this.closeAll(false);
      if (err instanceof SluiceError && err.code === ErrorCodes.PRODUCER_FENCED) await eos.reinitialize();
      this.o.consumer().enforceRebalance('tasks moved');
      return;
    }
    this.o.logger.warn(`the transaction of tasks ${tasks.map((t) => t.id).join(', ')} failed (${describeError(err)}); it was aborted and they roll back to their last commit`, errorFields(err));
    for (const t of tasks) await this.rollBack(t);
  }

  /** Exactly-once recovery: wipe and restore the task's state, and read its input again from the committed offsets. */
  private async rollBack(t: ActiveTask): Promise<void> {
    const consumer = this.o.consumer();
    consumer.pause(t.inputs);
    const fresh = await this.o.factory.rebuild(t);
    this.remove(t);
    this.add(fresh);
    // require_stable: offsets of a commit still completing are waited for, never read around
    const committed = new Map((await consumer.committed(fresh.inputs)).map((o) => [`${o.topic}:${o.partition}`, o.offset]));
    for (const tp of fresh.inputs) {
      const offset = committed.get(`${tp.topic}:${tp.partition}`) ?? -1;
      if (offset < 0) consumer.enforceRebalance(`task ${fresh.id} rolled back before its first commit`);
      else consumer.seek(tp, offset);
    }
    this.startRestoring(fresh);
  }

  // ---- closing ----

  /** Close one task. `clean`: its work was committed, so its checkpoint is written. */
  async closeTask(id: string, clean: boolean): Promise<void> {
    const t = this.tasks.get(id);
    if (!t) return;
    this.remove(t);
    const wasRunning = t.running;
    t.phase = 'CLOSED';
    await this.stopRestoring(id);
    // exactly-once: state with uncommitted changes must not be checkpointed (the next start restores it)
    if (this.o.config.guarantee === 'exactly_once' && t.task.commitNeeded) clean = false;
    try {
      if (clean && wasRunning) {
        // exactly-once: the last commit flushed; anything flushed now would be uncommitted
        if (this.o.config.guarantee === 'at_least_once') await t.task.flushState();
        await t.state.writeCheckpoint();
      }
      await this.o.factory.close(t, clean);
    } catch (err) {
      this.o.logger.warn(`closing task ${id} failed: ${describeError(err)}`, { task: id, ...errorFields(err) });
    }
  }

  async closeAll(clean: boolean): Promise<void> {
    for (const id of [...this.tasks.keys()]) await this.closeTask(id, clean);
  }

  /** Stop following every standby (checkpoints written). */
  async closeStandbys(): Promise<void> {
    for (const [id, s] of [...this.standbys]) {
      this.standbys.delete(id);
      await this.o.factory.closeStandby(s).catch((err: unknown) => this.o.logger.warn(`closing standby task ${id} failed: ${describeError(err)}`, { task: id, ...errorFields(err) }));
    }
  }
}

/** A failure that may pass (a broker away, a timeout, a moved leader or coordinator): worth a rollback and another try. */
function isTransient(err: unknown): boolean {
  return err instanceof SluiceError && err.code === ErrorCodes.KAFKA_CLIENT && err.retriable;
}

/** The tasks run elsewhere now: a fenced producer, or the group no longer knows our generation. */
function isMigrated(err: unknown): boolean {
  if (err instanceof SluiceError && err.code === ErrorCodes.PRODUCER_FENCED) return true;
  const type = err instanceof SluiceError ? err.context['kafkaErrorType'] : undefined;
  return type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID' || type === 'FENCED_INSTANCE_ID';
}
