// Owns the suppression buffer (Kafka Streams' InMemoryTimeOrderedKeyValueChangeBuffer): the latest
// update per key, ordered by buffer time (then key bytes) for eviction, held in memory and written
// to a changelog topic `<app>-<store>-changelog` at each commit (one record per changed key, a
// tombstone once evicted) so a restarted task restores it. A key keeps the buffer time of its first
// update until it is evicted; later updates replace the value (and the record it goes out as).
import type { Serde } from '@sluice/serdes';
import { changelogTopicName, type ChangelogRecord, type StateStore, type StateStoreContext, type StoreBuilder } from '@sluice/state';
import { ConfigError } from '@sluice/common';
import type { DefaultsAware, SerdeDefaults } from '../../topology/defaults.js';
import type { Change } from '../ktable/change.js';
import { decodeEntry, encodeEntry, entrySize, type BufferRecordContext, type BufferValue } from './buffer-format.js';

interface Entry {
  readonly id: string;
  readonly key: Buffer;
  readonly time: number;
  value: BufferValue;
  size: number;
}

function compare(a: Entry, b: Entry): number {
  return a.time !== b.time ? a.time - b.time : Buffer.compare(a.key, b.key);
}

/** Entries sorted by (time, key); the first is evicted first. Removal from the front is O(1). */
class TimeOrder {
  private list: Entry[] = [];
  private head = 0;

  first(): Entry | undefined {
    return this.list[this.head];
  }

  insert(e: Entry): void {
    let lo = this.head;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.list[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.list.splice(lo, 0, e);
  }

  remove(e: Entry): void {
    if (this.list[this.head] === e) {
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.list.length) {
        this.list = this.list.slice(this.head);
        this.head = 0;
      }
      return;
    }
    const i = this.list.indexOf(e, this.head);
    if (i >= 0) this.list.splice(i, 1);
  }

  clear(): void {
    this.list = [];
    this.head = 0;
  }
}

export class TimeOrderedKeyValueBuffer<K, V> implements StateStore {
  readonly persistent = false;
  private readonly index = new Map<string, Entry>();
  private readonly order = new TimeOrder();
  /** Keys changed since the last flush (their key bytes, to log a tombstone once evicted). */
  private readonly dirty = new Map<string, Buffer>();
  private bytes = 0;
  private context: StateStoreContext | undefined;
  private topic = '';
  private opened = false;

  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly loggingEnabled: boolean,
  ) {}

  init(context: StateStoreContext): Promise<void> {
    this.context = context;
    this.topic = changelogTopicName(context.applicationId, this.name);
    context.register(this, (batch) => this.restore(batch));
    this.opened = true;
    return Promise.resolve();
  }

  isOpen(): boolean {
    return this.opened;
  }

  /** Writes the changed keys to the changelog (Kafka's flush of dirty keys). */
  flush(): Promise<void> {
    const ctx = this.context;
    if (this.loggingEnabled && ctx !== undefined) {
      for (const [id, key] of this.dirty) {
        const e = this.index.get(id);
        if (e) ctx.logChange(this.name, key, encodeEntry(e.time, e.value), e.value.context.timestamp);
        else ctx.logChange(this.name, key, null, Math.max(0, ctx.recordTimestamp?.() ?? ctx.streamTime()));
      }
    }
    this.dirty.clear();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.opened = false;
    this.index.clear();
    this.order.clear();
    this.dirty.clear();
    this.bytes = 0;
    return Promise.resolve();
  }

  numRecords(): number {
    return this.index.size;
  }

  /** Estimated bytes held, as Kafka Streams computes it for maxBytes. */
  bufferSize(): number {
    return this.bytes;
  }

  /** Buffer time of the first entry to evict (Infinity when empty). */
  minTimestamp(): number {
    return this.order.first()?.time ?? Infinity;
  }

  /** Buffer the latest change of `key`; a key already buffered keeps its buffer time. */
  put(time: number, key: K, value: Change<V>, context: BufferRecordContext): void {
    const rawKey = this.keySerde.serialize(this.topic, key);
    const id = rawKey.toString('latin1');
    const oldValue = value.oldValue === null ? null : this.valueSerde.serialize(this.topic, value.oldValue);
    const newValue = value.newValue === null ? null : this.valueSerde.serialize(this.topic, value.newValue);
    const existing = this.index.get(id);
    this.cleanPut(id, rawKey, time, { priorValue: existing ? existing.value.priorValue : oldValue, oldValue, newValue, context });
    if (this.loggingEnabled) this.dirty.set(id, rawKey);
  }

  /**
   * For a buffered key, the value it had before it was buffered (null: none) with the buffered
   * record's timestamp; undefined when the key is not buffered (Kafka's priorValueForBuffered).
   */
  priorValueForBuffered(key: K): { value: V | null; timestamp: number } | undefined {
    const e = this.index.get(this.keySerde.serialize(this.topic, key).toString('latin1'));
    if (e === undefined) return undefined;
    const prior = e.value.priorValue;
    return { value: prior === null ? null : this.valueSerde.deserialize(this.topic, prior), timestamp: e.value.context.timestamp };
  }

  /** Emit (oldest first) while `predicate` holds; an entry leaves the buffer once its callback returned. */
  async evictWhile(predicate: () => boolean, callback: (key: K, value: Change<V>, context: BufferRecordContext) => void | Promise<void>): Promise<void> {
    for (let e = this.order.first(); e !== undefined && predicate(); e = this.order.first()) {
      const key = this.keySerde.deserialize(this.topic, e.key);
      const change: Change<V> = {
        newValue: e.value.newValue === null ? null : this.valueSerde.deserialize(this.topic, e.value.newValue),
        oldValue: e.value.oldValue === null ? null : this.valueSerde.deserialize(this.topic, e.value.oldValue),
      };
      await callback(key, change, e.value.context);
      this.removeEntry(e);
      if (this.loggingEnabled) this.dirty.set(e.id, e.key);
    }
  }

  private cleanPut(id: string, key: Buffer, time: number, value: BufferValue): void {
    const existing = this.index.get(id);
    const size = entrySize(key, value);
    if (existing) {
      this.bytes += size - existing.size;
      existing.value = value;
      existing.size = size;
      return;
    }
    const e: Entry = { id, key, time, value, size };
    this.index.set(id, e);
    this.order.insert(e);
    this.bytes += size;
  }

  private removeEntry(e: Entry): void {
    this.order.remove(e);
    this.index.delete(e.id);
    this.bytes -= e.size;
  }

  private restore(batch: readonly ChangelogRecord[]): Promise<void> {
    for (const r of batch) {
      const id = r.key.toString('latin1');
      if (r.value === null) {
        const e = this.index.get(id);
        if (e) this.removeEntry(e);
        continue;
      }
      const { time, value } = decodeEntry(this.topic, r.value);
      this.cleanPut(id, Buffer.from(r.key), time, value);
    }
    return Promise.resolve();
  }
}

