// Owns a task's punctuation (what Kafka's StreamTask does with its two PunctuationQueues): the
// schedules its processors made through context.schedule(), one queue for stream time and one for
// wall-clock time, and running those due — each punctuator with a record context of its own (the
// punctuation time, no record metadata) and the forwards it made drained before the next one runs;
// a punctuator that fails fails the task, naming the processor, the time type and the time.
import { ProcessingError, describeError, type Clock } from '@sluice/common';
import type { Cancellable, PunctuationType, Punctuator } from '../processor/api.js';
import { Record } from '../processor/record.js';
import type { ConsumedOffsets } from './consumed-offsets.js';
import type { CurrentRecordSlot } from './forwarded-context.js';
import { NodeFailure } from './nodes.js';
import type { PendingForwards } from './pending-forwards.js';
import { PunctuationQueue, type PunctuationSchedule } from './punctuation-queue.js';

export class TaskPunctuation {
  private readonly streamTime = new PunctuationQueue();
  private readonly wallClock = new PunctuationQueue();

  constructor(
    private readonly taskId: string,
    private readonly clock: Clock,
    private readonly slot: CurrentRecordSlot,
    private readonly pending: PendingForwards,
    private readonly offsets: ConsumedOffsets,
  ) {}

  schedule(nodeName: string, intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    const s: PunctuationSchedule = {
      nodeName,
      intervalMs,
      callback,
      // stream time: aligned to 0, fires as soon as there is data; wall clock: one interval from now
      nextTime: type === 'STREAM_TIME' ? 0 : this.clock.now() + intervalMs,
      cancelled: false,
    };
    (type === 'STREAM_TIME' ? this.streamTime : this.wallClock).add(s);
    return {
      cancel: () => {
        s.cancelled = true;
      },
    };
  }

  /** Earliest stream time a punctuation is due (Infinity when none). */
  nextStreamTimeDue(): number {
    return this.streamTime.nextDue();
  }

  /** Earliest wall-clock time a punctuation is due (Infinity when none). */
  nextWallClockDue(): number {
    return this.wallClock.nextDue();
  }

  /** Runs the stream-time punctuators due at stream time `time` (none before the first record: -1). */
  async maybePunctuateStreamTime(time: number): Promise<boolean> {
    if (time < 0) return false;
    return this.punctuate(this.streamTime, time, 'STREAM_TIME');
  }

  /** Runs the wall-clock punctuators due now. */
  async maybePunctuateSystemTime(): Promise<boolean> {
    return this.punctuate(this.wallClock, this.clock.now(), 'WALL_CLOCK_TIME');
  }

  private async punctuate(queue: PunctuationQueue, now: number, type: PunctuationType): Promise<boolean> {
    if (queue.nextDue() > now) return false;
    let fired = false;
    for (const s of queue.due(now)) {
      if (s.cancelled) continue;
      this.slot.current = { metadata: undefined, context: { topic: undefined, partition: undefined, offset: undefined, timestamp: now, headers: new Record(null, null, 0).headers }, raw: undefined };
      try {
        const r = s.callback(now);
        if (r) await r;
        await this.pending.drain();
      } catch (err) {
        const e = err instanceof NodeFailure ? err : new NodeFailure(s.nodeName, err);
        throw new ProcessingError(
          `${type} punctuator of processor '${s.nodeName}' in task ${this.taskId} failed at ${now}` +
            (e.nodeName !== s.nodeName ? ` (in downstream processor '${e.nodeName}')` : '') +
            `: ${describeError(e.error)}`,
          { cause: e.error, context: { taskId: this.taskId, node: e.nodeName, punctuationType: type, timestamp: now } },
        );
      } finally {
        this.slot.current = undefined;
      }
      if (!s.cancelled) PunctuationQueue.advance(s, now);
      fired = true;
    }
    if (fired) this.offsets.commitNeeded = true;
    return fired;
  }
}
