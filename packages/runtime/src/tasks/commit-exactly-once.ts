// Owns the exactly-once commit (Kafka Streams' exactly_once_v2, KIP-447): one transactional producer
// per stream thread, and one transaction per commit holding every dirty task's output, repartition
// and changelog records and its input offsets — the offsets committed with the group's generation,
// so a worker that dropped out of the group cannot commit. Either all of it becomes visible or none.
import type { GroupConsumer, TransactionalProducer } from '../ports.js';
import type { ProducerChannel } from '../record-collector.js';
import type { ActiveTask } from './active-task.js';
import type { Committer } from './commit-at-least-once.js';

export class ExactlyOnceCommitter implements Committer {
  constructor(
    private readonly channel: ProducerChannel,
    private producer: TransactionalProducer,
    private readonly newProducer: () => Promise<TransactionalProducer>,
    private readonly consumer: () => GroupConsumer,
    private readonly groupId: string,
  ) {
    channel.setProducer(producer);
  }

  async commit(tasks: readonly ActiveTask[]): Promise<void> {
    for (const t of tasks) await t.task.flushState();
    await this.channel.flush();
    const offsets = tasks.flatMap((t) => t.committableOffsets());
    if (offsets.length > 0) await this.producer.sendOffsets(this.groupId, offsets, this.consumer().groupMetadata());
    await this.producer.commitTransaction();
    const written = this.channel.takeWrittenOffsets();
    for (const t of tasks) {
      t.state.recordWritten(written);
      t.task.markCommitted();
    }
  }

  /** Throw away the open transaction: nothing of it becomes visible. */
  async abort(): Promise<void> {
    this.channel.discard();
    await this.channel.flush().catch(() => undefined); // sends in flight end (in the aborted transaction)
    this.channel.takeWrittenOffsets();
    await this.producer.abortTransaction();
  }

  /**
   * Abort the open transaction; when the abort itself fails (the broker was away, the coordinator
   * moved, the transaction timed out), start the producer anew with the same transactional id: its
   * InitProducerId makes the coordinator abort whatever transaction of ours is still open, so none
   * stays open holding the group's offsets unstable (a rejoin would wait on them).
   */
  async abortOrReinitialize(onAbortFailure: (err: unknown) => void): Promise<void> {
    try {
      await this.abort();
    } catch (err) {
      onAbortFailure(err);
      await this.reinitialize();
    }
  }

  /**
   * A fenced producer cannot be used again (its epoch was bumped: a transaction that ran past the
   * transaction timeout, or another instance with our transactional id). Start a new one with the
   * same id, as Kafka Streams' StreamsProducer does after a TaskMigratedException.
   */
  async reinitialize(): Promise<void> {
    await this.producer.close().catch(() => undefined);
    this.producer = await this.newProducer();
    this.channel.setProducer(this.producer);
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
