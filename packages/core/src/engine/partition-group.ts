// Owns the inputs of a task (Kafka's PartitionGroup): one record queue per input topic partition, the
// record to process next (always the buffered one with the lowest timestamp, deserialized and stamped
// lazily), stream time, and waiting for data on the other inputs as Kafka's max.task.idle.ms does:
// while an input has nothing buffered, the task waits if that input's lag is unknown or above 0 (its
// records are on the broker), and an input known to be caught up is waited for up to maxTaskIdleMs
// from when it ran dry (0: not at all; -1: never wait for anything), so that records of several
// inputs are processed in timestamp order.
import type { Clock } from '@sluice/common';
import { RecordQueue, type RawRecord, type StampedRecord } from './record-queue.js';

export interface PartitionGroupOptions {
  /** Deserialize and time-stamp a record: undefined = skip it; a promise while an async handler decides. */
  readonly stamp: (q: RecordQueue, raw: RawRecord) => StampedRecord | undefined | Promise<StampedRecord | undefined>;
  /** A record was skipped (handler or extractor): its offset counts as consumed. */
  readonly skipped: (raw: RawRecord) => void;
  readonly clock: Clock;
  /** max.task.idle.ms: -1 never waits for other inputs; 0 and more waits for inputs that lag or whose lag is unknown. */
  readonly maxTaskIdleMs: number;
  /** Records of this input on the broker not handed to the task yet; undefined: not known yet. Without it: 0. */
  readonly lag?: (topic: string) => number | undefined;
}

export class PartitionGroup {
  private readonly queues = new Map<string, RecordQueue>();
  private time = -1;
  /** When an input that ran dry (lag 0) stops being waited for, by topic (Kafka's idlePartitionDeadlines). */
  private readonly idleDeadlines = new Map<string, number>();
  /** The last record next() returned was taken while another input had nothing buffered (Kafka's enforced processing). */
  enforced = false;
  /** An async deserialization handler is deciding about a head record. */
  private deciding: Promise<void> | undefined;

  constructor(private readonly o: PartitionGroupOptions) {}

  addQueue(topic: string, sourceName: string): void {
    if (!this.queues.has(topic)) this.queues.set(topic, new RecordQueue(topic, sourceName));
  }

  has(topic: string): boolean {
    return this.queues.has(topic);
  }

  queue(topic: string): RecordQueue | undefined {
    return this.queues.get(topic);
  }

  topics(): string[] {
    return [...this.queues.keys()];
  }

  streamTime(): number {
    return this.time;
  }

  buffered(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.size;
    return n;
  }

  clear(): void {
    for (const q of this.queues.values()) q.clear();
    this.idleDeadlines.clear();
  }

  /** Resolves once an async handler decided about a head record (undefined when none is deciding). */
  waitingForHandler(): Promise<void> | undefined {
    return this.deciding;
  }

  /** Timestamp of the record next() would take, or undefined when nothing is buffered. */
  nextTimestamp(): number | undefined {
    let best: number | undefined;
    for (const q of this.queues.values()) {
      if (!q.head) this.stampHead(q);
      if (q.head && (best === undefined || q.head.timestamp < best)) best = q.head.timestamp;
    }
    return best;
  }

  /**
   * The record with the lowest timestamp, taken off its queue, or undefined when nothing can be
   * processed now (nothing buffered, a handler deciding, or waiting for another input).
   */
  next(): { queue: RecordQueue; head: StampedRecord } | undefined {
    if (this.deciding) return undefined;
    const idling = this.queues.size > 1 && this.o.maxTaskIdleMs >= 0;
    let best: RecordQueue | undefined;
    let waiting = false;
    let enforced = false;
    for (const q of this.queues.values()) {
      if (!q.head) this.stampHead(q);
      if (this.deciding) return undefined;
      if (q.head) {
        if (!best || q.head.timestamp < best.head!.timestamp) best = q;
        if (idling) this.idleDeadlines.delete(q.topic);
        continue;
      }
      if (!idling) continue;
      const lag = this.o.lag === undefined ? 0 : this.o.lag(q.topic);
      if (lag === undefined || lag > 0) {
        // its records are on the broker (or whether they are is not known yet): wait for the fetch
        this.idleDeadlines.delete(q.topic);
        waiting = true;
        continue;
      }
      // caught up: wait up to maxTaskIdleMs from when it ran dry for something to arrive
      if (this.o.maxTaskIdleMs > 0) {
        const now = this.o.clock.now();
        let deadline = this.idleDeadlines.get(q.topic);
        if (deadline === undefined) this.idleDeadlines.set(q.topic, (deadline = now + this.o.maxTaskIdleMs));
        if (now < deadline) {
          waiting = true;
          continue;
        }
      }
      enforced = true;
    }
    if (!best || waiting) return undefined;
    this.enforced = enforced;
    const head = best.head!;
    best.head = undefined;
    if (head.timestamp > this.time) this.time = head.timestamp;
    return { queue: best, head };
  }

  private stampHead(q: RecordQueue): void {
    for (;;) {
      const raw = q.shiftRaw();
      if (!raw) return;
      const stamped = this.o.stamp(q, raw);
      if (stamped instanceof Promise) {
        this.deciding = stamped.then(
          (s) => {
            this.deciding = undefined;
            if (s) q.head = s;
            else this.o.skipped(raw);
          },
          (err: unknown) => {
            this.deciding = undefined;
            throw err;
          },
        );
        return;
      }
      if (stamped) {
        q.head = stamped;
        return;
      }
      this.o.skipped(raw);
    }
  }
}