/** Builds one buffer per task; its serdes may come from the app's defaults. Never cached. */
export class SuppressionBufferBuilder<K, V> implements StoreBuilder<StateStore>, DefaultsAware {
  readonly cachingEnabled = false;
  private logging: boolean;
  private config: { [key: string]: string };
  private defaults: SerdeDefaults | undefined;

  constructor(
    readonly name: string,
    /** The suppress node, for error messages. */
    private readonly owner: string,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    logConfig: Readonly<{ [key: string]: string }> | undefined,
  ) {
    this.logging = logConfig !== undefined;
    this.config = { ...logConfig };
  }

  get loggingEnabled(): boolean {
    return this.logging;
  }
  get logConfig(): Readonly<{ [key: string]: string }> {
    return this.config;
  }
  withCachingEnabled(): this {
    return this;
  }
  withCachingDisabled(): this {
    return this;
  }
  withLoggingEnabled(topicConfig: { [key: string]: string } = {}): this {
    this.logging = true;
    this.config = { ...topicConfig };
    return this;
  }
  withLoggingDisabled(): this {
    this.logging = false;
    this.config = {};
    return this;
  }
  changelogConfig(): { [key: string]: string } {
    return { 'cleanup.policy': 'compact', ...this.config };
  }

  bindDefaults(defaults: SerdeDefaults): void {
    this.defaults = defaults;
  }

  missingSerdes(defaults: SerdeDefaults): string[] {
    const out: string[] = [];
    const fix = 'give the table serdes (Materialized.with(keySerde, valueSerde) on the aggregation, or Consumed.with for builder.table), or set default serdes';
    if (!this.keySerde && !defaults.defaultKeySerde) out.push(`buffer '${this.name}' of ${this.owner} has no key serde: ${fix}`);
    if (!this.valueSerde && !defaults.defaultValueSerde) out.push(`buffer '${this.name}' of ${this.owner} has no value serde: ${fix}`);
    return out;
  }

  build(): TimeOrderedKeyValueBuffer<K, V> {
    const key = this.keySerde ?? (this.defaults?.defaultKeySerde as Serde<K> | undefined);
    const value = this.valueSerde ?? (this.defaults?.defaultValueSerde as Serde<V> | undefined);
    if (!key || !value) throw new ConfigError(this.missingSerdes(this.defaults ?? { defaultKeySerde: undefined, defaultValueSerde: undefined }).join('; '));
    return new TimeOrderedKeyValueBuffer(this.name, key, value, this.logging);
  }
}
