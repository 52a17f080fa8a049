// Owns what the runtime keeps per active task: the engine's StreamTask (records, processors, stores),
// its TaskStateManager (changelog offsets, restoration, checkpoint) and the input partitions it reads.
// A task that is rebuilt (corrupt store, exactly-once rollback) is a new ActiveTask with the same id.
import type { StreamTask } from '@sluice/core';
import type { TopicPartition } from '../ports.js';
import type { TaskStateManager } from '../state/task-state-manager.js';

export type ActiveTaskPhase = 'RESTORING' | 'RUNNING' | 'CLOSED';

export class ActiveTask {
  phase: ActiveTaskPhase = 'RESTORING';
  /** A record waits for another try at a failed processor: the inputs are paused meanwhile. */
  waitingForRetry = false;
  /** Inputs paused by the task itself (a retry, or more than bufferedRecordsPerPartition buffered), as `topic:partition`. */
  readonly pausedInputs = new Set<string>();

  constructor(
    readonly id: string,
    readonly task: StreamTask,
    readonly state: TaskStateManager,
    readonly inputs: TopicPartition[],
  ) {}

  get partition(): number {
    return this.task.partition;
  }

  get running(): boolean {
    return this.phase === 'RUNNING';
  }

  /** Input offsets to commit: the next offset to read of each input partition. */
  committableOffsets(): { topic: string; partition: number; offset: number }[] {
    return [...this.task.committableOffsets()].map(([topic, offset]) => ({ topic, partition: this.task.partition, offset }));
  }
}
