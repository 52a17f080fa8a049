// Owns the at-least-once commit (Kafka Streams' non-EOS commit): flush the tasks' stores (their
// caches forward and their changelog records go out), wait until the producer has every record
// acknowledged, commit the input offsets with the group's generation, then checkpoint each store's
// changelog offset. A crash between any two steps reprocesses from the last committed offsets.
import type { GroupConsumer } from '../ports.js';
import type { ProducerChannel } from '../record-collector.js';
import type { ActiveTask } from './active-task.js';

export interface Committer {
  /** Commit the work of these tasks since their last commit. Throws what the caller must handle. */
  commit(tasks: readonly ActiveTask[]): Promise<void>;
}

export class AtLeastOnceCommitter implements Committer {
  constructor(
    private readonly channel: ProducerChannel,
    private readonly consumer: () => GroupConsumer,
  ) {}

  async commit(tasks: readonly ActiveTask[]): Promise<void> {
    for (const t of tasks) await t.task.flushState();
    await this.channel.flush();
    const offsets = tasks.flatMap((t) => t.committableOffsets());
    if (offsets.length > 0) await this.consumer().commitOffsets(offsets);
    const written = this.channel.takeWrittenOffsets();
    for (const t of tasks) {
      t.state.recordWritten(written);
      await t.state.writeCheckpoint();
      t.task.markCommitted();
    }
  }
}
