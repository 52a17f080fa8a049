// Owns the typed layer of key-value stores (Kafka's metered store minus metrics): serializes keys and
// values with the changelog topic as the serde topic, registers the whole stack for restoration, and
// turns the caching layer's byte-level flushes into typed CacheFlushRecords.
import type { Serde } from '@sluice/serdes';
import type { KeyValue, KeyValueIterator, KeyValueStore, RestoreCallback, StateStoreContext } from '../../store.js';
import type { CacheFlushListener, CachedStateStore } from '../../store-builder.js';
import { mapIterator } from '../iterators.js';
import type { BytesCachingLayer, KeyValueBytesLayer } from './layer-types.js';
import { changelogTopicName, contextWithoutRegistration } from './typed-context.js';

export interface TypedKeyValueStoreOptions<K, V> {
  readonly inner: KeyValueBytesLayer;
  readonly caching: BytesCachingLayer<Buffer> | undefined;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** The record timestamp a value carries (timestamped stores), logged with the change. */
  readonly timestampOf?: (value: V) => number;
  readonly restore: RestoreCallback;
}

export class TypedKeyValueStore<K, V> implements KeyValueStore<K, V>, CachedStateStore<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  private topic = '';
  private readonly inner: KeyValueBytesLayer;

  constructor(private readonly options: TypedKeyValueStoreOptions<K, V>) {
    this.inner = options.inner;
    this.name = options.inner.name;
    this.persistent = options.inner.persistent;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.topic = changelogTopicName(context.applicationId, this.name);
    await this.inner.init(contextWithoutRegistration(context));
    context.register(this, this.options.restore);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isOpen(): boolean {
    return this.inner.isOpen();
  }

  async get(key: K): Promise<V | undefined> {
    return this.value(await this.inner.get(this.rawKey(key)));
  }

  put(key: K, value: V | null): Promise<void> {
    return this.inner.put(this.rawKey(key), this.rawValue(value), this.timestamp(value));
  }

  async putIfAbsent(key: K, value: V): Promise<V | undefined> {
    const existing = await this.get(key);
    if (existing === undefined) await this.put(key, value);
    return existing;
  }

  putAll(entries: readonly KeyValue<K, V | null>[]): Promise<void> {
    return this.inner.putAll(entries.map((e) => ({ key: this.rawKey(e.key), value: this.rawValue(e.value), timestamp: this.timestamp(e.value) })));
  }

  async delete(key: K): Promise<V | undefined> {
    return this.value(await this.inner.delete(this.rawKey(key)));
  }

  range(from: K | undefined, to: K | undefined): KeyValueIterator<K, V> {
    return this.typed(this.inner.range(this.optionalKey(from), this.optionalKey(to)));
  }

  reverseRange(from: K | undefined, to: K | undefined): KeyValueIterator<K, V> {
    return this.typed(this.inner.reverseRange(this.optionalKey(from), this.optionalKey(to)));
  }

  all(): KeyValueIterator<K, V> {
    return this.typed(this.inner.range(undefined, undefined));
  }

  reverseAll(): KeyValueIterator<K, V> {
    return this.typed(this.inner.reverseRange(undefined, undefined));
  }

  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<K, V> {
    return this.typed(this.inner.prefixScan(prefixSerde.serialize(this.topic, prefix)));
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }

  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean {
    const caching = this.options.caching;
    if (caching === undefined) return false;
    caching.setBytesFlushListener(
      (key, newValue, oldValue, timestamp, recordContext) =>
        listener({ key: this.options.keySerde.deserialize(this.topic, key), newValue: this.value(newValue), oldValue: this.value(oldValue), timestamp, recordContext }),
      sendOldValues,
    );
    return true;
  }

  private rawKey(key: K): Buffer {
    return this.options.keySerde.serialize(this.topic, key);
  }

  private optionalKey(key: K | undefined): Buffer | undefined {
    return key === undefined ? undefined : this.rawKey(key);
  }

  private rawValue(value: V | null): Buffer | null {
    return value === null ? null : this.options.valueSerde.serialize(this.topic, value);
  }

  private timestamp(value: V | null): number | undefined {
    return value === null || this.options.timestampOf === undefined ? undefined : this.options.timestampOf(value);
  }

  private value(raw: Buffer | null | undefined): V | undefined {
    return raw === null || raw === undefined ? undefined : this.options.valueSerde.deserialize(this.topic, raw);
  }

  private typed(it: KeyValueIterator<Buffer, Buffer>): KeyValueIterator<K, V> {
    return mapIterator(it, (kv) => ({ key: this.options.keySerde.deserialize(this.topic, kv.key), value: this.options.valueSerde.deserialize(this.topic, kv.value) }));
  }
}
