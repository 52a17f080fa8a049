// Owns the tasks of this worker: turning an assignment into running tasks (create, restore, start),
// closing tasks that moved away, committing (at-least-once: flush, wait for acks, commit offsets,
// checkpoint; exactly-once: one transaction per task), and rolling a task back after a failure.
import { describeError, ErrorCodes, SluiceError, TaskCorruptedError, type Logger } from '@sluice/common';
import { StreamTask, type EngineConfig, type Topology } from '@sluice/core';
import type { CacheMemoryPool } from '@sluice/state';
import type { TopologyTasks } from './assignment/topology-tasks.js';
import type { ResolvedConfig } from './config.js';
import type { Admin, GroupConsumer, GroupControl, KafkaClient, Producer, TopicPartition, TopicPartitionOffset, TransactionalProducer } from './ports.js';
import { ProducerChannel } from './record-collector.js';
import { RestoreOutOfRange, TaskStateManager, type CheckpointIO, type RestoreProgress } from './state/task-state-manager.js';

export interface ManagedTask {
  readonly id: string;
  readonly task: StreamTask;
  readonly state: TaskStateManager;
  readonly channel: ProducerChannel;
  readonly producer: TransactionalProducer | undefined;
  readonly inputs: TopicPartition[];
  restored: boolean;
}

export interface TaskManagerOptions {
  readonly config: ResolvedConfig;
  readonly engine: EngineConfig;
  readonly topology: Topology;
  readonly topologyTasks: TopologyTasks;
  readonly changelogTopics: ReadonlyMap<string, string>;
  readonly client: KafkaClient;
  readonly consumer: () => GroupConsumer;
  readonly admin: () => Admin;
  /** At-least-once: the producer all tasks share. */
  readonly sharedProducer: Producer | undefined;
  readonly cache: CacheMemoryPool | undefined;
  readonly taskDir: (taskId: string) => string;
  readonly lockTask: (taskId: string) => Promise<void>;
  readonly unlockTask: (taskId: string) => void;
  readonly checkpointFor: (taskId: string) => CheckpointIO;
  readonly logger: Logger;
  readonly onRestoreProgress: (taskId: string, p: RestoreProgress) => void;
}

export class TaskManager {
  readonly tasks = new Map<string, ManagedTask>();
  private readonly byPartition = new Map<string, ManagedTask>();

  constructor(private readonly o: TaskManagerOptions) {}

  taskFor(topic: string, partition: number): ManagedTask | undefined {
    return this.byPartition.get(`${topic}:${partition}`);
  }

  ownedTaskIds(): string[] {
    return [...this.tasks.keys()];
  }

  allRestored(): boolean {
    return [...this.tasks.values()].every((t) => t.restored);
  }

