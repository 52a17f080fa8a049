// Owns the one way a task comes to life, for a new assignment, a rebuild after a corrupt store and an
// exactly-once rollback alike: take the task directory's lock, build the StreamTask (with the real
// topics its pattern sources matched) and its TaskStateManager, and open its stores — wiping them
// once when they turn out corrupt. A rebuild keeps the lock, wipes the state and builds again.
import { describeError, ErrorCodes, SluiceError, TaskCorruptedError, type Logger, type ThreadMetrics, errorFields } from '@sluice/common';
import type { RecordTracer } from '@sluice/core';
import { StreamTask, type EngineConfig, type Topology } from '@sluice/core';
import type { CacheMemoryPool } from '@sluice/state';
import type { ResolvedConfig } from '../config.js';
import type { TopicPartition } from '../ports.js';
import type { ProducerChannel } from '../record-collector.js';
import { TaskStateManager, type CheckpointIO, type RestoreProgress } from '../state/task-state-manager.js';
import { ActiveTask } from './active-task.js';
import { StandbyTask } from './standby-task.js';

export interface TaskFactoryOptions {
  readonly config: ResolvedConfig;
  readonly engine: EngineConfig;
  readonly topology: Topology;
  readonly changelogTopics: ReadonlyMap<string, string>;
  readonly channel: ProducerChannel;
  readonly cache: CacheMemoryPool | undefined;
  readonly taskDir: (taskId: string) => string;
  readonly lockTask: (taskId: string) => void;
  readonly unlockTask: (taskId: string) => void;
  readonly checkpointFor: (taskId: string) => CheckpointIO;
  readonly logger: Logger;
  readonly onRestoreProgress: (taskId: string, p: RestoreProgress) => void;
  /** Records of an input partition on the broker not handed to its task yet; undefined: not known yet (max.task.idle.ms). */
  readonly lag: (tp: TopicPartition) => number | undefined;
  /** The thread's metrics: tasks created and closed, and each task's own metrics. */
  readonly metrics?: ThreadMetrics;
  readonly tracer?: RecordTracer | undefined;
}

export class TaskFactory {
  constructor(private readonly o: TaskFactoryOptions) {}

  /**
   * A new active task with its stores open (not yet restored). Another worker on this machine may
   * still hold the task directory while it closes the task it lost: `waitForLock` says whether to
   * keep waiting for it.
   */
  async create(id: string, inputs: TopicPartition[], waitForLock: () => Promise<boolean>): Promise<ActiveTask> {
    await this.lock(id, waitForLock);
    try {
      const t = this.build(id, inputs);
      await t.state.prepare();
      const open = await this.open(t);
      this.o.metrics?.taskCreated();
      return open;
    } catch (err) {
      this.o.unlockTask(id);
      throw err;
    }
  }

  /** A standby replica of task `id` with its stores open (it follows the changelogs from its checkpoint). */
  async createStandby(id: string, waitForLock: () => Promise<boolean>): Promise<StandbyTask> {
    await this.lock(id, waitForLock);
    try {
      const t = this.build(id, [], true);
      await t.state.prepare();
      const open = await this.open(t);
      this.o.metrics?.taskCreated();
      return new StandbyTask(id, open.task, open.state);
    } catch (err) {
      this.o.unlockTask(id);
      throw err;
    }
  }

  /** Close a standby (checkpoint written) and let go of its lock. */
  async closeStandby(t: StandbyTask): Promise<void> {
    try {
      await t.close();
    } finally {
      this.o.metrics?.taskClosed(t.id);
      this.o.unlockTask(t.id);
    }
  }

  /** The same task, its stores closed, its local state wiped and opened again (restoration follows). */
  async rebuild(t: ActiveTask): Promise<ActiveTask> {
    await t.task.close(false).catch(() => undefined);
    t.phase = 'CLOSED';
    t.state.reset();
    await t.state.wipe();
    const fresh = this.build(t.id, [...t.inputs], t.state.standby);
    await fresh.state.wipe();
    await fresh.task.initializeStores(fresh.state.context());
    return fresh;
  }

