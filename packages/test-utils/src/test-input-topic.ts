// Owns TestInputTopic: serializes test records with the given serdes and pipes them into the driver.
// Records without a timestamp get the topic's current time, which then moves by `autoAdvanceMs`.
import type { Headers } from '@sluice/core';
import type { Serde } from '@sluice/serdes';
import { TestRecord } from './test-record.js';

export interface InputSink {
  pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers | undefined): Promise<void>;
}

export class TestInputTopic<K, V> {
  private currentTime: number;

  /** @internal */
  constructor(
    readonly name: string,
    private readonly sink: InputSink,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestampMs: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.currentTime = startTimestampMs;
  }

  /** Pipe one record. Resolves when the topology has processed it (and everything it caused). */
  pipeInput(key: K | null, value: V | null, timestamp?: number): Promise<void> {
    return this.pipeRecord(new TestRecord(key as K, value as V, timestamp ?? this.nextTime()));
  }

  /** Pipe a record with a null key. */
  pipeValue(value: V | null, timestamp?: number): Promise<void> {
    return this.pipeInput(null, value, timestamp);
  }

  async pipeRecord(record: TestRecord<K | null, V | null>): Promise<void> {
    const key = record.key === null || record.key === undefined ? null : this.keySerde.serialize(this.name, record.key);
    const value = record.value === null || record.value === undefined ? null : this.valueSerde.serialize(this.name, record.value);
    await this.sink.pipe(this.name, key, value, record.timestamp, record.headers);
  }

  async pipeKeyValueList(list: Iterable<{ key: K | null; value: V | null } | readonly [K | null, V | null]>): Promise<void> {
    for (const kv of list) {
      if (Array.isArray(kv)) await this.pipeInput(kv[0] as K | null, kv[1] as V | null);
      else await this.pipeInput((kv as { key: K | null }).key, (kv as { value: V | null }).value);
    }
  }

  async pipeValueList(values: Iterable<V | null>): Promise<void> {
    for (const v of values) await this.pipeValue(v);
  }

  async pipeRecordList(records: Iterable<TestRecord<K | null, V | null>>): Promise<void> {
    for (const r of records) await this.pipeRecord(r);
  }

  /** Move the time used for records piped without a timestamp. */
  advanceTime(ms: number): void {
    if (ms < 0) throw new RangeError(`advanceTime: ms must be >= 0, got ${ms}`);
    this.currentTime += ms;
  }

  private nextTime(): number {
    const t = this.currentTime;
    this.currentTime += this.autoAdvanceMs;
    return t;
  }
}
