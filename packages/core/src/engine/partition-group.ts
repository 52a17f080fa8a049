// Owns the inputs of a task (Kafka's PartitionGroup): one record queue per input topic partition, the
// record to process next (always the buffered one with the lowest timestamp, deserialized and stamped
// lazily), stream time, and waiting for data on the other inputs: while an input has nothing buffered
// but is known to have records on the broker, the task waits up to maxTaskIdleMs for them (Kafka's
// max.task.idle.ms: 0 = wait only for inputs known to lag, -1 = never wait) so that records of
// several inputs are processed in timestamp order.
import type { Clock } from '@sluice/common';
import { RecordQueue, type RawRecord, type StampedRecord } from './record-queue.js';

export interface PartitionGroupOptions {
  /** Deserialize and time-stamp a record: undefined = skip it; a promise while an async handler decides. */
  readonly stamp: (q: RecordQueue, raw: RawRecord) => StampedRecord | undefined | Promise<StampedRecord | undefined>;
  /** A record was skipped (handler or extractor): its offset counts as consumed. */
  readonly skipped: (raw: RawRecord) => void;
  readonly clock: Clock;
  /** max.task.idle.ms: -1 never waits for other inputs; 0 and more waits for inputs known to lag. */
  readonly maxTaskIdleMs: number;
  /** Whether the broker holds records of this input that are not fetched yet (unknown: false). */
  readonly lagging?: (topic: string) => boolean;
}

export class PartitionGroup {
  private readonly queues = new Map<string, RecordQueue>();
  private time = -1;
  private idleSince: number | undefined;
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
    this.idleSince = undefined;
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
   * processed now (nothing buffered, a handler deciding, or waiting for a lagging input).
   */
  next(): { queue: RecordQueue; head: StampedRecord } | undefined {
    if (this.deciding) return undefined;
    let best: RecordQueue | undefined;
    let lagging = false;
    let empty = false;
    for (const q of this.queues.values()) {
      if (!q.head) this.stampHead(q);
      if (this.deciding) return undefined;
      if (q.head) {
        if (!best || q.head.timestamp < best.head!.timestamp) best = q;
      } else if (this.queues.size > 1 && this.o.maxTaskIdleMs >= 0) {
        if (this.o.lagging?.(q.topic)) lagging = true;
        else empty = true;
      }
    }
    if (!best) return undefined;
    // an input with records still on the broker: wait until they are fetched
    if (lagging) return undefined;
    // an input with nothing at all: wait up to maxTaskIdleMs for something to arrive
    if (empty && this.o.maxTaskIdleMs > 0) {
      const now = this.o.clock.now();
      this.idleSince ??= now;
      if (now - this.idleSince < this.o.maxTaskIdleMs) return undefined;
    }
    this.idleSince = undefined;
    this.enforced = empty;
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