  /**
   * A topic created after start matched a pattern source of the task's sub-topology: the task reads
   * it from now on (false when no pattern source of the sub-topology matches it).
   */
  addInput(t: ActiveTask, tp: TopicPartition): boolean {
    const sub = this.o.topology.subtopologies().find((s) => s.id === t.task.subtopologyId);
    for (const name of sub?.nodes ?? []) {
      const def = this.o.topology.nodes.get(name)!;
      if (def.kind === 'source' && def.pattern?.test(tp.topic)) {
        t.task.addInputTopic(tp.topic, name);
        t.inputs.push(tp);
        return true;
      }
    }
    return false;
  }

  /** Close a task; `clean` writes nothing itself (the caller checkpointed); always lets go of the lock. */
  async close(t: ActiveTask, clean: boolean): Promise<void> {
    try {
      await t.task.close(clean);
    } finally {
      t.phase = 'CLOSED';
      this.o.metrics?.taskClosed(t.id);
      this.o.unlockTask(t.id);
    }
  }

  private async open(t: ActiveTask): Promise<ActiveTask> {
    try {
      await t.task.initializeStores(t.state.context());
      return t;
    } catch (err) {
      if (!(err instanceof TaskCorruptedError)) throw err;
      this.o.logger.warn(`local state of task ${t.id} is corrupt (${describeError(err)}); wiping it and restoring from the changelogs`, { task: t.id, ...errorFields(err) });
      return this.rebuild(t);
    }
  }

  private build(id: string, inputs: TopicPartition[], standby = false): ActiveTask {
    const [subText, partText] = id.split('_');
    const sub = this.o.topology.subtopologies().find((s) => s.id === Number(subText));
    if (!sub) throw new SluiceError(ErrorCodes.ILLEGAL_STATE, `task ${id} belongs to no sub-topology of this application's topology (does every worker run the same topology?)`);
    const partition = Number(partText);
    const patternTopics = new Map<string, string[]>();
    for (const name of sub.nodes) {
      const def = this.o.topology.nodes.get(name)!;
      if (def.kind === 'source' && def.pattern) patternTopics.set(name, inputs.map((i) => i.topic).filter((t) => def.pattern!.test(t)));
    }
    const metrics = this.o.metrics?.task(id, standby);
    const task = new StreamTask({
      taskId: id,
      subtopology: sub,
      partition,
      topology: this.o.topology,
      config: this.o.engine,
      collector: this.o.channel.collector(),
      resolveTopic: (t) => (this.o.topology.isInternalTopic(t) ? `${this.o.config.applicationId}-${t}` : t),
      patternTopics,
      maxTaskIdleMs: this.o.config.maxTaskIdleMs,
      lag: (topic) => this.o.lag({ topic, partition }),
      ...(metrics !== undefined ? { metrics } : {}),
      ...(this.o.tracer !== undefined ? { tracer: this.o.tracer } : {}),
    });
    const state = new TaskStateManager({
      applicationId: this.o.config.applicationId,
      taskId: id,
      partition,
      taskDir: this.o.taskDir(id),
      changelogTopicOf: (store) => this.o.changelogTopics.get(store),
      checkpoint: this.o.checkpointFor(id),
      exactlyOnce: this.o.config.guarantee === 'exactly_once',
      standby,
      clock: this.o.config.clock,
      logger: this.o.logger.child({ task: id }),
      cache: this.o.cache,
      rocksdb: this.o.config.rocksdb,
      channel: () => this.o.channel,
      streamTime: () => task.streamTime(),
      recordTimestamp: () => task.currentRecordTimestamp(),
      recordContext: () => task.currentHeaders(),
      // a standby's catching up is not a restoration anyone waits for
      ...(standby ? {} : { onProgress: (p: RestoreProgress) => this.o.onRestoreProgress(id, p) }),
      ...(metrics !== undefined ? { metrics } : {}),
    });
    metrics?.remainingRecords(() => (standby ? 0 : state.lags().reduce((n, l) => n + Math.max(0, l.end - l.current), 0)));
    return new ActiveTask(id, task, state, inputs);
  }

  private async lock(id: string, waitForLock: () => Promise<boolean>): Promise<void> {
    const deadline = this.o.config.clock.now() + this.o.config.rebalanceTimeoutMs;
    for (;;) {
      try {
        this.o.lockTask(id);
        return;
      } catch (err) {
        if (!(err instanceof SluiceError) || err.code !== ErrorCodes.STATE_STORE_LOCKED || this.o.config.clock.now() > deadline || !(await waitForLock())) throw err;
        await new Promise((r) => this.o.config.clock.setTimeout(() => r(undefined), 100));
      }
    }
  }
}
