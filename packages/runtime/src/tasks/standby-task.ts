// Owns a standby replica of a task (Kafka's StandbyTask): the task's stores, never its processors,
// kept current by following their changelogs in the background — so that when the task fails over
// to this worker it restores only the tail. Its checkpoint is written as it goes (it holds committed
// data only), and its lag is what the group leader's assignor and allLocalStorePartitionLags() see.
import { describeError, type Clock, type Logger, errorFields } from '@sluice/common';
import type { StreamTask } from '@sluice/core';
import type { PartitionReader } from '../ports.js';
import type { TaskStateManager } from '../state/task-state-manager.js';

export interface StandbyFollowOptions {
  readonly reader: PartitionReader;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Pause between catching up and looking for more. */
  readonly pollMs: number;
  /** How often the checkpoint is written while following. */
  readonly checkpointMs: number;
}

export class StandbyTask {
  private closed = false;
  private job: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly task: StreamTask,
    readonly state: TaskStateManager,
  ) {}

  get partition(): number {
    return this.task.partition;
  }

  /** Start following the changelogs; errors other than a closing are reported to `onError`. */
  follow(o: StandbyFollowOptions, onError: (err: unknown) => void): void {
    this.job = (async () => {
      let lastCheckpoint = o.clock.now();
      while (!this.closed) {
        try {
          await this.state.restore({ reader: o.reader, heartbeat: async () => !this.closed });
        } catch (err) {
          if (this.closed) return;
          o.logger.warn(`standby task ${this.id} could not follow its changelogs (${describeError(err)}); trying again`, { task: this.id, ...errorFields(err) });
          await this.sleep(o.clock, Math.max(o.pollMs, 1_000));
          continue;
        }
        if (o.clock.now() - lastCheckpoint >= o.checkpointMs) {
          lastCheckpoint = o.clock.now();
          await this.task.flushState();
          await this.state.writeCheckpoint();
        }
        await this.sleep(o.clock, o.pollMs);
      }
    })().catch(onError);
  }

  /** Stop following; write the checkpoint (the state is committed data) and close the stores. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.job;
    try {
      await this.task.flushState();
      await this.state.writeCheckpoint();
    } finally {
      await this.task.close(false).catch(() => undefined);
    }
  }

  private sleep(clock: Clock, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = clock.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      // a close does not wait out the pause
      this.wake = () => {
        t.cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }
}