  /**
   * Take the task's state directory lock. Another worker on this machine may still hold it while it
   * closes the task it just lost: wait for it (heartbeating) instead of failing at once.
   */
  private async lockWhenFree(id: string, control: GroupControl): Promise<void> {
    const deadline = this.o.config.clock.now() + this.o.config.rebalanceTimeoutMs;
    for (;;) {
      try {
        await this.o.lockTask(id);
        return;
      } catch (err) {
        if (!(err instanceof SluiceError) || err.code !== ErrorCodes.STATE_STORE_LOCKED || this.o.config.clock.now() > deadline) throw err;
        await control.heartbeat();
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Apply a new assignment: close tasks that left, create and restore the new ones. */
  async onAssignment(assignment: readonly TopicPartition[], control: GroupControl): Promise<'done' | 'interrupted'> {
    const wanted = new Map<string, TopicPartition[]>();
    for (const tp of assignment) {
      const id = this.o.topologyTasks.taskIdOf(tp);
      if (id === undefined) continue;
      wanted.set(id, [...(wanted.get(id) ?? []), tp]);
    }
    for (const id of [...this.tasks.keys()]) {
      if (!wanted.has(id)) await this.closeTask(id, true);
    }
    for (const [id, inputs] of wanted) {
      if (!this.tasks.has(id)) await this.createTask(id, inputs, control);
    }
    // tasks restore side by side: their fetches and store writes overlap instead of queueing
    const restoring = [...this.tasks.values()].filter((t) => !t.restored);
    const results = await Promise.allSettled(restoring.map((t) => this.restoreTask(t, control)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (results.some((r) => r.status === 'fulfilled' && r.value === 'interrupted')) {
      control.pause([...this.tasks.values()].filter((x) => !x.restored).flatMap((x) => x.inputs));
      return 'interrupted';
    }
    return 'done';
  }

  private async createTask(id: string, inputs: TopicPartition[], control: GroupControl): Promise<void> {
    const [subText, partText] = id.split('_');
    const sub = this.o.topology.subtopologies().find((s) => s.id === Number(subText))!;
    const partition = Number(partText);
    await this.lockWhenFree(id, control);
    let producer: TransactionalProducer | undefined;
    let channel: ProducerChannel;
    try {
      if (this.o.config.guarantee === 'exactly_once') {
        producer = await this.o.client.transactionalProducer(`${this.o.config.applicationId}-${id}`, this.o.config.transactionTimeoutMs);
        // fences any zombie still holding this task's transactional id
        await producer.beginTransaction();
        channel = new ProducerChannel(producer, this.o.config.productionExceptionHandler, this.o.logger);
      } else {
        channel = new ProducerChannel(this.o.sharedProducer!, this.o.config.productionExceptionHandler, this.o.logger);
      }
    } catch (err) {
      this.o.unlockTask(id);
      throw err;
    }
    const patternTopics = new Map<string, string[]>();
    for (const name of sub.nodes) {
      const def = this.o.topology.nodes.get(name)!;
      if (def.kind === 'source' && def.pattern) patternTopics.set(name, inputs.map((i) => i.topic).filter((t) => def.pattern!.test(t)));
    }
    const task = new StreamTask({
      taskId: id,
      subtopology: sub,
      partition,
      topology: this.o.topology,
      config: this.o.engine,
      collector: channel.collector(),
      resolveTopic: (t) => (this.o.topology.isInternalTopic(t) ? `${this.o.config.applicationId}-${t}` : t),
      patternTopics,
    });
    const state = new TaskStateManager({
      applicationId: this.o.config.applicationId,
      taskId: id,
      partition,
      taskDir: this.o.taskDir(id),
      changelogTopicOf: (store) => this.o.changelogTopics.get(store),
      checkpoint: this.o.checkpointFor(id),
      exactlyOnce: this.o.config.guarantee === 'exactly_once',
      clock: this.o.config.clock,
      logger: this.o.logger.child({ task: id }),
      cache: this.o.cache,
      rocksdb: this.o.config.rocksdb,
      channel: () => channel,
      // looked up each time: a rolled-back task is a new StreamTask behind the same id
      streamTime: () => this.tasks.get(id)?.task.streamTime() ?? -1,
      recordTimestamp: () => this.tasks.get(id)?.task.currentRecordTimestamp() ?? -1,
      recordContext: () => this.tasks.get(id)?.task.currentHeaders(),
      onProgress: (p) => this.o.onRestoreProgress(id, p),
    });
    const managed: ManagedTask = { id, task, state, channel, producer, inputs, restored: false };
    this.tasks.set(id, managed);
    for (const tp of inputs) this.byPartition.set(`${tp.topic}:${tp.partition}`, managed);
    await this.openStores(managed);
  }

  private async openStores(t: ManagedTask): Promise<void> {
    await t.state.prepare();
    try {
      await t.task.initializeStores(t.state.context());
    } catch (err) {
      if (!(err instanceof TaskCorruptedError)) throw err;
      this.o.logger.warn(`local state of task ${t.id} is corrupt (${describeError(err)}); wiping it and restoring from the changelogs`);
      await this.rebuild(t);
    }
  }

  /** Close the task's stores, wipe its local state and open fresh stores (restore follows). */
  private async rebuild(t: ManagedTask): Promise<ManagedTask> {
    await t.task.close(false).catch(() => undefined);
    t.state.reset();
    await t.state.wipe();
    const fresh = new StreamTask({
      taskId: t.id,
      subtopology: this.o.topology.subtopologies().find((s) => s.id === t.task.subtopologyId)!,
      partition: t.task.partition,
      topology: this.o.topology,
      config: this.o.engine,
      collector: t.channel.collector(),
      resolveTopic: (x) => (this.o.topology.isInternalTopic(x) ? `${this.o.config.applicationId}-${x}` : x),
    });
    const replaced: ManagedTask = { ...t, task: fresh, restored: false };
    this.tasks.set(t.id, replaced);
    for (const tp of t.inputs) this.byPartition.set(`${tp.topic}:${tp.partition}`, replaced);
    await fresh.initializeStores(t.state.context());
    return replaced;
  }

  private async restoreTask(t: ManagedTask, control: GroupControl): Promise<'done' | 'interrupted'> {
    let result: 'done' | 'interrupted';
    try {
      result = await t.state.restore(control);
    } catch (err) {
      if (!(err instanceof TaskCorruptedError) && !(err instanceof RestoreOutOfRange)) throw err;
      this.o.logger.warn(`restoring task ${t.id} from its checkpoint failed (${describeError(err)}); wiping and restoring from the beginning`);
      t = await this.rebuild(t);
      result = await t.state.restore(control);
    }
    if (result === 'interrupted') return result;
    await t.task.initializeProcessors();
    t.restored = true;
    control.resume(t.inputs);
    return 'done';
  }

  /** Commit every task that has work since its last commit. Throws on failure (per task, after trying all). */
  async commitAll(groupId: string, force = false): Promise<boolean> {
    const dirty = [...this.tasks.values()].filter((t) => t.restored && (force || t.task.commitNeeded));
    if (dirty.length === 0) return false;
    if (this.o.config.guarantee === 'exactly_once') {
      const results = await Promise.allSettled(dirty.map((t) => this.commitTransaction(t, groupId)));
      for (let i = 0; i < dirty.length; i++) {
        const r = results[i]!;
        if (r.status === 'rejected') await this.handleTransactionFailure(dirty[i]!, r.reason);
      }
    } else {
      for (const t of dirty) await t.task.flushState();
      await Promise.all(dirty.map((t) => t.channel.flush()));
      const offsets: TopicPartitionOffset[] = [];
      for (const t of dirty) {
        for (const [topic, offset] of t.task.committableOffsets()) offsets.push({ topic, partition: t.task.partition, offset });
      }
      if (offsets.length > 0) await this.o.consumer().commitOffsets(offsets);
      for (const t of dirty) {
        t.state.recordWritten(t.channel.takeWrittenOffsets());
        await t.state.writeCheckpoint();
        t.task.markCommitted();
      }
    }
    return true;
  }

  private async commitTransaction(t: ManagedTask, groupId: string): Promise<void> {
    const p = t.producer!;
    await t.task.flushState();
    await t.channel.flush();
    const offsets = [...t.task.committableOffsets()].map(([topic, offset]) => ({ topic, partition: t.task.partition, offset }));
    if (offsets.length > 0) await p.sendOffsets(groupId, offsets, this.o.consumer().groupMetadata());
    await p.commitTransaction();
    t.state.recordWritten(t.channel.takeWrittenOffsets());
    t.task.markCommitted();
  }

  /**
   * A transaction of `t` failed. Fenced: another worker owns the task now, drop it. Anything else:
   * abort, throw away local state newer than the committed changelog (wipe + restore), and read the
   * input again from the committed offsets.
   */
  private async handleTransactionFailure(t: ManagedTask, err: unknown): Promise<void> {
    if (err instanceof SluiceError && err.code === ErrorCodes.PRODUCER_FENCED) {
      this.o.logger.warn(`task ${t.id} moved to another worker (its transactional producer was fenced); closing it here without committing and rejoining the group`);
      await this.closeTask(t.id, false);
      this.o.consumer().enforceRebalance(`task ${t.id} was fenced`);
      return;
    }
    this.o.logger.warn(`transaction of task ${t.id} failed (${describeError(err)}); aborting it and rolling the task back to its last commit`);
    await this.rollBack(t);
  }

  /** Exactly-once recovery: abort, wipe and restore the state, rewind the input to the committed offsets. */
  async rollBack(t: ManagedTask): Promise<void> {
    const consumer = this.o.consumer();
    consumer.pause(t.inputs);
    try {
      await t.producer?.abortTransaction();
    } catch (err) {
      if (err instanceof SluiceError && err.code === ErrorCodes.PRODUCER_FENCED) {
        await this.closeTask(t.id, false);
        consumer.enforceRebalance(`task ${t.id} was fenced`);
        return;
      }
      throw err;
    }
    t.channel.discard();
    t.channel.takeWrittenOffsets();
    const fresh = await this.rebuild(t);
    const reader = consumer.reader();
    if (!reader) throw new TaskCorruptedError(`cannot restore task ${t.id}: the consumer has not joined the group yet`);
    await fresh.state.restore({ reader, heartbeat: async () => true });
    await fresh.task.initializeProcessors();
    fresh.restored = true;
    // require_stable: a commit of this task that is still completing is waited for, never read around
    const committed = new Map((await consumer.committed(t.inputs)).map((o) => [`${o.topic}:${o.partition}`, o.offset]));
    for (const tp of t.inputs) {
      const offset = committed.get(`${tp.topic}:${tp.partition}`) ?? -1;
      if (offset < 0) {
        // nothing committed yet: start over the way the first assignment did
        consumer.enforceRebalance(`task ${t.id} rolled back before its first commit`);
        continue;
      }
      consumer.seek(tp, offset);
    }
    await fresh.producer?.beginTransaction();
    consumer.resume(t.inputs);
  }

  /** Close one task. `clean`: it was committed, so write its checkpoint; otherwise just let go. */
  async closeTask(id: string, clean: boolean): Promise<void> {
    const t = this.tasks.get(id);
    if (!t) return;
    this.tasks.delete(id);
    for (const tp of t.inputs) this.byPartition.delete(`${tp.topic}:${tp.partition}`);
    // exactly-once: state with uncommitted changes must not be checkpointed (the next start restores it)
    if (this.o.config.guarantee === 'exactly_once' && t.task.commitNeeded) clean = false;
    try {
      if (clean && t.restored) {
        // exactly-once: the last commit already flushed; anything flushed now would be uncommitted
        if (this.o.config.guarantee === 'at_least_once') await t.task.flushState();
        await t.state.writeCheckpoint();
      }
      await t.task.close(clean);
    } catch (err) {
      this.o.logger.warn(`closing task ${id} failed: ${describeError(err)}`);
    } finally {
      if (t.producer) await t.producer.close().catch(() => undefined);
      this.o.unlockTask(id);
    }
  }

  async closeAll(clean: boolean): Promise<void> {
    for (const id of [...this.tasks.keys()]) await this.closeTask(id, clean);
  }
}
