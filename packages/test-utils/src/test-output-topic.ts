// Owns TestOutputTopic: reads, in order, what the topology wrote to one topic, deserialized with the
// given serdes. Reading consumes: each record is read once.
import { IllegalStateError } from '@sluice/common';
import type { Headers } from '@sluice/core';
import type { Serde } from '@sluice/serdes';
import { TestRecord } from './test-record.js';

export interface CapturedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

export interface OutputSource {
  /** The unread records of `topic` (a live queue; reading shifts from it). */
  queue(topic: string): CapturedRecord[];
}

export class TestOutputTopic<K, V> {
  /** @internal */
  constructor(
    readonly name: string,
    private readonly source: OutputSource,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  readRecord(): TestRecord<K | null, V | null> {
    const r = this.source.queue(this.name).shift();
    if (!r) throw new IllegalStateError(`no more records in output topic '${this.name}' (check isEmpty() first)`);
    return this.decode(r);
  }

  readKeyValue(): { key: K | null; value: V | null } {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readRecordsToList(): TestRecord<K | null, V | null>[] {
    const q = this.source.queue(this.name);
    return q.splice(0, q.length).map((r) => this.decode(r));
  }

  readKeyValuesToList(): { key: K | null; value: V | null }[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** Last value per key; a null value removes the key (table semantics). */
  readKeyValuesToMap(): Map<K | null, V> {
    const out = new Map<K | null, V>();
    for (const r of this.readRecordsToList()) {
      if (r.value === null) out.delete(r.key);
      else out.set(r.key, r.value);
    }
    return out;
  }

  isEmpty(): boolean {
    return this.source.queue(this.name).length === 0;
  }

  getQueueSize(): number {
    return this.source.queue(this.name).length;
  }

  private decode(r: CapturedRecord): TestRecord<K | null, V | null> {
    const key = r.key === null ? null : this.keySerde.deserialize(this.name, r.key);
    const value = r.value === null ? null : this.valueSerde.deserialize(this.name, r.value);
    return new TestRecord(key, value, r.timestamp, r.headers);
  }
}
