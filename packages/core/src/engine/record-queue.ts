// Owns the buffered records of one input partition of a task: raw records as fetched, with the head
// deserialized and time-stamped lazily so the task can pick the partition with the lowest head
// timestamp (Kafka Streams' RecordQueue).
import type { Headers } from '../processor/headers.js';

/** A record as fetched from Kafka, before deserialization. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
}

/** The deserialized head of a queue with its extracted timestamp. */
export interface StampedRecord {
  readonly raw: RawRecord;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
}

export class RecordQueue {
  private buffer: RawRecord[] = [];
  private index = 0;
  head: StampedRecord | undefined;
  /** Highest timestamp seen on this partition, for timestamp extractors (-1 before any). */
  partitionTime = -1;

  constructor(
    readonly topic: string,
    /** The source node that reads this topic. */
    readonly sourceName: string,
  ) {}

  add(records: readonly RawRecord[]): void {
    if (this.index > 0 && this.index === this.buffer.length) {
      this.buffer = [];
      this.index = 0;
    }
    for (const r of records) this.buffer.push(r);
  }

  /** Number of records not yet taken, including an already stamped head. */
  get size(): number {
    return this.buffer.length - this.index + (this.head ? 1 : 0);
  }

  isEmpty(): boolean {
    return this.size === 0;
  }

  /** Take the next raw record off the buffer (the caller stamps it). */
  shiftRaw(): RawRecord | undefined {
    if (this.index >= this.buffer.length) return undefined;
    const r = this.buffer[this.index]!;
    this.index++;
    if (this.index > 4096 && this.index * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.index);
      this.index = 0;
    }
    return r;
  }

  clear(): void {
    this.buffer = [];
    this.index = 0;
    this.head = undefined;
  }
}
